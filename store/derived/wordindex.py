"""The word index over search.txt: which records hold which folded words, for the `/` filter.

Why: without it every text query runs `mmap.find` over all the folded text (480 MB at 100k
articles), and with words alone a phrase found in most records ("van ban den": 88%) still
had each candidate's text read. A needle is whitespace-collapsed, so a match of "w1 w2 … wn"
in a record means a word ending in w1, then exactly w2 … w(n-1), then a word starting with
wn. Keys come in three levels (wordindex_block.py): the words of each record, its pairs of
adjacent words and its windows of three. A key that contains a needle with as many spaces
as it has holds a match, so a needle of one, two or three words is answered by the keys of
its level that contain it, without reading any record. A longer needle is narrowed to the
records holding each of its three-word windows, and those are checked with `find` on their
own bytes.

File search.words (derived; written under the archive lock next to search.txt/.idx):

    MAGIC, the search.idx token (16 bytes), a stamp (u64 search.txt size, u64 mtime_ns,
    u32 crc32 of both), then blocks: header (u32 meta length, u32 body length, u32 crc32 of
    meta), meta (orjson: first entry, entry count, keys and vocabulary bytes per level and
    for the directory, crc32 of each 64 KiB chunk of the body), body: u32 crc32 of each
    entry's text; per level u32 key starts in its vocabulary and u32 posting offsets, then
    for the directory of the windows' middle words u32 starts and u32 first window of each;
    the vocabularies (b"\\n"-joined keys, sorted; the windows by middle word, then whole);
    the postings (u32: a list of entry numbers, or a bitmap of the block when as long as one)

A chunk is checked the first time a query reads it (wordindex_read.py): opening the index
reads the headers only (checking the whole file cost ~0.1 s of the first query), and a query
checks the chunks of the keys and table entries it reads, not its level's whole tables
(~50 MB at 100k for a first three-word needle, ~5 MB so). Each append adds a block
(cost: the new records); past `_MAX_BLOCKS` the small blocks are merged from their postings,
without reading the text again. A block or chunk whose crc does not match, a token of
another rewrite, or entries out of step mean the file is rebuilt; an older format means it
is rebuilt from search.txt; a stamp that no longer matches search.txt means the text was
changed behind our back: every record's crc is checked once, and a mismatch means
search.txt itself is rebuilt from the body files.
"""

from __future__ import annotations

import mmap
import os
import struct
import zlib
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Callable, Iterable, Sequence

from tongket.store.archive.file_parts import write_parts
from tongket.store.archive.storage import atomic_write_bytes, temp_name
from tongket.store.derived import wordindex_block as blocks
from tongket.store.derived.wordindex_read import Block, Damaged, Outdated, block_at as _block_at

__all__ = ["Block", "Damaged", "MergePlan", "Outdated", "WordIndex", "append", "blocks_for", "merge_plan", "problem",
           "stamp_matches", "write"]

WORDS_FILE = "search.words"
_FAMILY = b"TONGKET-SEARCH-WORDS "
MAGIC = _FAMILY + b"2\n"
_TOKEN_LEN = 16
_STAMP = struct.Struct("<QQI")
_HEAD_LEN = len(MAGIC) + _TOKEN_LEN + _STAMP.size
_MAX_BLOCKS = 8
_WINDOW = 3  # words per key of the last level
_BUILD_PART = 10_000  # records per part of a whole-file build


def _stamp_of(text_path: Path) -> bytes:
    st = os.stat(text_path)
    size, mtime = st.st_size, st.st_mtime_ns
    return _STAMP.pack(size, mtime, zlib.crc32(struct.pack("<QQ", size, mtime)))


def write(folder: Path, token: bytes, texts: Sequence[bytes | memoryview]) -> None:
    """The whole file anew, for the records (bytes of search.txt, in entry order)."""
    folder = Path(folder)
    head = MAGIC + token + _stamp_of(folder / "search.txt")
    atomic_write_bytes(folder / WORDS_FILE, [head, _built(texts) if texts else b""], fsync=False)


