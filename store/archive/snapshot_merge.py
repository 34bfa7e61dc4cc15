"""A new snapshot from the last one plus the records a session changed, without the store
of record: the old rows come back from the old columns (their stored record blobs copied as
bytes), only the changed records are read as dicts. So adding 1k articles to 100k does not
load or re-serialise the 100k records (issue 12).
"""

from __future__ import annotations

import zlib
from array import array
from dataclasses import replace
from typing import Any, Iterator, Mapping, Sequence

from tongket.store.archive import codec
from tongket.store.archive.storage import dumps, loads
from tongket.store.derived import snapshot as snapshots
from tongket.store.derived import snapshot_file
from tongket.store.derived.snapshot_insert import insert


def record_blob(record: Mapping[str, Any]) -> bytes:
    """A record as the snapshot stores it for `get`: without its compact figures (columns)."""
    return dumps({k: v for k, v in record.items() if k != "figs"})


class _Figures:
    """Compact figures by article id: changed records' own, else the old snapshot's columns."""

    def __init__(self, old: snapshots.Snapshot, rank_of: dict[str, int], changed: Mapping[str, dict[str, Any]]) -> None:
        self._old = old
        self._rank_of = rank_of
        self._starts = old.figure_starts()
        self._changed = changed

    def get(self, aid: str, default: Any = None) -> Sequence[Sequence[Any]] | None:
        rec = self._changed.get(aid)
        if rec is not None:
            return rec.get("figs") or []
        rank = self._rank_of.get(aid)
        if rank is None:
            return default
        return self._old.figure_rows(self._starts[rank], self._starts[rank + 1])


COPY_BYTES = 4 << 20  # old records copied per read: the writer holds ~two reads at once


def _runs(sizes: Sequence[int], start: int, end: int) -> Iterator[tuple[int, int]]:
    """Ranks start..end in runs of about COPY_BYTES of records each. Why: one read of a
    whole run (up to 64 MB) and the one before it, still held by the writer, were ~130 MB
    of the peak memory of adding 1k articles to 100k."""
    lo, held = start, 0
    for rank in range(start, end):
        held += sizes[rank]
        if held >= COPY_BYTES:
            yield lo, rank + 1
            lo, held = rank + 1, 0
    if lo < end:
        yield lo, end


def merged(old: snapshots.Snapshot, changed: Mapping[str, dict[str, Any]], *, source: Any, generation: int,
           schema: int, corrections: Mapping[str, Mapping[str, Any]], fold_cache: dict[str, str]) -> snapshots.Snapshot | None:
    """`old` with `changed` (id -> full record) put in; None when an old stored record fails
    its checksum (the caller then builds from the store of record)."""
    changed = dict(changed)
    if changed and not any(aid in changed for aid in old.ids):
        return _added(old, changed, source=source, generation=generation, schema=schema,
                      corrections=corrections, fold_cache=fold_cache)
    metas = old.metas()
    keep = [rank for rank, aid in enumerate(old.ids) if aid not in changed]
    rank_of = {old.ids[rank]: rank for rank in keep}
    blobs: dict[str, bytes] = {}
    for rank in keep:
        blob = old.record_bytes(rank)
        if blob is None:
            return None
        blobs[old.ids[rank]] = blob
    for aid, rec in changed.items():
        blobs[aid] = record_blob(rec)
    refs = {old.ids[rank]: old.refs[rank] for rank in keep}
    refs.update({aid: rec.get("body_ref", aid) for aid, rec in changed.items()})
    urls = {old.ids[rank]: old.source_urls[rank] for rank in keep}  # in step with the blobs above
    urls.update({aid: rec.get("source_url") for aid, rec in changed.items()})
    snap = snapshots.build(
        [metas[rank] for rank in keep] + [codec.meta_of(rec) for rec in changed.values()],
        _Figures(old, rank_of, changed),  # type: ignore[arg-type]
        corrections=corrections,
        source=source,
        generation=generation,
        schema=schema,
        refs=refs,
        urls=urls,
        fold_cache=fold_cache,
    )
    ids = snap.ids

    def record_bytes(rank: int) -> bytes | None:
        return blobs.get(ids[rank])

    def record_of(rank: int) -> dict[str, Any] | None:
        blob = blobs.get(ids[rank])
        return None if blob is None else loads(blob)

    return replace(snap, record_of=record_of, record_bytes=record_bytes)


def _added(old: snapshots.Snapshot, added: Mapping[str, dict[str, Any]], *, source: Any, generation: int, schema: int,
           corrections: Mapping[str, Mapping[str, Any]], fold_cache: dict[str, str]) -> snapshots.Snapshot:
    """Only new articles: spliced into the old columns (snapshot_insert.py), their stored
    records kept as blobs, the old ones still read from the old snapshot."""
    blobs = {aid: record_blob(rec) for aid, rec in added.items()}
    origin: array = array("i")  # new rank -> old rank, or -1 (a new article: its blob is here)
    # The merged ids, not the snapshot: the readers below are stored in it, and a cycle
    # through them kept both snapshots alive until a garbage collection (~100 MB at 100k).
    holder: list[list[str]] = []

    def record_bytes(rank: int) -> bytes | None:
        was = origin[rank]
        return old.record_bytes(was) if was >= 0 else blobs.get(holder[0][rank])

    def record_of(rank: int) -> dict[str, Any] | None:
        was = origin[rank]
        if was >= 0:
            return old.record_of(was)
        blob = blobs.get(holder[0][rank])
        return None if blob is None else loads(blob)

    snap = insert(old, [codec.meta_of(rec) for rec in added.values()], {aid: rec.get("figs") or [] for aid, rec in added.items()},
                  refs={aid: rec.get("body_ref", aid) for aid, rec in added.items()},
                  urls={aid: rec.get("source_url") for aid, rec in added.items()}, source=source,
                  generation=generation, schema=schema, corrections=corrections, fold_cache=fold_cache,
                  record_bytes=record_bytes,
                  release=old.records_file.release if old.records_file is not None else (lambda: None))
    known = set(blobs)
    origin.extend(-1 if aid in known else 0 for aid in snap.ids)
    was = 0
    for rank, flag in enumerate(origin):
        if flag == 0:
            origin[rank] = was
            was += 1
    holder.append(snap.ids)

    def stored() -> snapshot_file.StoredRecords | None:
        """The records to save: runs of the old file's blobs (copied, CRCs kept, so a
        damaged one stays detectably damaged) and the new blobs between them."""
        reader = old.records_file
        if reader is None:
            return None
        old_sizes, old_crcs = reader.sizes(), reader.crcs
        sizes = array("q")
        crcs = array("I")
        pieces: list[list[int] | bytes] = []
        for rank, was in enumerate(origin):
            if was >= 0:
                sizes.append(old_sizes[was])
                crcs.append(old_crcs[was])
                last = pieces[-1] if pieces else None
                if isinstance(last, list) and last[1] == was:
                    last[1] = was + 1
                else:
                    pieces.append([was, was + 1])
            else:
                blob = blobs[snap.ids[rank]]
                sizes.append(len(blob))
                crcs.append(zlib.crc32(blob))
                pieces.append(blob)

        def chunks() -> Iterator[bytes]:
            for piece in pieces:
                if isinstance(piece, list):
                    for lo, hi in _runs(old_sizes, piece[0], piece[1]):
                        yield from reader.read(lo, hi)
                else:
                    yield piece

        return snapshot_file.StoredRecords(sizes, crcs, chunks)

    return replace(snap, record_of=record_of, record_bytes=record_bytes, stored=stored)
