"""One block of search.words: built from record texts, or merged from earlier blocks
(`wordindex` reads blocks and has the file format in its docstring).

Why three levels of keys: a needle of one word is answered by the words that contain it, one
of two words by the adjacent pairs, one of three by the three-word windows (a key's spaces
line up with the needle's, so containment is a match: no record needs its text read). Pairs
are not left to the windows (which also contain every pair): "ho so" is in ~27k windows at
100k articles but a few hundred pairs, and each matched key costs a lookup.
Why two kinds of postings: most keys of these reports are in a large share of the records,
where a bitmap of the block (count/8 bytes) is smaller than a list of u32 entry numbers and
is combined with others as one integer; keys in under 1/32 of the records keep a list.
"""

from __future__ import annotations

import heapq
import struct
import zlib
from array import array
from collections import defaultdict, deque
from functools import partial
from itertools import accumulate, compress, groupby, repeat
from operator import add, itemgetter, methodcaller
from typing import Iterable, Iterator, Protocol, Sequence, Union, cast

import orjson

HEADER = struct.Struct("<III")  # meta length, body length, crc32 of the meta
CHUNK = 1 << 16  # the body is checked in chunks of this size, each when first read
LEVELS = 3  # words, pairs, three-word windows: a needle of n words asks level min(n, 3)
# The windows are kept in order of their middle word, which a needle's window names exactly,
# and a directory of the middle words (one more table, after the levels) says where each
# one's windows are: a query reads those, not all of the windows' vocabulary (18 MB at 100k).
_ZERO_ONE = bytes.maketrans(b"\x00\x01", b"01")
# byte -> its 8 bits as 8 bytes of 0/1, lowest bit first (a bitmap's entry order)
_BITS = [bytes((b >> j) & 1 for j in range(8)) for b in range(256)]

Postings = Union[array, int]  # absolute entry numbers, or a bitmap of the block (bit i: entry first + i)


def _key_and_part(item: tuple[tuple[bytes, Postings], int]) -> tuple[bytes, int]:
    return item[0][0], item[1]


def _key(item: tuple[tuple[bytes, Postings], int]) -> bytes:
    return item[0][0]


def middle(window: bytes) -> bytes:
    """The middle word of a three-word window."""
    return window.split(b" ", 2)[1]


def _window_and_part(item: tuple[tuple[bytes, Postings], int]) -> tuple[bytes, bytes, int]:
    return middle(item[0][0]), item[0][0], item[1]


class BlockLike(Protocol):
    """What `merge` asks of a block (wordindex.Block)."""

    first: int
    count: int

    def items(self, level: int) -> Iterator[tuple[bytes, Postings]]:
        ...

    def record_crcs(self) -> Sequence[int]:
        ...


def bitmap_words(count: int) -> int:
    """u32 words of a bitmap over `count` entries: a key with fewer entries keeps a list."""
    return (count + 31) // 32


def keys_of(data: bytes) -> tuple[set[bytes], set[bytes], set[bytes]]:
    """The words of a record (split on its single spaces), its pairs of adjacent words and
    its three-word windows (none in a record of fewer words: no needle of as many fits it)."""
    words = data.split(b" ")
    pairs = set(map(b" ".join, zip(words, words[1:])))
    windows = set(map(b" ".join, zip(words, words[1:], words[2:])))
    one = set(words)
    for keys in (one, pairs, windows):
        keys.discard(b"")
    return one, pairs, windows


def build(first: int, texts: Sequence[bytes | memoryview]) -> bytes:
    """The block of entries first… holding `texts` (record bytes without the newline). The
    postings are gathered by C-level maps, not a Python statement per key (~3 per word), and
    so are the windows' middle words they are ordered by (a key function per window cost
    ~10% of a build)."""
    levels: list[defaultdict[bytes, array]] = [defaultdict(partial(array, "I")) for _ in range(LEVELS)]
    for e, data in enumerate(texts, first):
        for keys, table in zip(keys_of(bytes(data)), levels):
            deque(map(array.append, map(table.__getitem__, keys), repeat(e)), 0)
    ordered = [sorted(t.items()) for t in levels[:-1]]
    windows = levels[-1]
    by_middle = sorted(zip(_middles(windows), windows))  # windows are unique: never compares further
    ordered.append([(w, windows[w]) for _m, w in by_middle])
    return pack(first, len(texts), ordered, [zlib.crc32(t) for t in texts], fresh=True)


def _middles(windows: Iterable[bytes]) -> Iterator[bytes]:
    """`middle` of each window, by C-level maps."""
    return map(itemgetter(1), map(methodcaller("split", b" ", 2), windows))


def _starts(keys: list[bytes]) -> array:
    """Where each key starts in its vocabulary (and, last, the vocabulary's length)."""
    return array("I", accumulate(map(add, map(len, keys), repeat(1)), initial=1))


def _vocab(keys: list[bytes]) -> bytes:
    return b"\n" + b"\n".join(keys) + b"\n" if keys else b"\n"


def _bits(entries: Iterable[int], base: int, span: int) -> int:
    """Entries base…base+span-1 as a bitmap integer (bit i: entry base + i)."""
    flags = bytearray(span)
    deque(map(flags.__setitem__, map(add, entries, repeat(-base)), repeat(1)), 0)
    return int(flags.translate(_ZERO_ONE)[::-1] or b"0", 2)


