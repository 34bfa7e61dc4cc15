"""Provinces × years of one measure: the comparison researchers come for, kept honest.

Honest means: one measure (a metric key, or an exact label when asked), one unit, one period
kind and one figure kind (results; targets and ranks apart) per table, so a row never mixes
a quarter with a year; every source figure of a cell kept, the shown one chosen by a stated
rule (the most recent publication: a later report corrects an earlier one) and marked when
sources disagree; qualifiers kept ("gần 40 nghìn" is ≈40.000, not 40.000); and what was
left out counted. Plain data and strings: the command line and the app draw it their way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable, Mapping, Sequence

from tongket.store.derived.figure_measure import PIVOT_PERIODS, period_class
from tongket.store.lang.text import nfc
from tongket.store.present.collate import qualifier_mark, vn_sort_key
from tongket.store.present.display import vn_number
from tongket.store.present.pivot_columns import Columns, buckets, cell_rows, in_source_order
from tongket.store.record import FigureHit, LookupResult

__all__ = ["PIVOT_PERIODS", "period_class", "ORDERS", "CONFLICT", "CHOICE_RULE", "LEGEND", "Cell", "Row", "Pivot",
           "Comparable", "shows", "comparable", "comparable_columns", "grouped", "measures", "build_pivot", "table",
           "plain_number", "notes"]
ORDERS = ("alpha", "merged", "value")
CONFLICT = "*"
CHOICE_RULE = "the most recently published"
LEGEND = (
    f"≈ about (khoảng, gần) · > more than (hơn, vượt) · < under (dưới) · "
    f"{CONFLICT}n: n sources disagree, {CHOICE_RULE} shown (Enter lists them)"
)


def _newest_first(sources: list[FigureHit]) -> tuple[FigureHit, ...]:
    """Most recently published first (undated last); ties by article and figure. Two
    stable sorts, so no per-hit key tuple of negated characters is built."""
    if len(sources) == 1:
        return (sources[0],)
    sources.sort(key=lambda h: (h.article_id, h.figure_index))
    sources.sort(key=lambda h: h.published or "", reverse=True)  # reverse keeps ties stable; "" (undated) last
    return tuple(sources)


@dataclass(frozen=True)
class Cell:
    """The figures of one province and year; `sources[0]` is the one shown. What the
    table draws (chosen value, qualifier, disagreement) is kept as plain values; the
    sources themselves are made when first asked for (Enter, an export)."""

    value: float
    qualifier: str | None
    conflict: int  # how many different values the sources give (0 when they agree)
    size: int  # how many sources
    make: Callable[[], tuple[FigureHit, ...]] = field(compare=False, repr=False)

    @classmethod
    def of(cls, sources: tuple[FigureHit, ...]) -> "Cell":
        """A cell of sources already made, the shown one first."""
        n = len({s.value for s in sources})
        return cls(sources[0].value, sources[0].qualifier, n if n > 1 else 0, len(sources), lambda: sources)

    @cached_property
    def sources(self) -> tuple[FigureHit, ...]:
        return self.make()

    @property
    def chosen(self) -> FigureHit:
        return self.sources[0]

    @property
    def mark(self) -> str:
        return qualifier_mark(self.qualifier)

    def text(self) -> str:
        """"≈40.000", "22.700*3" (three values disagree)."""
        out = f"{self.mark}{vn_number(self.value)}"
        return out + (f"{CONFLICT}{self.conflict}" if self.conflict else "")

    def note(self) -> str:
        """The marks in words, for exports whose cells hold bare numbers."""
        parts = []
        if self.qualifier:
            parts.append(self.qualifier)
        if self.conflict:
            parts.append(f"{self.size} sources, {self.conflict} values")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Row:
    province: str
    merged_unit: str
    cells: Mapping[int, Cell]


@dataclass(frozen=True, slots=True)
class Pivot:
    measure: str  # metric key, or the exact label
    by_label: bool
    unit: str | None
    period: str
    kind: str
    years: tuple[int, ...]
    rows: tuple[Row, ...]
    left_out: Mapping[str, int] = field(default_factory=dict)  # reason -> figures
    matched: int = 0  # every match, the other measures included
    periods: Mapping[str, int] = field(default_factory=dict)  # the measure's figures of this unit and kind by period

    @property
    def title(self) -> str:
        what = f"label “{self.measure}”" if self.by_label else self.measure
        unit = f" ({self.unit})" if self.unit else ""
        kind = "" if self.kind == "actual" else f", {self.kind}s"
        return f"{what}{unit} by province, {self.period}{kind}"

    def summary(self) -> str:
        """How many figures are in the table and what was set apart, in one line; for an
        empty table, why it is empty."""
        if not self.rows:
            return self.why_empty()
        shown = sum(c.size for r in self.rows for c in r.cells.values())
        text = f"{shown} figures, {len(self.rows)} provinces, {len(self.years)} years"
        if self.left_out:
            text += "; set apart: " + ", ".join(_reason(n, why) for why, n in self.left_out.items())
        return text


    def why_empty(self) -> str:
        """An empty table in plain words: what was matched and which periods have figures."""
        matches = f"{self.matched} figure{'' if self.matched == 1 else 's'} matched"
        if not self.measure:
            filed = "has a label" if self.by_label else "is filed under a metric"
            return f"Nothing to compare: {matches}, none {filed}." if self.matched else "Nothing to compare: no figure matched."
        what = f"label “{self.measure}”" if self.by_label else self.measure
        unit = f" ({self.unit})" if self.unit else ""
        kind = "" if self.kind == "actual" else f" {self.kind}"
        here = self.periods.get(self.period, 0)
        period = "other-period" if self.period == "other" else self.period
        if here:
            return (f"No {period}{kind} figures of {what}{unit} can be placed: {matches}; its {here} "
                    f"{period} figures have no province or report year.")
        others = [f"{'other-period' if p == 'other' else p} ({n})" for p, n in self.periods.items() if n]
        has = f"it has {_and(others)} figures" if others else f"it has no {kind.strip() or 'result'} figures in {self.unit or 'this unit'}"
        return f"No {period}{kind} figures of {what}{unit}: {matches}; {has}."


def _reason(n: int, why: str) -> str:
    """"1 half-year figure", "1 target": the reasons are plural keys (the JSON export
    keeps them), so one figure set apart is named in the singular here."""
    if n == 1 and (why.endswith(" figures") or " " not in why):
        why = why.removesuffix("s")
    return f"{n} {why}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def shows(grouped: "Comparable", measure: str, period: str, kind: str = "actual") -> bool:
    """Whether `measure` has a figure of `kind` that the `period` table can place (in any
    unit): one with a province and a report year."""
    if grouped.columns is not None:
        if measure != grouped.columns.measure:
            return False
        province, year = grouped.columns.province, grouped.columns.report_year
        buckets: Iterable[list[int]] = (rows for (_u, k, p), rows in grouped.rows.items() if k == kind and p == period)
        return any(province[i] and year[i] for rows in buckets for i in rows)
    return any(h.province and h.report_year for (_u, k, p), hits in grouped.buckets.get(measure, {}).items()
               if k == kind and p == period for h in hits)


@dataclass(frozen=True, slots=True)
class Comparable:
    """Hits grouped once by measure, then by (unit, kind, period class): a period switch or
    another measure rebuilds a table from its own bucket, not from every hit again."""

    by_label: bool
    total: int
    order: tuple[str, ...]  # measures, most figures first (ties: best match first)
    buckets: Mapping[str, Mapping[tuple[str | None, str, str], list[FigureHit]]]
    rows: Mapping[tuple[str | None, str, str], list[int]] = field(default_factory=dict)  # of `columns`
    columns: Columns | None = None  # one measure's figures as columns; `rows` group them

    def count(self, measure: str) -> int:
        if self.columns is not None:
            return sum(map(len, self.rows.values())) if measure == self.columns.measure else 0
        return sum(len(b) for b in self.buckets.get(measure, {}).values())

    def sizes(self, measure: str) -> dict[tuple[str | None, str, str], int]:
        """Figures per (unit, kind, period class) of a measure, first seen first."""
        if self.columns is not None:
            return {k: len(r) for k, r in self.rows.items()} if measure == self.columns.measure else {}
        return {k: len(b) for k, b in self.buckets.get(measure, {}).items()}


def comparable_columns(columns: Columns) -> Comparable:
    """`comparable` of one measure's columns: rows grouped by (unit, kind, period class),
    in the order first met (`pivot_columns.buckets`)."""
    rows = buckets(columns) if columns.measure else {}
    seen = len(columns.value)
    measure_order = (columns.measure,) if columns.measure and seen else ()
    return Comparable(False, max(seen, columns.total), measure_order, {}, rows, columns)


def comparable(hits: Iterable[FigureHit], *, by_label: bool = False, total: int | None = None) -> Comparable:
    """Group `hits` for `build_pivot` (one pass; labels normalised once per distinct label).
    `total`: how many matches there were when `hits` are one measure's share of them
    (`ArchiveIndex.measure_hits`), so the table counts the rest as other measures."""
    labels: dict[str, str] = {}
    buckets: dict[str, dict[tuple[str | None, str, str], list[FigureHit]]] = {}
    counts: Counter[str] = Counter()
    seen = 0
    for h in hits:
        seen += 1
        if by_label:
            m = labels.get(h.label)
            if m is None:
                m = labels[h.label] = nfc(h.label.strip())
        else:
            m = h.key or ""
        if not m:
            continue
        counts[m] += 1
        group = buckets.get(m)
        if group is None:
            group = buckets[m] = {}
        bucket_key = (h.unit, h.kind or "actual", period_class(h.period))
        bucket = group.get(bucket_key)
        if bucket is None:
            group[bucket_key] = [h]
        else:
            bucket.append(h)
    total = seen if total is None else max(seen, total)
    return Comparable(by_label, total, tuple(m for m, _n in counts.most_common()), buckets)


def grouped(found: LookupResult | Columns, *, by_label: bool = False) -> Comparable:
    """`comparable` of what `ArchiveIndex.measure_figures` (or `measure_hits`) returned."""
    if isinstance(found, LookupResult):
        return comparable(found.hits, by_label=by_label, total=found.total)
    return comparable_columns(found)


def measures(hits: Iterable[FigureHit], *, by_label: bool = False) -> list[tuple[str, int]]:
    """The measures the hits could be compared by, most figures first (ties: best match first)."""
    grouped = comparable(hits, by_label=by_label)
    return [(m, grouped.count(m)) for m in grouped.order]


def build_pivot(
    hits: Iterable[FigureHit] | Comparable,
    *,
    measure: str | None = None,
    by_label: bool = False,
    unit: str | None = None,
    period: str = "year",
    kind: str = "actual",
    order: str = "alpha",
    merged_unit: Callable[[str], str] = lambda name: name,
) -> Pivot:
    """The pivot of `hits` (qualifier, kind and published come with them from the snapshot)
    for one measure; by default the measure most of them share, and its most frequent unit.
    Pass a `Comparable` (`comparable(hits)`) to build several tables from one grouping."""
    if period not in PIVOT_PERIODS:
        raise ValueError(f"period must be one of {', '.join(PIVOT_PERIODS)}, not {period!r}")
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
    grouped = hits if isinstance(hits, Comparable) else comparable(hits, by_label=by_label)
    by_label = grouped.by_label
    if measure is None:  # the measure most figures share, one with figures in the shown table first
        measure = next((m for m in grouped.order if shows(grouped, m, period, kind)), grouped.order[0] if grouped.order else "")
    elif by_label:
        measure = nfc(measure.strip())
    sizes = grouped.sizes(measure)
    if unit is None:
        units: Counter[str | None] = Counter()
        for (u, _k, _p), n in sizes.items():
            units[u] += n
        unit = units.most_common(1)[0][0] if units else None
    left: Counter[str] = Counter()
    left["of other measures"] = grouped.total - grouped.count(measure)
    cells: dict[tuple[str, int], Cell] = {}
    for (u, k, p), n in sizes.items():  # in first-seen order: the set-apart reasons keep it
        if u != unit:
            left["in other units"] += n
        elif k != kind:
            left[f"{k}s"] += n
        elif p != period:
            left[f"{p} figures"] += n
        elif grouped.columns is not None:
            cells = _column_cells(grouped.columns, (u, k, p), left)
        else:
            cells = _hit_cells(grouped.buckets[measure][(u, k, p)], left)
    years = tuple(sorted({y for _p, y in cells}))
    by_row: dict[str, dict[int, Cell]] = {}
    for (province, year), cell in cells.items():
        by_row.setdefault(province, {})[year] = cell
    rows = [Row(p, merged_unit(p), {y: c[y] for y in sorted(c)}) for p, c in by_row.items()]
    rows.sort(key=lambda r: vn_sort_key(r.province))
    if order == "merged":
        rows.sort(key=lambda r: vn_sort_key(r.merged_unit))
    elif order == "value":
        rows.sort(key=lambda r: -_latest(r))
    periods = {p: sum(n for (u, k, q), n in sizes.items() if u == unit and k == kind and q == p) for p in PIVOT_PERIODS}
    return Pivot(measure, by_label, unit, period, kind, years, tuple(rows), {k: n for k, n in left.items() if n},
                 grouped.total, {p: n for p, n in periods.items() if n})


def _hit_cells(bucket: list[FigureHit], left: Counter[str]) -> dict[tuple[str, int], Cell]:
    """The cells of the shown bucket's hits (figures without province or year counted in `left`)."""
    cells: dict[tuple[str, int], list[FigureHit]] = {}
    for h in bucket:
        if not h.province:
            left["without province"] += 1
        elif not h.report_year:
            left["without report year"] += 1
        else:
            cell_key = (h.province, h.report_year)
            sources = cells.get(cell_key)
            if sources is None:
                cells[cell_key] = [h]
            else:
                sources.append(h)
    return {key: Cell.of(_newest_first(sources)) for key, sources in cells.items()}


