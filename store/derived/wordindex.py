"""The word index over search.txt: which records hold which folded word, for the `/` filter.

Why: without it every text query runs `mmap.find` over all the folded text (600 MB at 100k
articles). A needle is whitespace-collapsed, so a match of "w1 w2 … wn" in a record means a
word ending in w1, then exactly w2 … w(n-1), then a word starting with wn (for one word: a
word containing it). The vocabulary answers that in one `str.find` pass over the joined
words; the records holding those words are the candidates, and each candidate is then
checked with `find` on its own bytes, so the answer is exactly the scan's.

File search.words (derived; written under the archive lock next to search.txt/.idx):

    MAGIC, the search.idx token (16 bytes), a stamp (u64 search.txt size, u64 mtime_ns,
    u32 crc32 of both), then blocks: header (u32 meta length, u32 postings length,
    u32 crc32 of meta + postings), meta (orjson: first entry, entry count, words, posting
    lengths, crc32 of each entry's text), postings (u32 entry numbers, word by word)

Each append adds a block (cost: the new records); past `_MAX_BLOCKS` the blocks are merged
from their postings, without reading the text again. A block whose crc does not match, a
token of another rewrite, or entries out of step mean the file is rebuilt; a stamp that no
longer matches search.txt means the text was changed behind our back: every record's crc is
checked once, and a mismatch means search.txt itself is rebuilt from the body files.
"""

from __future__ import annotations

import mmap
import os
import struct
import zlib
from array import array
from bisect import bisect_right
from itertools import accumulate
from pathlib import Path
from typing import Iterable, Sequence

import orjson

from tongket.store.archive.storage import atomic_write_bytes

WORDS_FILE = "search.words"
MAGIC = b"TONGKET-SEARCH-WORDS 1\n"
_TOKEN_LEN = 16
_STAMP = struct.Struct("<QQI")
_BLOCK = struct.Struct("<III")
_HEAD_LEN = len(MAGIC) + _TOKEN_LEN + _STAMP.size
_MAX_BLOCKS = 8


class Damaged(Exception):
    """The word file (or the text it stands for) does not check out: rebuild it."""


def _stamp_of(text_path: Path) -> bytes:
    st = os.stat(text_path)
    size, mtime = st.st_size, st.st_mtime_ns
    return _STAMP.pack(size, mtime, zlib.crc32(struct.pack("<QQ", size, mtime)))


def _block(first: int, texts: Sequence[bytes]) -> bytes:
    words: dict[str, list[int]] = {}
    for e, data in enumerate(texts, first):
        for w in set(data.decode("utf-8", "replace").rstrip("\n").split(" ")):
            if w:
                words.setdefault(w, []).append(e)
    return _pack(first, len(texts), words, [zlib.crc32(t.rstrip(b"\n")) for t in texts])


def _pack(first: int, count: int, words: dict[str, list[int]] | dict[str, array], crcs: Sequence[int]) -> bytes:
    names = list(words)
    post = array("I")
    for w in names:
        post.extend(words[w])
    meta = orjson.dumps({"first": first, "count": count, "words": names, "lens": [len(words[w]) for w in names],
                         "crcs": list(crcs)})
    raw = post.tobytes()
    return _BLOCK.pack(len(meta), len(raw), zlib.crc32(raw, zlib.crc32(meta))) + meta + raw


def write(folder: Path, token: bytes, texts: Sequence[bytes]) -> None:
    """The whole file anew, for the records (bytes of search.txt, in entry order)."""
    folder = Path(folder)
    data = MAGIC + token + _stamp_of(folder / "search.txt") + (_block(0, texts) if texts else b"")
    atomic_write_bytes(folder / WORDS_FILE, data, fsync=False)


def stamp_matches(folder: Path) -> bool:
    """search.txt is as the word index last saw it (asked before appending to the text)."""
    try:
        with open(Path(folder) / WORDS_FILE, "rb") as handle:
            head = handle.read(_HEAD_LEN)
        return head[len(MAGIC) + _TOKEN_LEN :] == _stamp_of(Path(folder) / "search.txt")
    except OSError:
        return False


