"""Clearing the temp files that killed writers left in an archive folder.

Its own small module, not derived_files.py's: every write sweeps (writing.py, `correct`),
and a read-only command that imports the archive need not load the derived files' checks
(and their classes) to have it at hand.
"""

from __future__ import annotations

from pathlib import Path

from tongket.store.archive.layout import BODIES_DIR
from tongket.store.archive.storage import remove_stale_temps


def sweep_temps(folder: Path) -> int:
    """Remove the temp files killed writers left, in the folder and under bodies/ (lock held)."""
    removed = remove_stale_temps(folder)
    root = folder / BODIES_DIR
    if root.is_dir():
        removed += sum(remove_stale_temps(sub) for sub in root.iterdir() if sub.is_dir())
    return removed
