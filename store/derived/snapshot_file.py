"""The snapshot file (`archive.snapshot`): its byte layout, writer and checked reader.

Trust: the snapshot records the (mtime_ns, size, inode) of the archive.json it was built from
and that file's checksum (storage.py); a reader uses it only when archive.json still has both,
otherwise the archive is loaded from TinyDB and the snapshot rebuilt. The snapshot also carries
checksums of itself: of its header, a CRC of each column (verified the first time the column
is read, so a command pays for the columns it uses: checking all of them at open was ~75 ms
of `list --province` at 100k), and one CRC per stored record (verified when the record is
read). A mismatch at open makes it unusable (rebuilt); one found later raises `Damaged`,
which the command line answers by dropping the file and running the command again (rebuilt);
so a damaged snapshot costs a rebuild, never a wrong answer; `check` says why for `tongket doctor`. It is written with the same discipline as
archive.json (temp file, fsync, atomic replace) right after each archive write, under the lock,
in parts (`encode_parts`): after a merge (snapshot_insert.py) the stored records it kept are
copied from the old file with their CRCs, unread, so a damaged one stays detectably damaged.
"""

from __future__ import annotations

import functools
import mmap
import os
import struct
import zlib
from array import array
from pathlib import Path
from itertools import accumulate
from typing import Any, Callable, Iterable, Iterator, Sequence

import orjson

from tongket.store.archive.file_parts import crc_of_parts
from tongket.store.archive.storage import checksum, read_checksum
from tongket.store.derived.snapshot import SNAPSHOT_FILE, Signature, Snapshot
from tongket.store.derived.snapshot_columns import Pieces, Strings, column, strings
from tongket.store.derived.snapshot_records import RecordReader
from tongket.store.errors import StoreError

ARCHIVE_FILE = "archive.json"  # what it is derived from, in the same folder
FORMAT = 8  # 4: parsed metadata only; corrections are an overlay (store/index.py); 5: checksums;
# 6: figure qualifier and kind columns; 7: a CRC per section ("crcs"), checked on first read;
# 8: the source URL column
MAGIC = b"TONGKET-SNAPSHOT\n"
_HEAD = struct.Struct("<Q")
_SUM_LEN = 32  # hex characters of the header's checksum, right after its length
_CHUNK = 1 << 24
__all__ = ["Damaged", "StoredRecords", "Strings", "Unusable", "check", "encode", "encode_parts", "read", "read_checked", "read_source"]


# ---------------------------------------------------------------- file format
#
#   MAGIC, u64 header length, checksum of the header (32 hex), header (orjson), padding to 8,
#   sections (each 8-aligned). Header: format, source signature, archive checksum, the CRC-32
#   of each section but "records" ({name: crc} in "crcs"), generation, counts, string tables, corrections and
#   {section: [offset from the data start, bytes, kind]}; kind is an array typecode, "s"
#   (NUL-joined UTF-8 strings), "j" (a JSON array: the source URLs, where None, "" and any
#   character are each themselves), "b" (raw bytes) or "r" (records: orjson blobs + offsets,
#   with a CRC-32 each in "record_crc"). The records section comes last and is not read at
#   load; `get` reads one record from it.

_ARRAYS = (
    "province", "year", "period", "n_figures", "corrected",
    "fig_article", "fig_pos", "fig_value", "fig_unit", "fig_label", "fig_key", "fig_qual", "fig_kind",
    "display_off",
    "flabel_perm", "flabel_start", "funit_perm", "funit_start", "key_perm", "key_start",
    "province_perm", "province_start", "year_perm", "year_start", "period_perm", "period_start",
)
_STRINGS = ("ids", "refs", "titles", "published", "event_date")
_TABLES = ("provinces", "periods", "units", "labels", "keys", "qualifiers", "flabels", "funits", "label_flabel", "unit_funit",
           "province_codes", "year_codes", "period_codes", "cells")


def _pad(n: int) -> int:
    return (8 - n % 8) % 8


