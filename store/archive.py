"""The archive: parsed articles in a folder, queried through in-memory indexes.

Layout of the folder (see README "Where the archive lives"):

    archive.json      TinyDB file (store of record): tables `_meta` (schema, generation),
                      `articles` (metadata, compact figures, source paths) and `corrections`
                      (the user's edits, kept apart so re-ingest never loses them)
    archive.json.bak  the previous good archive.json, for recovery
    bodies/ab/<ref>.json  one file per article text: body, full figures, folded search text;
                      named by content id, so an update writes a new file and a crash
                      before archive.json is replaced leaves the old pair intact
    archive.lock      file lock held while writing

The archive keeps its own in-memory state and writes the whole TinyDB file once per batch
through `AtomicJSONStorage`, so ingesting many files costs one write, not one per article.
"""

from __future__ import annotations

import gc
import hashlib
import os
import threading
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .errors import InputError, NotFound, StoreError, TongketError
from .index import UNKNOWN, ArchiveIndex, ProvinceNames, _load_metric_names, _load_province_table
from .lock import write_lock
from .record import (
    PERIODS,
    Article,
    ArticleMeta,
    FigureHit,
    IngestReport,
    Rejection,
    StoredArticle,
    article_from_dict,
)
from .storage import AtomicJSONStorage, atomic_write_bytes, dumps, fsync_dir, loads
from .text import fold

UNKNOWN_PROVINCE = UNKNOWN  # province filter value meaning "no province"
SCHEMA_VERSION = 1
ARCHIVE_FILE = "archive.json"
BODIES_DIR = "bodies"
CORRECTABLE = ("province", "report_year", "period", "title")
INGEST_BATCH = 500  # articles parsed between two writes of archive.json

# Parsed fields kept in archive.json (body and full figures live in the body file).
_META_FIELDS = (
    "title", "title_derived", "published", "event_date", "province", "province_evidence",
    "report_year", "period", "byline", "officials", "warnings", "source_url",
)


def default_store_path() -> Path:
    """`TONGKET_STORE`, else the platform's user data folder (e.g. ~/.local/share/tongket)."""
    env = os.environ.get("TONGKET_STORE")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("tongket", appauthor=False))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _compact_figures(article: Article) -> list[list[Any]]:
    return [[f.value, f.unit, f.label, f.key, f.display] for f in article.figures]


def _fingerprint(article: Article) -> str:
    """Identity of one parse result (ignoring the URL, which differs between copies).
    orjson serialises the frozen dataclasses directly, much faster than `asdict`."""
    return hashlib.sha1(dumps(replace(article, source_url=None))).hexdigest()[:16]


def _parsed_fields(article: Article) -> dict[str, Any]:
    """The parsed fields archive.json keeps, as plain JSON values."""
    return {
        "title": article.title,
        "title_derived": article.title_derived,
        "published": article.published,
        "event_date": article.event_date,
        "province": article.province,
        "province_evidence": article.province_evidence,
        "report_year": article.report_year,
        "period": article.period,
        "byline": article.byline,
        "officials": [{"name": o.name, "role": o.role} for o in article.officials],
        "warnings": list(article.warnings),
        "source_url": article.source_url,
    }


