"""The archive façade: an archive folder, loaded into memory, with queries, ingest,
corrections and removal. Its rooms: layout.py (which file is where), codec.py (records in
and out of every on-disk shape), bodies.py (the text files), corrections.py (the user's
edits), ingest.py (parsing and merge rules), storage.py/lock.py (atomic writes, the lock),
derived/ (snapshot, indexes, packed search text).

The store of record (archive.json) is read only when something needs it: a write, or a
record the snapshot cannot give. Listing and looking up figures go through the snapshot.
The whole TinyDB file is written once per batch, so ingesting many files costs one write.
Reads never write the store of record; writes are the named methods `ingest_*`, `correct`
and `remove` (and `open`, which rebuilds a stale snapshot).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from tongket.store.archive import codec
from tongket.store.archive.bodies import Bodies
from tongket.store.archive.derived_files import sweep_temps
from tongket.store.archive.corrections import (CORRECTABLE, Corrections, catalogue_check, corrections_table, table_of,
                                               validated)
from tongket.store.archive.ingest import INGEST_BATCH, FileParser, Merge, PathNormaliser, Prepared, known_urls, \
    normal_path, prepare
from tongket.store.archive.layout import ARCHIVE_FILE, BODIES_DIR, CORRECTIONS_FILE, READ_ONLY_FILE, SCHEMA_VERSION, \
    default_store_path
from tongket.store.archive.lock import write_lock
from tongket.store.archive.storage import AtomicJSONStorage, atomic_write_bytes, describe_os_error, dumps, read_checksum
from tongket.store.derived import snapshot as snapshots
from tongket.store.derived import details, textindex
from tongket.store.derived.index import UNKNOWN, ArchiveIndex, ProvinceNames, _load_metric_names, _load_province_table
from tongket.store.errors import InputError, NotFound, StoreError
from tongket.store.lang.text import fold
from tongket.store.record import Article, ArticleMeta, FigureHit, IngestReport, LookupResult, Rejection, StoredArticle

__all__ = ["ARCHIVE_FILE", "CORRECTIONS_FILE", "CORRECTABLE", "SCHEMA_VERSION", "UNKNOWN_PROVINCE", "Archive",
           "default_store_path"]

UNKNOWN_PROVINCE = UNKNOWN  # province filter value meaning "no province"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Archive:
    """An archive folder, loaded into memory, with queries, ingest, corrections and removal."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._file = self.path / ARCHIVE_FILE
        self._storage = AtomicJSONStorage(self._file, evidence=self.path / BODIES_DIR)
        self._records_data: dict[str, dict[str, Any]] | None = {}
        self._corr = Corrections(self.path)
        self._legacy_corrections: dict[str, dict[str, Any]] = {}  # archive.json's old `corrections` table
        self._bodies = Bodies(self.path)
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
        self._replaced_text = False  # an article got a new body ref: the packed file may need compaction
        self._province_table: Any | None = _load_province_table()
        self._metric_names: dict[str, tuple[str, ...]] | None = None
        self._notices: list[str] = []  # damaged derived files met (and rebuilt) while reading

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | Path | None = None) -> "Archive":
        """Open (creating if missing) the archive folder; StoreError if it cannot be read.
        A snapshot that does not match archive.json is rebuilt and saved here, so that
        later reads never write."""
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
        if archive._records_data is not None and archive._signature is not None:
            archive._save_rebuilt_snapshot()
        return archive

    def _stat_signature(self, file: Path | None = None) -> tuple[int, int, int] | None:
        try:
            st = (file or self._file).stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    @property
    def _corrections(self) -> dict[str, dict[str, Any]]:
        return self._corr.data

    def _loaded_records(self) -> dict[str, dict[str, Any]]:
        """The store of record in memory, parsed from archive.json if only the snapshot was
        read (the index built from that same file is kept)."""
        if self._records_data is None:
            index, snap = self._index, self._snapshot
            self._load(full=True)
            if snap is not None and snap.source == self._signature:  # same file: keep the index
                self._snapshot, self._index = snap, index
                if index is not None:
                    index.set_corrections(self._corrections)
        assert self._records_data is not None
        return self._records_data

    def _load_snapshot(self, signature: tuple[int, int, int] | None) -> bool:
        """Open from the snapshot when it was built from this very archive.json."""
        if signature is None:
            return False
        file = self.path / snapshots.SNAPSHOT_FILE
        snap = snapshots.read(file, signature)
        if snap is None:
            problem = snapshots.check(file, signature) or ""
            if problem.startswith("damaged"):  # missing or stale is routine, damage is news
                notice = f"{file}: {problem}; rebuilt it from archive.json"
                if notice not in self._notices:
                    self._notices.append(notice)
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
        tables = {name: table_of(self._storage, data, name) for name in ("_meta", "articles", "corrections")}
        meta: object = next(iter(tables["_meta"].values()), {})
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
        self._records_data = records
        self._legacy_corrections = corrections_table(tables["corrections"])
        self._signature = signature
        self._index = None
        self._load_corrections()

    def _load_corrections(self) -> None:
        self._corr.load(self._legacy_corrections, catalogue_check(self._province_table))
        if self._index is not None:
            self._index.set_corrections(self._corrections)

    @property
    def problems(self) -> list[str]:
        """What reading met and dealt with, one line each: a damaged snapshot it rebuilt,
        corrections `set` would refuse (set aside, not applied)."""
        return self._notices + self._corr.problems

    def reload_if_changed(self) -> bool:
        """True (and reloaded) when another process has written the archive or the
        corrections since we read them. Corrections alone only redo the overlay."""
        if self._stat_signature() != self._signature:
            self._load()
            return True
        if self._corr.changed():
            self._load_corrections()
            return True
        return False

    # ------------------------------------------------------------ writing

    @property
    def read_only(self) -> bool:
        """The bundled sample archive: shown, never changed (the user's own archive is apart)."""
        return (self.path / READ_ONLY_FILE).exists()

    def _check_writable(self, *, records: bool = True) -> None:
        if self.read_only:
            raise StoreError(f"{self.path} is the bundled sample archive, which is read-only; "
                             f"add your own articles with `tongket ingest FOLDER` to start your archive")
        if records:
            self._loaded_records()  # writing needs the store of record loaded (and its real schema)
        if self._schema > SCHEMA_VERSION:
            raise StoreError(
                f"the archive {self._file} was written by a newer tongket (format {self._schema}, "
                f"this one knows {SCHEMA_VERSION}); upgrade tongket before changing it"
            )

    def _write(self) -> None:
        """Write archive.json once (caller holds the lock)."""
        self._check_writable()
        self._bodies.sync()
        if self._legacy_corrections and self._corr.signature is None:
            # Migration: the corrections go to their own file first, so a crash before
            # archive.json is replaced leaves them in both places, never in neither.
            try:
                self._corr.write()
            except StoreError:
                self._rollback()
                raise
        self._generation += 1
        data = {
            "_meta": {"1": {"schema": SCHEMA_VERSION, "generation": self._generation, "app": "tongket"}},
            "articles": {str(i): rec for i, rec in enumerate(self._loaded_records().values(), 1)},
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
        try:
            # Temp files of writers killed mid-write (their pid is gone): this write holds the
            # lock, so none is a live writer's. Removing leftovers is housekeeping, never an error.
            sweep_temps(self.path)
        except OSError:
            pass
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
        records = self._loaded_records()
        snap = snapshots.build(
            [codec.meta_of(r) for r in records.values()],
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
        records = self._loaded_records()
        blobs = [dumps({k: v for k, v in records[aid].items() if k != "figs"}) for aid in snap.ids]
        encoded = snapshots.encode(snap, blobs, archive_sum=read_checksum(self._file))
        atomic_write_bytes(self.path / snapshots.SNAPSHOT_FILE, encoded)

    def _save_rebuilt_snapshot(self) -> None:
        """No usable snapshot (older archive, a crash between the two writes, another writer):
        build it from archive.json, and save it if the lock is free and the file unchanged."""
        snap = self._refresh_snapshot(save=False)
        try:
            with write_lock(self.path, timeout=1.0):
                if self._stat_signature() == snap.source:
                    self._save_snapshot(snap)
        except (StoreError, OSError):
            pass

    def _write_body(self, article: Prepared) -> bool:
        return self._bodies.write(article.id, article.payload, article.search)

    def _body_file(self, ref: str) -> Path:
        return self._bodies.path(ref)

    def _save_texts(self) -> None:
        """After a write of archive.json (lock held): append the new articles' folded texts
        to the packed search file, and compact it when edits left much dead text. Derived
        data: a failure only means the next text filter reads those bodies again."""
        items = self._bodies.take_new_texts()
        try:
            textindex.append(self.path, items)
            if self._replaced_text and self._records_data is not None:
                refs = {r.get("body_ref", aid) for aid, r in self._records_data.items()}
                textindex.compact(self.path, refs)
        except (OSError, ValueError):
            pass
        self._replaced_text = False

    # ------------------------------------------------------------ derived views

    def _provinces(self) -> ProvinceNames:
        """Province names the archive holds (parsed and corrected), for resolving input."""
        known: set[str | None] = set(self.index.snapshot.provinces)
        known |= {c.get("province") for c in self._corrections.values()}
        return ProvinceNames((k for k in known if k), self._province_table)

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
            if record is not None and rank is not None:
                if "figs" not in record:
                    start, end = index.figure_range(rank)
                    record["figs"] = [index.snapshot.compact_figure(fi).row() for fi in range(start, end)]
                return record
        return self._loaded_records()[aid]

    def _body_search_text(self, ref: str) -> str:
        """The folded text of one body file (for records the packed file lacks)."""
        body = self._bodies.read(ref) or {}
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
        """Indexes over the current state, built lazily after a load or a write (in memory:
        a stale snapshot is rebuilt here but saved only by `open` or a write)."""
        if self._index is None:
            if self._metric_names is None:
                self._metric_names = _load_metric_names()
            snap = self._snapshot
            if snap is None or snap.source != self._signature:
                snap = self._refresh_snapshot(save=False)
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
        """Full id for a unique prefix; NotFound names the prefix and, if ambiguous, the
        candidates. A pasted id may end in an ellipsis ("05334be4…" or "05334be4...")."""
        prefix = (id_or_prefix or "").strip().lower().rstrip("…").rstrip(".").strip()
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
        ref = record.get("body_ref", aid)
        note = f"article text missing or damaged in the archive ({self._bodies.path(ref)})"
        corrections = self._corrections.get(aid, {})
        return StoredArticle(
            article=codec.article_of(aid, record, self._bodies.read(ref), corrections, note),
            corrections=dict(corrections),
            source_paths=tuple(record.get("source_paths") or ()),
            ingested_at=record.get("ingested_at", ""),
        )

    def corrections_of(self, aid: str) -> dict[str, Any]:
        """The user's corrections of one article: field -> corrected value."""
        return dict(self._corrections.get(aid, {}))

    def source_url(self, aid: str) -> str | None:
        """The page an article was saved from, without reading its body file."""
        return self._record(aid).get("source_url")

    def lookup(
        self,
        query: str,
        *,
        province: str | None = None,
        year: int | None = None,
        period: str | None = None,
        merged: bool = False,
        limit: int | None = 200,
    ) -> list[FigureHit]:
        """Figures whose label, unit or metric name matches, best first; filters apply.
        `limit=None`: every match."""
        return self.index.lookup(query, province=province, year=year, period=period, merged=merged, limit=limit)

    def lookup_counted(self, query: str, *, limit: int | None = None, **filters: Any) -> LookupResult:
        """Like `lookup`, with the number of matching figures and articles."""
        return self.index.lookup_counted(query, limit=limit, **filters)

    def with_details(self, hits: Iterable[FigureHit]) -> list[FigureHit]:
        """The hits with sentence, qualifier, kind, change and source read from their articles."""
        return details.with_details(hits, self._body_of, self.index.meta)

    def figure_rows(self, **filters: Any) -> Iterator[tuple[Any, ...]]:
        """Every figure of the filtered articles as a `details.FIGURE_COLUMNS` row, streamed."""
        provinces = self.index.provinces
        return details.figure_rows(self.query(**filters), self._body_of, provinces.merged_unit)

    def _body_of(self, article_id: str) -> dict[str, Any] | None:
        ref = self._body_ref(article_id)
        return None if ref is None else self._bodies.read(ref)

    # ------------------------------------------------------------ ingest

    def ingest_article(self, article: Article, *, source_path: str | None = None) -> str:
        """Store one parsed article; "added", "updated" or "unchanged"."""
        if not article.body.strip():
            raise InputError(source_path or article.id, "no article text found (an empty page or a placeholder)")
        source = normal_path(source_path)
        failed: list[Rejection] = []
        statuses = self._store_batch([(prepare(article, source), source)], failed)
        if failed:
            raise StoreError(failed[0].reason)
        return statuses[0][0]

    def ingest_files(
        self,
        sources: Iterable[tuple[Path, str | None]],
        *,
        progress: Callable[[int, int], None] | None = None,
        max_bytes: int | None = None,
    ) -> IngestReport:
        """Parse and store many files, one archive write per batch. A file that fails
        becomes a Rejection in the report; it never stops the batch. Files over
        `max_bytes` (default: the decoder's 5 MB) are refused unread. A file given twice
        (a folder and a manifest naming it) counts once, with the URL it was given."""
        self._check_writable()
        normal = PathNormaliser()
        given: dict[str, tuple[Path, str | None]] = {}
        for path, url in sources:
            key = normal(path) or str(path)
            if key not in given or (url and not given[key][1]):
                given[key] = (path, url)
        urls = known_urls(self._loaded_records())
        items: list[tuple[Path, str | None, str | None]] = [(path, url or urls.get(key), key) for key, (path, url) in given.items()]
        total = len(items)
        added: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        failed: list[Rejection] = []
        split: list[str] = []
        done = 0
        chunks = [items[start : start + INGEST_BATCH] for start in range(0, total, INGEST_BATCH)]
        with self._one_snapshot(total > INGEST_BATCH), FileParser(total, max_bytes=max_bytes) as parser:
            pending = parser.map(chunks[0]) if chunks else iter(())
            for i, chunk in enumerate(chunks):
                results = pending
                # Queue the next batch now: the workers parse it while this one is stored.
                pending = parser.map(chunks[i + 1]) if i + 1 < len(chunks) else iter(())
                parsed: list[tuple[Prepared, str | None]] = []
                for (_path, _url, source), result in zip(chunk, results):
                    if isinstance(result, Rejection):
                        failed.append(result)
                    else:
                        parsed.append((result, source))
                    done += 1
                    if progress is not None:
                        progress(done, total)
                if parsed:
                    for status, source in self._store_batch(parsed, failed, split):
                        {"added": added, "updated": updated, "unchanged": unchanged}[status].append(source)
        return IngestReport(tuple(added), tuple(updated), tuple(unchanged), tuple(failed), tuple(split))

    def _copy_corrections(self, old: str, new: str) -> None:
        if old in self._corrections and new not in self._corrections:
            self._corrections[new] = dict(self._corrections[old])

    def _store_batch(self, parsed: list[tuple[Prepared, str | None]], failed: list[Rejection],
                     split: list[str] | None = None) -> list[tuple[str, str]]:
        """Merge a batch of parsed articles and write archive.json once, under the lock."""
        statuses: list[tuple[str, str]] = []
        with write_lock(self.path):
            try:
                self._merge_batch(parsed, failed, split, statuses)
            except StoreError:
                self._bodies.discard()
                raise
            self._bodies.keep()
        return statuses

    def _merge_batch(self, parsed: list[tuple[Prepared, str | None]], failed: list[Rejection],
                     split: list[str] | None, statuses: list[tuple[str, str]]) -> None:
        """The body of `_store_batch` (lock held); a StoreError leaves archive.json as it was."""
        self.reload_if_changed()
        self._check_writable()
        corrections_before = {aid: dict(f) for aid, f in self._corrections.items()}
        merge = Merge(self._loaded_records(), self._write_body, self._copy_corrections, _now)
        added: list[str] = []
        for article, source in parsed:
            try:
                status = merge.apply(article, source)
            except StoreError as exc:
                failed.append(Rejection(source or article.id, str(exc)))
                continue
            statuses.append((status, source or article.id))
            if status == "added":
                added.append(article.id)
        self._replaced_text = self._replaced_text or merge.replaced_text
        if split is not None:
            split.extend(merge.split)
        self._corr.bring_back(added)
        if self._corrections != corrections_before:
            try:
                self._corr.write()
            except StoreError:
                self._corr.data = corrections_before
                self._rollback()
                raise
        if merge.dirty:
            self._write()
        else:
            self._bodies.sync()  # texts rewritten for records that did not change

    # ------------------------------------------------------------ removal

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Take articles out (full ids or prefixes); their corrections are kept aside and
        come back when the same text is ingested again. archive.json's previous version
        stays as its backup, as with every write. Returns the removed ids."""
        with write_lock(self.path):
            self.reload_if_changed()
            self._check_writable()
            records = self._loaded_records()
            gone = sorted({self.resolve(i) for i in ids})
            if not gone:
                return []
            if self._corr.set_aside(gone):
                self._corr.write()
            for aid in gone:
                del records[aid]
            self._replaced_text = True
            self._write()
        return gone

    def ids_from(self, source: str | Path) -> list[str]:
        """Articles read from a path, or from any file under a folder."""
        target = normal_path(source) or str(source)
        prefix = target.rstrip("/") + "/"
        return sorted(aid for aid, rec in self._loaded_records().items()
                      if any(p == target or p.startswith(prefix) for p in rec.get("source_paths") or ()))

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
                    current[name] = validated(aid, name, value, self._provinces().canonical,
                                              self._province_table is not None)
            before = dict(self._corrections)
            self._corrections[aid] = current
            if not current:
                del self._corrections[aid]
            try:
                self._corr.write()
            except StoreError:
                self._corr.data = before
                raise
            if self._index is not None:
                self._index.set_corrections(self._corrections)
        return self.get(aid)
