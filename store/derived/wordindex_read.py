"""One block of search.words as a query reads it (wordindex.py has the file's format): its
header read when the file is opened, its body checked a 64 KiB chunk at a time, each chunk
the first time a query reads from it; a merge (wordindex_block.merge) reads a block whole."""

from __future__ import annotations

import mmap
import zlib
from array import array
from bisect import bisect_right
from itertools import chain, islice
from typing import Any, Iterable, Iterator

import orjson

from tongket.store.derived import wordindex_block as blocks
from tongket.store.derived.wordindex_block import Postings


class Damaged(Exception):
    """The word file (or the text it stands for) does not check out: rebuild it."""


class Outdated(Damaged):
    """A word file of an older format: rebuild it from search.txt, which is not in doubt."""


class Block:
    """One block of the file: its header read, its body checked chunk by chunk when used."""

    def __init__(self, raw: "mmap.mmap | bytes", start: int, body: int, end: int, meta: dict[str, Any]) -> None:
        self._raw, self._start, self._body, self.end = raw, start, body, end
        self.first: int = meta["first"]
        self.count: int = meta["count"]
        self._chunks: list[int] = meta["chunks"]
        self._checked = bytearray(len(self._chunks))
        self._width = blocks.bitmap_words(self.count)
        keys, vocabs = meta["keys"], meta["vocabs"]
        if len(keys) != blocks.LEVELS + 1 or len(vocabs) != blocks.LEVELS + 1:  # the levels, the directory
            raise Damaged("a block of another shape")
        # byte offsets in the body: record crcs, per level (key starts, posting offsets) and for
        # the directory of middle words (starts, first window of each), the vocabularies, then
        # the postings
        pos, self._tables = 4 * self.count, []
        for n in keys:
            self._tables.append((pos, pos + 4 * (n + 1), pos + 8 * (n + 1)))
            pos += 8 * (n + 1)
        self._vocabs = []
        for size in vocabs:
            self._vocabs.append((pos, pos + size))
            pos += size
        self._post = pos
        if pos > end - body or (end - body - pos) % 4 or len(self._chunks) != -(-(end - body) // blocks.CHUNK):
            raise Damaged("a block's sections do not add up")
        self._levels: list[tuple[int, int, memoryview, memoryview] | None] = [None] * len(keys)

    def _bytes(self, lo: int, hi: int) -> memoryview:
        """Body bytes lo..hi, their chunks checked (once) before they are believed."""
        for c in range(lo // blocks.CHUNK, -(-hi // blocks.CHUNK)):
            if not self._checked[c]:
                at = self._body + c * blocks.CHUNK
                if zlib.crc32(self._raw[at : min(at + blocks.CHUNK, self.end)]) != self._chunks[c]:
                    raise Damaged("a block fails its checksum")
                self._checked[c] = 1
        return memoryview(self._raw)[self._body + lo : self._body + hi]

    def check(self) -> None:
        """Every chunk checked now (Damaged if one fails)."""
        self._bytes(0, self.end - self._body)

    def file_bytes(self) -> memoryview:
        """The whole block as it is in the file (header included), for a rewrite to keep."""
        return memoryview(self._raw)[self._start : self.end]

    def record_crcs(self) -> memoryview:
        return self._bytes(0, 4 * self.count).cast("I")

    def _level(self, level: int) -> tuple[int, int, memoryview, memoryview]:
        """(vocabulary start and end in the file, key starts, posting offsets), every byte of
        them checked (a merge reads them all)."""
        t0, _t1, t2 = self._tables[level]
        v0, v1 = self._vocabs[level]
        self._bytes(t0, t2)
        self._bytes(v0, v1)
        return self._tables_of(level)

    def _tables_of(self, level: int) -> tuple[int, int, memoryview, memoryview]:
        """`_level` without checking its tables: a query checks the few entries it uses
        (`_entry`), not all of them (the three-word level's tables and vocabulary are ~40 MB at
        100k, most of a first query's time when checked whole)."""
        got = self._levels[level]
        if got is None:
            t0, t1, t2 = self._tables[level]
            v0, v1 = self._vocabs[level]
            raw = memoryview(self._raw)[self._body : self._body + t2]
            got = (self._body + v0, self._body + v1, raw[t0:t1].cast("I"), raw[t1:t2].cast("I"))
            self._levels[level] = got
        return got

    def _entry(self, level: int, table: int, i: int) -> int:
        """Entry `i` of a level's key starts (`table` 0) or posting offsets (1), its chunk checked."""
        at = self._tables[level][table] + 4 * i
        self._bytes(at, at + 4)
        _v0, _v1, starts, offs = self._tables_of(level)
        return offs[i] if table else starts[i]

    def _key_at(self, level: int, rel: int, lo: int, hi: int) -> int:
        """The number of the key (lo <= it < hi) whose bytes hold vocabulary offset `rel`. The
        bisection reads unchecked entries, so the two entries that bound the answer are checked
        and must bound it (in a sound table only the right key's do)."""
        i = bisect_right(self._tables_of(level)[2], rel, lo, hi) - 1
        if not (i >= lo and self._entry(level, 0, i) <= rel < self._entry(level, 0, i + 1)):
            raise Damaged("a block's key table does not check out")
        return i

    def _postings(self, level: int, i: int) -> Postings | memoryview:
        lo, hi = self._post + 4 * self._entry(level, 1, i), self._post + 4 * self._entry(level, 1, i + 1)
        if not self._post <= lo <= hi <= self.end - self._body:
            raise Damaged("a block's postings do not add up")
        view = self._bytes(lo, hi)
        return int.from_bytes(view, "little") if hi - lo == 4 * self._width else view.cast("I")

    def matching(self, level: int, pattern: bytes) -> Iterator[int]:
        """Numbers of the keys that contain `pattern` (it has no newline); of the windows,
        only those of its middle word are searched, and only the bytes searched are checked."""
        v0, v1, starts, _offs = self._tables_of(level)
        n = len(starts) - 1
        if level == blocks.LEVELS - 1:
            d0, d1, _d_starts, _firsts = self._tables_of(blocks.LEVELS)
            self._bytes(d0 - self._body, d1 - self._body)
            at = self._raw.find(b"\n" + blocks.middle(pattern) + b"\n", d0, d1)
            if at < 0:
                return
            j = self._key_at(blocks.LEVELS, at + 1 - d0, 0, len(_d_starts) - 1)
            first, last = self._entry(blocks.LEVELS, 1, j), self._entry(blocks.LEVELS, 1, j + 1)
            if not 0 <= first <= last <= n:
                raise Damaged("a block's directory does not check out")
            lo, hi = v0 + self._entry(level, 0, first), v0 + self._entry(level, 0, last)
        else:
            first, last, lo, hi = 0, n, v0, v1
        if not v0 <= lo <= hi <= v1:
            raise Damaged("a block's key table does not check out")
        self._bytes(lo - self._body, hi - self._body)
        find, pos = self._raw.find, self._raw.find(pattern, lo, hi)
        while pos >= 0:
            i = self._key_at(level, pos - v0, first, last)
            yield i
            pos = find(pattern, v0 + starts[i + 1], hi)

    def entries(self, level: int, pattern: bytes) -> Iterable[int]:
        """Entry numbers holding a key that contains `pattern` (possibly repeated)."""
        bits, lists = 0, []
        for i in self.matching(level, pattern):
            found = self._postings(level, i)
            if isinstance(found, int):
                bits |= found
            else:
                lists.append(found)
        return chain(blocks.expand(bits, self.first, self.count) if bits else (), *lists)

    def items(self, level: int) -> Iterator[tuple[bytes, Postings]]:
        """Every (key, postings) of a level, in key order (for a merge): the body checked
        once, then the keys split from the vocabulary and the postings sliced, no lookups."""
        v0, v1, starts, offs = self._level(level)
        post = self._bytes(self._post, self.end - self._body)
        keys = self._raw[v0 + 1 : v1 - 1].split(b"\n") if len(starts) > 1 else []
        words, width = post.cast("I"), self._width
        for key, lo, hi in zip(keys, offs, islice(offs, 1, None)):
            yield key, int.from_bytes(post[4 * lo : 4 * hi], "little") if hi - lo == width else array("I", words[lo:hi])


def block_at(raw: "mmap.mmap | bytes", pos: int) -> Block | None:
    """The block whose header is at `pos`; None when it is cut off (a torn last block)."""
    n_meta, n_body, crc = blocks.HEADER.unpack_from(raw, pos)
    body = pos + blocks.HEADER.size + n_meta
    if body + n_body > len(raw):
        return None
    meta_b = raw[pos + blocks.HEADER.size : body]
    if zlib.crc32(meta_b) != crc:
        raise Damaged("a block fails its checksum")
    try:
        meta = orjson.loads(meta_b)
        if not isinstance(meta, dict):
            raise Damaged("a block cannot be read")
        return Block(raw, pos, body, body + n_body, meta)
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise Damaged("a block cannot be read") from None
