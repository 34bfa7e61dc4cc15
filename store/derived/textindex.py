"""The packed search text: every article's folded title + body in one file, for the `/` filter.

Why: the text filter needs each article's folded text. Read from the body files, the first
filter of a session opens every one of them (10k: ~2 s; 100k: tens of seconds, ~600 MB held
in memory). Here the folded texts (`search_text`, the same string the body file keeps under
"search") sit one per line in `search.txt`, and `search.idx` says which bytes belong to which
body ref. A query encodes the folded needle as UTF-8 and runs `mmap.find` over the mapped
file, a window of whole records at a time; a hit's offset is mapped back to its record with
`bisect`, and the scan jumps to the next record. The needle never contains a newline
(whitespace is collapsed), so a match never spans two records.

Derived data, like the snapshot: records are keyed by body ref, and a body file is named by
its content, so a record is never wrong, only possibly missing. Ingest appends the texts of
the new body files after each archive write (under the archive's lock); an edited article
gets a new ref, and the old record becomes dead weight that `compact` drops once it is a
quarter of the file. A reader that finds refs without a record reads those body files and
appends them (or, when another process holds the lock, keeps them in memory).

Files (both written under the archive lock by `textindex_write`; never edited in place except by appending):

    search.txt   b"#tongket-search <token>\\n" then records, each `folded text\\n`
    search.idx   MAGIC, the same token, then 32-byte entries: ref (16 bytes), start, end (u64)

A rewrite gives both files a new token and replaces them one after the other; a reader that
sees two different tokens (in the middle of a rewrite) treats the index as empty for now.

A query does not scan every record: search.words (store/derived/wordindex.py) names the
records that hold a needle of up to three words (none is read), or that can hold a longer
one (only those are checked); records appended after it was written (a killed writer) are
scanned. Entries pointing outside search.txt, a word index whose headers fail their
checksums, or a search.txt changed behind its back mean the three files are discarded and
refilled from the body files, said once on stderr; a word index of an older format, or one
whose chunk fails its checksum when a query first reads it, is rebuilt from search.txt
(`words_outdated`: the caller does it under the lock).
"""

from __future__ import annotations

import mmap
import os
import struct
import sys
from array import array
from bisect import bisect_right
from itertools import islice, repeat
from operator import le
from pathlib import Path
from typing import Sequence

from tongket.store.derived import wordindex
from tongket.store.lang.text import fold

TEXT_FILE = "search.txt"
INDEX_FILE = "search.idx"
MAGIC = b"TONGKET-SEARCH-IDX 1\n"
TOKEN_LEN = 16
ENTRY = struct.Struct("<16sQQ")
_WINDOW = 32 << 20  # bytes scanned before their pages are released (keeps the RSS low)
_NARROW = 8  # a candidate set under 1/8 of the archive is checked record by record


def search_text(title: str, body: str) -> str:
    """The folded, whitespace-collapsed text a `/` filter matches against."""
    return " ".join(fold(title + "\n" + body).split())


def fold_titles(titles: list[str]) -> list[str]:
    """Each title folded, whitespace runs made one space (a match never needs the ends
    stripped: a needle has no outer space), in one `fold` over the NUL-joined titles (NUL
    is never in a title, nor whitespace to `str.split`; folding is per character): a `fold`
    per title cost ~0.5 s at 100k, a regular expression collapsing the spaces ~0.24 s."""
    folded = " ".join(fold("\x00".join(titles)).split()).split("\x00")
    if len(folded) != len(titles):  # a NUL in a (corrected) title after all, or no titles
        folded = [" ".join(fold(t).split()) for t in titles]
    return folded


def file_head(token: bytes) -> bytes:
    return b"#tongket-search " + token + b"\n"


def read_entries(folder: Path) -> tuple[bytes, list[str], array, array] | None:
    """(token, refs, starts, ends) of search.idx; None when missing or not ours."""
    try:
        raw = (folder / INDEX_FILE).read_bytes()
    except OSError:
        return None
    if not raw.startswith(MAGIC) or len(raw) < len(MAGIC) + TOKEN_LEN:
        return None
    token = raw[len(MAGIC) : len(MAGIC) + TOKEN_LEN]
    body = memoryview(raw)[len(MAGIC) + TOKEN_LEN :]
    n = len(body) // ENTRY.size  # a torn last entry (killed writer) is ignored
    fast = _read_sound_entries(body[: n * ENTRY.size], n)
    if fast is not None:
        return (token, *fast)
    refs: list[str] = []
    starts, ends = array("Q"), array("Q")  # unsigned: damaged bytes read as huge offsets, not an OverflowError
    for ref, start, end in ENTRY.iter_unpack(body[: n * ENTRY.size]):
        if end >= 1 << 62 or start > end:  # garbage (a damaged file): not an offset into search.txt
            continue
        refs.append(ref.rstrip(b"\x00").decode("ascii", "replace"))
        starts.append(start)
        ends.append(end)
    return token, refs, starts, ends


