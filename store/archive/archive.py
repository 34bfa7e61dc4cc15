"""The archive: parsed articles in a folder, queried through in-memory indexes.

Layout of the folder (see README "Where the archive lives"):

    archive.json      TinyDB file (store of record): tables `_meta` (schema, generation) and
                      `articles` (parsed metadata, compact figures, source paths); an archive
                      written before corrections.json existed also has a `corrections` table
    archive.json.bak  the previous good archive.json, for recovery
    corrections.json  TinyDB file: the user's edits (`_meta`, `corrections`: id -> fields),
                      apart from the parsed fields so re-ingest never loses them, and small,
                      so a correction rewrites a few KB instead of the whole archive (100k:
                      ~220 MB, 15-20 s). Applied as an overlay on open and in `get`.
                      Authoritative once it exists; until then the legacy table in
                      archive.json is used, and the first write of either file moves it here.
    corrections.json.bak  its previous good version
    bodies/ab/<ref>.json  one file per article text: body, full figures, folded search text;
                      named by content id, so an update writes a new file and a crash
                      before archive.json is replaced leaves the old pair intact
    archive.lock      file lock held while writing
    archive.snapshot  derived, rebuildable: list metadata, figures and lookup groups in columns
                      (store/snapshot.py), written after archive.json under the same lock and
                      used only while archive.json is the one it was built from; opening and
                      reading go through it, archive.json is parsed only for an ingest
    search.txt, search.idx  derived: every article's folded text, packed for the `/` filter
                      (store/textindex.py); appended after each write, rebuilt when missing

The archive keeps its own in-memory state and writes the whole TinyDB file once per batch
through `AtomicJSONStorage`, so ingesting many files costs one write, not one per article.
"""

from __future__ import annotations

import gc
import hashlib
import os
import stat
import threading
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from tongket.store.errors import InputError, NotFound, StoreError, TongketError
from tongket.store.derived.index import UNKNOWN, ArchiveIndex, ProvinceNames, _load_metric_names, _load_province_table
from tongket.store.archive.lock import write_lock
from tongket.store.derived import snapshot as snapshots
from tongket.store.derived import textindex
from tongket.store.record import (
    PERIODS,
    Article,
    ArticleMeta,
    FigureHit,
    IngestReport,
    Rejection,
    StoredArticle,
    article_from_dict,
)
from tongket.store.archive.storage import AtomicJSONStorage, atomic_write_bytes, describe_os_error, dumps, fsync_dir, loads
from tongket.store.lang.text import fold

UNKNOWN_PROVINCE = UNKNOWN  # province filter value meaning "no province"
SCHEMA_VERSION = 1
ARCHIVE_FILE = "archive.json"
BODIES_DIR = "bodies"
CORRECTIONS_FILE = "corrections.json"
CORRECTIONS_SCHEMA = 1
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


class _Prepared(NamedTuple):
    """One parse result reduced to what storing it needs: the archive.json fields, the
    fingerprint, the compact figures and the finished bytes of its body file. Built where
    the file was parsed (a worker process), so the folding and serialising run in parallel
    and only plain values travel back, which pickle far cheaper than the Article."""

    id: str
    source_url: str | None
    fields: dict[str, Any]
    fingerprint: str
    figs: list[list[Any]]
    payload: bytes  # the body file: body, full figures, folded search text, meta
    search: str  # the folded text for search.txt


def _prepare(article: Article, source_path: str | None) -> _Prepared:
    search = textindex.search_text(article.title, article.body)
    # "meta": the parsed fields too, so `tongket doctor --salvage` can rebuild the article
    # from this file alone if archive.json and its backup are both lost.
    meta = {**_parsed_fields(article), "source_path": source_path}
    payload = dumps({"body": article.body, "figures": article.figures, "search": search, "meta": meta})
    return _Prepared(
        article.id,
        article.source_url,
        _parsed_fields(article),
        _fingerprint(article),
        _compact_figures(article),
        payload,
        search,
    )


