"""Writing parts of a file that may be views of a mapped file (the blocks of search.words a
merge keeps, copied from the old file as it is mapped).

Why: each page of a mapping that is read counts in this process's resident size until it
is unmapped, so copying the kept 270 MB of search.words at 100k raised the peak memory of
"add 1k articles" from ~340 MB to ~490 MB, though none of it is this process's own memory.
Such a view is written a slice at a time and the mapping's pages let go after each (the
kernel keeps them in its page cache; a later read maps them again).
"""

from __future__ import annotations

import mmap
import zlib
from typing import BinaryIO, Iterable

SLICE = 8 << 20  # bytes of a mapped view written between two releases of its pages


def write_parts(handle: BinaryIO, parts: Iterable[bytes | memoryview]) -> None:
    """Write `parts` in turn; views of a mapping in slices, its pages released after each
    SLICE bytes of them (small views too: the identity maps come as ~8k of them)."""
    held = 0
    for part in parts:
        mapping = _mapping(part)
        if mapping is None or not isinstance(part, memoryview):
            handle.write(part)
            continue
        raw = _bytes(part)
        for start in range(0, raw.nbytes, SLICE):
            piece = raw[start : start + SLICE]
            handle.write(piece)
            held += piece.nbytes
            if held >= SLICE:
                handle.flush()
                _release(mapping)
                held = 0


def crc_of_parts(parts: Iterable[bytes | memoryview]) -> tuple[int, int]:
    """The CRC-32 and length of `parts` in turn, a mapping's pages released as `write_parts`
    does (a section's CRC is in the header, before its bytes: they are read twice)."""
    crc, size, held = 0, 0, 0
    for part in parts:
        raw = _bytes(part) if isinstance(part, memoryview) else part
        crc = zlib.crc32(raw, crc)
        size += len(raw)
        mapping = _mapping(part)
        if mapping is not None:
            held += len(raw)
            if held >= SLICE:
                _release(mapping)
                held = 0
    return crc, size


def _mapping(part: bytes | memoryview) -> mmap.mmap | None:
    """The read-only mapping `part` is a view of, if it is one."""
    if isinstance(part, memoryview) and part.readonly and isinstance(part.obj, mmap.mmap):
        return part.obj
    return None


def _bytes(part: memoryview) -> memoryview:
    return part.cast("B") if part.format != "B" or part.ndim != 1 else part


def _release(mapping: mmap.mmap) -> None:
    """Drop the pages of a read-only shared mapping from this process (not from the file:
    a read-only mapping has no changes of its own to lose). Best effort."""
    try:
        mapping.madvise(mmap.MADV_DONTNEED)
    except (AttributeError, OSError, ValueError):  # no madvise here, or the mapping was closed
        pass
