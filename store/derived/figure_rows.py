"""`figures.rows`: each article's figure rows for `tongket figures`, pre-encoded, beside the snapshot.

Why: the tidy export needs per figure what the snapshot's compact columns lack (sentence,
qualifier, of, change, kind, source) and had to decode every body file for it (~20 µs per
figure, 7k figures/s at 100k articles). This file holds, per body file, the CSV and the
JSON-lines text of the figure-level part of every row (metric key .. source file), so an
export is one `bytes.replace` per article: the article-level part (id, province, merged unit,
year, period, published) comes from the snapshot with the user's corrections applied, and
is put in front of each figure's text at the NUL that marks where a row starts.

Format: two files, appended to. figures.rows is `MAGIC` and the blocks, back to back (a CSV
and a JSON block per body file); figures.idx is `MAGIC` and one `RECORD` per pair (tag, ref,
inode of the body file it was encoded from, CRC-32 of that body file, figure count, offset,
length and CRC-32 of each block), read whole at the start of an export (~70 bytes per
article). The blocks are appended first, then their entries, so a killed writer leaves
unreferenced bytes, never an entry past the data. A ref's last entry wins. An entry is
believed only when the body file still has the inode it was encoded from (body files are
replaced, never edited in place, so a rewritten one has a new inode) and its block has its
length and CRC; otherwise that article is read from its body file as before (and its rows
saved again). A copied archive has new inodes: its first export reads every body file.
The tag's bytes (0xFF 0xFE) never occur in UTF-8, so the reader skips a damaged entry to
the next tag, and ignores one cut off at the end.
"""

from __future__ import annotations

import csv
import io
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import orjson

from tongket.store.derived.details import FIGURE_COLUMNS, figure_tail

ROWS_FILE = "figures.rows"  # the blocks, back to back
INDEX_FILE = "figures.idx"  # one RECORD per block pair
MAGIC = b"tongket figure rows 1\n"
TAG = b"\xff\xfeFR"
# tag, ref, inode, body crc, figures, offset, csv len, csv crc, json len, json crc
RECORD = struct.Struct("<4s32sQIIQIIII")
ROW_START = b"\x00"  # where each row's article-level part goes
HEAD_COLUMNS = FIGURE_COLUMNS[:6]
TAIL_COLUMNS = FIGURE_COLUMNS[6:]
FORMATS = ("csv", "jsonl")


@dataclass(frozen=True)
class Encoded:
    """One body file's figure-level row texts, one per figure, each ending in a newline."""

    csv: tuple[bytes, ...]
    jsonl: tuple[bytes, ...]

    def block(self, fmt: str) -> bytes:
        return b"".join(ROW_START + t for t in (self.csv if fmt == "csv" else self.jsonl))

    @property
    def storable(self) -> bool:
        """False when a CSV text holds a NUL itself (it would read as a row start)."""
        return not any(ROW_START in t for t in self.csv)


def tail_values(body: Mapping[str, Any]) -> Iterator[tuple[Any, ...]]:
    """The figure-level values of each row, as `details.figure_rows` gives them (one at a
    time: an article can hold 150,000 figures)."""
    meta = body.get("meta") or {}
    url, path = meta.get("source_url") or "", meta.get("source_path") or ""
    return (figure_tail(fig, url, path) for fig in body.get("figures") or ())


def encode(body: Mapping[str, Any]) -> Encoded:
    """The row texts of one body file (CSV as the csv module writes it, JSON as orjson)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    csv_rows, json_rows = [], []
    for values in tail_values(body):
        writer.writerow(values)
        csv_rows.append(buffer.getvalue().encode("utf-8"))
        buffer.seek(0)
        buffer.truncate()
        json_rows.append(b"," + orjson.dumps(dict(zip(TAIL_COLUMNS, values)), option=orjson.OPT_NON_STR_KEYS)[1:] + b"\n")
    return Encoded(tuple(csv_rows), tuple(json_rows))


def csv_head(values: Sequence[str]) -> bytes:
    """The article-level part of a CSV row (cells as text: the csv module writes an int as
    `str` does), with the comma that follows it."""
    joined = ",".join(values)
    if joined.count(",") != len(values) - 1 or '"' in joined or "\n" in joined or "\r" in joined:
        buffer = io.StringIO()  # a cell to quote: as the csv module does it
        csv.writer(buffer, lineterminator="\n").writerow(values)
        return buffer.getvalue()[:-1].encode("utf-8") + b","
    return (joined + ",").encode("utf-8")


def json_head(values: Sequence[Any]) -> bytes:
    """The article-level part of a JSON row: the object opened, its first fields."""
    return orjson.dumps(dict(zip(HEAD_COLUMNS, values)), option=orjson.OPT_NON_STR_KEYS)[:-1]


@dataclass(frozen=True)
class Pending:
    """A record to append: its index entry is made once its blocks' offset is known."""

    ref: str
    inode: int
    body_crc: int
    encoded: Encoded

    def blocks(self) -> tuple[bytes, bytes]:
        return self.encoded.block("csv"), self.encoded.block("jsonl")