class Archive:
    """An archive folder, loaded into memory, with queries, ingest and corrections."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._file = self.path / ARCHIVE_FILE
        self._storage = AtomicJSONStorage(self._file)
        self._records: dict[str, dict[str, Any]] = {}
        self._corrections: dict[str, dict[str, Any]] = {}
        self._schema = SCHEMA_VERSION
        self._generation = 0
        self._signature: tuple[int, int, int] | None = None
        self._index: ArchiveIndex | None = None
        self._text_cache: dict[str, str] = {}  # body ref -> folded search text
        self._province_table: Any | None = _load_province_table()
        self._metric_names: dict[str, tuple[str, ...]] | None = None
        self._dirty = False
        self._unsynced: list[Path] = []

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | Path | None = None) -> "Archive":
        """Open (creating if missing) the archive folder; StoreError if it cannot be read."""
        folder = Path(path).expanduser() if path is not None else default_store_path()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the archive folder {folder}: {exc.strerror or exc}") from None
        if not folder.is_dir():
            raise StoreError(f"the archive path {folder} is not a folder")
        archive = cls(folder)
        archive._load()
        return archive

    def _stat_signature(self) -> tuple[int, int, int] | None:
        try:
            st = self._file.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _load(self) -> None:
        signature = self._stat_signature()
        gc_was_enabled = gc.isenabled()
        gc.disable()  # big loads create many containers; the cyclic GC only slows them down
        try:
            data = self._storage.read() or {}
        finally:
            if gc_was_enabled:
                gc.enable()
        meta = next(iter((data.get("_meta") or {}).values()), {}) if data else {}
        schema = meta.get("schema", SCHEMA_VERSION) if isinstance(meta, dict) else SCHEMA_VERSION
        if not isinstance(schema, int):
            raise StoreError(f"the archive {self._file} has an unreadable schema version {schema!r}")
        records: dict[str, dict[str, Any]] = {}
        for doc in (data.get("articles") or {}).values():
            if isinstance(doc, dict) and isinstance(doc.get("id"), str):
                records[doc["id"]] = doc
        corrections: dict[str, dict[str, Any]] = {}
        for doc in (data.get("corrections") or {}).values():
            if isinstance(doc, dict) and doc.get("id") in records and isinstance(doc.get("fields"), dict):
                corrections[doc["id"]] = dict(doc["fields"])
        self._schema = schema
        self._generation = int(meta.get("generation", 0)) if isinstance(meta, dict) else 0
        self._records = records
        self._corrections = corrections
        self._signature = signature
        self._index = None

    def reload_if_changed(self) -> bool:
        """True (and reloaded) when another process has written the archive since we read it."""
        if self._stat_signature() == self._signature:
            return False
        self._load()
        return True

    # ------------------------------------------------------------ writing

    def _check_writable(self) -> None:
        if self._schema > SCHEMA_VERSION:
            raise StoreError(
                f"the archive {self._file} was written by a newer tongket (format {self._schema}, "
                f"this one knows {SCHEMA_VERSION}); upgrade tongket before changing it"
            )

    def _write(self) -> None:
        """Write archive.json once (caller holds the lock)."""
        self._check_writable()
        self._sync_bodies()
        self._generation += 1
        data = {
            "_meta": {"1": {"schema": SCHEMA_VERSION, "generation": self._generation, "app": "tongket"}},
            "articles": {str(i): rec for i, rec in enumerate(self._records.values(), 1)},
            "corrections": {
                str(i): {"id": aid, "fields": fields}
                for i, (aid, fields) in enumerate(self._corrections.items(), 1)
                if fields
            },
        }
        self._storage.write(data)
        self._signature = self._stat_signature()
        self._index = None

    def _sync_bodies(self) -> None:
        """Make the article texts written since the last write durable, all at once."""
        if not self._unsynced:
            return
        if hasattr(os, "sync"):
            os.sync()
        else:  # pragma: no cover - platforms without sync(2)
            for path in self._unsynced:
                with open(path, "rb+") as handle:
                    os.fsync(handle.fileno())
        for folder in {p.parent for p in self._unsynced}:
            fsync_dir(folder)
        self._unsynced.clear()

    def _body_file(self, ref: str) -> Path:
        return self.path / BODIES_DIR / ref[:2] / f"{ref}.json"

    def _write_body(self, ref: str, article: Article) -> None:
        target = self._body_file(ref)
        if target.exists():  # content-addressed: same ref, same content
            return
        search = " ".join(fold(article.title + "\n" + article.body).split())
        payload = dumps({"body": article.body, "figures": article.figures, "search": search})
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # No fsync per file (it would cost more than parsing); `_sync_bodies` makes the
            # whole batch durable once, before archive.json starts pointing at these files.
            atomic_write_bytes(target, payload, fsync=False)
            self._unsynced.append(target)
        except OSError as exc:
            raise StoreError(f"cannot write the article text {target}: {exc.strerror or exc}") from None
        self._text_cache[ref] = search

    def _read_body(self, ref: str) -> dict[str, Any] | None:
        try:
            return loads(self._body_file(ref).read_bytes())
        except (OSError, ValueError):
            return None

    # ------------------------------------------------------------ derived views

    def _provinces(self) -> ProvinceNames:
        known = {r.get("province") for r in self._records.values()}
        known |= {c.get("province") for c in self._corrections.values()}
        return ProvinceNames((k for k in known if k), self._province_table)

    def _effective(self, record: dict[str, Any]) -> dict[str, Any]:
        fields = self._corrections.get(record["id"])
        if not fields:
            return record
        return {**record, **fields}

    def _meta_of(self, record: dict[str, Any]) -> ArticleMeta:
        eff = self._effective(record)
        return ArticleMeta(
            id=record["id"],
            title=eff.get("title") or "",
            province=eff.get("province"),
            report_year=eff.get("report_year"),
            period=eff.get("period"),
            published=eff.get("published"),
            event_date=eff.get("event_date"),
            n_figures=len(record.get("figs") or ()),
            corrected=tuple(k for k in CORRECTABLE if k in self._corrections.get(record["id"], {})),
        )

    def _search_text(self, article_id: str) -> str:
        record = self._records.get(article_id)
        if record is None:
            return ""
        ref = record.get("body_ref", article_id)
        text = self._text_cache.get(ref)
        if text is None:
            body = self._read_body(ref) or {}
            text = body.get("search") or " ".join(fold(body.get("body", "")).split())
            self._text_cache[ref] = text
        return text

    @property
    def index(self) -> ArchiveIndex:
        """Indexes over the current state, rebuilt lazily after a load or a write."""
        if self._index is None:
            if self._metric_names is None:
                self._metric_names = _load_metric_names()
            self._index = ArchiveIndex(
                (self._meta_of(r) for r in self._records.values()),
                {aid: r.get("figs") or [] for aid, r in self._records.items()},
                text_of=self._search_text,
                provinces=self._provinces(),
                metric_names=self._metric_names,
            )
        return self._index

    # ------------------------------------------------------------ queries

    def __len__(self) -> int:
        return len(self._records)

    def articles(self) -> list[ArticleMeta]:
        """All articles, newest first."""
        return self.index.all()

    def query(
        self,
        *,
        province: str | None = None,
        year: int | None = None,
        period: str | None = None,
        text: str | None = None,
        merged: bool = False,
    ) -> list[ArticleMeta]:
        return self.index.select(province=province, year=year, period=period, text=text, merged=merged)

    def province_counts(self, *, merged: bool = False, year=None, period=None, text=None) -> list[tuple[str | None, int]]:
        return self.index.province_counts(merged=merged, year=year, period=period, text=text)

    def year_counts(self, *, province=None, period=None, text=None, merged=False) -> list[tuple[int | None, int]]:
        return self.index.year_counts(province=province, period=period, text=text, merged=merged)

    def period_counts(self, *, province=None, year=None, text=None, merged=False) -> list[tuple[str | None, int]]:
        return self.index.period_counts(province=province, year=year, text=text, merged=merged)

    def resolve(self, id_or_prefix: str) -> str:
        """Full id for a unique prefix; NotFound names the prefix and, if ambiguous, the candidates."""
        prefix = (id_or_prefix or "").strip().lower()
        if not prefix:
            raise NotFound("no article id given")
        if prefix in self._records:
            return prefix
        matches = [aid for aid in self._records if aid.startswith(prefix)]
        if not matches:
            raise NotFound(f"no article with id {prefix!r} in {self.path}")
        if len(matches) > 1:
            shown = ", ".join(sorted(matches)[:5]) + (" …" if len(matches) > 5 else "")
            raise NotFound(f"id prefix {prefix!r} matches {len(matches)} articles ({shown}); type more of it")
        return matches[0]

    def get(self, id_or_prefix: str) -> StoredArticle:
        """The full article (body read from its own file) with the user's corrections applied."""
        aid = self.resolve(id_or_prefix)
        record = self._records[aid]
        eff = self._effective(record)
        body = self._read_body(record.get("body_ref", aid))
        warnings = list(record.get("warnings") or ())
        if body is None:
            warnings.append(f"article text missing from the archive ({self._body_file(record.get('body_ref', aid))})")
            figures = [
                {"value": v, "unit": u, "label": lab, "key": k, "display": d}
                for v, u, lab, k, d in record.get("figs") or ()
            ]
            body = {"body": "", "figures": figures}
        data = {field: eff.get(field) for field in _META_FIELDS}
        data.update(id=aid, body=body.get("body", ""), figures=body.get("figures", []), warnings=warnings)
        article = article_from_dict(data)
        return StoredArticle(
            article=article,
            corrections=dict(self._corrections.get(aid, {})),
            source_paths=tuple(record.get("source_paths") or ()),
            ingested_at=record.get("ingested_at", ""),
        )

    def lookup(
        self,
        query: str,
        *,
        province: str | None = None,
        year: int | None = None,
        period: str | None = None,
        merged: bool = False,
        limit: int = 200,
    ) -> list[FigureHit]:
        """Figures whose label, unit or metric name matches, best first; filters apply."""
        return self.index.lookup(query, province=province, year=year, period=period, merged=merged, limit=limit)

    # ------------------------------------------------------------ ingest

    def _apply(self, article: Article, source_path: str | None, lookups: "_Lookups") -> str:
        """Merge one parsed article into memory; returns "added", "updated" or "unchanged"."""
        data = _parsed_fields(article)
        fingerprint = _fingerprint(article)
        aid = lookups.by_content.get(article.id)
        if aid is not None:
            rec = self._records[aid]
            status = "unchanged"
            if source_path and source_path not in rec["source_paths"]:
                rec["source_paths"].append(source_path)
                lookups.by_path[source_path] = aid
                self._dirty = True
            if article.source_url and not rec.get("source_url"):
                rec["source_url"] = article.source_url
                lookups.by_url[article.source_url] = aid
                self._dirty = True
            if rec.get("fingerprint") != fingerprint:  # same text, better parser: refresh
                self._write_body(article.id, article)
                self._fill(rec, article, data, fingerprint)
                status = "updated"
                self._dirty = True
            return status
        aid = (lookups.by_path.get(source_path) if source_path else None) or (
            lookups.by_url.get(article.source_url) if article.source_url else None
        )
        self._write_body(article.id, article)
        self._dirty = True
        if aid is not None:  # an edited source: keep the id and the user's corrections
            rec = self._records[aid]
            lookups.by_content.pop(rec.get("content_id", aid), None)
            self._fill(rec, article, data, fingerprint)
            if source_path and source_path not in rec["source_paths"]:
                rec["source_paths"].append(source_path)
            rec["updated_at"] = _now()
            lookups.by_content[article.id] = aid
            return "updated"
        rec = {"id": article.id, "source_paths": [source_path] if source_path else [], "ingested_at": _now()}
        self._fill(rec, article, data, fingerprint)
        self._records[article.id] = rec
        lookups.add(rec)
        return "added"

    @staticmethod
    def _fill(rec: dict[str, Any], article: Article, data: dict[str, Any], fingerprint: str) -> None:
        """Copy freshly parsed fields into a record (never the user's corrections)."""
        for field in _META_FIELDS:
            if field == "source_url" and not data.get(field) and rec.get(field):
                continue  # keep a URL we learned from a manifest
            rec[field] = data.get(field)
        rec["content_id"] = article.id
        rec["body_ref"] = article.id
        rec["figs"] = _compact_figures(article)
        rec["fingerprint"] = fingerprint

    def ingest_article(self, article: Article, *, source_path: str | None = None) -> str:
        """Store one parsed article; "added", "updated" or "unchanged"."""
        source = _normal_path(source_path)
        with write_lock(self.path):
            self.reload_if_changed()
            self._check_writable()
            self._dirty = False
            status = self._apply(article, source, _Lookups(self._records))
            if self._dirty:
                self._write()
        return status

    def ingest_files(
        self,
        sources: Iterable[tuple[Path, str | None]],
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> IngestReport:
        """Parse and store many files, one archive write per batch. A file that fails
        becomes a Rejection in the report; it never stops the batch."""
        items = list(sources)
        total = len(items)
        added: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        failed: list[Rejection] = []
        self._check_writable()
        done = 0
        with _FileParser(total) as parser:
            for start in range(0, total, INGEST_BATCH):
                chunk = items[start : start + INGEST_BATCH]
                parsed: list[tuple[Article, str]] = []
                for (path, _url), result in zip(chunk, parser.map(chunk)):
                    if isinstance(result, Rejection):
                        failed.append(result)
                    else:
                        parsed.append((result, _normal_path(path)))
                    done += 1
                    if progress is not None:
                        progress(done, total)
                if parsed:
                    statuses = self._store_batch(parsed, failed)
                    for status, source in statuses:
                        {"added": added, "updated": updated, "unchanged": unchanged}[status].append(source)
        return IngestReport(tuple(added), tuple(updated), tuple(unchanged), tuple(failed))

    def _store_batch(self, parsed: list[tuple[Article, str]], failed: list[Rejection]) -> list[tuple[str, str]]:
        """Merge a batch of parsed articles and write archive.json once, under the lock."""
        statuses: list[tuple[str, str]] = []
        with write_lock(self.path):
            self.reload_if_changed()
            self._check_writable()
            self._dirty = False
            lookups = _Lookups(self._records)
            for article, source in parsed:
                try:
                    statuses.append((self._apply(article, source, lookups), source))
                except StoreError as exc:
                    failed.append(Rejection(source, str(exc)))
            if self._dirty:
                self._write()
        return statuses

    # ------------------------------------------------------------ corrections

    def correct(self, id_or_prefix: str, **fields: Any) -> StoredArticle:
        """Record the user's corrections (province, report_year, period, title); None clears one."""
        unknown = set(fields) - set(CORRECTABLE)
        if unknown:
            raise InputError(id_or_prefix, f"cannot correct {', '.join(sorted(unknown))} (only {', '.join(CORRECTABLE)})")
        with write_lock(self.path):
            self.reload_if_changed()
            self._check_writable()
            aid = self.resolve(id_or_prefix)
            current = dict(self._corrections.get(aid, {}))
            for name, value in fields.items():
                if value is None:
                    current.pop(name, None)
                else:
                    current[name] = self._validated(aid, name, value)
            self._corrections[aid] = current
            if not current:
                del self._corrections[aid]
            self._write()
        return self.get(aid)

    def _validated(self, aid: str, name: str, value: Any) -> Any:
        if name == "title":
            title = " ".join(str(value).split())
            if not title:
                raise InputError(aid, "a title cannot be empty")
            return title
        if name == "report_year":
            try:
                year = int(value)
            except (TypeError, ValueError):
                raise InputError(aid, f"year must be a number, not {value!r}") from None
            if not 1900 <= year <= 2100:
                raise InputError(aid, f"year {year} is out of range (1900-2100)")
            return year
        if name == "period":
            period = str(value).strip().lower()
            if period not in PERIODS:
                raise InputError(aid, f"period must be one of {', '.join(PERIODS)}, not {value!r}")
            return period
        # province
        text = " ".join(str(value).split())
        if not text:
            raise InputError(aid, "a province cannot be empty (use None to clear the correction)")
        canonical = self._provinces().canonical(text)
        if canonical:
            return canonical
        if self._province_table is not None:
            raise InputError(aid, f"unknown province {text!r}")
        return text


class _Lookups:
    """Content id / source path / URL -> article id, built once per batch."""

    def __init__(self, records: dict[str, dict[str, Any]]) -> None:
        self.by_content: dict[str, str] = {}
        self.by_path: dict[str, str] = {}
        self.by_url: dict[str, str] = {}
        for rec in records.values():
            self.add(rec)

    def add(self, rec: dict[str, Any]) -> None:
        aid = rec["id"]
        self.by_content[rec.get("content_id", aid)] = aid
        for p in rec.get("source_paths") or ():
            self.by_path[p] = aid
        if rec.get("source_url"):
            self.by_url.setdefault(rec["source_url"], aid)


PARALLEL_THRESHOLD = 200  # files; below this, starting worker processes costs more than it saves


def _warm_parser() -> None:
    from .parser import parse_text

    try:
        parse_text("Văn phòng UBND tỉnh\n\nNăm 2019 tiếp nhận 1.000 văn bản đến.")
    except Exception:
        pass


def _parse_packed(item: tuple[Path | str, str | None]) -> Article | Rejection:
    return _parse_one(Path(item[0]), item[1])


class _FileParser:
    """Parses files in order, spreading big batches over the CPUs: parsing (pure Python)
    is the slow part of ingest. Workers are forked only while this process has a single
    thread (the app ingests from a thread, and forking a threaded process can deadlock);
    otherwise they start with forkserver/spawn. Where worker
    processes cannot start, it parses in-process."""

    def __init__(self, total: int) -> None:
        self._workers = min(os.cpu_count() or 1, 8)
        self._parallel = (
            total >= PARALLEL_THRESHOLD and self._workers > 1 and not os.environ.get("TONGKET_NO_PARALLEL")
        )
        self._pool: Any = None

    def __enter__(self) -> "_FileParser":
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _start_pool(self) -> Any:
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            methods = multiprocessing.get_all_start_methods()
            if "fork" in methods and threading.active_count() == 1:
                method = "fork"  # cheapest, and safe while no other thread exists
                _warm_parser()  # load the parser's tables once, before the workers copy us
            else:
                method = "forkserver" if "forkserver" in methods else "spawn"
            context = multiprocessing.get_context(method)
            self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=context)
        return self._pool

    def map(self, chunk: list[tuple[Path, str | None]]) -> Iterator[Article | Rejection]:
        done = 0
        if self._parallel:
            try:
                for result in self._start_pool().map(_parse_packed, [(str(p), u) for p, u in chunk], chunksize=8):
                    done += 1
                    yield result
                return
            except Exception:  # workers unavailable or died: finish in-process
                self._parallel = False
                self.__exit__()
        for item in chunk[done:]:
            yield _parse_packed(item)


def _normal_path(path: str | Path | None) -> str | None:
    if path is None:
        return None
    try:
        return str(Path(path).expanduser().resolve())
    except OSError:
        return str(path)


def _parse_one(path: Path, url: str | None) -> Article | Rejection:
    """Parse one file; any failure becomes a Rejection with a one-line reason."""
    from .parser import parse_file

    try:
        return parse_file(path, url=url)
    except InputError as exc:
        return Rejection(str(path), exc.reason)
    except TongketError as exc:
        return Rejection(str(path), str(exc))
    except OSError as exc:
        return Rejection(str(path), exc.strerror or str(exc))
    except UnicodeError as exc:
        return Rejection(str(path), f"cannot decode the text ({exc.reason})")
    except RecursionError:
        return Rejection(str(path), "the file is nested too deeply to parse")
    except MemoryError:
        return Rejection(str(path), "the file is too large to parse")
    except Exception as exc:  # a parser bug must not stop a batch or damage the archive
        return Rejection(str(path), f"could not be parsed ({type(exc).__name__}: {exc})")
