"""Writing the packed search text (`textindex` reads it; its docstring has the format).
Every function here runs with the archive's lock held."""

from __future__ import annotations

import mmap
import os
import secrets
from pathlib import Path
from typing import Any, Callable, Iterable, Literal, Sequence

from tongket.store.archive.storage import atomic_write_bytes
from tongket.store.derived import wordindex
from tongket.store.derived.textindex import ENTRY, INDEX_FILE, MAGIC, TEXT_FILE, TOKEN_LEN, file_head, read_entries


def _packed(items: Iterable[tuple[str, str]], offset: int) -> tuple[list[bytes], list[bytes]]:
    """The texts as search.txt lines (each ending in a newline) starting at `offset`, and
    their index entries."""
    chunks, packed = [], []
    for ref, text in items:
        data = text.encode("utf-8") + b"\n"
        chunks.append(data)
        packed.append(ENTRY.pack(ref.encode("ascii", "replace")[:16], offset, offset + len(data) - 1))
        offset += len(data)
    return chunks, packed


# Builds word blocks elsewhere: (folder, token, first entry, record texts, the merge planned)
# -> a future of `wordindex.blocks_for`'s result.
BlockBuilder = Callable[[Path, bytes, int, list[bytes], "wordindex.MergePlan | None"], Any]


class PendingWords:
    """The word index of records already in search.txt, its block being built elsewhere
    (a worker process) while the writer goes on; `finish` (lock held) appends it. Until
    then, or if it never comes (a killed writer), the reader scans those records and the
    next append indexes them with its own (wordindex.append)."""

    def __init__(self, folder: Path, token: bytes, first: int, texts: list[bytes], fresh: bool, future: Any,
                 plan: wordindex.MergePlan | None = None) -> None:
        self._args = (folder, token, first, texts, fresh)
        self._future = future
        self._plan = plan

    def finish(self) -> None:
        from concurrent.futures import CancelledError
        from concurrent.futures.process import BrokenProcessPool

        folder, token, first, texts, fresh = self._args
        try:
            block, merged = self._future.result()
        except (BrokenProcessPool, CancelledError, OSError, RuntimeError):  # no worker: built here
            block, merged = None, None
        premerged = (self._plan, merged) if self._plan is not None and merged is not None else None
        try:
            if _token_now(folder) != token:
                return  # search.txt was rewritten meanwhile: its writer indexed it anew
            if not wordindex.append(folder, token, first, texts, lambda: _all_texts(folder), was_fresh=fresh,
                                    block=block, premerged=premerged):
                discard(folder)
        finally:
            if merged is not None:  # not put in place (the file changed since its plan)
                merged.unlink(missing_ok=True)


def _token_now(folder: Path) -> bytes | None:
    try:
        with open(folder / INDEX_FILE, "rb") as handle:
            head = handle.read(len(MAGIC) + TOKEN_LEN)
    except OSError:
        return None
    return head[len(MAGIC) :] if head.startswith(MAGIC) else None


def append(folder: Path, items: Iterable[tuple[str, str]], *, words: BlockBuilder | None = None) -> PendingWords | None:
    """Append (ref, folded text) records. The text goes first, then the entries: a writer
    killed in between leaves unreferenced bytes, never an entry pointing past the text.
    With `words`, the records' word block is built through it and left to the returned
    PendingWords (the fast path only; a rewrite indexes here)."""
    items = list(items)
    if not items:
        return None
    folder = Path(folder)
    pending = _append_fast(folder, items, words)
    if pending is not False:
        return pending
    entries = read_entries(folder)
    txt, idx = folder / TEXT_FILE, folder / INDEX_FILE
    valid = False
    if entries is not None:
        try:
            with open(txt, "rb") as handle:
                valid = handle.read(len(file_head(entries[0]))) == file_head(entries[0])
        except OSError:
            valid = False
    if not valid or entries is None:
        rewrite(folder, items)
        return None
    token, refs, _starts, ends = entries
    fresh = wordindex.stamp_matches(folder)
    with open(txt, "ab") as handle:
        offset = handle.seek(0, os.SEEK_END)
        # entries past the end of a cut-off text file would point into what we append now
        n_valid = next((i for i, end in enumerate(ends) if end > offset), len(ends))
        chunks, packed = _packed(items, offset)
        handle.write(b"".join(chunks))
    with open(idx, "r+b") as handle:
        handle.truncate(len(MAGIC) + TOKEN_LEN + n_valid * ENTRY.size)  # drop torn or dangling entries
        handle.seek(0, os.SEEK_END)
        handle.write(b"".join(packed))
    _index_words(folder, token, n_valid, [c[:-1] for c in chunks], fresh)
    return None