def _read_sound_entries(body: memoryview, n: int) -> tuple[list[str], array, array] | None:
    """The entries column-wise (100k: ~10 ms, not ~0.2 s through `iter_unpack`), when none
    is garbage; None otherwise (the caller then reads them one by one, skipping those)."""
    words = array("Q")
    words.frombytes(body)  # each entry: ref (2 words), start, end
    starts, ends = words[2::4], words[3::4]
    if n and (max(ends) >= 1 << 62 or not all(map(le, starts, ends))):
        return None
    text = str(body, "latin-1")  # refs are ASCII: one character per byte
    size = ENTRY.size
    refs = [text[i : i + TOKEN_LEN] for i in range(0, n * size, size)]
    joined = "".join(refs)
    if not joined.isascii():
        return None  # damaged refs: decoded one by one (as "replace" would)
    if "\x00" in joined:  # refs shorter than the field
        refs = [ref.rstrip("\x00") for ref in refs]
    return refs, starts, ends


def stored_records(folder: Path) -> list[tuple[str, bytes]] | None:
    """(body ref, stored folded text) of every record, for `tongket doctor` to compare with
    the article texts; None when either file is missing or they are from different rewrites."""
    entries = read_entries(folder)
    try:
        data = (folder / TEXT_FILE).read_bytes()
    except OSError:
        return None
    if entries is None or not data.startswith(file_head(entries[0])):
        return None
    _token, refs, starts, ends = entries
    return [(ref, data[s:e]) for ref, s, e in zip(refs, starts, ends)]


