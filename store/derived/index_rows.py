"""The list rows of an `ArchiveIndex` (index.py) by rank, each made when first asked for:
most questions list a few hundred of 100k articles, so rows are not all made at open."""

from __future__ import annotations

from typing import cast

from tongket.store.derived.snapshot import Snapshot
from tongket.store.gc_pause import gc_paused
from tongket.store.record import ArticleMeta


class Rows:
    """The list rows by rank, each made on first use: a filter that selects 300 of 100k
    articles makes 300 rows, not 100k (all of them cost ~0.5 s at 100k, most of a command)."""

    def __init__(self, snap: Snapshot) -> None:
        self._snap = snap
        self._rows: list[ArticleMeta | None] = [None] * len(snap)
        self._full = False

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, rank: int) -> ArticleMeta:
        row = self._rows[rank]
        if row is None:
            row = self._rows[rank] = self._snap.meta(rank)
        return row

    def some(self, ranks: list[int]) -> list[ArticleMeta]:
        """The rows of `ranks`, in that order; those not made yet made column-wise in one go
        (a text filter listing ~88k of 100k articles paid ~0.3 s for a `meta` call each), all
        of them when that is most."""
        rows = self._rows
        todo = [] if self._full else [r for r in ranks if rows[r] is None]
        if len(todo) * 2 > len(rows):
            return list(map(self.all().__getitem__, ranks))
        if len(todo) * 16 > len(rows):  # fewer: a `meta` each reads the string columns in place
            with gc_paused():
                for rank, made in zip(todo, self._snap.metas(todo)):
                    rows[rank] = made
        else:
            for rank in todo:
                rows[rank] = self._snap.meta(rank)
        return list(map(cast("list[ArticleMeta]", rows).__getitem__, ranks))  # every one of them made now

    def __setitem__(self, rank: int, meta: ArticleMeta) -> None:
        self._rows[rank] = meta

    def all(self) -> list[ArticleMeta]:
        """Every row (made column-wise in one go; rows already made, corrected ones among
        them, are kept)."""
        if not self._full:
            with gc_paused():
                self._rows = [row or made for row, made in zip(self._rows, self._snap.metas())]
            self._full = True
        return self._rows  # type: ignore[return-value]  # every entry is made now
