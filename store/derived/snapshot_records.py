"""The stored records of a mapped snapshot (snapshot_file.py): one article's full record
read on demand and checked against its CRC, and runs of them copied into the next snapshot."""

from __future__ import annotations

import mmap
import os
import weakref
import zlib
from array import array
from operator import sub
from typing import Any, Iterator, Sequence

import orjson

_READ = 1 << 26  # bytes per read of a run of records


class RecordReader:
    """Reads one article's full record (an orjson blob) from the mapped snapshot."""

    def __init__(self, blobs: memoryview, offsets: Sequence[int], crcs: Sequence[int], fd: int, at: int,
                 mapped: mmap.mmap) -> None:
        self._blobs = blobs
        self._mapped = mapped
        self._offsets = offsets
        self.crcs = crcs
        self._fd, self._at = fd, at  # the file itself (kept open), where the blobs start in it
        weakref.finalize(self, os.close, fd)

    def release(self) -> None:
        """Let go of the mapped pages read so far (a merge has copied them): they stay in
        the page cache and come back if read again, but stop counting as this process's."""
        try:
            self._mapped.madvise(mmap.MADV_DONTNEED)
        except (AttributeError, OSError, ValueError):
            pass

    def sizes(self) -> array:
        """Each stored record's size, by rank (an array: as a list, ~7 MB at 100k)."""
        off = self._offsets
        return array("q", map(sub, off[1:], off[:-1]))

    def read(self, start: int, end: int) -> Iterator[bytes]:
        """The stored blobs of ranks start..end as they are in the file, read through the
        file (not the mapping, whose pages would count as this process's memory)."""
        pos, stop = self._at + self._offsets[start], self._at + self._offsets[end]
        while pos < stop:
            chunk = os.pread(self._fd, min(_READ, stop - pos), pos)
            if not chunk:
                raise ValueError("the old snapshot was cut off while its records were copied")
            pos += len(chunk)
            yield chunk

    def __call__(self, rank: int) -> dict[str, Any] | None:
        """The record, or None when it is unreadable or fails its CRC (the caller then
        reads archive.json)."""
        try:
            lo, hi = self._offsets[rank], self._offsets[rank + 1]
            blob = os.pread(self._fd, hi - lo, self._at + lo)
            if zlib.crc32(blob) != self.crcs[rank]:
                return None
            return orjson.loads(blob)
        except (ValueError, IndexError, OSError):
            return None

    def raw(self, rank: int) -> bytes | None:
        """The stored blob itself, verified (a merge copies it into the next snapshot)."""
        try:
            blob = bytes(self._blobs[self._offsets[rank] : self._offsets[rank + 1]])
        except (ValueError, IndexError):
            return None
        return blob if zlib.crc32(blob) == self.crcs[rank] else None