def stamp_matches(folder: Path) -> bool:
    """search.txt is as the word index last saw it (asked before appending to the text)."""
    try:
        with open(Path(folder) / WORDS_FILE, "rb") as handle:
            head = handle.read(_HEAD_LEN)
        return head[len(MAGIC) + _TOKEN_LEN :] == _stamp_of(Path(folder) / "search.txt")
    except OSError:
        return False


def append(folder: Path, token: bytes, first: int, texts: Sequence[bytes],
           all_texts: Callable[[], Sequence[bytes | memoryview]], *, was_fresh: bool,
           block: bytes | None = None, premerged: "tuple[MergePlan, Path] | None" = None) -> bool:
    """Add a block for entries first… (just appended to search.txt). When the file is not in
    step (missing, damaged, outdated, another token, more entries) it is rebuilt through
    `all_texts()`, which returns every record's bytes; when it only lags behind (a writer
    killed before it indexed its batch, `was_fresh` then False) and every indexed record
    still has its crc, the records it lacks go into the new block, not a rebuild (~40 s at
    100k). `was_fresh`: `stamp_matches` before the text was appended to. `block`: the block
    of `texts` built elsewhere (a worker process, `blocks.build(first, texts)`); nothing is
    done when the file covers those entries already. `premerged`: the file a worker made
    with the small blocks merged (`blocks_for`), put in place if the file is still the one
    it planned on.
    False when search.txt itself no longer matches what was indexed (it must be rebuilt
    from the body files)."""
    folder = Path(folder)
    try:
        index = WordIndex.load(folder, token, mapped=True)
        if index is not None and block is not None and index.count >= first + len(texts) and was_fresh:
            return True  # indexed meanwhile (another writer's append covered them)
        if index is not None and not was_fresh:
            texts_now = all_texts()
            crcs = chain.from_iterable(b.record_crcs() for b in index.blocks)
            if any(zlib.crc32(t) != c for t, c in zip(texts_now, crcs)):
                return False  # search.txt was changed behind our back: the caller discards it
            if index.count > first or first + len(texts) > len(texts_now):
                write(folder, token, texts_now)
                return True
            if index.count < first:  # the lagging records first, then the new ones, as one block
                texts, block = [bytes(t) for t in texts_now[index.count : first + len(texts)]], None
                first = index.count
        if index is not None and index.count == first and len(index.blocks) >= _MAX_BLOCKS:
            new_block = block if block is not None else blocks.build(first, texts) if texts else b""
            _merge_into(folder, token, index, new_block, premerged)
        elif index is not None and index.count == first:
            if texts:
                new_block = block if block is not None else blocks.build(first, texts)
                with open(folder / WORDS_FILE, "r+b") as handle:
                    handle.truncate(index.size)  # drop a torn block a killed writer left
                    handle.seek(0, os.SEEK_END)
                    handle.write(new_block)
        else:
            index = None
    except Damaged:
        index = None
    if index is None:
        write(folder, token, all_texts())
        return True
    with open(folder / WORDS_FILE, "r+b") as handle:
        handle.seek(len(MAGIC) + _TOKEN_LEN)
        handle.write(_stamp_of(folder / "search.txt"))
    return True


def _kept(parts: Sequence[Block]) -> int:
    """How many leading blocks a merge keeps: all but the shortest tail of two or more blocks
    that the block before it outweighs (entries), or none when no block does. Block sizes
    then fall off geometrically and a merge costs about what was added since the kept blocks
    were written, not the archive (at 10k, blocks of 4000, 3500 and six of 500 merge the
    3000, not all 10,500)."""
    tail = sum(b.count for b in parts[-2:])
    for k in range(len(parts) - 2, 0, -1):  # tail = entries of parts[k:]
        if parts[k - 1].count >= tail:
            return k
        tail += parts[k - 1].count
    return 0


