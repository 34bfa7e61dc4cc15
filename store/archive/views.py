"""The derived views of an open archive: the snapshot (built, saved), the indexes over it,
the packed search text, and the records and bodies they point at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from tongket.store.archive import codec, snapshot_merge
from tongket.store.archive.identity import Lookups
from tongket.store.archive.lock import write_lock
from tongket.store.archive.loading import Loading
from tongket.store.archive.storage import atomic_write_bytes, read_checksum
from tongket.store.derived import snapshot as snapshots
from tongket.store.derived import figure_counts, snapshot_file
from tongket.store.derived import textindex, textindex_write
from tongket.store.derived.index import ArchiveIndex
from tongket.store.derived.names import ProvinceNames, load_metric_names
from tongket.store.errors import NotFound, StoreError
from tongket.store.lang.text import fold


class DerivedViews(Loading):
    """Snapshot, indexes and packed search text over the loaded state."""

    def _refresh_snapshot(self, *, save: bool) -> snapshots.Snapshot:
        """Build the snapshot of the current state; with `save` (the caller holds the lock,
        the store of record was just written) also write it next to archive.json. Without
        the records in memory it is the last snapshot with the session's changes merged in
        (snapshot_merge.py). A snapshot that cannot be written is only a slower next start,
        never an error."""
        snap = None
        identity = None
        if (save and self._signature is not None and self._records_data is None and self._lookups is not None
                and self._lookups_for == self._signature):
            # Encoded now and let go (their parts are views of the old snapshot's tables,
            # which stays mapped until written): read back from the saved snapshot when the
            # next batch asks (identity.py).
            identity, self._lookups = list(self._lookups.encode()), None
        self._ranks = None  # a cache over the old snapshot (~10 MB at 100k): not needed by the merge
        before = (self._snapshot, set(self._overlay)) if self._records_data is None else None  # figure_counts.save
        if self._records_data is None and self._snapshot is not None:
            snap = snapshot_merge.merged(self._snapshot, self._overlay, source=self._signature,
                                         generation=self._generation, schema=self._schema,
                                         corrections=self._legacy_corrections, fold_cache=self._fold_cache)
        if snap is None:
            records = self._loaded_records()
            snap = snapshots.build(
                [codec.meta_of(r) for r in records.values()],
                {aid: r.get("figs") or [] for aid, r in records.items()},
                corrections=self._legacy_corrections,
                source=self._signature,
                generation=self._generation,
                schema=self._schema,
                refs={aid: r.get("body_ref", aid) for aid, r in records.items()},
                urls={aid: r.get("source_url") for aid, r in records.items()},
                fold_cache=self._fold_cache,
            )
        self._snapshot = snap
        self._overlay = {}
        self._snapshot_pending = False
        if save and self._signature is not None:
            try:
                self._save_snapshot(snap, identity, before)
            except OSError:
                return snap
            source = snap.source
            del snap, identity, before  # let go of the columns built in memory before the saved ones are mapped
            self._adopt_saved(source)
            if self._snapshot is None:  # unreadable right after its write: built again, not saved
                return self._refresh_snapshot(save=False)
            return self._snapshot
        return snap

    def _save_snapshot(self, snap: snapshots.Snapshot, identity: bytes | list[bytes | memoryview] | None = None,
                       before: tuple[snapshots.Snapshot | None, set[str]] | None = None) -> None:
        """Write the snapshot file, with each record (minus its figures) for `get`, and the
        identity maps the next ingest merges by. Streamed: the records a merge kept are
        copied from the old file in runs (`_adopt_saved` then reads the new file). Then its
        figure counts, from those of `before` (the last snapshot, the ids changed since)."""
        records: Any = snap.stored() if self._records_data is None else None
        if records is None:
            blobs: list[bytes | None] = []
            if self._records_data is None:
                blobs = [snap.record_bytes(rank) for rank in range(len(snap))]
            if self._records_data is not None or any(b is None for b in blobs):
                loaded = self._loaded_records()
                blobs = [snapshot_merge.record_blob(loaded[aid]) for aid in snap.ids]
            records = blobs
        if identity is None and self._records_data is not None and self._lookups_for != snap.source:
            self._lookups, self._lookups_for = Lookups(self._records_data.values()), snap.source
        if identity is None and self._lookups is not None and self._lookups_for == snap.source:
            identity = list(self._lookups.encode())
        path = self.path / snapshots.SNAPSHOT_FILE
        head = self._head()
        try:
            atomic_write_bytes(path, snapshot_file.encode_parts(snap, records, archive_sum=read_checksum(head),
                                                                identity=identity))
        except ValueError as exc:  # an old record run could not be copied: only a slower next start
            raise OSError(str(exc)) from None
        figure_counts.save(self.path, snap, *(before or (None, ())))

    def _adopt_saved(self, source: snapshots.Signature | None) -> None:
        """Use the snapshot just saved instead of the one built in memory (the next merge
        copies from it), which is dropped first: at 100k the two together were ~80 MB over
        the ingest's other peaks. `_snapshot` is left None when it cannot be read back."""
        self._snapshot, self._ranks = None, None
        saved = snapshot_file.read(self.path / snapshots.SNAPSHOT_FILE, source, self._head()) if source else None
        if saved is not None and saved.source == self._signature:
            self._snapshot = saved

    def _stored_record(self, aid: str) -> dict[str, Any] | None:
        """One stored record for a write, with its compact figures, without loading the
        store of record when the snapshot (and the session's changes) can give it."""
        if self._records_data is not None:
            return self._records_data.get(aid)
        if aid in self._overlay:
            return self._overlay[aid]
        snap = self._snapshot
        if snap is not None:
            if self._ranks is None or self._ranks[0] is not snap:
                self._ranks = (snap, {a: r for r, a in enumerate(snap.ids)}, snap.figure_starts())
            _snap, ranks, starts = self._ranks
            rank = ranks.get(aid)
            if rank is None:
                return None
            record = snap.record_of(rank)
            if record is not None:
                record["figs"] = snap.figure_rows(starts[rank], starts[rank + 1])
                return record
        return self._loaded_records().get(aid)

    def _save_rebuilt_snapshot(self) -> None:
        """No usable snapshot (older archive, a crash between the two writes, another writer):
        build it from archive.json, and save it if the lock is free and the file unchanged."""
        snap = self._refresh_snapshot(save=False)

        def save() -> None:
            if self._stat_signature() == snap.source:
                self._save_snapshot(snap)
                if self._snapshot is snap:
                    self._adopt_saved(snap.source)
                    if self._snapshot is None:
                        self._snapshot = snap

        self._when_lock_free(save)

    def _when_lock_free(self, job: Callable[[], object]) -> bool:
        """Upkeep of a derived file by a reader: done if the write lock is free within 1 s,
        else left to the next reader or writer (never an error). True if done."""
        try:
            with write_lock(self.path, timeout=1.0):
                job()
            return True
        except (StoreError, OSError):
            return False

    def _body_file(self, ref: str) -> Path:
        return self._bodies.path(ref)

    def _save_texts(self) -> None:
        """After a write of archive.json (lock held): append the new articles' folded texts
        to the packed search file, and compact it when edits left much dead text. Derived
        data: a failure only means the next text filter reads those bodies again."""
        items = self._bodies.take_new_texts()
        try:
            self._finish_words()
            self._words_pending = textindex_write.append(self.path, items, words=self._word_builder)
            if self._replaced_text and self._records_data is not None:
                refs = {r.get("body_ref", aid) for aid, r in self._records_data.items()}
                textindex_write.compact(self.path, refs)
        except (OSError, ValueError):
            pass
        self._replaced_text = False

    def _finish_words(self) -> None:
        """The word block of the last batch, built by a worker meanwhile, into search.words
        (lock held; derived: a failure leaves those records to be scanned, then indexed by
        the next append)."""
        pending, self._words_pending = self._words_pending, None
        if pending is not None:
            try:
                pending.finish()
            except (OSError, ValueError):
                pass

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

    def _record(self, aid: str, *, figures: bool = True) -> dict[str, Any]:
        """The TinyDB record of an article, from the snapshot when the archive is not loaded.
        Without `figures` its "figs" may be missing (`source_url` of every listed row: making
        the figures cost 90% of `list --text --json`)."""
        if self._records_data is None:
            index = self.index
            rank = index.rank(aid)
            record = index.snapshot.record_of(rank) if rank is not None else None
            if record is not None and rank is not None:
                if figures and "figs" not in record:
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
            if texts.words_outdated and self._reindex_words():
                texts = textindex.TextIndex(self.path, snap.refs)
            if texts.missing:
                missing = [(r, snap.refs[r]) for r in texts.missing]
                unsaved = textindex_write.fill_missing(self.path, missing, self._body_search_text, save=self._append_texts)
                if len(unsaved) < len(missing):
                    texts = textindex.TextIndex(self.path, snap.refs)  # map what was appended
                texts.add_loose({r: t for r, t in unsaved.items() if r in set(texts.missing)})
            self._texts, self._texts_for = texts, snap
        found = self._texts.search(needle, among, len(snap.ids))
        if self._texts.words_outdated and self._reindex_words():
            self._texts = None  # found damaged while searching: the next query maps the new file
        return found

    def _discard_texts(self) -> bool:
        return self._when_lock_free(lambda: textindex_write.discard(self.path))

    def _reindex_words(self) -> bool:
        return self._when_lock_free(lambda: textindex_write.reindex_words(self.path))

    def _append_texts(self, items: list[tuple[str, str]]) -> bool:
        return self._when_lock_free(lambda: textindex_write.append(self.path, items))

    @property
    def index(self) -> ArchiveIndex:
        """Indexes over the current state, built lazily after a load or a write (in memory:
        a stale snapshot is rebuilt here but saved only by `open` or a write)."""
        if self._index is None:
            if self._metric_names is None:
                self._metric_names = load_metric_names()
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

    def _body_of(self, article_id: str) -> dict[str, Any] | None:
        ref = self._body_ref(article_id)
        return None if ref is None else self._bodies.read(ref)

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