def _column_cells(columns: Columns, bucket_key: tuple[str | None, str, str], left: Counter[str]
                  ) -> dict[tuple[str, int], Cell]:
    """`_hit_cells` on columns: the same cells, sources in the same order (most recently
    published first, then article and figure), records made only when a cell's sources
    are asked for."""
    cells, apart = cell_rows(columns, bucket_key)
    for why, n in apart:
        left[why] += n
    return {key: Cell(value, qualifier, n, len(rows), _sources_of(columns, rows)) for key, rows, n, value, qualifier in cells}


def _sources_of(columns: Columns, rows: list[int]) -> Callable[[], tuple[FigureHit, ...]]:
    """A cell's records in source order, made when asked for."""

    def make() -> tuple[FigureHit, ...]:
        return columns.hits(in_source_order(columns, rows))

    return make


def _latest(row: Row) -> float:
    """The row's most recent shown value, for ordering by value."""
    return row.cells[max(row.cells)].value if row.cells else float("-inf")


def table(pivot: Pivot, *, numbers: bool = False) -> tuple[list[str], list[list[str]]]:
    """Header and rows as strings: the shown text of each cell ("≈40.000", "22.700*3"), or
    with `numbers` the bare chosen value ("40000") for machine-read exports."""
    header = ["province", "merged unit", *(str(y) for y in pivot.years)]
    body = []
    for row in pivot.rows:
        line = [row.province, row.merged_unit]
        for y in pivot.years:
            c = row.cells.get(y)
            line.append("" if c is None else (plain_number(c.value) if numbers else c.text()))
        body.append(line)
    return header, body


def plain_number(value: float | int | None) -> str:
    """A number as a spreadsheet or pandas reads it back exactly: "27172", "94.03"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def notes(pivot: Pivot, row: Row) -> str:
    """The marks of a row in words ("2019: gần; 2021: 3 sources, 2 values")."""
    return "; ".join(f"{y}: {n}" for y, c in sorted(row.cells.items()) if (n := c.note()))
