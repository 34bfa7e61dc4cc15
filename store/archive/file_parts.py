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
from typing import BinaryIO, Iterable

SLICE = 8 << 20  # bytes of a mapped view written between two releases of its pages


def write_parts(handle: BinaryIO, parts: Iterable[bytes | memoryview]) -> None:
    """Write `parts` in turn; a read-only view of a mapping in slices, its pages released."""
    for part in parts:
        if not (isinstance(part, memoryview) and part.readonly and isinstance(part.obj, mmap.mmap)
                and part.nbytes > SLICE):
            handle.write(part)
            continue
        raw = part.cast("B") if part.format != "B" or part.ndim != 1 else part
        for start in range(0, raw.nbytes, SLICE):
            handle.write(raw[start : start + SLICE])
            handle.flush()
            _release(part.obj)


def _release(mapping: mmap.mmap) -> None:
    """Drop the pages of a read-only shared mapping from this process (not from the file:
    a read-only mapping has no changes of its own to lose). Best effort."""
    try:
        mapping.madvise(mmap.MADV_DONTNEED)
    except (AttributeError, OSError, ValueError):  # no madvise here, or the mapping was closed
        pass