def _merge_into(folder: Path, token: bytes, index: "WordIndex", new_block: bytes,
                premerged: "tuple[MergePlan, Path] | None" = None) -> None:
    """Replace the file by its blocks with the small ones merged (`_kept`), then the new
    block: by `premerged`'s file (made by a worker) when its plan still holds. Replaced,
    not rewritten in place: a reader may have the old file mapped."""
    if premerged is not None and premerged[0] == MergePlan.of(folder, index):
        os.replace(premerged[1], folder / WORDS_FILE)
        return
    atomic_write_bytes(folder / WORDS_FILE, _merged_file(token, index, _kept(index.blocks), new_block), fsync=False)


def _merged_file(token: bytes, index: "WordIndex", keep: int, new_block: bytes) -> list[bytes | memoryview]:
    """The parts of the file with the blocks after the first `keep` merged, then `new_block`
    (the stamp left blank: the caller writes it)."""
    kept = [b.file_bytes() for b in index.blocks[:keep]]  # views of the mapped file: not copied
    return [MAGIC + token + b"\0" * _STAMP.size, *kept, blocks.merge(index.blocks[keep:]), new_block]


@dataclass(frozen=True)
class MergePlan:
    """The merge the next append will make (the file, as its stat and blocks say, and how
    many blocks it keeps), so that a worker can make it meanwhile: at 100k the merge of
    four blocks of 500 cost ~1 s of the writer's time after its last batch."""

    inode: int
    size: int
    mtime_ns: int
    spans: tuple[tuple[int, int], ...]  # (first, count) of each block
    keep: int

    @classmethod
    def of(cls, folder: Path, index: "WordIndex") -> "MergePlan | None":
        try:
            st = os.stat(Path(folder) / WORDS_FILE)
        except OSError:
            return None
        return cls(st.st_ino, index.size, st.st_mtime_ns, tuple((b.first, b.count) for b in index.blocks), _kept(index.blocks))


def merge_plan(folder: Path, token: bytes, first: int) -> MergePlan | None:
    """The merge that appending entries first… will make now; None when it makes none."""
    try:
        index = WordIndex.load(folder, token, mapped=True)
    except Damaged:
        return None
    if index is None or index.count != first or len(index.blocks) < _MAX_BLOCKS:
        return None
    return MergePlan.of(folder, index)


def blocks_for(folder: Path, token: bytes, first: int, texts: Sequence[bytes], plan: MergePlan | None
               ) -> tuple[bytes, Path | None]:
    """Run in a worker: the block of `texts` (entries first…), and when `plan` still holds,
    the file its merge makes, as a temp file (named after this worker: swept if the writer
    dies before it renames it) for the writer to put in place (`_merge_into`). Its bytes
    are not sent back: held by the writer, they were ~15 MB on its peak memory at 100k."""
    block = blocks.build(first, texts)
    if plan is None:
        return block, None
    path = Path(folder) / WORDS_FILE
    try:
        index = WordIndex.load(folder, token, mapped=True)
        if index is None or MergePlan.of(folder, index) != plan:
            return block, None
        tmp = temp_name(path)
        try:
            with open(tmp, "wb") as handle:
                write_parts(handle, _merged_file(token, index, plan.keep, block))
        except OSError:
            tmp.unlink(missing_ok=True)
            raise
    except (Damaged, OSError):
        return block, None
    return block, tmp


def problem(folder: Path, token: bytes, records: Sequence[bytes]) -> str | None:
    """What is wrong with search.words, every chunk read (for `tongket doctor`), as
    "<status>: why" (missing, stale, damaged); None when it checks out. `records`: the
    bytes of search.txt's records (token's), which it must have been built from."""
    try:
        index = WordIndex.load(folder, token, mapped=True)
        if index is None:
            return "missing"
        for part in index.blocks:
            part.check()
        crcs = chain.from_iterable(b.record_crcs() for b in index.blocks)
        if index.count > len(records) or any(zlib.crc32(t) != c for t, c in zip(records, crcs)):
            return "stale: built from other records than search.txt holds"
    except Outdated as exc:
        return f"stale: {exc}"
    except Damaged as exc:
        return f"damaged: {exc}"
    return None