def _append_fast(folder: Path, items: list[tuple[str, str]], words: BlockBuilder | None = None
                 ) -> PendingWords | None | Literal[False]:
    """`append` without decoding every entry of search.idx (which made each batch of an
    ingest O(archive)): reads the header and the last entry only. Entries are written in
    increasing offsets, so when the last one ends within the text file all of them do and
    none needs dropping. False (nothing written) whenever that does not hold: the full
    path then decides; else the PendingWords of `words`, or None (indexed here)."""
    txt, idx = folder / TEXT_FILE, folder / INDEX_FILE
    start = len(MAGIC) + TOKEN_LEN
    try:
        with open(idx, "r+b") as ih:
            head = ih.read(start)
            if len(head) < start or not head.startswith(MAGIC):
                return False
            size = os.fstat(ih.fileno()).st_size
            n = (size - start) // ENTRY.size
            if n <= 0:
                return False
            ih.seek(start + (n - 1) * ENTRY.size)
            last = ih.read(ENTRY.size)
            if len(last) != ENTRY.size:
                return False
            _ref, last_start, last_end = ENTRY.unpack(last)
            want = file_head(head[len(MAGIC) :])
            fresh = wordindex.stamp_matches(folder)
            with open(txt, "r+b") as th:
                if th.read(len(want)) != want:
                    return False
                offset = th.seek(0, os.SEEK_END)
                if last_end > offset or last_start > last_end:
                    return False
                chunks, packed = _packed(items, offset)
                th.write(b"".join(chunks))  # the text first, as in `append`
            ih.truncate(start + n * ENTRY.size)  # drop a torn last entry
            ih.seek(0, os.SEEK_END)
            ih.write(b"".join(packed))
    except FileNotFoundError:
        return False
    texts = [c[:-1] for c in chunks]
    if words is not None:
        token = head[len(MAGIC) :]
        plan = wordindex.merge_plan(folder, token, n) if fresh else None  # its merge made by the worker too
        future = words(folder, token, n, texts, plan)
        if future is not None:
            return PendingWords(folder, token, n, texts, fresh, future, plan)
    _index_words(folder, head[len(MAGIC) :], n, texts, fresh)
    return None


def _index_words(folder: Path, token: bytes, first: int, texts: list[bytes], fresh: bool) -> None:
    """After the text and entries: the word index (last, so a killed writer leaves it
    behind the text, whose tail the reader then scans)."""
    if not wordindex.append(folder, token, first, texts, lambda: _all_texts(folder), was_fresh=fresh):
        discard(folder)


def reindex_words(folder: Path) -> None:
    """search.words anew from search.txt (an older format, or a chunk found damaged)."""
    entries = read_entries(folder)
    if entries is not None:
        wordindex.write(folder, entries[0], _all_texts(folder))


def _all_texts(folder: Path) -> list[memoryview]:
    """Every record's bytes, as views of one read of search.txt (not a copy of each: at 100k
    that was another 480 MB at the peak of a rebuild)."""
    entries = read_entries(folder)
    if entries is None:
        return []
    _token, _refs, starts, ends = entries
    data = memoryview((folder / TEXT_FILE).read_bytes())
    return [data[s:e] for s, e in zip(starts, ends)]


def discard(folder: Path) -> None:
    """Remove the derived search files (damaged): the next text query refills them from the
    body files. Caller holds the lock."""
    for name in (TEXT_FILE, INDEX_FILE, wordindex.WORDS_FILE):
        try:
            os.unlink(Path(folder) / name)
        except FileNotFoundError:
            pass


def rewrite(folder: Path, items: Iterable[tuple[str, str]]) -> None:
    """Write both files anew (a new token), each through temp file + atomic replace."""
    folder = Path(folder)
    token = secrets.token_hex(TOKEN_LEN // 2).encode("ascii")
    chunks = [file_head(token)]
    packed = [MAGIC, token]
    offset = len(chunks[0])
    for ref, text in items:
        data = text.encode("utf-8") + b"\n"
        chunks.append(data)
        packed.append(ENTRY.pack(ref.encode("ascii", "replace")[:16], offset, offset + len(data) - 1))
        offset += len(data)
    atomic_write_bytes(folder / TEXT_FILE, b"".join(chunks), fsync=False)
    atomic_write_bytes(folder / INDEX_FILE, b"".join(packed), fsync=False)
    wordindex.write(folder, token, [c[:-1] for c in chunks[1:]])


def compact(folder: Path, live_refs: set[str]) -> bool:
    """Rewrite without the records of refs no article uses any more, once they are a
    quarter of the file (an edited article leaves its old text behind). True if rewritten."""
    folder = Path(folder)
    entries = read_entries(folder)
    if entries is None:
        return False
    _token, refs, starts, ends = entries
    dead = sum(ends[i] - starts[i] for i, ref in enumerate(refs) if ref not in live_refs)
    total = sum(ends[i] - starts[i] for i in range(len(refs)))
    if not dead or dead * 4 < total:
        return False
    seen: set[str] = set()
    with open(folder / TEXT_FILE, "rb") as handle:
        mm = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        keep = []
        for i, ref in enumerate(refs):
            if ref in live_refs and ref not in seen and ends[i] <= len(mm):
                seen.add(ref)
                keep.append((ref, mm[starts[i] : ends[i]].decode("utf-8", "replace")))
        rewrite(folder, keep)
    finally:
        mm.close()
    return True


def fill_missing(
    folder: Path,
    refs: Sequence[tuple[int, str]],
    text_of: Callable[[str], str],
    *,
    save: Callable[[list[tuple[str, str]]], bool],
    chunk: int = 2000,
) -> dict[int, str]:
    """Texts for (rank, ref) pairs the file lacks, read through `text_of` a chunk at a time
    and handed to `save` (which appends them under the lock). Returns the texts that could
    not be saved, by rank, for the caller to keep in memory."""
    unsaved: dict[int, str] = {}
    for start in range(0, len(refs), chunk):
        part = refs[start : start + chunk]
        texts = [(ref, text_of(ref)) for _rank, ref in part]
        if not save(texts):
            unsaved.update((rank, text) for (rank, _ref), (_r, text) in zip(part, texts))
    return unsaved