def expand(bits: int, base: int, span: int) -> Iterator[int]:
    """The entries of a bitmap integer, in order."""
    flags = b"".join(map(_BITS.__getitem__, bits.to_bytes(bitmap_words(span) * 4, "little")))
    return compress(range(base, base + span), flags[:span])


def pack(first: int, count: int, levels: Sequence[Iterable[tuple[bytes, Postings]]], crcs: Sequence[int], *,
         fresh: bool = False) -> bytes:
    """A block from each level's (key, postings) in key order: header, meta, body (record
    crcs, per level the key starts and posting offsets, the vocabularies, the postings).
    `fresh`: every postings is a list of entry numbers (a block just built), so the level is
    packed by C-level maps, not a statement per key."""
    width = bitmap_words(count)
    post = array("I")
    tables: list[array] = [array("I", crcs)]
    vocabs: list[bytes] = []
    keys: list[bytes] = []
    for items in levels:
        keys, offs = (_fresh_level if fresh else _level)(items, first, count, width, post)
        tables += [_starts(keys), offs]
        vocabs.append(_vocab(keys))
    mids: list[bytes] = []  # the windows: where each middle word's run starts
    runs: list[int] = []
    for mid, run in groupby(_middles(keys)):
        mids.append(mid)
        runs.append(sum(1 for _ in run))
    tables += [_starts(mids), array("I", accumulate(runs, initial=0))]
    vocabs.append(_vocab(mids))
    body = bytearray()  # filled in place: each copy of the postings is ~250 MB at 100k articles
    for table in tables:
        body += table
    for vocab in vocabs:
        body += vocab
    body += post
    del post
    view = memoryview(body)
    meta = orjson.dumps({"first": first, "count": count, "keys": [len(t) - 1 for t in tables[1::2]],
                         "vocabs": [len(v) for v in vocabs],
                         "chunks": [zlib.crc32(view[i : i + CHUNK]) for i in range(0, len(body), CHUNK)]})
    view.release()
    return b"".join((HEADER.pack(len(meta), len(body), zlib.crc32(meta)), meta, body))


def _level(items: Iterable[tuple[bytes, Postings]], first: int, count: int, width: int, post: array
           ) -> tuple[list[bytes], array]:
    """One level's keys and posting offsets, its postings added to `post`: a key in at least
    `width` entries as a bitmap, any other as a list."""
    keys: list[bytes] = []
    offs = array("I", [len(post)])
    for key, found in items:
        keys.append(key)
        if isinstance(found, int) and found.bit_count() < width:
            found = array("I", expand(found, first, count))
        if isinstance(found, array) and len(found) >= width:
            found = _bits(found, first, count)
        if isinstance(found, int):
            post.frombytes(found.to_bytes(width * 4, "little"))
        else:
            post.extend(found)
        offs.append(len(post))
    return keys, offs


def _fresh_level(items: Iterable[tuple[bytes, Postings]], first: int, count: int, width: int, post: array
                 ) -> tuple[list[bytes], array]:
    """`_level` for lists only: the same bytes."""
    pairs = list(items)
    keys = [key for key, _found in pairs]
    found = cast("list[array]", [f for _key, f in pairs])  # a block just built: lists only
    sizes = list(map(len, found))
    offs = array("I", accumulate(map(min, sizes, repeat(width)), initial=len(post)))
    post.frombytes(b"".join([f.tobytes() if n < width else _bits(f, first, count).to_bytes(width * 4, "little")
                             for f, n in zip(found, sizes)]))
    return keys, offs


def merge(blocks: Sequence[BlockLike]) -> bytes:
    """The blocks (consecutive, in order) as one, from their postings: per key, lists are
    joined and bitmaps shifted into place, without reading the text again."""
    first = blocks[0].first
    count = sum(b.count for b in blocks)
    levels = [_merged_level([(b, b.items(level)) for b in blocks], first, level == LEVELS - 1) for level in range(LEVELS)]
    return pack(first, count, levels, [c for b in blocks for c in b.record_crcs()])


def _merged_level(parts: list[tuple[BlockLike, Iterator[tuple[bytes, Postings]]]], first: int, windows: bool
                  ) -> Iterator[tuple[bytes, Postings]]:
    """One level's keys of all the parts, in the level's order, each with its postings combined."""
    streams = [zip(items, repeat(n)) for n, (_b, items) in enumerate(parts)]  # ((key, postings), part)
    merged = heapq.merge(*streams, key=_window_and_part if windows else _key_and_part)
    for key, group in groupby(merged, key=_key):
        pieces = [(parts[n][0], found) for (_k, found), n in group]
        lists = [found for _b, found in pieces if isinstance(found, array)]
        if len(lists) == len(pieces):
            joined = array("I")
            for entries in lists:
                joined.extend(entries)
            yield key, joined
            continue
        bits = 0
        for block, found in pieces:
            if isinstance(found, array):
                found = _bits(found, block.first, block.count)
            bits |= found << (block.first - first)
        yield key, bits