def _mapped(path: Path) -> "mmap.mmap | bytes":
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return b""
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def _built(texts: Sequence[bytes | memoryview]) -> bytes:
    """One block for all records, built a part at a time and merged: one dict of keys for
    every record held ~2.7 GB at 100k articles."""
    if len(texts) <= _BUILD_PART:
        return blocks.build(0, texts)
    parts = []
    for first in range(0, len(texts), _BUILD_PART):
        part = _block_at(blocks.build(first, texts[first : first + _BUILD_PART]), 0)
        assert part is not None  # just built: whole
        parts.append(part)
    return blocks.merge(parts)


class WordIndex:
    """The blocks of search.words, their headers read; `candidates` answers a needle."""

    def __init__(self, parts: list[Block], size: int, stamp_ok: bool) -> None:
        self.blocks = parts
        self.size = size  # bytes of whole blocks (a torn tail is not counted)
        self.stamp_ok = stamp_ok
        self.count = sum(b.count for b in parts)

    @classmethod
    def load(cls, folder: Path, token: bytes, *, mapped: bool = False) -> "WordIndex | None":
        """None when there is no file; Damaged (Outdated) when it does not check out. `mapped`:
        the file is mapped, not read (the copy cost ~0.1 s of every text query of the command
        line, and was the peak memory of an ingest batch). A writer that maps it may truncate
        only the torn tail past `size`, which no block refers to."""
        try:
            raw = _mapped(Path(folder) / WORDS_FILE) if mapped else (Path(folder) / WORDS_FILE).read_bytes()
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise Damaged(str(exc)) from None
        if raw[: len(MAGIC)] != MAGIC or len(raw) < _HEAD_LEN:
            if raw[: len(_FAMILY)] == _FAMILY and raw[len(MAGIC) - 1 : len(MAGIC)] == b"\n":
                raise Outdated("an older format")
            raise Damaged("not a word index")
        if raw[len(MAGIC) : len(MAGIC) + _TOKEN_LEN] != token:
            raise Damaged("built for another search.txt")
        stamp = raw[len(MAGIC) + _TOKEN_LEN : _HEAD_LEN]
        try:
            stamp_ok = stamp == _stamp_of(Path(folder) / "search.txt")
        except OSError:
            stamp_ok = False
        pos, parts, expect = _HEAD_LEN, [], 0
        while pos + blocks.HEADER.size <= len(raw):
            part = _block_at(raw, pos)
            if part is None:
                break  # a torn last block: the entries it held are scanned instead
            if part.first != expect:
                raise Damaged("blocks out of step")
            parts.append(part)
            expect += part.count
            pos = part.end
        return cls(parts, pos, stamp_ok)

    def check_texts(self, mm: "mmap.mmap", starts: Sequence[int], ends: Sequence[int]) -> bool:
        """Every indexed record's bytes still have the crc they were indexed with."""
        for part in self.blocks:
            for e, crc in enumerate(part.record_crcs(), part.first):
                if e >= len(starts) or zlib.crc32(mm[starts[e] : ends[e]]) != crc:
                    return False
        return True

    def candidates(self, needle: str) -> tuple[Iterable[int], bool]:
        """Entry numbers that may hold `needle` (folded, collapsed; never one missed), and
        whether they all do (a needle of up to three words: no record needs checking)."""
        words = needle.split(" ")
        if len(words) <= _WINDOW:
            level, pattern = len(words) - 1, needle.encode("utf-8")
            return chain.from_iterable([b.entries(level, pattern) for b in self.blocks]), True
        windows = [" ".join(words[i : i + _WINDOW]).encode("utf-8") for i in range(len(words) - _WINDOW + 1)]
        out: set[int] = set()
        for part in self.blocks:
            sets = [set(part.entries(_WINDOW - 1, w)) for w in windows]
            sets.sort(key=len)
            out |= sets[0].intersection(*sets[1:])
        return out, False
