"""The identity maps an ingest merges by (content id, source path, URL -> article id; article
id -> URL), kept in the snapshot as sorted string tables that are searched where they are
mapped, never loaded whole.

Why: as dicts the maps of a 100k archive were ~110 MB and 0.5 s to parse before the first
batch, and as much again to serialise after the last (issue 12: an ingest should cost its
batch). Here a batch's lookups are binary searches over the mapped tables, its changes a
small dict over them, and saving copies the unchanged runs of each table as bytes.

Saved layout (`Lookups.encode`): MAGIC, then per table four u64 lengths, then per table
its key offsets and value offsets (int64, NUMBER + 1 each), its keys and its values (UTF-8,
each ended by NUL; keys in byte order), every part padded to 8 bytes.
"""

from __future__ import annotations

import struct
from array import array
from bisect import bisect_left
from typing import Any, Iterable, Iterator

import orjson

from tongket.store.derived.snapshot_insert import plus

MAGIC = b"TONGKET-IDENTITY1\n\x00\x00\x00\x00\x00\x00"  # 24 bytes: the parts after it stay 8-aligned
_NAMES = ("content", "path", "url", "url_of")
_LENGTHS = struct.Struct("<" + "Q" * 4 * len(_NAMES))
_SEP = b"\x00"  # never in an id, a normalised path or a URL


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a path may hold undecodable bytes as surrogates


def _pad(n: int) -> int:
    return (8 - n % 8) % 8


class _Sorted:
    """One saved table: keys in byte order and their values, read in place."""

    def __init__(self, keys: Any, key_off: Any, values: Any, value_off: Any) -> None:
        self.keys, self.key_off, self.values, self.value_off = keys, key_off, values, value_off

    def __len__(self) -> int:
        return len(self.key_off) - 1

    def __getitem__(self, i: int) -> bytes:  # the i-th key, for bisect
        return bytes(self.keys[self.key_off[i] : self.key_off[i + 1] - 1])

    def find(self, key: bytes) -> tuple[int, bool]:
        """Where `key` is (or would go), and whether it is there."""
        pos = bisect_left(self, key)
        return pos, pos < len(self) and self[pos] == key

    def value(self, i: int) -> str:
        return bytes(self.values[self.value_off[i] : self.value_off[i + 1] - 1]).decode("utf-8", "surrogatepass")


class Table:
    """One identity map: the saved table (if any) with this session's changes over it."""

    def __init__(self, base: _Sorted | None = None, changes: dict[str, str | None] | None = None) -> None:
        self._base = base
        self._changes: dict[str, str | None] = changes or {}  # None: removed

    def get(self, key: str, default: str | None = None) -> str | None:
        if key in self._changes:
            value = self._changes[key]
            return default if value is None else value
        if self._base is not None:
            pos, found = self._base.find(_utf8(key))
            if found:
                return self._base.value(pos)
        return default

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def __setitem__(self, key: str, value: str) -> None:
        self._changes[key] = value

    def pop(self, key: str, default: str | None = None) -> str | None:
        value = self.get(key)
        self._changes[key] = None
        return default if value is None else value

    def setdefault(self, key: str, value: str) -> str:
        current = self.get(key)
        if current is None:
            self._changes[key] = value
            return value
        return current

    def parts(self) -> tuple[list[bytes | memoryview], list[bytes | memoryview], array, array]:
        """The merged table's keys and values blobs, in pieces, and their offsets: the saved
        table's runs between the changed keys as views of it (not copied: the writer streams
        them; joined they were ~26 MB of the peak of adding 1k to 100k), their offsets
        shifted from the saved ones (splitting the 100k entries again cost ~0.25 s of every
        batch at 100k), the changes put in their place."""
        changes = sorted((_utf8(k), v) for k, v in self._changes.items())
        keys: list[bytes | memoryview] = []
        values: list[bytes | memoryview] = []
        key_off, value_off = array("q", [0]), array("q", [0])
        base, prev = self._base, 0

        def run(lo: int, hi: int) -> None:
            assert base is not None
            for blobs, offs, data, saved in ((keys, key_off, base.keys, base.key_off),
                                             (values, value_off, base.values, base.value_off)):
                blobs.append(data[saved[lo] : saved[hi]])
                offs.frombytes(plus(saved[lo + 1 : hi + 1], offs[-1] - saved[lo]))

        def one(blobs: list[bytes | memoryview], offs: array, data: bytes) -> None:
            blobs.append(data)
            offs.append(offs[-1] + len(data))

        for key, value in changes:
            pos, found = base.find(key) if base is not None else (0, False)
            if base is not None and pos > prev:
                run(prev, pos)
            if value is not None:
                one(keys, key_off, key + _SEP)
                one(values, value_off, _utf8(value) + _SEP)
            prev = pos + 1 if found else max(prev, pos)
        if base is not None and len(base) > prev:
            run(prev, len(base))
        return keys, values, key_off, value_off


