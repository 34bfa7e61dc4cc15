"""What a pivot reads of one measure's figures when they come as columns, not records
(`ArchiveIndex.measure_figures`), and how it groups them into buckets (unit, kind, period
class) and cells (province, year); pivot.py builds the table.

The groupings are kept in the columns' memo: they depend on the rows, which the next
keystroke usually shares (the store keeps one memo per key's row set), not on the query,
which only orders them, through the rank of each row's class."""

from __future__ import annotations

from itertools import chain
from operator import itemgetter
from typing import Any, Mapping, Protocol, Sequence

from tongket.store.derived.figure_measure import period_class
from tongket.store.record import FigureHit

__all__ = ["Columns", "buckets", "cell_rows", "in_source_order"]

BucketKey = tuple[str | None, str, str]  # (unit, kind, period class)


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
    def report_year(self) -> Sequence[int | None]: ...  # 0 or None: none
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
    def class_rank(self) -> Mapping[int, int]: ...  # row i ranks class_rank[row_class[i]]; best first: by rank, then row
    @property
    def memo(self) -> dict[Any, Any]: ...  # kept by the store for every Columns of the same rows and classes

    def hits(self, rows: Sequence[int]) -> tuple[FigureHit, ...]: ...


def buckets(columns: Columns) -> dict[BucketKey, list[int]]:
    """The rows by (unit, kind, period class), the bucket met first (best match) first."""
    grouping = _grouping(columns)
    class_rank = columns.class_rank
    order = sorted(grouping, key=lambda key: _first_met(class_rank, grouping[key][1]))
    return {key: grouping[key][0] for key in order}


def cell_rows(columns: Columns, bucket: BucketKey) -> tuple[list[CellRows], list[tuple[str, int]]]:
    """A bucket's cells (each one's rows, how many values they give, the shown value) and
    how many rows are set apart for which reason, the reason met first first."""
    made = columns.memo.get(("cells", bucket))
    if made is None:
        made = columns.memo[("cells", bucket)] = _cell_rows(columns, _grouping(columns)[bucket][0])
    cells, apart = made
    class_rank = columns.class_rank
    return cells, [(why, n) for why, n, firsts in sorted(apart, key=lambda item: _first_met(class_rank, item[2]))]


Firsts = dict[int, int]  # rank class -> its first row among some rows


def _grouping(columns: Columns) -> dict[BucketKey, tuple[list[int], Firsts]]:
    grouping = columns.memo.get("buckets")
    if grouping is None:
        grouping = columns.memo["buckets"] = _buckets(columns)
    return grouping


def _buckets(columns: Columns) -> dict[BucketKey, tuple[list[int], Firsts]]:
    """Rows by (unit, kind, period class), each bucket with its classes' first rows."""
    rows: dict[tuple[str | None, str, str], list[int]] = {}
    classes = {p: period_class(p) for p in set(columns.period)}
    keys = zip(columns.unit, columns.kind, map(classes.__getitem__, columns.period))
    for i, key in enumerate(keys):
        bucket = rows.get(key)
        if bucket is None:
            rows[key] = [i]
        else:
            bucket.append(i)
    return {key: (bucket, _firsts(columns.row_class, bucket)) for key, bucket in rows.items()}


def _firsts(row_class: Sequence[int], rows: list[int]) -> Firsts:
    """The first of `rows` (ascending) of each class: the classes in the order first met,
    each one's first position searched from the last one's (a few dozen classes: a dict
    of every row, later ones winning, cost a third more)."""
    classes = itemgetter(*rows)(row_class) if len(rows) > 1 else tuple(map(row_class.__getitem__, rows))
    out: Firsts = {}
    at = 0
    for c in dict.fromkeys(classes):
        at = classes.index(c, at)
        out[c] = rows[at]
    return out


def _first_met(class_rank: Mapping[int, int], firsts: Firsts) -> tuple[int, int]:
    """(rank, row) of the best-ranked row among rows whose classes' first rows are `firsts`."""
    return min((class_rank[c], row) for c, row in firsts.items())


# (province, year), rows, values (0: they agree), the shown row's value and qualifier
CellRows = tuple[tuple[str, int], list[int], int, float, str | None]


def _cell_rows(columns: Columns, bucket: list[int]) -> tuple[list[CellRows], list[tuple[str, int, Firsts]]]:
    """A bucket's rows by cell, each cell with its shown row (the first in source order,
    found without sorting: the sources are put in order only when a cell is opened), and
    the rows set apart (no province, no year) by reason, with their classes' first rows
    to order the reasons by. One pass keyed by (province, year) as the columns give them,
    the few keys that place nothing taken out after (a branch per row cost more)."""
    province, year = columns.province, columns.report_year
    cells: dict[tuple[Any, Any], list[int]] = {}
    get = cells.get
    # one itemgetter of the rows reads both columns at ~1.5 times the speed of a map
    places = zip(*map(itemgetter(*bucket), (province, year))) if len(bucket) > 1 else (
        zip(map(province.__getitem__, bucket), map(year.__getitem__, bucket)))
    for i, key in zip(bucket, places):
        sources = get(key)
        if sources is None:
            cells[key] = [i]
        else:
            sources.append(i)
    apart: dict[str, list[list[int]]] = {}
    for key in [k for k in cells if not k[0] or not k[1]]:
        apart.setdefault("without province" if not key[0] else "without report year", []).append(cells.pop(key))
    value, qualifier = columns.value, columns.qualifier
    out: list[CellRows] = []
    for place, rows in cells.items():  # (province, year), both set now
        if len(rows) == 1:
            shown, n = rows[0], 0
        else:
            shown, n = _first_source(columns, rows), len(set(itemgetter(*rows)(value)))
        out.append((place, rows, n if n > 1 else 0, value[shown], qualifier[shown]))
    apart_rows = {why: parts[0] if len(parts) == 1 else sorted(chain.from_iterable(parts)) for why, parts in apart.items()}
    return out, [(why, len(rows), _firsts(columns.row_class, rows)) for why, rows in apart_rows.items()]


def in_source_order(columns: Columns, rows: Sequence[int]) -> list[int]:
    """`rows` most recently published first (undated last), then by article and figure:
    the order of a cell's sources (pivot.CHOICE_RULE), the shown one first."""
    ids, positions, published = columns.article_id, columns.figure_index, columns.published
    out = sorted(rows, key=lambda i: (ids[i], positions[i]))
    out.sort(key=lambda i: published[i] or "", reverse=True)  # stable: ties keep article and figure order
    return out


def _first_source(columns: Columns, rows: list[int]) -> int:
    """`in_source_order(columns, rows)[0]` without the sort, reading a few dates: rows
    ascend in article rank, and ranks are newest first (`snapshot.sort_key_newest_first`:
    by published date, else event date), so the first dated row has the latest date and
    the rows that share it come next, among undated ones; a row dated earlier ends them.
    Of those, the least (article, figure); of no dated row, the least of all."""
    published = columns.published
    at = next((k for k, i in enumerate(rows) if published[i]), None)
    if at is None:
        tied: Sequence[int] = rows
    else:
        latest, tied = published[rows[at]], [rows[at]]
        for i in rows[at + 1:]:
            date = published[i]
            if date == latest:
                tied.append(i)
            elif date:
                break
        if len(tied) == 1:
            return tied[0]
    ids, positions = columns.article_id, columns.figure_index
    return min(tied, key=lambda i: (ids[i], positions[i]))