class TextIndex:
    """The packed texts, mapped, bound to the archive's articles (body ref of each rank)."""

    def __init__(self, folder: Path, refs_by_rank: Sequence[str]) -> None:
        self.folder = Path(folder)
        self._mm: mmap.mmap | None = None
        self._starts, self._ends = array("Q"), array("Q")
        self._entry_rank = array("i")
        self._rank_entry: dict[int, int] | None = None  # built when first asked (a narrowed query)
        self._words: wordindex.WordIndex | None = None
        self.damaged: str | None = None  # why the derived files must be rebuilt, if they must
        self.words_outdated = False  # search.words is of an older format (rebuild it from search.txt)
        entries = read_entries(self.folder)
        if entries is not None:
            token, refs, starts, ends = entries
            self._map(token, refs, starts, ends, refs_by_rank)
            if self._mm is not None and self.damaged is None:
                self._load_words(token, self._mm)
        if self.damaged is not None:
            print(f"tongket: the search index in {self.folder} is damaged ({self.damaged}); rebuilding it",
                  file=sys.stderr)
            self._close()
        have, n = set(self._entry_rank), len(refs_by_rank)
        have.discard(-1)
        self.missing = [] if len(have) == n else [r for r in range(n) if r not in have]  # ranks without a record
        self._loose: dict[int, str] = {}  # rank -> text, for records not (yet) in the file

    def _map(self, token: bytes, refs: list[str], starts: array, ends: array, refs_by_rank: Sequence[str]) -> None:
        try:
            with open(self.folder / TEXT_FILE, "rb") as handle:
                if handle.read(len(file_head(token))) != file_head(token):
                    return  # the two files are from different rewrites: nothing usable now
                size = os.fstat(handle.fileno()).st_size
                if size == 0:
                    return
                mm = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return
        rank_of = dict(zip(refs_by_rank, range(len(refs_by_rank))))
        head = len(file_head(token))
        # in order and inside the file: head <= start <= end <= next start ... <= size (each
        # start <= its end: read_entries keeps no other)
        if starts and not (head <= starts[0] and ends[-1] <= size
                           and all(map(le, islice(ends, len(ends) - 1), islice(starts, 1, None)))):
            self.damaged = "search.idx points outside search.txt"
            mm.close()
            return
        self._mm = mm
        self._starts, self._ends = starts, ends
        # from a list: an array filled from the iterator grows item by item (~2x the time)
        self._entry_rank = array("i", list(map(rank_of.get, refs, repeat(-1))))

    def _load_words(self, token: bytes, mm: mmap.mmap) -> None:
        """The word index, checked against search.txt (see store/derived/wordindex.py)."""
        try:
            words = wordindex.WordIndex.load(self.folder, token, mapped=True)
            if words is None:
                self.words_outdated = True  # missing (dropped by `doctor --repair`): built from search.txt
                return
            if words.count > len(self._starts):
                self.damaged = "search.words indexes more records than search.txt holds"
            elif not words.stamp_ok and not words.check_texts(mm, self._starts, self._ends):
                self.damaged = "search.txt was changed since it was indexed"
            else:
                self._words = words
        except wordindex.Outdated:
            self.words_outdated = True  # search.txt is sound: only the word file is rebuilt
        except wordindex.Damaged as exc:
            self.damaged = f"search.words: {exc}"

    def _words_damaged(self, reason: str) -> None:
        """A chunk of search.words failed its checksum when first read: this query scans,
        and the word file is rebuilt from search.txt (`words_outdated`)."""
        print(f"tongket: the search index in {self.folder} is damaged (search.words: {reason}); rebuilding it",
              file=sys.stderr)
        self._words, self.words_outdated = None, True

    def _close(self) -> None:
        if self._mm is not None:
            self._mm.close()
        self._mm, self._words = None, None
        self._starts, self._ends, self._entry_rank = array("Q"), array("Q"), array("i")
        self._rank_entry = None

    def add_loose(self, texts: dict[int, str]) -> None:
        """Texts of ranks the file lacks, kept in memory (the lock was not free to append)."""
        self._loose.update(texts)

    def search(self, needle: str, among: set[int] | None, total: int) -> set[int]:
        """Ranks whose folded text contains `needle` (already folded and collapsed)."""
        found = {r for r, text in self._loose.items() if needle in text and (among is None or r in among)}
        mm = self._mm
        if mm is None or not needle:
            return found
        enc = needle.encode("utf-8")
        starts, ends, entry_rank = self._starts, self._ends, self._entry_rank
        if among is not None and len(among) * _NARROW < total:
            if self._rank_entry is None:
                self._rank_entry = {r: e for e, r in enumerate(entry_rank) if r >= 0}
            for r in among:
                e = self._rank_entry.get(r)
                if e is not None and mm.find(enc, starts[e], ends[e]) >= 0:
                    found.add(r)
            return found
        n = len(starts)
        e = 0
        if self._words is not None:
            try:
                candidates, exact = self._words.candidates(needle)
            except wordindex.Damaged as exc:  # a chunk read for the first time did not check out
                self._words_damaged(str(exc))
            else:
                # up to three words: every candidate holds the needle, no check needed; more:
                # each candidate is checked, unless most records are candidates, where one
                # pass of `find` over the whole text (below) costs less than a check each
                if exact:
                    ranks = set(map(entry_rank.__getitem__, candidates))
                    ranks.discard(-1)
                    found |= ranks if among is None else ranks & among
                    e = self._words.count  # records appended after the word index was written: scanned
                elif len(pool := set(candidates)) * 2 < n:
                    for c in pool:
                        r = entry_rank[c]
                        if r >= 0 and (among is None or r in among) and mm.find(enc, starts[c], ends[c]) >= 0:
                            found.add(r)
                    e = self._words.count
        while e < n:
            # a window of whole records, so no match is cut at a window's edge
            w_end = bisect_right(starts, starts[e] + _WINDOW, lo=e)
            lo, hi = starts[e], ends[w_end - 1]
            pos = mm.find(enc, lo, hi)
            while pos >= 0:
                i = bisect_right(starts, pos, e, w_end) - 1
                if pos + len(enc) <= ends[i]:
                    r = entry_rank[i]
                    if r >= 0 and (among is None or r in among):
                        found.add(r)
                    pos = mm.find(enc, ends[i], hi)
                else:  # in the gap after a record (bytes a killed writer left): go on
                    pos = mm.find(enc, pos + 1, hi)
            _release(mm, lo, hi)
            e = w_end
        return found


def _release(mm: mmap.mmap, lo: int, hi: int) -> None:
    """Drop the scanned pages from this process (they stay in the page cache): a scan of a
    600 MB file would otherwise count 600 MB towards the app's resident memory."""
    advice = getattr(mmap, "MADV_DONTNEED", None)
    if advice is None:
        return
    page = mmap.PAGESIZE
    start = lo - lo % page
    try:
        mm.madvise(advice, start, hi - start)
    except (OSError, ValueError):
        pass