def append(folder: Path, token: bytes, first: int, texts: Sequence[bytes], all_texts, *, was_fresh: bool) -> bool:
    """Add a block for entries first… (just appended to search.txt). When the file is not in
    step (missing, damaged, another token, other entry count) it is rebuilt through
    `all_texts()`, which returns every record's bytes. `was_fresh`: `stamp_matches` before
    the text was appended to. False when search.txt itself no longer
    matches what was indexed (it must be rebuilt from the body files)."""
    folder = Path(folder)
    try:
        index = WordIndex.load(folder, token, check_text=False, mapped=True)
    except Damaged:
        index = None
    if index is not None and not was_fresh:
        texts_now = all_texts()
        if any(zlib.crc32(t) != c for t, c in zip(texts_now, (c for m, _ in index.blocks for c in m["crcs"]))):
            return False  # search.txt was changed behind our back: the caller discards it
        write(folder, token, texts_now)
        return True
    if index is None or index.count != first:
        write(folder, token, all_texts())
        return True
    if len(index.blocks) >= _MAX_BLOCKS:
        merged = index.merged()
        data = MAGIC + token + b"\0" * _STAMP.size + merged + (_block(first, texts) if texts else b"")
        atomic_write_bytes(folder / WORDS_FILE, data, fsync=False)
    elif texts:
        with open(folder / WORDS_FILE, "r+b") as handle:
            handle.truncate(index.size)  # drop a torn block a killed writer left
            handle.seek(0, os.SEEK_END)
            handle.write(_block(first, texts))
    with open(folder / WORDS_FILE, "r+b") as handle:
        handle.seek(len(MAGIC) + _TOKEN_LEN)
        handle.write(_stamp_of(folder / "search.txt"))
    return True


def _mapped(path: Path) -> "mmap.mmap | bytes":
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return b""
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def _release(mm: mmap.mmap, lo: int, hi: int) -> None:
    """Drop the pages of lo..hi from this process (they stay in the page cache)."""
    advice = getattr(mmap, "MADV_DONTNEED", None)
    if advice is None:
        return
    start = lo - lo % mmap.PAGESIZE
    try:
        mm.madvise(advice, start, hi - start)
    except (OSError, ValueError):
        pass