class StoredRecords:
    """The records section to write, its sizes and CRCs known before its bytes, which are
    streamed (`chunks`): a merge copies the old records from the old file in runs instead
    of holding every blob in memory (issue 12: at 100k they are ~100 MB)."""

    def __init__(self, sizes: Sequence[int], crcs: array, chunks: Callable[[], Iterable[bytes]]) -> None:
        self.sizes, self.crcs, self.chunks = sizes, crcs, chunks

    @classmethod
    def of(cls, blobs: Sequence[bytes]) -> "StoredRecords":
        return cls([len(b) for b in blobs], array("I", map(zlib.crc32, blobs)), lambda: blobs)


def _as_bytes(arr: Any) -> memoryview:
    return memoryview(arr).cast("B")


def encode_parts(snap: Snapshot, records: Sequence[bytes] | StoredRecords | None = None, archive_sum: str | None = None,
                 identity: bytes | list[bytes | memoryview] | None = None) -> Iterator[bytes | memoryview]:
    """The file's bytes, in parts (written one by one: no copy of the whole file in memory).
    `records`: one orjson blob per article, by rank (for `get`); `archive_sum`: the checksum
    of the file it was built from (archive.json or its newest segment); `identity`: the
    ingest identity maps (archive/identity.py, in parts: views of the old snapshot's),
    covered by the columns' CRC."""
    if records is not None and not isinstance(records, StoredRecords):
        records = StoredRecords.of(records)
    parts: list[bytes | memoryview] = []
    sections: dict[str, list[Any]] = {}
    offset = 0
    crcs: dict[str, int] = {}

    def add(name: str, data: bytes | memoryview | list[bytes | memoryview], kind: str) -> None:
        nonlocal offset
        pieces = data if isinstance(data, list) else [data]
        crcs[name], size = crc_of_parts(pieces)
        sections[name] = [offset, size, kind]
        pad = b"\x00" * _pad(size)
        parts.extend(pieces)
        if pad:
            parts.append(pad)
        offset += size + len(pad)

    for name in _ARRAYS:
        arr = getattr(snap, name)  # an array, or a memoryview cast of a snapshot read back
        add(name, _as_bytes(arr), arr.typecode if isinstance(arr, array) else arr.format)
    for name in _STRINGS:
        values = getattr(snap, name)
        if isinstance(values, Strings):  # stored bytes (a mapped or merged column): copied as they are
            blob, starts = values.raw()
            add(name, blob, "s")
            add(name + "_at", _as_bytes(starts), "q")
            continue
        if name == "refs":
            values = ["" if ref == aid else ref for ref, aid in zip(values, snap.ids)]
        encoded = [(v or "").encode("utf-8") for v in values]
        add(name, b"\x00".join(encoded), "s")  # and where each string starts, for `Strings`
        if name != "refs":  # read whole, at once
            add(name + "_at", _as_bytes(array("q", accumulate((len(e) + 1 for e in encoded), initial=0))), "q")
    add("source_urls", orjson.dumps(list(snap.source_urls)), "j")
    displays = snap.display_blob
    add("displays", list(displays.parts) if isinstance(displays, Pieces) else _as_bytes(displays), "b")
    if identity is not None:
        add("identity", identity, "b")
    total = 0
    if records is not None:
        rec_off = array("q", accumulate(records.sizes, initial=0))
        total = rec_off[-1]
        add("record_off", _as_bytes(rec_off), "q")
        add("record_crc", _as_bytes(records.crcs), "I")
        sections["records"] = [offset, total, "r"]
    header = {
        "format": FORMAT,
        "source": list(snap.source) if snap.source else None,
        "archive_sum": archive_sum,
        "crcs": crcs,
        "generation": snap.generation,
        "schema": snap.schema,
        "n": len(snap.ids),
        "nf": len(snap.fig_article),
        "corrections": snap.corrections,
        "sections": sections,
        **{name: getattr(snap, name) for name in _TABLES},
    }
    head = orjson.dumps(header)
    prefix = MAGIC + _HEAD.pack(len(head)) + checksum(head).encode("ascii") + head
    yield prefix + b"\x00" * _pad(len(prefix))
    yield from parts
    if records is not None:
        written = 0
        for chunk in records.chunks():
            written += len(chunk)
            yield chunk
        if written != total:
            raise ValueError(f"the snapshot's records came to {written} bytes, not {total}")
        if _pad(total):
            yield b"\x00" * _pad(total)


