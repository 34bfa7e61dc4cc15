"""The write path of an archive: ingest batches, removal, and the one write of the store
of record per batch, under the lock, with the old state back in memory after a failure.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from tongket.store.archive import segments
from tongket.store.archive.batch_records import BatchRecords
from tongket.store.archive.temps import sweep_temps
from tongket.store.archive.identity import Lookups
from tongket.store.archive.ingest import INGEST_BATCH, FileParser, Merge, PathNormaliser, Prepared, normal_path, \
    prepare
from tongket.store.archive.layout import SCHEMA_VERSION
from tongket.store.archive.lock import write_lock
from tongket.store.archive.storage import remove_stale_temps
from tongket.store.archive.views import DerivedViews
from tongket.store.derived import figure_rows_write
from tongket.store.errors import InputError, StoreError
from tongket.store.record import Article, IngestReport, Rejection


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Writing(DerivedViews):
    """Ingest and removal: each batch merged in memory and written once, under the lock."""

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
        """Write archive.json once with every record, a new base that the segments of the
        old one are merged into (caller holds the lock)."""
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
        self._lookups = None  # rebuilt from the records with the snapshot
        segments.sweep(self.path, segments.base_key(self._file))  # all of the old base's: merged in
        self._sweep_leftovers()
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
            self._word_builder = None
            try:
                with write_lock(self.path):
                    if self._stat_signature() == self._signature:
                        if segments.worth_compacting(self._file, segments.committed(self.path, segments.base_key(self._file))):
                            self._compact()  # writes the snapshot too
                        elif self._snapshot_pending:
                            self._refresh_snapshot(save=True)
                    self._finish_words()  # its block was built by a worker meanwhile
            except StoreError:
                pass  # the next open rebuilds the snapshot, the next session compacts
            self._words_pending = None  # not finished: the next append indexes those records

    def _sweep_leftovers(self) -> None:
        """Temp files of writers killed mid-write (their pid is gone): a write holds the lock,
        so none is a live writer's. Housekeeping, never an error. bodies/ is swept by the
        first write of a session only: listing its 256 folders cost ~0.6 s per batch at 100k."""
        try:
            if self._swept_bodies:
                remove_stale_temps(self.path)
            else:
                sweep_temps(self.path)
                self._swept_bodies = True
        except OSError:
            pass

    def _rollback(self) -> None:
        """After a failed write, forget the unsaved changes: memory shows what is on disk."""
        try:
            self._load()
        except StoreError:
            self._signature = None  # reload at the next chance

    def _write_body(self, article: Prepared, rows: list[tuple[str, int, Any]]) -> bool:
        written = self._bodies.write(article.id, article.payload, article.search)
        if written and article.rows is not None:  # its export rows, encoded by the worker
            rows.append((article.id, article.payload_crc, article.rows))
        return written

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
        self._check_writable(records=False)
        normal = PathNormaliser()
        given: dict[str, tuple[Path, str | None]] = {}
        for path, url in sources:
            key = normal(path) or str(path)
            if key not in given or (url and not given[key][1]):
                given[key] = (path, url)
        lookups = self._identity()
        items: list[tuple[Path, str | None, str | None]] = [(path, url or lookups.url_for(key), key)
                                                             for key, (path, url) in given.items()]
        total = len(items)
        added: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        failed: list[Rejection] = []
        split: list[str] = []
        done = 0
        chunks = [items[start : start + INGEST_BATCH] for start in range(0, total, INGEST_BATCH)]
        # The parser's workers outlive the snapshot step: the last word block is built there meanwhile.
        with FileParser(total, max_bytes=max_bytes) as parser, self._one_snapshot(total > INGEST_BATCH):
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
                # Each batch's word block is built by a worker, queued behind the next batch's
                # files: the same CPU as here, but the ~30 MB its tables leave in this process
                # (freed, not given back) no longer add to the snapshot step's peak.
                self._word_builder = parser.word_block
                if parsed:
                    for status, source in self._store_batch(parsed, failed, split):
                        {"added": added, "updated": updated, "unchanged": unchanged}[status].append(source)
                # stored: let go of the batch's texts now, not after the final snapshot (~30 MB per batch)
                parsed = []
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
        self._check_writable(records=False)
        corrections_before = {aid: dict(f) for aid, f in self._corrections.items()}
        records = BatchRecords(self._stored_record)
        rows: list[tuple[str, int, Any]] = []
        merge = Merge(records, self._identity(), lambda article: self._write_body(article, rows),
                      self._copy_corrections, _now)
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
                self._lookups = None
                self._rollback()
                raise
        if merge.dirty:
            try:
                self._commit(records.changed())
            except StoreError:
                self._lookups = None  # the maps learned this batch: not on disk
                raise
        else:
            self._bodies.sync()  # texts rewritten for records that did not change
        figure_rows_write.note_bodies(self.path, rows)

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

    # ------------------------------------------------------------ segments

    def _identity(self) -> Lookups:
        """The identity maps of the current state: kept from the last batch, else read from
        the snapshot, else (no usable snapshot) built from the records, loading them."""
        if self._lookups is not None and self._lookups_for == self._signature:
            return self._lookups
        snap = self._snapshot
        found = None
        if self._records_data is None and not self._overlay and snap is not None and snap.source == self._signature:
            found = Lookups.decode(snap.identity())
        if found is None:
            found = Lookups(self._loaded_records().values())
        self._lookups, self._lookups_for = found, self._signature
        return found

    def _commit(self, changed: dict[str, dict[str, Any]]) -> None:
        """Commit one batch's records (lock held): appended as a segment of the current base,
        or, where there is no sealed base to extend (a new archive, one written by an older
        tongket, corrections still to migrate), by writing the whole base."""
        key = segments.base_key(self._file)
        if key is None or self._legacy_corrections or not segments.pays(self._file):
            self._loaded_records().update(changed)
            self._write()
            return
        self._check_writable(records=False)
        self._bodies.sync()
        self._generation += 1
        try:
            segments.append(self.path, key, list(changed.values()), self._generation)
        except StoreError:
            self._generation -= 1
            raise
        if self._records_data is not None:
            self._records_data.update(changed)
        else:
            self._overlay.update(changed)
        self._signature = self._stat_signature()
        self._lookups_for = self._signature  # Merge kept them up to date
        self._index = None
        self._sweep_leftovers()
        self._texts = None
        self._save_texts()
        if self._defer_snapshot:
            self._snapshot_pending = True
        else:
            self._refresh_snapshot(save=True)

    def _compact(self) -> None:
        """Merge the segments into a new base (lock held)."""
        self._check_writable()
        self._write()

    def compact(self) -> int:
        """`tongket compact`: write the segments into a new archive.json now; returns how
        many segments were merged (0: nothing to do)."""
        with write_lock(self.path):
            self.reload_if_changed()
            count = len(segments.committed(self.path, segments.base_key(self._file)))
            if count:
                self._compact()
        return count
