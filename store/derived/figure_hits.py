"""Lookup matches whose records are made when read, and the distinct count they are
counted with: kept apart from the lookup, which decides what matches."""

from __future__ import annotations

from typing import Callable, Iterable, Sequence, overload

from tongket.store.record import FigureHit


def distinct(column: Sequence[int], rows: Iterable[int]) -> int:
    """How many distinct values `column` holds at `rows`."""
    return len(set(map(column.__getitem__, rows)))


class FigureHits(Sequence[FigureHit]):
    """Matches whose records are made when asked for (drawn, measured, exported): a list
    of every match holds its figure indices and scores, not tens of thousands of records."""

    def __init__(self, figures: Sequence[int], scores: Sequence[float], make: Callable[[int, float], FigureHit]) -> None:
        self._figures, self._scores, self._make = figures, scores, make

    def __len__(self) -> int:
        return len(self._figures)

    @overload
    def __getitem__(self, index: int) -> FigureHit: ...

    @overload
    def __getitem__(self, index: slice) -> "FigureHits": ...

    def __getitem__(self, index: int | slice) -> "FigureHit | FigureHits":
        if isinstance(index, slice):
            return FigureHits(self._figures[index], self._scores[index], self._make)
        return self._make(self._figures[index], self._scores[index])
