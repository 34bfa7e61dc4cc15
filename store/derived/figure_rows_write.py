"""Writing `figures.rows` and `figures.idx` (figure_rows.py has the format). Every function
here runs with the archive's lock held; a failure is only a slower next export (derived
data), so callers swallow OSError."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

import orjson

from tongket.store.archive.layout import body_file
from tongket.store.archive.storage import atomic_write_bytes
from tongket.store.derived import figure_rows
from tongket.store.derived.figure_rows import INDEX_FILE, MAGIC, RECORD, ROWS_FILE, Pending


def _open_for_append(path: Path) -> tuple[BinaryIO, int] | None:
    """An open file of this format positioned at its end, with that offset; None if it is
    missing or of another format."""
    try:
        handle = open(path, "r+b")
    except FileNotFoundError:
        return None
    if handle.read(len(MAGIC)) != MAGIC:
        handle.close()
        return None
    return handle, handle.seek(0, os.SEEK_END)


def append(folder: Path, records: Iterable[Pending]) -> None:
    """Append records: blocks first, then their index entries. A missing or foreign file
    pair is started anew."""
    records = list(records)
    if not records:
        return
    folder = Path(folder)
    rows = _open_for_append(folder / ROWS_FILE)
    index = _open_for_append(folder / INDEX_FILE) if rows is not None else None
    if rows is None or index is None:
        if rows is not None:
            rows[0].close()
        rewrite(folder, records)
        return
    (data_file, offset), (index_file, index_end) = rows, index
    try:
        chunks, entries = _packed(records, offset)
        data_file.write(b"".join(chunks))
        whole = len(MAGIC) + (index_end - len(MAGIC)) // RECORD.size * RECORD.size
        if whole != index_end:
            index_file.truncate(whole)  # drop a torn last entry
            index_file.seek(whole)
        index_file.write(b"".join(entries))
    finally:
        data_file.close()
        index_file.close()


def _packed(records: list[Pending], offset: int) -> tuple[list[bytes], list[bytes]]:
    chunks: list[bytes] = []
    entries: list[bytes] = []
    for record in records:
        csv_block, json_block = record.blocks()
        chunks += (csv_block, json_block)
        entries.append(figure_rows.index_entry(record, offset, csv_block, json_block))
        offset += len(csv_block) + len(json_block)
    return chunks, entries


def rewrite(folder: Path, records: Iterable[Pending]) -> None:
    """Both files anew (data first, each through a temp file and an atomic replace)."""
    chunks, entries = _packed(list(records), len(MAGIC))
    atomic_write_bytes(Path(folder) / ROWS_FILE, MAGIC + b"".join(chunks), fsync=False)
    atomic_write_bytes(Path(folder) / INDEX_FILE, MAGIC + b"".join(entries), fsync=False)


def note_bodies(folder: Path, written: Iterable[tuple[str, int, figure_rows.Encoded]]) -> None:
    """After a batch's body files were written (ingest): their rows, pre-encoded by the
    parser workers from the files' bytes (ref, body CRC, rows), appended in one go."""
    pending: list[Pending] = []
    for ref, crc, encoded in written:
        try:
            pending.append(Pending(ref, os.stat(body_file(Path(folder), ref)).st_ino, crc, encoded))
        except OSError:
            continue
    try:
        append(folder, pending)
    except OSError:
        pass


def compact(folder: Path, live_refs: set[str]) -> bool:
    """Rewrite with only each live ref's last record, once the rest (refs no article uses
    any more, older records of a ref) is a quarter of the file or more. True if rewritten."""
    folder = Path(folder)
    found = figure_rows.read_index(folder)
    if found is None:
        return False
    raw_entries, _count, _damaged = found
    entries = {ref: figure_rows.Entry.of(raw) for ref, raw in raw_entries.items()}
    live_set = live_refs
    try:
        size = (folder / ROWS_FILE).stat().st_size - len(MAGIC)
    except OSError:
        return False
    keep = {ref: e for ref, e in entries.items() if ref in live_set}
    live = sum(e.csv[1] + e.jsonl[1] for e in keep.values())
    if size - live <= size // 4:
        return False
    packed: list[bytes] = []

    def live_rows(handle: Any) -> Iterator[bytes]:
        offset = len(MAGIC)
        yield MAGIC
        for ref, e in keep.items():
            data = os.pread(handle.fileno(), e.csv[1] + e.jsonl[1], e.csv[0])
            if len(data) != e.csv[1] + e.jsonl[1]:
                continue  # cut off: the next export refills it
            yield data
            packed.append(RECORD.pack(figure_rows.TAG, ref.encode("ascii", "replace")[:32], e.inode,
                                      e.body_crc, e.figures, offset, e.csv[1], e.csv[2], e.jsonl[1], e.jsonl[2]))
            offset += len(data)

    with open(folder / ROWS_FILE, "rb") as handle:  # streamed: the live rows may be a gigabyte
        atomic_write_bytes(folder / ROWS_FILE, live_rows(handle), fsync=False)
    atomic_write_bytes(folder / INDEX_FILE, MAGIC + b"".join(packed), fsync=False)
    return True


def discard(folder: Path) -> None:
    for name in (INDEX_FILE, ROWS_FILE):
        try:
            os.unlink(Path(folder) / name)
        except FileNotFoundError:
            pass
