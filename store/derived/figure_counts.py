"""`figures.counts`: how many figures each (label, unit, metric key) has, saved next to the
snapshot they were counted from.

Why: a comparison counts a query's matches and chooses its measure from these counts
(figure_measure.py); counted in memory they are one pass over every figure, ~250 ms at
1.5M figures, paid by the first comparison of every session. They depend only on the
archive, so the write path saves them with each snapshot it writes, and since counts add,
a batch of new or edited articles changes the last counts by its own figures instead of
counting all again. Keyed by the strings, not the snapshot's ids, so they hold for any
snapshot of the same archive state however its tables are numbered.

Trusted only while they were made for the snapshot open now (the archive signature and
generation it was built from, its figure count) and the file matches its checksum;
otherwise the counts are made in memory as before, and a reader never writes this file.
"""

from __future__ import annotations

from collections import Counter
from itertools import accumulate
from pathlib import Path
from typing import Any, Collection, Iterable

import orjson

from tongket.store.archive.storage import atomic_write_bytes, checksum
from tongket.store.derived.snapshot import Snapshot

__all__ = ["COUNTS_FILE", "Counts", "count", "count_ids", "read", "read_ids", "check", "save"]

COUNTS_FILE = "figures.counts"
FORMAT = 1
MAGIC = b"TONGKET-COUNTS\n"
_SUM_LEN = 32  # hex characters of the checksum, right after MAGIC

Triple = tuple[str | None, str | None, str | None]  # (label, unit, metric key); None: none
Counts = dict[Triple, int]
IdTriple = tuple[int, int, int]  # the same as ids of a snapshot's tables; -1: none


def count_ids(snap: Snapshot, ranks: Iterable[int] | None = None) -> Counter[IdTriple]:
    """The figures of `snap` (or of its articles `ranks`) by (label, unit, key) id: a C-level
    pass over the id columns."""
    if ranks is None:
        return Counter(zip(snap.fig_label, snap.fig_unit, snap.fig_key))
    raw: Counter[IdTriple] = Counter()
    starts = list(accumulate(snap.n_figures, initial=0))
    for rank in ranks:
        s, e = starts[rank], starts[rank + 1]
        raw.update(zip(snap.fig_label[s:e], snap.fig_unit[s:e], snap.fig_key[s:e]))
    return raw


def count(snap: Snapshot, ranks: Iterable[int] | None = None) -> Counts:
    """`count_ids` with the ids named (a few thousand)."""
    labels, units, keys = [*snap.labels, None], [*snap.units, None], [*snap.keys, None]  # id -1: none
    return {(labels[lab], units[unit], keys[key]): n for (lab, unit, key), n in count_ids(snap, ranks).items()}


def read_ids(snap: Snapshot) -> Counter[IdTriple] | None:
    """`read` in the ids of `snap`'s tables (None also when a string is not in them)."""
    saved = read(snap)
    if saved is None:
        return None
    ids = [{s: i for i, s in enumerate(table)} for table in (snap.labels, snap.units, snap.keys)]
    out: Counter[IdTriple] = Counter()
    for triple, n in saved.items():
        lab, unit, key = (-1 if s is None else table.get(s, -2) for s, table in zip(triple, ids))
        if -2 in (lab, unit, key):
            return None
        out[(lab, unit, key)] += n
    return out


def _identity(snap: Snapshot) -> dict[str, Any]:
    """What ties the counts to one snapshot: its archive state and its size."""
    return {"source": list(snap.source) if snap.source else None, "generation": snap.generation,
            "articles": len(snap.ids), "figures": len(snap.fig_article)}


def _encode(snap: Snapshot, counts: Counts) -> bytes:
    body = orjson.dumps({"format": FORMAT, **_identity(snap), "counts": [[*t, n] for t, n in counts.items() if n]})
    return MAGIC + checksum(body).encode("ascii") + body


def _load(path: Path) -> dict[str, Any]:
    """The file's content; ValueError says why it cannot be used."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ValueError("missing") from None
    except OSError as exc:
        raise ValueError(f"damaged: cannot be read ({exc.strerror or exc})") from None
    head = len(MAGIC) + _SUM_LEN
    body = raw[head:]
    if not raw.startswith(MAGIC) or checksum(body).encode("ascii") != raw[len(MAGIC):head]:
        raise ValueError("damaged: it does not match its checksum")
    data = orjson.loads(body)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("stale: written by another tongket version (other format)")
    return data


def _counts_of(path: Path, snap: Snapshot) -> Counts:
    """The counts saved for `snap`; ValueError says why there are none to trust."""
    data = _load(path)
    if any(data.get(name) != value for name, value in _identity(snap).items()):
        raise ValueError("stale: counted from another state of the archive")
    counts: Counts = {}
    for label, unit, key, n in data["counts"]:
        counts[(label, unit, key)] = n
    if sum(counts.values()) != len(snap.fig_article):
        raise ValueError("damaged: its counts do not add up to the snapshot's figures")
    return counts


def _path(snap: Snapshot) -> Path | None:
    return None if snap.path is None or snap.source is None else Path(snap.path).with_name(COUNTS_FILE)


def read(snap: Snapshot) -> Counts | None:
    """The counts saved next to the snapshot file `snap` was read from, if they were made
    for it; None otherwise (count them: `count`)."""
    path = _path(snap)
    if path is None:
        return None
    try:
        return _counts_of(path, snap)
    except (ValueError, TypeError, KeyError):
        return None


def check(folder: Path, snap: Snapshot | None) -> str | None:
    """Why `figures.counts` in `folder` would not be used with `snap` (the snapshot an open
    would use; None: there is none that matches archive.json), or None when it is sound:
    "missing", "stale: …", "damaged: …". Its counts are checked against the snapshot too."""
    path = folder / COUNTS_FILE
    try:
        if snap is None:
            _load(path)
            return "stale: archive.snapshot, which it was counted from, is missing or stale"
        if _counts_of(path, snap) != count(snap):
            return "damaged: its counts differ from the snapshot's figures"
    except ValueError as exc:
        return str(exc)
    except (TypeError, KeyError):
        return "damaged: not the shape tongket writes"
    return None


def save(folder: Path, snap: Snapshot, before: Snapshot | None = None, changed: Collection[str] = ()) -> None:
    """Write the counts of `snap` (the write path, after it saved `snap`; `tongket doctor
    --repair`). `before`: the snapshot `snap` was made from by putting in the records of
    the article ids `changed`; when its own counts were saved, the new ones are those with
    the changed articles' old figures taken out and their new ones added."""
    if snap.source is None:
        return
    counts = read(before) if before is not None else None
    if counts is not None:
        for sign, side in ((-1, before), (1, snap)):
            assert side is not None
            for triple, n in count(side, (r for r, aid in enumerate(side.ids) if aid in changed)).items():
                counts[triple] = counts.get(triple, 0) + sign * n
    if counts is None or min(counts.values(), default=0) < 0 or sum(counts.values()) != len(snap.fig_article):
        counts = count(snap)  # no counts to add to, or `changed` did not say all that changed
    atomic_write_bytes(folder / COUNTS_FILE, _encode(snap, counts))