class Lookups:
    """Content id / source path / URL -> article id, and article id -> its URL: the maps a
    batch merges by. Kept up to date by `Merge` across the batches of a session and saved
    with the snapshot (`encode`), so an ingest never loads every stored record."""

    def __init__(self, records: Iterable[dict[str, Any]] = (), tables: Iterable[Table] | None = None) -> None:
        self.by_content, self.by_path, self.by_url, self.url_of = tables or (Table(), Table(), Table(), Table())
        for rec in records:
            self.add(rec)

    def add(self, rec: dict[str, Any]) -> None:
        aid = rec["id"]
        self.by_content[rec.get("content_id", aid)] = aid
        for p in rec.get("source_paths") or ():
            self.by_path[p] = aid
        if rec.get("source_url"):
            self.by_url.setdefault(rec["source_url"], aid)
            self.url_of[aid] = rec["source_url"]

    def learn_url(self, aid: str, url: str) -> None:
        self.by_url[url] = aid
        self.url_of[aid] = url

    def url_for(self, path: str) -> str | None:
        """The URL learned for the article a source path holds, so a file ingested again
        without its URL is parsed with it (the URL may give the province)."""
        aid = self.by_path.get(path)
        return None if aid is None else self.url_of.get(aid)

    def encode(self) -> Iterator[bytes | memoryview]:
        """The saved layout (module docstring), in parts (some views of the saved tables,
        which must stay mapped until the parts are written)."""
        tables = [table.parts() for table in (self.by_content, self.by_path, self.by_url, self.url_of)]
        sections: list[list[list[bytes | memoryview]]] = [
            [[memoryview(k_off)], [memoryview(v_off)], keys, values] for keys, values, k_off, v_off in tables]
        lengths = [sum(memoryview(piece).nbytes for piece in part) for section in sections for part in section]
        yield MAGIC + _LENGTHS.pack(*lengths)
        for section in sections:
            for part in section:
                size = 0
                for piece in part:
                    size += memoryview(piece).nbytes
                    yield memoryview(piece).cast("B")
                if _pad(size):
                    yield b"\x00" * _pad(size)

    @classmethod
    def decode(cls, blob: Any) -> "Lookups | None":
        """The maps `encode` saved (read in place from `blob`, a buffer that must stay
        mapped), or None when `blob` is not of that shape. A snapshot from before this
        layout held them as one JSON object: read once into the changes, saved anew."""
        if blob is None:
            return None
        view = memoryview(blob)
        if bytes(view[: len(MAGIC)]) != MAGIC:
            return cls._from_json(view)
        try:
            lengths = _LENGTHS.unpack_from(view, len(MAGIC))
            pos = len(MAGIC) + _LENGTHS.size
            tables = []
            for t in range(len(_NAMES)):
                parts = []
                for n in lengths[4 * t : 4 * t + 4]:
                    if pos + n > len(view):
                        return None
                    parts.append(view[pos : pos + n])
                    pos += n + _pad(n)
                k_off, v_off = parts[0].cast("q"), parts[1].cast("q")
                if len(k_off) != len(v_off) or not len(k_off) or k_off[-1] != len(parts[2]) or v_off[-1] != len(parts[3]):
                    return None
                tables.append(Table(_Sorted(parts[2], k_off, parts[3], v_off)))
        except (struct.error, TypeError, ValueError):
            return None
        return cls(tables=tables)

    @classmethod
    def _from_json(cls, view: memoryview) -> "Lookups | None":
        try:
            data = orjson.loads(view)
        except orjson.JSONDecodeError:
            return None
        parts = [data.get(k) for k in _NAMES] if isinstance(data, dict) else []
        if len(parts) != len(_NAMES) or not all(isinstance(p, dict) for p in parts):
            return None
        return cls(tables=[Table(changes=p) for p in parts])
