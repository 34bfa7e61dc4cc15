"""The stored records of a mapped snapshot (snapshot_file.py): one article's full record
read on demand and checked against its CRC, runs of them copied into the next snapshot, and
one field cut from many of them (`strings_at`, for `list --json`)."""

from __future__ import annotations

import mmap
import os
import weakref
import zlib
from array import array
from operator import sub
from typing import Any, Iterable, Iterator, Sequence

import orjson

_READ = 1 << 26  # bytes per read of a run of records


def escaped(data: Any, at: int) -> bool:
    """The byte at `at` follows an odd run of backslashes (a quote there is inside a JSON string)."""
    run = 0
    while data[at - 1 - run] == 0x5C:
        run += 1
    return run % 2 == 1


def _listed(values: Sequence[int]) -> list[int]:
    return values.tolist() if isinstance(values, memoryview) else list(values)


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

    def strings_at(self, ranks: Iterable[int], key: bytes) -> list[str | None | bool]:
        """For each rank, the JSON string that follows `key` (a `"name":` that can only be
        that key) in its record, decoded; None when it is absent or not a string, False when
        the record fails its CRC (read it elsewhere). `list --text --json` at 100k cuts the
        source URL from ~88k records: each is copied out of the mapping once and searched as
        bytes, and the values are decoded in one go (~40% less than searching the mapping
        step by step and decoding each); records of another shape (no such key, null, a
        failed CRC, a closing quote after a backslash) are read again one by one."""
        mapped, crc32, base, skip = self._mapped, zlib.crc32, self._at, len(key)
        offsets, crcs = _listed(self._offsets), _listed(self.crcs)  # ints made once, not per index
        ranks = list(ranks)
        raws: list[bytes] = []
        odd: list[int] = []
        for i, rank in enumerate(ranks):
            lo, hi = offsets[rank], offsets[rank + 1]
            record = mapped[base + lo : base + hi]
            at = record.find(key) + skip
            end = record.find(b'"', at + 1)
            if (crc32(record) != crcs[rank] or at < skip or record[at] != 0x22 or end < 0
                    or record[end - 1] == 0x5C):
                odd.append(i)
                raws.append(b"")
            else:
                raws.append(record[at + 1 : end])
        joined = b"\x00".join(raws)  # a JSON string holds no raw control character
        out: list[str | None | bool] = list(str(joined, "utf-8").split("\x00")) if raws else []
        if b"\\" in joined:  # escapes: those values decoded as JSON
            for i, raw in enumerate(raws):
                if b"\\" in raw:
                    out[i] = orjson.loads(b'"' + raw + b'"')
        for i in odd:
            out[i] = self._string_at(ranks[i], key)
        return out

    def _string_at(self, rank: int, key: bytes) -> str | None | bool:
        """`strings_at` of one record, step by step."""
        mapped, lo, hi = self._mapped, self._offsets[rank], self._offsets[rank + 1]
        if zlib.crc32(self._blobs[lo:hi]) != self.crcs[rank]:
            return False
        lo, hi = lo + self._at, hi + self._at
        at = mapped.find(key, lo, hi)
        if at < 0 or mapped[at + len(key)] != 0x22:  # absent, or null
            return None
        start = at + len(key)
        end = mapped.find(b'"', start + 1, hi)
        while end > 0 and escaped(mapped, end):
            end = mapped.find(b'"', end + 1, hi)
        if end < 0:
            return False
        value = orjson.loads(mapped[start : end + 1])
        return value if isinstance(value, str) else None

    def raw(self, rank: int) -> bytes | None:
        """The stored blob itself, verified (a merge copies it into the next snapshot)."""
        try:
            blob = bytes(self._blobs[self._offsets[rank] : self._offsets[rank + 1]])
        except (ValueError, IndexError):
            return None
        return blob if zlib.crc32(blob) == self.crcs[rank] else None
