"""What a pivot reads of one measure's figures when they come as columns, not records
(`ArchiveIndex.measure_figures`); kept apart from pivot.py, which builds the table."""

from __future__ import annotations

from typing import Any, Protocol, Sequence

from tongket.store.record import FigureHit

__all__ = ["Columns"]


class Columns(Protocol):
    """One measure's figures as parallel columns (row i: the i-th figure, best match
    first), so a table is built from plain values and records are made only for the
    sources of the cells that are drawn or opened (`ArchiveIndex.measure_figures`)."""

    @property
    def measure(self) -> str: ...
    @property
    def total(self) -> int: ...  # every match, the other measures included
    @property
    def unit(self) -> Sequence[str | None]: ...
    @property
    def kind(self) -> Sequence[str]: ...
    @property
    def period(self) -> Sequence[str | None]: ...
    @property
    def province(self) -> Sequence[str | None]: ...
    @property
    def report_year(self) -> Sequence[int | None]: ...
    @property
    def published(self) -> Sequence[str | None]: ...
    @property
    def article_id(self) -> Sequence[str]: ...
    @property
    def figure_index(self) -> Sequence[int]: ...
    @property
    def value(self) -> Sequence[float]: ...
    @property
    def qualifier(self) -> Sequence[str | None]: ...
    @property
    def row_class(self) -> Sequence[int]: ...  # rows of one class rank alike
    @property
    def class_rank(self) -> Sequence[int]: ...  # row i ranks class_rank[row_class[i]]; best first: by rank, then row
    @property
    def memo(self) -> dict[Any, Any]: ...  # kept by the store for every Columns of the same rows and classes

    def hits(self, rows: Sequence[int]) -> tuple[FigureHit, ...]: ...