def encode(snap: Snapshot, records: Sequence[bytes] | StoredRecords | None = None, archive_sum: str | None = None,
           identity: bytes | list[bytes | memoryview] | None = None) -> bytes:
    """The file's bytes (see `encode_parts`)."""
    return b"".join(encode_parts(snap, records, archive_sum, identity))


def read_source(path: Path) -> Signature | None:
    """The archive.json signature a snapshot file was built from (reads only its header)."""
    try:
        with open(path, "rb") as handle:
            header, _ = _read_header(handle)
    except (OSError, ValueError):
        return None
    src = header.get("source")
    return tuple(src) if src else None


class Unusable(ValueError):
    """Why a snapshot file cannot be used: missing, stale or damaged (then it is rebuilt)."""


class Damaged(StoreError):
    """A column found damaged when first read, after the open: the command that read it
    stops (cli/main.py drops the file and runs it again, which rebuilds it)."""

    def __init__(self, path: Path, section: str) -> None:
        self.path, self.why = path, f"damaged: its {section} column does not match its checksum"
        super().__init__(f"{path}: {self.why}; `tongket doctor --repair` rebuilds it")


def _read_header(handle: Any) -> tuple[dict[str, Any], int]:
    start = handle.read(len(MAGIC) + _HEAD.size + _SUM_LEN)
    if len(start) != len(MAGIC) + _HEAD.size + _SUM_LEN or not start.startswith(MAGIC):
        raise Unusable("damaged: not a tongket snapshot, or cut off")
    (size,) = _HEAD.unpack_from(start, len(MAGIC))
    if size > os.fstat(handle.fileno()).st_size:
        raise Unusable("damaged: cut off in its header")
    head = handle.read(size)
    if len(head) != size:
        raise Unusable("damaged: cut off in its header")
    if checksum(head).encode("ascii") != start[-_SUM_LEN:]:
        raise Unusable("damaged: its header does not match its checksum")
    header = orjson.loads(head)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise Unusable("stale: written by another tongket version (other format)")
    prefix = len(start) + size
    return header, prefix + _pad(prefix)


def _crc_of(mapped: mmap.mmap, data_start: int, length: int) -> int:
    """The CRC-32 of bytes data_start.. of the file, read through the mapping a chunk at a
    time, each chunk's pages released after (so a column is resident only where it is used;
    a copy through `readinto` cost 2.5x as much). A CRC, not a hash: the file is only ever
    rebuilt, never trusted across versions."""
    view = memoryview(mapped)
    crc, pos, end = 0, data_start, data_start + length
    advice = getattr(mmap, "MADV_DONTNEED", None)
    try:
        while pos < end:
            step = min(_CHUNK, end - pos)
            crc = zlib.crc32(view[pos : pos + step], crc)
            if advice is not None:
                page = pos - pos % mmap.PAGESIZE
                mapped.madvise(advice, page, pos + step - page)
            pos += step
    finally:
        view.release()
    return crc


def check(path: Path, expect: Signature | None, head: Path | None = None) -> str | None:
    """Why the snapshot at `path` would not be used for the archive.json whose signature is
    `expect` ("missing", "stale: …", "damaged: …"), or None when it is sound. Every column
    and stored record is verified too, which an open leaves to the first read of each."""
    try:
        snap = _open(path, expect, head)
        _check_columns(snap)
    except Unusable as exc:
        return str(exc)
    except Damaged as exc:
        return exc.why
    reader = snap.record_of
    if isinstance(reader, RecordReader):
        bad = sum(1 for rank in range(len(snap.ids)) if reader(rank) is None)
        if bad:
            return f"damaged: {bad} stored records do not match their checksums"
    return None


def read_checked(path: Path, expect: Signature | None, head: Path | None = None) -> Snapshot | None:
    """`read`, with every column checked now (for `tongket doctor`, which reads them all)."""
    try:
        snap = _open(path, expect, head)
        _check_columns(snap)
    except (Unusable, Damaged):
        return None
    return snap


def _check_columns(snap: Snapshot) -> None:
    """Every column read (and so checked) now; Damaged names the first that fails."""
    for name in snap.__dict__.get("_loaders", ()):
        getattr(snap, name)
    snap.identity()


