"""Writing `figures.rows` (figure_rows.py has the format). Every function here runs with the
archive's lock held; a failure is only a slower next export (derived data), so callers
swallow OSError."""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import Iterable

import orjson

from tongket.store.archive.layout import body_file
from tongket.store.archive.storage import atomic_write_bytes
from tongket.store.derived import figure_rows
from tongket.store.derived.figure_rows import MAGIC, ROWS_FILE, RowsFile


def append(folder: Path, records: Iterable[bytes]) -> None:
    """Append encoded records (figure_rows.record); a missing file, or one that is not this
    format, is started anew."""
    data = b"".join(records)
    if not data:
        return
    path = Path(folder) / ROWS_FILE
    try:
        with open(path, "r+b") as handle:
            if handle.read(len(MAGIC)) == MAGIC:
                handle.seek(0, os.SEEK_END)
                handle.write(data)
                return
    except FileNotFoundError:
        pass
    atomic_write_bytes(path, MAGIC + data, fsync=False)


def note_body(folder: Path, ref: str, payload: bytes) -> None:
    """After a body file was written (ingest): its rows, appended. The payload is the file's
    bytes, so the rows are encoded from exactly what an export would read."""
    try:
        inode = os.stat(body_file(Path(folder), ref)).st_ino
        encoded = figure_rows.encode(orjson.loads(payload))
    except (OSError, ValueError):
        return
    if encoded.storable:
        try:
            append(folder, [figure_rows.record(ref, inode, zlib.crc32(payload), encoded)])
        except OSError:
            pass


def compact(folder: Path, live_refs: set[str]) -> bool:
    """Rewrite with only each live ref's last record, once dead records (refs no article
    uses, older records of a ref, damaged parts) are a quarter of the file. True if rewritten."""
    path = Path(folder) / ROWS_FILE
    rows = RowsFile(folder)
    try:
        if not rows.present:
            return False
        size = path.stat().st_size
        keep = {ref: e for ref, e in rows.entries.items() if ref in live_refs}
        live = sum(e.jsonl[1] - e.csv[0] + figure_rows.RECORD.size for e in keep.values())
        if size - len(MAGIC) - live <= (size - len(MAGIC)) // 4:
            return False
        with open(path, "rb") as handle:
            parts = [MAGIC]
            for entry in keep.values():
                start = entry.csv[0] - figure_rows.RECORD.size
                handle.seek(start)
                parts.append(handle.read(entry.jsonl[1] - start))
        atomic_write_bytes(path, b"".join(parts), fsync=False)
        return True
    finally:
        rows.close()


def discard(folder: Path) -> None:
    try:
        os.unlink(Path(folder) / ROWS_FILE)
    except FileNotFoundError:
        pass
