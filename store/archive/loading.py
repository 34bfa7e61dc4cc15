"""Reading an archive folder: from the snapshot when it matches the store of record,
else from archive.json itself; and noticing another process's writes.
"""

from __future__ import annotations

from typing import Any

from tongket.store.archive import segments
from tongket.store.archive.corrections import catalogue_check, corrections_table, table_of
from tongket.store.archive.layout import SCHEMA_VERSION
from tongket.store.archive.state import ArchiveState
from tongket.store.derived import snapshot as snapshots
from tongket.store.derived import snapshot_file
from tongket.store.gc_pause import gc_paused


class Loading(ArchiveState):
    """Reads the folder into the state: snapshot first, archive.json when needed."""

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
        head = self._head()
        snap = snapshot_file.read(file, signature, head)
        if snap is None:
            problem = snapshot_file.check(file, signature, head) or ""
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
        self._overlay = {}
        self._index = None
        self._load_corrections()
        return True

    def _load(self, *, full: bool = False) -> None:
        signature = self._stat_signature()
        if not full and self._load_snapshot(signature):
            return
        key = segments.base_key(self._file)
        if not self._file.exists() and segments.any_present(self.path):
            raise self._storage.damaged(f"it is missing while {segments.SEGMENTS_DIR}/ still holds ingested "
                                        f"batches (deleted or lost)")
        with gc_paused():  # a big load creates many containers
            data = self._storage.read() or {}
            overlay = [rec for seg in segments.committed(self.path, key) for rec in segments.read(seg)]
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
        for doc in overlay:  # the batches committed since this base, in order
            records[doc["id"]] = doc
        self._schema = schema
        self._generation = int(meta.get("generation", 0)) if isinstance(meta, dict) else 0
        self._records_data = records
        self._overlay = {}
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