class WordIndex:
    """The blocks of search.words, read and checked; `candidates` answers a needle."""

    def __init__(self, blocks: list[tuple[dict, memoryview]], size: int, stamp_ok: bool) -> None:
        self.blocks = blocks
        self.size = size  # bytes of whole blocks (a torn tail is not counted)
        self.stamp_ok = stamp_ok
        self.count = sum(meta["count"] for meta, _ in blocks)
        self._parts: list[tuple[str, array, array, memoryview]] = []
        self._built = False

    @classmethod
    def load(cls, folder: Path, token: bytes, *, check_text: bool = True, mapped: bool = False) -> "WordIndex | None":
        """None when there is no file; Damaged when it does not check out. `mapped`: the file is
        mapped, not read (140 MB at 100k: the copy cost ~0.1 s of every text query of the
        command line, and was the peak memory of an ingest batch), and the pages its
        checksums touched are released again. A writer that maps it may truncate only the
        torn tail past `size`, which no block refers to."""
        try:
            raw = _mapped(Path(folder) / WORDS_FILE) if mapped else (Path(folder) / WORDS_FILE).read_bytes()
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise Damaged(str(exc)) from None
        if raw[: len(MAGIC)] != MAGIC or len(raw) < _HEAD_LEN:
            raise Damaged("not a word index")
        if raw[len(MAGIC) : len(MAGIC) + _TOKEN_LEN] != token:
            raise Damaged("built for another search.txt")
        stamp = raw[len(MAGIC) + _TOKEN_LEN : _HEAD_LEN]
        try:
            stamp_ok = stamp == _stamp_of(Path(folder) / "search.txt")
        except OSError:
            stamp_ok = False
        view = memoryview(raw)
        pos, blocks, expect = _HEAD_LEN, [], 0
        while pos + _BLOCK.size <= len(raw):
            n_meta, n_post, crc = _BLOCK.unpack_from(raw, pos)
            end = pos + _BLOCK.size + n_meta + n_post
            if end > len(raw):
                break  # a torn last block: the entries it held are scanned instead
            meta_b = view[pos + _BLOCK.size : pos + _BLOCK.size + n_meta]
            post_b = view[pos + _BLOCK.size + n_meta : end]
            if zlib.crc32(post_b, zlib.crc32(meta_b)) != crc or n_post % 4:
                raise Damaged("a block fails its checksum")
            if isinstance(raw, mmap.mmap):
                _release(raw, pos, end)
            try:
                meta = orjson.loads(meta_b)
            except orjson.JSONDecodeError:
                raise Damaged("a block cannot be read") from None
            if not isinstance(meta, dict) or meta.get("first") != expect or sum(meta.get("lens", ())) * 4 != n_post:
                raise Damaged("blocks out of step")
            blocks.append((meta, post_b.cast("I")))
            expect += meta["count"]
            pos = end
        return cls(blocks, pos, stamp_ok)

    def check_texts(self, mm, starts: Sequence[int], ends: Sequence[int]) -> bool:
        """Every indexed record's bytes still have the crc they were indexed with."""
        for meta, _ in self.blocks:
            for e, crc in enumerate(meta["crcs"], meta["first"]):
                if e >= len(starts) or zlib.crc32(mm[starts[e] : ends[e]]) != crc:
                    return False
        return True

    def _build(self) -> None:
        """Per block: the words joined by newlines (searched with `str.find`), where each word
        starts in that string and where its postings start, so no dict of words is built."""
        for meta, post in self.blocks:
            words, lens = meta["words"], meta["lens"]
            vocab = "\n" + "\n".join(words) + "\n"
            starts = array("q", accumulate((len(w) + 1 for w in words), initial=0))
            offs = array("q", accumulate(lens, initial=0))
            self._parts.append((vocab, starts, offs, post))
        self._built = True

    @staticmethod
    def _matching(vocab: str, starts: array, pattern: str, mode: str) -> list[int]:
        """Numbers of the words containing / ending with / starting with / equal to `pattern`."""
        probe = {"in": pattern, "end": pattern + "\n", "start": "\n" + pattern, "is": "\n" + pattern + "\n"}[mode]
        found, pos = [], vocab.find(probe)
        while pos >= 0:
            i = bisect_right(starts, pos + (0 if mode in ("in", "end") else 1) - 1) - 1
            found.append(i)
            pos = vocab.find(probe, starts[i + 1] if mode in ("in", "end") else starts[i + 1])
        return found

    def candidates(self, needle: str) -> set[int]:
        """Entry numbers that may hold `needle` (folded, collapsed); never misses one."""
        if not self._built:
            self._build()
        words = needle.split(" ")
        if len(words) == 1:
            wanted = [(words[0], "in")]
        else:
            wanted = [(words[0], "end")] + [(w, "is") for w in words[1:-1]] + [(words[-1], "start")]
        out: set[int] = set()
        for vocab, starts, offs, post in self._parts:
            sets = []
            for pattern, mode in wanted:
                hit: set[int] = set()
                for i in self._matching(vocab, starts, pattern, mode):
                    hit.update(post[offs[i] : offs[i + 1]])
                sets.append(hit)
            sets.sort(key=len)
            part = sets[0]
            for other in sets[1:]:
                part = part & other
                if not part:
                    break
            out |= part
        return out

    def merged(self) -> bytes:
        """All blocks as one (from the postings, without reading the text again)."""
        words: dict[str, array] = {}
        for meta, post in self.blocks:
            off = 0
            for w, n in zip(meta["words"], meta["lens"]):
                words.setdefault(w, array("I")).extend(post[off : off + n])
                off += n
        crcs = [c for meta, _ in self.blocks for c in meta["crcs"]]
        return _pack(0, self.count, words, crcs)