class Archive:
    """An archive folder, loaded into memory, with queries, ingest and corrections."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._file = self.path / ARCHIVE_FILE
        self._storage = AtomicJSONStorage(self._file)
        self._records: dict[str, dict[str, Any]] = {}
        self._corrections: dict[str, dict[str, Any]] = {}  # effective: the file's, else the legacy table
        self._legacy_corrections: dict[str, dict[str, Any]] = {}  # archive.json's old `corrections` table
        self._corr_file = self.path / CORRECTIONS_FILE
        self._corr_storage = AtomicJSONStorage(self._corr_file)
        self._corr_signature: tuple[int, int, int] | None = None
        self._corr_schema = CORRECTIONS_SCHEMA
        self._corr_generation = 0
        self._schema = SCHEMA_VERSION
        self._generation = 0
        self._signature: tuple[int, int, int] | None = None
        self._index: ArchiveIndex | None = None
        self._snapshot: snapshots.Snapshot | None = None  # what the index is built from
        self._defer_snapshot = False  # True while ingest_files writes batch after batch
        self._snapshot_pending = False  # archive.json written, its snapshot not yet
        self._fold_cache: dict[str, str] = {}  # folded labels/units, kept across snapshot builds
        self._texts: textindex.TextIndex | None = None  # packed search text, bound to the index
        self._texts_for: snapshots.Snapshot | None = None  # the snapshot `_texts` is bound to
        self._new_texts: list[tuple[str, str]] = []  # (ref, text) of bodies written since the last write
        self._replaced_text = False  # an article got a new body ref: the packed file may need compaction
        self._province_table: Any | None = _load_province_table()
        self._metric_names: dict[str, tuple[str, ...]] | None = None
        self._dirty = False
        self._unsynced: list[Path] = []

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | Path | None = None) -> "Archive":
        """Open (creating if missing) the archive folder; StoreError if it cannot be read."""
        folder = Path(path).expanduser() if path is not None else default_store_path()
        if folder.exists() and not folder.is_dir():
            raise StoreError(f"the archive path {folder} is a file, not a folder")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the archive folder {folder}: {describe_os_error(exc)}") from None
        if not folder.is_dir():
            raise StoreError(f"the archive path {folder} is not a folder")
        archive = cls(folder)
        archive._load()
        return archive

    def _stat_signature(self, file: Path | None = None) -> tuple[int, int, int] | None:
        try:
            st = (file or self._file).stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    # The store of record (TinyDB's archive.json) is read only when something needs it: a
    # write, or a record the snapshot cannot give. Reading just lists and looks up figures
    # through the snapshot (store/snapshot.py), which loads in a fraction of the time.
    @property
    def _records(self) -> dict[str, dict[str, Any]]:
        if self._records_data is None:
            index, snap = self._index, self._snapshot
            self._load(full=True)
            if snap is not None and snap.source == self._signature:  # same file: keep the index
                self._snapshot, self._index = snap, index
                if index is not None:
                    index.set_corrections(self._corrections)
        return self._records_data  # type: ignore[return-value]

    @_records.setter
    def _records(self, value: dict[str, dict[str, Any]]) -> None:
        self._records_data = value

    def _load_snapshot(self, signature: tuple[int, int, int] | None) -> bool:
        """Open from the snapshot when it was built from this very archive.json."""
        if signature is None:
            return False
        snap = snapshots.read(self.path / snapshots.SNAPSHOT_FILE, signature)
        if snap is None:
            return False
        self._schema = snap.schema
        self._generation = snap.generation
        self._records_data = None
        self._legacy_corrections = {aid: dict(fields) for aid, fields in snap.corrections.items()}
        self._signature = signature
        self._snapshot = snap
        self._index = None
        self._load_corrections()
        return True

    def _load(self, *, full: bool = False) -> None:
        signature = self._stat_signature()
        if not full and self._load_snapshot(signature):
            return
        gc_was_enabled = gc.isenabled()
        gc.disable()  # big loads create many containers; the cyclic GC only slows them down
        try:
            data = self._storage.read() or {}
        finally:
            if gc_was_enabled:
                gc.enable()
        tables = {name: self._table(data, name) for name in ("_meta", "articles", "corrections")}
        meta = next(iter(tables["_meta"].values()), {})
        schema = meta.get("schema", SCHEMA_VERSION) if isinstance(meta, dict) else SCHEMA_VERSION
        if not isinstance(schema, int):
            raise self._storage.damaged(f"its schema version {schema!r} is not a number")
        records: dict[str, dict[str, Any]] = {}
        for key, doc in tables["articles"].items():
            if not (isinstance(doc, dict) and isinstance(doc.get("id"), str)):
                # Skipping it would drop it from disk at the next write: refuse instead.
                raise self._storage.damaged(f"article record {key!r} has no id")
            records[doc["id"]] = doc
        self._schema = schema
        self._generation = int(meta.get("generation", 0)) if isinstance(meta, dict) else 0
        self._records = records
        self._legacy_corrections = _corrections_table(tables["corrections"])
        self._signature = signature
        self._index = None
        self._load_corrections()

    def _load_corrections(self) -> None:
        """The user's corrections: corrections.json when it exists (it is small: read on
        every open), else the legacy table of archive.json. A damaged file is refused like
        a damaged archive (a copy kept aside, `tongket doctor` to repair)."""
        signature = self._stat_signature(self._corr_file)
        data = self._corr_storage.read() if signature is not None else None
        if data is None:
            self._corrections = {aid: dict(f) for aid, f in self._legacy_corrections.items()}
            self._corr_schema, self._corr_generation = CORRECTIONS_SCHEMA, 0
        else:
            meta = next(iter(self._table_of(self._corr_storage, data, "_meta").values()), {})
            meta = meta if isinstance(meta, dict) else {}
            schema = meta.get("schema", CORRECTIONS_SCHEMA)
            if not isinstance(schema, int):
                raise self._corr_storage.damaged(f"its schema version {schema!r} is not a number")
            self._corr_schema = schema
            self._corr_generation = int(meta.get("generation") or 0)
            self._corrections = _corrections_table(self._table_of(self._corr_storage, data, "corrections"))
        self._corr_signature = signature
        if self._index is not None:
            self._index.set_corrections(self._corrections)

    def _write_corrections(self) -> None:
        """Write corrections.json (caller holds the lock): a few KB, archive.json untouched."""
        if self._corr_schema > CORRECTIONS_SCHEMA:
            raise StoreError(
                f"the corrections {self._corr_file} were written by a newer tongket (format {self._corr_schema}); "
                f"upgrade tongket before changing them"
            )
        data = {
            "_meta": {"1": {"schema": CORRECTIONS_SCHEMA, "generation": self._corr_generation + 1, "app": "tongket"}},
            "corrections": {
                str(i): {"id": aid, "fields": fields}
                for i, (aid, fields) in enumerate(self._corrections.items(), 1)
                if fields
            },
        }
        self._corr_storage.write(data)
        self._corr_generation += 1
        self._corr_signature = self._stat_signature(self._corr_file)
    def _table(self, data: dict[str, Any], name: str) -> dict[str, Any]:
        return self._table_of(self._storage, data, name)

    @staticmethod
    def _table_of(storage: AtomicJSONStorage, data: dict[str, Any], name: str) -> dict[str, Any]:
        """One TinyDB table of the file; a table that is not an object means damage."""
        table = data.get(name)
        if table is None:
            return {}
        if not isinstance(table, dict):
            raise storage.damaged(f"its {name!r} table is a {type(table).__name__}, not an object")
        return table

    def reload_if_changed(self) -> bool:
        """True (and reloaded) when another process has written the archive or the
        corrections since we read them. Corrections alone only redo the overlay."""
        if self._stat_signature() != self._signature:
            self._load()
            return True
        if self._stat_signature(self._corr_file) != self._corr_signature:
            self._load_corrections()
            return True
        return False

    # ------------------------------------------------------------ writing

    def _check_writable(self, *, records: bool = True) -> None:
        if records:
            self._records  # writing needs the store of record loaded (and its real schema)
        if self._schema > SCHEMA_VERSION:
            raise StoreError(
                f"the archive {self._file} was written by a newer tongket (format {self._schema}, "
                f"this one knows {SCHEMA_VERSION}); upgrade tongket before changing it"
            )

    def _write(self) -> None:
        """Write archive.json once (caller holds the lock)."""
        self._check_writable()
        self._sync_bodies()
        if self._legacy_corrections and self._corr_signature is None:
            # Migration: the corrections go to their own file first, so a crash before
            # archive.json is replaced leaves them in both places, never in neither.
            try:
                self._write_corrections()
            except StoreError:
                self._rollback()
                raise
        self._generation += 1
        data = {
            "_meta": {"1": {"schema": SCHEMA_VERSION, "generation": self._generation, "app": "tongket"}},
            "articles": {str(i): rec for i, rec in enumerate(self._records.values(), 1)},
        }
        try:
            self._storage.write(data)
        except StoreError:
            self._generation -= 1
            self._rollback()
            raise
        self._legacy_corrections = {}
        self._signature = self._stat_signature()
        self._index = None
        self._texts = None
        self._save_texts()
        if self._defer_snapshot:
            self._snapshot, self._snapshot_pending = None, True
        else:
            self._refresh_snapshot(save=True)

    @contextmanager
    def _one_snapshot(self, defer: bool) -> Iterator[None]:
        """During a many-batch ingest, write the snapshot once at the end instead of after
        every batch (its build is O(archive), so per batch it would make ingest quadratic).
        Meanwhile the snapshot on disk is stale by signature, so readers use archive.json."""
        self._defer_snapshot = defer
        try:
            yield
        finally:
            self._defer_snapshot = False
            if self._snapshot_pending:
                try:
                    with write_lock(self.path):
                        if self._stat_signature() == self._signature:
                            self._refresh_snapshot(save=True)
                except StoreError:
                    pass  # the next open rebuilds it

    def _rollback(self) -> None:
        """After a failed write, forget the unsaved changes: memory shows what is on disk."""
        try:
            self._load()
        except StoreError:
            self._signature = None  # reload at the next chance

    def _refresh_snapshot(self, *, save: bool) -> snapshots.Snapshot:
        """Build the snapshot from the records in memory; with `save` (the caller holds the
        lock, archive.json was just written) also write it next to archive.json. A snapshot
        that cannot be written is only a slower next start, never an error."""
        records = self._records
        snap = snapshots.build(
            [self._meta_of(r) for r in records.values()],
            {aid: r.get("figs") or [] for aid, r in records.items()},
            corrections=self._legacy_corrections,
            source=self._signature,
            generation=self._generation,
            schema=self._schema,
            refs={aid: r.get("body_ref", aid) for aid, r in records.items()},
            fold_cache=self._fold_cache,
        )
        self._snapshot = snap
        self._snapshot_pending = False
        if save and self._signature is not None:
            try:
                self._save_snapshot(snap)
            except OSError:
                pass
        return snap

    def _save_snapshot(self, snap: snapshots.Snapshot) -> None:
        """Write the snapshot file, with each record (minus its figures) for `get`."""
        records = self._records
        blobs = [dumps({k: v for k, v in records[aid].items() if k != "figs"}) for aid in snap.ids]
        atomic_write_bytes(self.path / snapshots.SNAPSHOT_FILE, snapshots.encode(snap, blobs))

    def _sync_bodies(self) -> None:
        """Make the article texts written since the last write durable, all at once."""
        if not self._unsynced:
            return
        if hasattr(os, "sync"):
            # sync(2) writes all dirty data and metadata, the new directory entries included,
            # so no fsync per body folder is needed after it (there are up to 256 of them).
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

    def _write_body(self, ref: str, article: Article | _Prepared, source_path: str | None = None) -> None:
        target = self._body_file(ref)
        if target.exists():  # content-addressed: same ref, same content
            return
        item = article if isinstance(article, _Prepared) else _prepare(article, source_path)
        payload, search = item.payload, item.search
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # No fsync per file (it would cost more than parsing); `_sync_bodies` makes the
            # whole batch durable once, before archive.json starts pointing at these files.
            atomic_write_bytes(target, payload, fsync=False)
            self._unsynced.append(target)
        except OSError as exc:
            raise StoreError(f"cannot write the article text {target}: {describe_os_error(exc)}") from None
        self._new_texts.append((ref, search))

    def _save_texts(self) -> None:
        """After a write of archive.json (lock held): append the new articles' folded texts
        to the packed search file, and compact it when edits left much dead text. Derived
        data: a failure only means the next text filter reads those bodies again."""
        items, self._new_texts = self._new_texts, []
        try:
            textindex.append(self.path, items)
            if self._replaced_text and self._records_data is not None:
                refs = {r.get("body_ref", aid) for aid, r in self._records_data.items()}
                textindex.compact(self.path, refs)
        except (OSError, ValueError):
            pass
        self._replaced_text = False

    def _read_body(self, ref: str) -> dict[str, Any] | None:
        try:
            return loads(self._body_file(ref).read_bytes())
        except (OSError, ValueError):
            return None

    # ------------------------------------------------------------ derived views

    def _provinces(self) -> ProvinceNames:
        """Province names the archive holds (parsed and corrected), for resolving input."""
        known = set(self.index.snapshot.provinces)
        known |= {c.get("province") for c in self._corrections.values()}
        return ProvinceNames((k for k in known if k), self._province_table)

    def _effective(self, record: dict[str, Any]) -> dict[str, Any]:
        fields = self._corrections.get(record["id"])
        if not fields:
            return record
        return {**record, **fields}

    @staticmethod
    def _meta_of(record: dict[str, Any]) -> ArticleMeta:
        """The parsed list row of a record (the snapshot keeps these; corrections are an
        overlay on top, see ArchiveIndex.set_corrections)."""
        return ArticleMeta(
            id=record["id"],
            title=record.get("title") or "",
            province=record.get("province"),
            report_year=record.get("report_year"),
            period=record.get("period"),
            published=record.get("published"),
            event_date=record.get("event_date"),
            n_figures=len(record.get("figs") or ()),
            corrected=(),
        )

    def _body_ref(self, article_id: str) -> str | None:
        if self._records_data is not None:
            record = self._records_data.get(article_id)
            return None if record is None else record.get("body_ref", article_id)
        rank = self.index.rank(article_id)
        return None if rank is None else self.index.snapshot.refs[rank]

    def _record(self, aid: str) -> dict[str, Any]:
        """The TinyDB record of an article, from the snapshot when the archive is not loaded."""
        if self._records_data is None:
            index = self.index
            rank = index.rank(aid)
            record = index.snapshot.record_of(rank) if rank is not None else None
            if record is not None:
                if "figs" not in record:
                    start, end = index.figure_range(rank)
                    record["figs"] = [index.snapshot.compact_figure(fi) for fi in range(start, end)]
                return record
        return self._records[aid]

    def _body_search_text(self, ref: str) -> str:
        """The folded text of one body file (for records the packed file lacks)."""
        body = self._read_body(ref) or {}
        return body.get("search") or " ".join(fold(body.get("body", "")).split())

    def _text_search(self, needle: str, among: set[int] | None) -> set[int]:
        """Ranks whose body text holds `needle`, through the packed file (store/textindex.py).
        Records it lacks (an archive from before it, or a file deleted) are read from the
        body files once and appended, under the lock if it is free, else kept in memory."""
        snap = self.index.snapshot
        if self._texts is None or self._texts_for is not snap:
            texts = textindex.TextIndex(self.path, snap.refs)
            if texts.damaged and self._discard_texts():
                texts = textindex.TextIndex(self.path, snap.refs)
            if texts.missing:
                missing = [(r, snap.refs[r]) for r in texts.missing]
                unsaved = textindex.fill_missing(self.path, missing, self._body_search_text, save=self._append_texts)
                if len(unsaved) < len(missing):
                    texts = textindex.TextIndex(self.path, snap.refs)  # map what was appended
                texts.add_loose({r: t for r, t in unsaved.items() if r in set(texts.missing)})
            self._texts, self._texts_for = texts, snap
        return self._texts.search(needle, among, len(snap.ids))

    def _discard_texts(self) -> bool:
        try:
            with write_lock(self.path, timeout=1.0):
                textindex.discard(self.path)
            return True
        except (StoreError, OSError):
            return False

    def _append_texts(self, items: list[tuple[str, str]]) -> bool:
        try:
            with write_lock(self.path, timeout=1.0):
                textindex.append(self.path, items)
            return True
        except (StoreError, OSError):
            return False

    @property
    def index(self) -> ArchiveIndex:
        """Indexes over the current state, rebuilt lazily after a load or a write."""
        if self._index is None:
            if self._metric_names is None:
                self._metric_names = _load_metric_names()
            snap = self._snapshot
            if snap is None or snap.source != self._signature:
                snap = self._rebuild_snapshot()
            corrected = [c.get("province") for c in self._corrections.values()]
            self._index = ArchiveIndex.from_snapshot(
                snap,
                text_search=self._text_search,
                provinces=ProvinceNames(list(snap.provinces) + [p for p in corrected if p], self._province_table),
                metric_names=self._metric_names,
                corrections=self._corrections,
            )
        return self._index

    # ------------------------------------------------------------ queries

    def _rebuild_snapshot(self) -> snapshots.Snapshot:
        """No usable snapshot (older archive, a crash between the two writes, another writer):
        build it from archive.json, and save it if the lock is free and the file unchanged."""
        snap = self._refresh_snapshot(save=False)
        if snap.source is None:
            return snap
        try:
            with write_lock(self.path, timeout=1.0):
                if self._stat_signature() == snap.source:
                    self._save_snapshot(snap)
        except (StoreError, OSError):
            pass
        return snap

    def __len__(self) -> int:
        if self._records_data is None:
            return len(self.index)
        return len(self._records_data)

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
        known = self._records_data if self._records_data is not None else self.index.ids()
        if prefix in known:
            return prefix
        matches = [aid for aid in known if aid.startswith(prefix)]
        if not matches:
            raise NotFound(f"no article with id {prefix!r} in {self.path}")
        if len(matches) > 1:
            shown = ", ".join(sorted(matches)[:5]) + (" …" if len(matches) > 5 else "")
            raise NotFound(f"id prefix {prefix!r} matches {len(matches)} articles ({shown}); type more of it")
        return matches[0]

    def get(self, id_or_prefix: str) -> StoredArticle:
        """The full article (body read from its own file) with the user's corrections applied."""
        aid = self.resolve(id_or_prefix)
        record = self._record(aid)
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

    def _apply(self, parsed: Article | _Prepared, source_path: str | None, lookups: "_Lookups") -> str:
        """Merge one parsed article into memory; returns "added", "updated" or "unchanged"."""
        article = parsed if isinstance(parsed, _Prepared) else _prepare(parsed, source_path)
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
            if rec.get("fingerprint") != article.fingerprint:  # same text, better parser: refresh
                self._write_body(article.id, article, source_path)
                self._fill(rec, article)
                status = "updated"
                self._dirty = True
            return status
        aid = (lookups.by_path.get(source_path) if source_path else None) or (
            lookups.by_url.get(article.source_url) if article.source_url else None
        )
        self._write_body(article.id, article, source_path)
        self._dirty = True
        if aid is not None:  # an edited source: keep the id and the user's corrections
            rec = self._records[aid]
            lookups.by_content.pop(rec.get("content_id", aid), None)
            self._replaced_text = self._replaced_text or rec.get("body_ref") != article.id
            self._fill(rec, article)
            if source_path and source_path not in rec["source_paths"]:
                rec["source_paths"].append(source_path)
            rec["updated_at"] = _now()
            lookups.by_content[article.id] = aid
            return "updated"
        rec = {"id": article.id, "source_paths": [source_path] if source_path else [], "ingested_at": _now()}
        self._fill(rec, article)
        self._records[article.id] = rec
        lookups.add(rec)
        return "added"

    @staticmethod
    def _fill(rec: dict[str, Any], article: _Prepared) -> None:
        """Copy freshly parsed fields into a record (never the user's corrections)."""
        data = article.fields
        for field in _META_FIELDS:
            if field == "source_url" and not data.get(field) and rec.get(field):
                continue  # keep a URL we learned from a manifest
            rec[field] = data.get(field)
        rec["content_id"] = article.id
        rec["body_ref"] = article.id
        rec["figs"] = article.figs
        rec["fingerprint"] = article.fingerprint

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
        max_bytes: int | None = None,
    ) -> IngestReport:
        """Parse and store many files, one archive write per batch. A file that fails
        becomes a Rejection in the report; it never stops the batch. Files over
        `max_bytes` (default: the decoder's 5 MB) are refused unread."""
        items = list(sources)
        total = len(items)
        added: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        failed: list[Rejection] = []
        self._check_writable()
        done = 0
        normal = _PathNormaliser()
        chunks = [
            [(path, url, normal(path)) for path, url in items[start : start + INGEST_BATCH]]
            for start in range(0, total, INGEST_BATCH)
        ]
        with self._one_snapshot(total > INGEST_BATCH), _FileParser(total, max_bytes=max_bytes) as parser:
            pending = parser.map(chunks[0]) if chunks else iter(())
            for i, chunk in enumerate(chunks):
                results = pending
                # Queue the next batch now: the workers parse it while this one is stored.
                pending = parser.map(chunks[i + 1]) if i + 1 < len(chunks) else iter(())
                parsed: list[tuple[_Prepared, str]] = []
                for (_path, _url, source), result in zip(chunk, results):
                    if isinstance(result, Rejection):
                        failed.append(result)
                    else:
                        parsed.append((result, source))
                    done += 1
                    if progress is not None:
                        progress(done, total)
                if parsed:
                    statuses = self._store_batch(parsed, failed)
                    for status, source in statuses:
                        {"added": added, "updated": updated, "unchanged": unchanged}[status].append(source)
        return IngestReport(tuple(added), tuple(updated), tuple(unchanged), tuple(failed))

    def _store_batch(self, parsed: list[tuple[Article | _Prepared, str]], failed: list[Rejection]) -> list[tuple[str, str]]:
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
            self._check_writable(records=False)  # archive.json is neither read nor written
            aid = self.resolve(id_or_prefix)
            current = dict(self._corrections.get(aid, {}))
            for name, value in fields.items():
                if value is None:
                    current.pop(name, None)
                else:
                    current[name] = self._validated(aid, name, value)
            before = dict(self._corrections)
            self._corrections[aid] = current
            if not current:
                del self._corrections[aid]
            try:
                self._write_corrections()
            except StoreError:
                self._corrections = before
                raise
            if self._index is not None:
                self._index.set_corrections(self._corrections)
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


