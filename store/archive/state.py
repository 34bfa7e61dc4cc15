"""What an open archive holds in memory (the state every part of `Archive` shares):
the folder, the store of record if loaded, the snapshot and indexes derived from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tongket.store.archive import segments
from tongket.store.archive.bodies import Bodies
from tongket.store.archive.corrections import Corrections
from tongket.store.archive.identity import Lookups
from tongket.store.archive.layout import ARCHIVE_FILE, BODIES_DIR, READ_ONLY_FILE, SCHEMA_VERSION
from tongket.store.archive.storage import AtomicJSONStorage, file_signature
from tongket.store.derived import snapshot as snapshots
from tongket.store.derived import textindex
from tongket.store.derived.index import ArchiveIndex
from tongket.store.derived.names import load_province_table


class ArchiveState:
    """The fields every layer of `Archive` reads and writes (one object, set up here)."""

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
        self._word_builder: Any = None  # during ingest_files: builds word blocks in its workers
        self._words_pending: Any = None  # textindex_write.PendingWords of the last batch
        self._fold_cache: dict[str, str] = {}  # folded labels/units, kept across snapshot builds
        self._texts: textindex.TextIndex | None = None  # packed search text, bound to the index
        self._texts_for: snapshots.Snapshot | None = None  # the snapshot `_texts` is bound to
        self._swept_bodies = False  # the first write of a session sweeps bodies/ for killed writers' temps
        self._replaced_text = False  # an article got a new body ref: the packed file may need compaction
        self._province_table: Any | None = load_province_table()
        self._metric_names: dict[str, tuple[str, ...]] | None = None
        self._notices: list[str] = []  # damaged derived files met (and rebuilt) while reading
        # Records committed in segments since `_snapshot` was built (records not loaded):
        # the state is the snapshot plus these, until the next snapshot merges them in.
        self._overlay: dict[str, dict[str, Any]] = {}
        self._lookups: Lookups | None = None  # identity maps of the state `_lookups_for` names
        self._lookups_for: tuple[int, int, int] | None = None
        self._ranks: tuple[snapshots.Snapshot, dict[str, int], list[int]] | None = None  # id -> rank, figure starts

    def _head(self) -> Path:
        """The file whose signature names the current state: the newest committed segment
        (segments.py), else archive.json."""
        committed = segments.committed(self.path, segments.base_key(self._file))
        return committed[-1].path if committed else self._file

    def _stat_signature(self, file: Path | None = None) -> tuple[int, int, int] | None:
        return file_signature(file or self._head())

    @property
    def _corrections(self) -> dict[str, dict[str, Any]]:
        return self._corr.data

    @property
    def read_only(self) -> bool:
        """The bundled sample archive: shown, never changed (the user's own archive is apart)."""
        return (self.path / READ_ONLY_FILE).exists()
