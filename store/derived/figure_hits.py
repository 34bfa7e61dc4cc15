"""Lookup matches whose records are made when read, and the distinct count they are
counted with: kept apart from the lookup, which decides what matches."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from typing import Callable, Iterable, Sequence, overload

from tongket.store.record import FigureHit


def distinct(column: Sequence[int], rows: Iterable[int]) -> int:
    """How many distinct values `column` holds at `rows`."""
    return len(set(map(column.__getitem__, rows)))


class ScoreRuns(Sequence[float]):
    """The score of each match, kept as runs: a lookup's matches come group by group and
    a group's members share its score, so a million matches hold a few thousand runs,
    not a float each (8 MB at 100k articles)."""

    def __init__(self, ends: Sequence[int] = (), scores: Sequence[float] = ()) -> None:
        self._ends = array("q", ends)  # run i covers [ends[i-1], ends[i])
        self._scores = array("d", scores)

    def add(self, score: float, count: int) -> None:
        self._ends.append((self._ends[-1] if self._ends else 0) + count)
        self._scores.append(score)

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    @overload
    def __getitem__(self, index: int) -> float: ...

    @overload
    def __getitem__(self, index: slice) -> "ScoreRuns": ...

    def __getitem__(self, index: int | slice) -> "float | ScoreRuns":
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return ScoreRuns(range(1, len(range(start, stop, step)) + 1), [self[i] for i in range(start, stop, step)])
            out = ScoreRuns()
            first = bisect_right(self._ends, start)
            for run in range(first, len(self._ends)):
                begin, end = max(start, self._ends[run - 1] if run else 0), min(self._ends[run], stop)
                if end <= begin:
                    break  # past the slice's stop
                out.add(self._scores[run], end - begin)
            return out
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("score index out of range")
        return self._scores[bisect_right(self._ends, index)]


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