def index_entry(p: Pending, offset: int, csv_block: bytes, json_block: bytes) -> bytes:
    return RECORD.pack(TAG, p.ref.encode("ascii", "replace")[:32], p.inode, p.body_crc, len(p.encoded.csv), offset,
                       len(csv_block), zlib.crc32(csv_block), len(json_block), zlib.crc32(json_block))


Raw = tuple  # one unpacked RECORD; kept as is: 100k entries are read per export


@dataclass(frozen=True)
class Entry:
    """Where one ref's last record's blocks are."""

    inode: int
    body_crc: int
    figures: int
    csv: tuple[int, int, int]  # start, length, crc
    jsonl: tuple[int, int, int]

    @classmethod
    def of(cls, raw: Raw) -> "Entry":
        _tag, _ref, inode, body_crc, n, offset, csv_len, csv_crc, json_len, json_crc = raw
        return cls(inode, body_crc, n, (offset, csv_len, csv_crc), (offset + csv_len, json_len, json_crc))


def read_index(folder: Path) -> tuple[dict[str, Raw], int, int] | None:
    """Each ref's last entry, the number of entries and of damaged parts skipped; None when
    the index is missing or not this format."""
    try:
        data = (Path(folder) / INDEX_FILE).read_bytes()
    except OSError:
        return None
    if not data.startswith(MAGIC):
        return None
    entries: dict[str, Raw] = {}
    pos, size, count, damaged = len(MAGIC), len(data), 0, 0
    view = memoryview(data)
    while pos + RECORD.size <= size:
        whole = pos + (size - pos) // RECORD.size * RECORD.size
        good = 0
        for raw in RECORD.iter_unpack(view[pos:whole]):
            name = raw[1].rstrip(b"\x00")
            if raw[0] != TAG or not name.isalnum():  # a content id is hex (past damage: anything)
                break
            entries[name.decode("ascii")] = raw
            good += 1
        count += good
        pos += good * RECORD.size
        if pos < whole:
            damaged += 1
            pos = data.find(TAG, pos + 1)  # past the damage, at the next entry
            if pos < 0:
                return entries, count, damaged
    if pos < size:
        damaged += 1  # an entry cut off at the end
    return entries, count, damaged


class RowsFile:
    """The entries of `figures.idx` and the blocks of `figures.rows` they point at."""

    def __init__(self, folder: Path) -> None:
        found = read_index(folder)
        self.entries, self.records, self.damaged = found if found is not None else ({}, 0, 0)
        self._fd: int | None = None
        if self.entries:
            try:
                self._fd = os.open(Path(folder) / ROWS_FILE, os.O_RDONLY)
            except OSError:
                self.entries = {}

    def figures(self, ref: str) -> int:
        return int(self.entries[ref][4])

    def block(self, ref: str, inode: int | None, fmt: str) -> bytes | None:
        """The ref's block in `fmt` when it is from the body file with this inode and whole
        (a block cut off or overwritten fails its length or CRC)."""
        raw = self.entries.get(ref)
        if raw is None or raw[2] != inode or self._fd is None:
            return None
        start, length, crc = (raw[5], raw[6], raw[7]) if fmt == "csv" else (raw[5] + raw[6], raw[8], raw[9])
        try:
            data = os.pread(self._fd, length, start)
        except OSError:
            return None
        return data if len(data) == length and zlib.crc32(data) == crc else None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def body_inodes(bodies: Path, refs: Iterable[str], *, scan_above: int = 2000) -> dict[str, int]:
    """Inode of each ref's body file (absent: no file). Many refs: one directory scan of the
    body folders (inodes come with the names, no stat per file); few: a stat each."""
    refs = list(refs)
    out: dict[str, int] = {}
    if len(refs) > scan_above:
        try:
            folders = list(os.scandir(bodies))
        except OSError:
            return out
        for folder in folders:
            if not folder.is_dir():
                continue
            try:
                with os.scandir(folder.path) as it:
                    for item in it:
                        if item.name.endswith(".json"):
                            out[item.name[:-5]] = item.inode()
            except OSError:
                continue
        return out
    for ref in refs:
        try:
            out[ref] = os.stat(bodies / ref[:2] / f"{ref}.json").st_ino
        except OSError:
            pass
    return out