def _corrections_table(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """id -> corrected fields, from a TinyDB `corrections` table (malformed documents skipped)."""
    corrections: dict[str, dict[str, Any]] = {}
    for doc in table.values():
        if isinstance(doc, dict) and isinstance(doc.get("id"), str) and isinstance(doc.get("fields"), dict):
            if doc["fields"]:
                corrections[doc["id"]] = dict(doc["fields"])
    return corrections


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
    from tongket.store.parse.article import parse_text

    try:
        parse_text("Văn phòng UBND tỉnh\n\nNăm 2019 tiếp nhận 1.000 văn bản đến.")
    except Exception:
        pass


def _parse_packed(item: tuple[str, str | None, int | None, str | None]) -> _Prepared | Rejection:
    """Parse one file and prepare it for storing (run in the workers)."""
    result = _parse_one(Path(item[0]), item[1], item[2])
    if isinstance(result, Rejection):
        return result
    try:
        return _prepare(result, item[3])
    except Exception as exc:  # e.g. an unserialisable value: a rejection, as in _parse_one
        return Rejection(str(item[0]), f"could not be parsed ({type(exc).__name__}: {exc})")


class _FileParser:
    """Parses files in order, spreading big batches over the CPUs: parsing (pure Python)
    is the slow part of ingest. Workers are forked only while this process has a single
    thread (the app ingests from a thread, and forking a threaded process can deadlock);
    otherwise they start with forkserver/spawn. Where worker
    processes cannot start, it parses in-process."""

    def __init__(self, total: int, *, max_bytes: int | None = None) -> None:
        self._max_bytes = max_bytes
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

    def map(self, chunk: list[tuple[Path, str | None, str | None]]) -> Iterator[_Prepared | Rejection]:
        """Results for (path, url, source path) in order. With workers, the whole chunk is
        queued right away, so the caller can store one batch while the next is parsed."""
        packed = [(str(p), u, self._max_bytes, s) for p, u, s in chunk]
        results = None
        if self._parallel:
            try:
                results = self._start_pool().map(_parse_packed, packed, chunksize=8)
            except Exception:  # workers unavailable: parse in-process
                self._parallel = False
                self.__exit__()
        return self._collect(packed, results)

    def _collect(self, packed: list[tuple[str, str | None, int | None, str | None]], results: Any) -> Iterator[_Prepared | Rejection]:
        done = 0
        if results is not None:
            try:
                for result in results:
                    done += 1
                    yield result
                return
            except Exception:  # workers died: finish in-process
                self._parallel = False
                self.__exit__()
        for item in packed[done:]:
            yield _parse_packed(item)


def _normal_path(path: str | Path | None) -> str | None:
    if path is None:
        return None
    try:
        return str(Path(path).expanduser().resolve())
    except OSError:
        return str(path)


class _PathNormaliser:
    """`_normal_path` for many files, most of them in a few folders: each folder is resolved
    once, and a file that is not a symlink itself (one lstat) resolves to its resolved
    folder + its name, as `Path.resolve` would give (~0.18 ms a file through pathlib).
    Anything else (a symlink, "~", an odd name, an error) takes `_normal_path`."""

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}

    def __call__(self, path: str | Path) -> str | None:
        text = os.fspath(path)
        folder, name = os.path.split(text)
        if not name or name in (".", "..") or text.startswith("~") or "\0" in text:
            return _normal_path(path)
        try:
            if stat.S_ISLNK(os.lstat(text).st_mode):
                return _normal_path(path)
        except (OSError, ValueError):
            return _normal_path(path)
        real = self._folders.get(folder)
        if real is None:
            resolved = _normal_path(folder or ".")
            if resolved is None:
                return _normal_path(path)
            real = self._folders[folder] = resolved
        return os.path.join(real, name)


def _parse_one(path: Path, url: str | None, max_bytes: int | None = None) -> Article | Rejection:
    """Parse one file; any failure becomes a Rejection with a one-line reason."""
    from tongket.store.parse.article import parse_file

    try:
        if max_bytes is None:
            return parse_file(path, url=url)
        return parse_file(path, url=url, max_bytes=max_bytes)
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
