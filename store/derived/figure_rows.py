"""`figures.rows`: each article's figure rows for `tongket figures`, pre-encoded, beside the snapshot.

Why: the tidy export needs per figure what the snapshot's compact columns lack (sentence,
qualifier, of, change, kind, source) and had to decode every body file for it (~20 µs per
figure, 7k figures/s at 100k articles). This file holds, per body file, the CSV and the
JSON-lines text of the figure-level part of every row (metric key .. source file), so an
export is one `bytes.replace` per article: the article-level part (id, province, merged unit,
year, period, published) comes from the snapshot with the user's corrections applied, and
is put in front of each figure's text at the NUL that marks where a row starts.

Format: `MAGIC`, then records appended one after another, each a `RECORD` header (tag, ref,
inode of the body file it was encoded from, CRC-32 of that body file, figure count, length
and CRC-32 of the CSV block, of the JSON block) and the two blocks. A ref's last record wins.
An entry is believed only when the body file still has the inode it was encoded from (body
files are replaced, never edited, so a rewritten one has a new inode) and its block's
CRC matches; otherwise that article is read from its body file as before. The tag's bytes
(0xFF 0xFE) never occur in UTF-8, so a reader resynchronises after a damaged record, and a
record cut off at the end is ignored.
"""

from __future__ import annotations

import csv
import io
import mmap
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import orjson

from tongket.store.derived.details import FIGURE_COLUMNS, change_text

ROWS_FILE = "figures.rows"
MAGIC = b"tongket figure rows 1\n"
TAG = b"\xff\xfeFR"
RECORD = struct.Struct("<4s32sQIIIIII")  # tag, ref, inode, body crc, figures, csv len, csv crc, json len, json crc
ROW_START = b"\x00"  # where each row's article-level part goes
HEAD_COLUMNS = FIGURE_COLUMNS[:6]
TAIL_COLUMNS = FIGURE_COLUMNS[6:]
FORMATS = ("csv", "jsonl")
_CSV_SPECIAL = (",", '"', "\r", "\n")


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


def tail_values(body: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """The figure-level values of each row, as `details.figure_rows` gives them."""
    meta = body.get("meta") or {}
    url = meta.get("source_url") or ""
    path = meta.get("source_path") or ""
    out = []
    for fig in body.get("figures") or ():
        get = fig.get
        of, change = get("of"), get("change")
        out.append((
            get("key") or "", get("label") or "", get("value"), get("unit") or "", get("qualifier") or "",
            "" if of is None else of, change_text(change) if change else "", get("kind") or "actual",
            get("sentence") or "", url, path,
        ))
    return out


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


def csv_head(values: Sequence[Any]) -> bytes:
    """The article-level part of a CSV row, with the comma that follows it."""
    texts = [v if isinstance(v, str) else str(v) for v in values]
    if any(c in t for t in texts for c in _CSV_SPECIAL):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(values)
        return buffer.getvalue()[:-1].encode("utf-8") + b","
    return (",".join(texts) + ",").encode("utf-8")


def json_head(values: Sequence[Any]) -> bytes:
    """The article-level part of a JSON row: the object opened, its first fields."""
    return orjson.dumps(dict(zip(HEAD_COLUMNS, values)), option=orjson.OPT_NON_STR_KEYS)[:-1]


def record(ref: str, inode: int, body_crc: int, encoded: Encoded) -> bytes:
    csv_block, json_block = encoded.block("csv"), encoded.block("jsonl")
    head = RECORD.pack(TAG, ref.encode("ascii", "replace")[:32], inode, body_crc, len(encoded.csv),
                       len(csv_block), zlib.crc32(csv_block), len(json_block), zlib.crc32(json_block))
    return head + csv_block + json_block


@dataclass(frozen=True)
class Entry:
    """Where one ref's last record is."""

    inode: int
    body_crc: int
    figures: int
    csv: tuple[int, int, int]  # start, end, crc
    jsonl: tuple[int, int, int]


class RowsFile:
    """The records of one `figures.rows`, mapped; `damaged` counts records skipped."""

    def __init__(self, folder: Path) -> None:
        self.entries: dict[str, Entry] = {}
        self.records = 0
        self.damaged = 0
        self.present = False
        self._map: mmap.mmap | None = None
        try:
            with open(Path(folder) / ROWS_FILE, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                self.present = True
                if size > len(MAGIC):
                    self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return
        if self._map is not None and self._map[: len(MAGIC)] == MAGIC:
            self._scan(self._map)
        elif self.present and self._map is not None:
            self.damaged = 1  # not this format at all

    def _scan(self, mm: mmap.mmap) -> None:
        pos, size, unpack = len(MAGIC), len(mm), RECORD.unpack_from
        entries = self.entries
        while pos + RECORD.size <= size:
            tag, ref, inode, body_crc, n, csv_len, csv_crc, json_len, json_crc = unpack(mm, pos)
            start = pos + RECORD.size
            end = start + csv_len + json_len
            if tag != TAG or end > size:
                self.damaged += 1
                found = mm.find(TAG, pos + 1)
                if found < 0:
                    return
                pos = found
                continue
            self.records += 1
            entries[ref.rstrip(b"\x00").decode("ascii", "replace")] = Entry(
                inode, body_crc, n, (start, start + csv_len, csv_crc), (start + csv_len, end, json_crc))
            pos = end
        if pos < size:
            self.damaged += 1  # a record cut off at the end

    def block(self, ref: str, inode: int | None, fmt: str) -> bytes | None:
        """The ref's block in `fmt` when it is from the body file with this inode and intact."""
        entry = self.entries.get(ref)
        if entry is None or inode is None or entry.inode != inode or self._map is None:
            return None
        start, end, crc = entry.csv if fmt == "csv" else entry.jsonl
        data = self._map[start:end]
        return data if zlib.crc32(data) == crc and data.count(ROW_START) == entry.figures else None

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None


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
