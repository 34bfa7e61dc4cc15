"""Segments: the store of record as a base (archive.json) plus the batches written since.

Why: rewriting the whole archive.json per ingest batch costs what the archive holds (10 µs a
stored record), so a big ingest was quadratic. A batch instead writes one small TinyDB file,
`segments/NNNNNN-<base>.json`, with the records it added or changed (ingest never deletes a
record; removal rewrites the base). Readers overlay the segments on the base in order.

Which segments are committed is decided by their names, never by times: a segment extends
the base whose checksum (its first 16 characters) it carries, and appears atomically (temp
file, fsync, hard link that refuses to replace). A new base (a compaction, a removal, a
restore or a salvage) has another checksum, so every older segment is stale at that very
instant: a crash anywhere leaves the old or the new state, never a mix, and stale segments
are only swept. Each segment is sealed with its own sha-256 like archive.json (storage.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tongket.store.archive.storage import (EncodeError, atomic_write_bytes, checksum_problem, describe_json_error,
                                           describe_os_error, dumps, keep_corrupt_copy, loads, read_checksum, seal)
from tongket.store.errors import StoreError

SEGMENTS_DIR = "segments"
_NAME = re.compile(r"^(?P<seq>\d{6,})-(?P<base>[0-9a-f]{16})\.json$")
MIN_BASE_BYTES = 1 << 20  # below this a batch rewrites the base: as cheap, and one file to look at
MAX_SEGMENTS = 64  # more than this, and a session's end compacts them into a new base
MAX_SHARE = 0.25  # or when they hold more than this share of the base's bytes


@dataclass(frozen=True)
class Segment:
    seq: int
    path: Path


def base_key(base: Path) -> str | None:
    """What segments extending this base carry in their names; None when the base has no
    checksum (missing, or written by an older tongket): then the next write is a new base."""
    found = read_checksum(base)
    return found[:16] if found else None


def _listed(folder: Path) -> list[tuple[int, str, Path]]:
    try:
        entries = list(os.scandir(folder / SEGMENTS_DIR))
    except OSError:
        return []
    found = []
    for entry in entries:
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match["seq"]), match["base"], Path(entry.path)))
    return sorted(found)


def committed(folder: Path, key: str | None) -> list[Segment]:
    """The segments that extend the base with this key, in order."""
    if key is None:
        return []
    return [Segment(seq, path) for seq, base, path in _listed(folder) if base == key]


def any_present(folder: Path) -> bool:
    return bool(_listed(folder))


def stale(folder: Path, key: str | None) -> list[Path]:
    """Segments of earlier bases (a compaction or restore replaced them): safe to delete."""
    return [path for _seq, base, path in _listed(folder) if base != key]


def sweep(folder: Path, key: str | None) -> None:
    """Delete stale segments (lock held); housekeeping, never an error."""
    for path in stale(folder, key):
        try:
            path.unlink()
        except OSError:
            pass


def _damaged(path: Path, what: str, keep_copy: bool = True) -> StoreError:
    copy = keep_corrupt_copy(path) if keep_copy else None
    kept = f"; a copy is kept as {copy.name}" if copy else ""
    return StoreError(
        f"the archive segment {path} is damaged: {what}{kept}; nothing will be written to the archive. "
        f"Run `tongket doctor` to see what can be recovered, then `tongket doctor --salvage` "
        f"(every readable article) - README: Recovery"
    )


def read(segment: Segment, *, keep_copy: bool = True) -> list[dict[str, Any]]:
    """The records of one segment, verified against its checksum (`keep_copy`: a damaged
    one is kept aside first, as archive.json is; the doctor's diagnosis changes nothing)."""
    path = segment.path
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StoreError(f"cannot read the archive segment {path}: {describe_os_error(exc)}") from None
    try:
        data = loads(raw)
    except ValueError as exc:
        raise _damaged(path, describe_json_error(exc, raw), keep_copy) from None
    if not isinstance(data, dict) or not isinstance(data.get("articles"), dict):
        raise _damaged(path, "it is not a TinyDB file with an articles table", keep_copy)
    problem = checksum_problem(raw, data)
    if problem or "_checksum" not in data:
        raise _damaged(path, problem or "it carries no checksum", keep_copy)
    records = []
    for key, doc in data["articles"].items():
        if not (isinstance(doc, dict) and isinstance(doc.get("id"), str)):
            raise _damaged(path, f"article record {key!r} has no id", keep_copy)
        records.append(doc)
    return records


def append(folder: Path, key: str, records: list[dict[str, Any]], generation: int) -> Path:
    """Commit one batch as the next segment of the base `key` (lock held)."""
    existing = _listed(folder)
    seq = (existing[-1][0] + 1) if existing else 1
    path = folder / SEGMENTS_DIR / f"{seq:06d}-{key}.json"
    doc = {"_meta": {"1": {"generation": generation, "app": "tongket"}},
           "articles": {str(i): rec for i, rec in enumerate(records, 1)}}
    try:
        payload = seal(dumps(doc))
    except TypeError as exc:
        raise EncodeError(f"cannot save the archive {path}: a record cannot be written as JSON ({exc}); "
                          f"nothing was changed") from None
    try:
        path.parent.mkdir(exist_ok=True)
        atomic_write_bytes(path, payload, overwrite=False)
    except OSError as exc:
        raise StoreError(f"cannot write the archive {path}: {describe_os_error(exc)}") from None
    return path


def pays(base: Path) -> bool:
    """A segment instead of a new base: only when the base is big enough for its rewrite
    to cost more than the batch."""
    try:
        return base.stat().st_size >= MIN_BASE_BYTES
    except OSError:
        return False


def worth_compacting(base: Path, segments: list[Segment]) -> bool:
    """Compaction costs a rewrite of the base: only when the segments have grown enough."""
    if len(segments) > MAX_SEGMENTS:
        return True
    try:
        size = base.stat().st_size
        held = sum(s.path.stat().st_size for s in segments)
    except OSError:
        return False
    return held > MAX_SHARE * max(size, 1)