def read(path: Path, expect: Signature | None, head: Path | None = None) -> Snapshot | None:
    """The snapshot at `path` if it was built from the archive.json whose signature is
    `expect`; None when it is missing, damaged, of another format or stale."""
    try:
        return _open(path, expect, head)
    except Unusable:
        return None


def _open(path: Path, expect: Signature | None, head: Path | None = None) -> Snapshot:
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise Unusable("missing") from None
    except OSError as exc:
        raise Unusable(f"damaged: cannot be read ({exc.strerror or exc})") from None
    fd, reader = -1, None
    try:
        header, data_start = _read_header(handle)
        src = header.get("source")
        if expect is None or not src or tuple(src) != tuple(expect):
            raise Unusable("stale: built from an earlier archive.json")
        archive_sum = header.get("archive_sum")
        if archive_sum is not None and read_checksum(head or path.with_name(ARCHIVE_FILE)) != archive_sum:
            raise Unusable("stale: archive.json changed since it was built (its checksum differs)")
        sections = header["sections"]
        size = os.fstat(handle.fileno()).st_size
        last = max(off + length for off, length, _kind in sections.values())
        if size < data_start + last:
            raise Unusable("damaged: cut off")
        crcs = header["crcs"]
        if not isinstance(crcs, dict) or set(crcs) != set(sections) - {"records"}:
            raise Unusable("damaged: its header lists other checksums than sections")
        # Mapped, not read: the arrays are used in place (no copy, pages loaded as touched);
        # the mapping keeps this file's content even after a newer snapshot replaces it.
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        view = memoryview(mapped)[data_start:]

        def checked(name: str) -> memoryview:
            """A section's bytes, checked against its CRC (Damaged if they differ)."""
            off, length, _kind = sections[name]
            if _crc_of(mapped, data_start + off, length) != crcs[name]:
                raise Damaged(path, name)
            return view[off : off + length]

        fd = os.dup(handle.fileno()) if "record_off" in sections else -1
        handle.close()
        n = header["n"]
        loaders: dict[str, Callable[[], Any]] = {
            name: column(checked, name, sections[name][2], n) for name in _ARRAYS}
        loaders["display_blob"] = lambda: checked("displays")
        loaders["refs"] = lambda: [ref or aid for ref, aid in zip(column(checked, "refs", "s", n)(), snap.ids)]
        for name in ("ids", "titles", "published", "event_date"):
            loaders[name] = strings(checked, name, n, lambda: snap)
        loaders["source_urls"] = lambda: orjson.loads(checked("source_urls"))  # 100k: ~10 ms
        values: dict[str, Any] = {
            "record_of": lambda _rank: None, "record_bytes": lambda _rank: None, "identity": lambda: None}
        if "identity" in sections:
            # the identity maps' bytes, read in place by archive/identity.py, checked on the first call
            values["identity"] = functools.cache(lambda: checked("identity"))
        if "record_off" in sections:
            rec_sec = sections["records"]
            try:
                rec_off, rec_crc = checked("record_off").cast("q"), checked("record_crc").cast("I")
            except Damaged as exc:
                raise Unusable(exc.why) from None
            reader = RecordReader(view[rec_sec[0] : rec_sec[0] + rec_sec[1]], rec_off, rec_crc,
                                   fd, data_start + rec_sec[0], mapped)
            values["record_of"], values["record_bytes"] = reader, reader.raw
        snap = Snapshot.with_loaders({
            "source": tuple(src),
            "generation": int(header.get("generation") or 0),
            "schema": int(header.get("schema") or 1),
            "corrections": header.get("corrections") or {},
            "records_file": reader,
            "stored": lambda: None,
            "path": path,
            **values,
            **{name: header[name] for name in _TABLES},
        }, loaders)
    except Unusable:
        handle.close()
        _close(fd, reader)
        raise
    except (OSError, ValueError, KeyError, TypeError, UnicodeError) as exc:
        handle.close()
        _close(fd, reader)
        raise Unusable(f"damaged: {type(exc).__name__}") from None
    return snap


def _close(fd: int, reader: Any) -> None:
    """The duplicated descriptor of a snapshot found unusable (a reader closes its own)."""
    if fd >= 0 and reader is None:
        os.close(fd)
