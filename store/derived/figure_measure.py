"""The figures of one metric key among a query's matches, counted, chosen and given as
parallel columns (`pivot.Columns`), so a comparison is built from plain values without a
Python step per match on each keystroke: records are made only for the sources a user opens.

`FigureLookup` finds which figure groups a query matches (labels, metric keys, units,
scored); a `FigureMeasure`, made over the same snapshot, turns those groups into one
measure. Three things make a keystroke cost groups rather than figures:

* the figures are counted by (folded label, folded unit, key) once (a figure sits in at
  most one group of each kind), so a query's count and the choice of key are sums over
  the combinations of its groups;
* a key's figures are read from the snapshot once (`_KeyRows`) and split into classes,
  the rows of one (folded label, folded unit) pair: a query matches a class whole and
  ranks its rows alike, so which rows match and how they rank are per class;
* the rows a query keeps of a key, with the corrections applied, are a `_Variant` kept
  per key: the same rows for the next keystroke, with a scratch `memo` in which the pivot
  keeps its groupings (they depend on the rows, not on the query)."""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress
from operator import add, itemgetter
from typing import Any, Callable, Iterator, Mapping, Sequence, overload

from tongket.store.derived.snapshot import Snapshot
from tongket.store.record import FIGURE_KINDS, ArticleMeta, FigureHit

__all__ = ["FigureMeasure", "MeasureFigures", "PIVOT_PERIODS", "period_class"]

PIVOT_PERIODS = ("year", "half-year", "quarter", "other")  # the tables of a comparison
KEYS_KEPT = 3  # metric keys whose columns stay read (a comparison moves among a few; ~7-20 MB a key at 100k)
KEYS_TRIED = 8  # the largest keys looked at for one that has the table's period
VARIANTS_KEPT = 4  # row sets kept per key: a query matching part of a key, corrections
LABEL, KEY, UNIT = 0, 1, 2  # kinds of figure group, as in `FigureLookup._groups`
COLUMNS = ("unit", "kind", "period", "province", "report_year", "published", "article_id", "figure_index",
           "value", "qualifier", "figure", "article", "row_class")

_PAIR = 1 << 20  # two small ids (-1: none) in one number: first * _PAIR + second
Scored = Sequence[tuple[float, int, int]]  # (score, kind, group id), best first
Combo = tuple[int, int, int, int]  # (folded label, folded unit, key, figures); -1: none
MakeHits = Callable[[Sequence[tuple[int, float]]], tuple[FigureHit, ...]]


def _picker(positions: Sequence[int]) -> Callable[[Any], tuple[Any, ...]]:
    """What `itemgetter(*positions)` gives, always as a tuple (one or no position too)."""
    if len(positions) > 1:
        return itemgetter(*positions)
    return lambda seq: tuple(seq[i] for i in positions)


class _Through(Sequence[Any]):
    """A column read row by row when asked: `tables[-1][…tables[0][rows[i]]]`. For the
    columns a table reads at a few rows only (a cell's shown row, its sources), so a first
    comparison does not build them whole (86k rows of a key at 100k articles)."""

    def __init__(self, rows: Sequence[int], *tables: Sequence[Any]) -> None:
        self._rows, self._tables = rows, tables

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, i: int) -> Any: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Any]: ...

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return _Through(self._rows[i], *self._tables)
        out = self._rows[i]
        for table in self._tables:
            out = table[out]
        return out

    def picked(self, keep: Sequence[int]) -> "_Through":
        """The same column of rows `keep` only."""
        return _Through(_picker(keep)(self._rows), *self._tables)


def period_class(period: str | None) -> str:
    """Which table of a comparison a figure's period belongs to: year, half-year, quarter or other."""
    return period if period in ("year", "half-year", "quarter") else "other"


@dataclass(frozen=True)
class MeasureFigures:
    """One metric key's matching figures as parallel columns (`pivot.Columns`), newest
    first; row i ranks as `class_rank[row_class[i]]` (best first: by rank, then row).
    Records (`FigureHit`) only for the rows asked for."""

    measure: str
    total: int  # every match, the other measures included
    articles: int
    unit: Sequence[str | None]
    kind: Sequence[str]
    period: Sequence[str | None]
    province: Sequence[str | None]
    report_year: Sequence[int | None]  # 0 or None: none
    published: Sequence[str | None]
    article_id: Sequence[str]
    figure_index: Sequence[int]
    value: Sequence[float]
    qualifier: Sequence[str | None]
    figures: Sequence[int]  # figure index of each row
    row_class: Sequence[int]
    class_rank: Mapping[int, int]  # each class's best matching group (a position in the query's groups)
    scores: Sequence[float]  # of each group position
    memo: dict[Any, Any] = field(repr=False)  # shared by every MeasureFigures of the same rows
    make: MakeHits = field(repr=False)

    @classmethod
    def empty(cls, total: int, scores: Sequence[float], make: MakeHits) -> "MeasureFigures":
        """No measure: none of the `total` matches has a metric key (or the one asked for)."""
        return cls("", total, 0, [], [], [], [], [], [], [], [], [], [], [], [], {}, scores, {}, make)

    def hits(self, rows: Sequence[int]) -> tuple[FigureHit, ...]:
        rank, cls, scores, figures = self.class_rank, self.row_class, self.scores, self.figures
        return self.make([(figures[i], scores[rank[cls[i]]]) for i in rows])


@dataclass(frozen=True)
class _Variant:
    """The rows of one key that a set of matched classes and the corrections give."""

    columns: Mapping[str, Sequence[Any]]
    articles: int
    memo: dict[Any, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _KeyRows:
    """One metric key's figures as columns, newest first, and their classes."""

    columns: Mapping[str, Sequence[Any]]
    class_codes: list[int]  # each class's id, as its rows' `row_class` give it
    class_label: list[int]  # folded label group of each class (-1: none)
    class_unit: list[int]  # folded unit group of each class
    class_first: list[int]  # each class's first row
    variants: OrderedDict[tuple[Any, ...], _Variant] = field(default_factory=OrderedDict)


class FigureMeasure:
    """Counts, chooses and reads one measure among the groups a query matched."""

    def __init__(self, snapshot: Snapshot, id_counts: Callable[[], Mapping[tuple[int, int, int], int]]) -> None:
        self.snapshot = snapshot
        self._id_counts = id_counts  # figures per (label, unit, key) id (figure_counts.py)
        self._key_id = {k: i for i, k in enumerate(snapshot.keys)}
        self._label_group = [*snapshot.label_flabel, -1]  # raw label id -> folded group (-1, the last: none)
        self._label_code = [g * _PAIR for g in self._label_group]  # its part of a class's number (`_key_rows`)
        self._unit_group = [*snapshot.unit_funit, -1]
        self._keys: dict[int, _KeyRows] = {}

    # ------------------------------------------------------------ public

    def figures(self, scored: Scored, measure: str | None, *, corrected: Mapping[int, ArticleMeta],
                make: MakeHits, table_period: str | None = None) -> MeasureFigures:
        """The figures of `measure` (else the key most matches share, preferring one with
        results in `table_period`, among the `KEYS_TRIED` largest) among the whole groups
        `scored`, as columns.
        `corrected`: the corrected articles' list rows by rank (their province, year and
        period replace the parsed ones)."""
        total, kid, class_rank = self._choice(scored, measure, corrected, table_period)
        scores = [s for s, _k, _g in scored]
        if kid < 0:
            return MeasureFigures.empty(total, scores, make)
        variant = self._variant(kid, class_rank, len(scored), corrected)
        c = variant.columns
        if not c["figure"]:
            return MeasureFigures.empty(total, scores, make)
        return MeasureFigures(
            self.snapshot.keys[kid], total, variant.articles, c["unit"], c["kind"], c["period"], c["province"],
            c["report_year"], c["published"], c["article_id"], c["figure_index"], c["value"], c["qualifier"],
            c["figure"], c["row_class"], self._by_class(kid, class_rank), scores, variant.memo, make,
        )

    def best_first(self, scored: Scored, measure: str | None, *, corrected: Mapping[int, ArticleMeta],
                   table_period: str | None = None) -> tuple[int, list[tuple[int, float]]]:
        """How many figures `scored` holds, and the chosen measure's (figure index, score),
        best first (by group, then newest first): `figures` as pairs for records."""
        total, kid, class_rank = self._choice(scored, measure, corrected, table_period)
        if kid < 0:
            return total, []
        columns = self._variant(kid, class_rank, len(scored), corrected).columns
        ranks = list(map(self._by_class(kid, class_rank).__getitem__, columns["row_class"]))
        order = sorted(range(len(ranks)), key=ranks.__getitem__)  # stable: newest first within a group
        figures = columns["figure"]
        return total, [(figures[i], scored[ranks[i]][0]) for i in order]

    # ------------------------------------------------------------ counting and choosing

    def _choice(self, scored: Scored, measure: str | None, corrected: Mapping[int, ArticleMeta],
                table_period: str | None) -> tuple[int, int, list[int]]:
        """(matches in all, key chosen or a negative number, the key's class ranks)."""
        snap = self.snapshot
        inf = len(scored)
        label_rank, key_rank, unit_rank = [inf] * (len(snap.flabels) + 1), [inf] * len(snap.keys), [inf] * (len(snap.funits) + 1)
        by_kind = (label_rank, key_rank, unit_rank)
        for rank, (_s, kind, g) in enumerate(scored):
            by_kind[kind][g] = rank
        total = 0
        counts: Counter[int] = Counter()
        for _s, kind, g in scored:
            for fl, fu, key, n in self._group_combos(kind, g):
                # a figure is counted once: under its label, else its unit, else its key
                if kind == UNIT and label_rank[fl] < inf:
                    continue
                if kind == KEY and (label_rank[fl] < inf or unit_rank[fu] < inf):
                    continue
                total += n
                counts[key] += n
        counts.pop(-1, None)

        def class_ranks(kid: int) -> list[int]:
            rows = self._key_rows(kid)
            own = key_rank[kid]
            return [min(label_rank[fl], unit_rank[fu], own) for fl, fu in zip(rows.class_label, rows.class_unit)]

        if measure is not None:
            kid = self._key_id.get(measure, -2)
            return (total, kid, class_ranks(kid)) if kid >= 0 else (total, kid, [])
        first = None
        for tried, kid in enumerate(self._by_count(counts, class_ranks)):
            if tried == KEYS_TRIED and first:
                break  # the largest keys lack the table: reading every key's rows would cost seconds at 100k
            ranks = class_ranks(kid)
            if table_period is None or self._shows(self._variant(kid, ranks, inf, corrected), table_period):
                return total, kid, ranks
            first = first or (kid, ranks)
        return (total, *first) if first else (total, -2, [])

    def _by_count(self, counts: Counter[int], class_ranks: Callable[[int], list[int]]) -> Iterator[int]:
        """Keys by matches, most first; a tie goes to the key whose best row is met first."""
        def first_met(kid: int) -> tuple[int, int]:
            rows = self._key_rows(kid)
            figures = rows.columns["figure"]
            return min(zip(class_ranks(kid), map(figures.__getitem__, rows.class_first)))

        for n in sorted(set(counts.values()), reverse=True):
            tied = [k for k, c in counts.items() if c == n]
            yield from (tied if len(tied) == 1 else sorted(tied, key=first_met))

    def _by_class(self, kid: int, per_class: Sequence[int]) -> dict[int, int]:
        """Values given in class order, by class id (a row's `row_class`)."""
        return dict(zip(self._key_rows(kid).class_codes, per_class))

    @staticmethod
    def _shows(variant: _Variant, table_period: str) -> bool:
        """Whether a key's matching rows hold a result the `table_period` table can place
        (one with a province and a report year): a comparison prefers such a key."""
        shows = variant.memo.get(("shows", table_period))
        if shows is None:  # asked per table, so the first placed result ends the scan
            c = variant.columns
            periods = {p: period_class(p) for p in set(c["period"])}
            placed = zip(c["period"], c["kind"], c["province"], c["report_year"])
            shows = variant.memo[("shows", table_period)] = any(
                k == "actual" and where and year and periods[p] == table_period for p, k, where, year in placed)
        return shows

    def _group_combos(self, kind: int, group: int) -> list[Combo]:
        return self._combos[kind][group]

    @cached_property
    def _combos(self) -> tuple[list[list[Combo]], list[list[Combo]], list[list[Combo]]]:
        """The figures counted by (folded label, folded unit, key), listed under their
        label group, key group and unit group: what a query's count and choice of key
        need, a few thousand combinations instead of a step per match. Made once, on the
        first comparison: one pass over every figure in order, which costs less than
        reading the matched groups' members through their permutations (a wide query
        matches half the figures, each read out of order), unless the write path saved
        them for this snapshot (figure_counts.py)."""
        snap = self.snapshot
        lg, ug = self._label_group, self._unit_group
        by: tuple[list[list[Combo]], ...] = ([[] for _ in snap.flabels], [[] for _ in snap.keys], [[] for _ in snap.funits])
        folded: Counter[tuple[int, int, int]] = Counter()  # raw ids of one folded group fold together
        for (lab, unit, key), n in self._id_counts().items():
            folded[(lg[lab], ug[unit], key)] += n
        for (fl, fu, key), n in folded.items():
            combo = (fl, fu, key, n)
            for kind, group in ((LABEL, fl), (KEY, key), (UNIT, fu)):
                if group >= 0:
                    by[kind][group].append(combo)
        return by[0], by[1], by[2]

    # ------------------------------------------------------------ a key's rows

    def _key_rows(self, kid: int) -> _KeyRows:
        """The snapshot's columns of one metric key's figures (its group's run, newest
        first), read once per key: each column through one `itemgetter` of the rows'
        positions, which reads a memory view (or a list) at twice the speed of a `map`.
        Corrections are not in these (`_variant`)."""
        cached = self._keys.get(kid)
        if cached is not None:
            return cached
        if len(self._keys) >= KEYS_KEPT:
            del self._keys[next(iter(self._keys))]  # the oldest
        snap = self.snapshot
        fis = list(snap.key_perm[snap.key_start[kid] : snap.key_start[kid + 1]])
        of_figure = _picker(fis)
        articles = of_figure(snap.fig_article)
        of_article = _picker(articles)
        unit_ids = of_figure(snap.fig_unit)
        # a class is a (folded label, folded unit) pair, as one number: fl * _PAIR + fu + 1
        # that number is the class's id (renumbering 86k rows cost ~8 ms of a first comparison)
        codes = list(map(add, _picker(of_figure(snap.fig_label))(self._label_code), _picker(unit_ids)(self._unit_group)))
        class_codes = list(dict.fromkeys(codes))  # in the order first met
        class_first: list[int] = []  # so each class's first row comes after the last one's
        for code in class_codes:
            class_first.append(codes.index(code, class_first[-1] if class_first else 0))
        classes = [divmod(code, _PAIR) for code in class_codes]
        classes = [(fl + 1, fu - _PAIR) if fu >= _PAIR // 2 else (fl, fu) for fl, fu in classes]  # fu -1
        cached = self._keys[kid] = _KeyRows(
            columns={
                "figure": fis,
                "article": articles,
                "row_class": codes,
                "unit": _picker(unit_ids)([*snap.units, None]),
                "kind": _picker(of_figure(snap.fig_kind))(FIGURE_KINDS),
                "province": _picker(of_article(snap.province))([*snap.provinces, None]),
                "report_year": of_article(snap.year),  # 0: none (a table reads it as true or not)
                "period": _picker(of_article(snap.period))([*snap.periods, None]),
                "published": _Through(articles, snap.published),  # read for a cell's first sources only (pivot_columns)
                "article_id": _Through(articles, snap.ids),
                "figure_index": _Through(fis, snap.fig_pos),
                "value": of_figure(snap.fig_value),
                "qualifier": _Through(fis, snap.fig_qual, [*snap.qualifiers, None]),
            },
            class_codes=class_codes,
            class_label=[fl for fl, _fu in classes],
            class_unit=[fu for _fl, fu in classes],
            class_first=class_first,
        )
        return cached

    def _variant(self, kid: int, class_rank: list[int], unmatched: int, corrected: Mapping[int, ArticleMeta]) -> _Variant:
        """The key's rows of the matched classes, corrections applied: kept per key, so the
        next keystroke that matches the same classes finds them (and the pivot's memo).
        `unmatched`: the rank of a class no group matched."""
        rows = self._key_rows(kid)
        kept = tuple(r < unmatched for r in class_rank)
        matched = None if all(kept) else kept  # None: every row (in class order)
        fixes = tuple(sorted((r, m.province, m.report_year, m.period) for r, m in corrected.items()))
        signature = (matched, fixes)
        found = rows.variants.get(signature)
        if found is not None:
            rows.variants.move_to_end(signature)
            return found
        own = rows.columns
        if matched is None:
            columns: dict[str, Sequence[Any]] = dict(own)
        else:
            keep = list(compress(range(len(own["figure"])), map(self._by_class(kid, matched).__getitem__, own["row_class"])))
            columns = {name: col.picked(keep) if isinstance(col := own[name], _Through) else _picker(keep)(col)
                       for name in COLUMNS}
        if corrected:
            columns.update(self._corrected(columns, corrected))
        found = _Variant(columns, len(set(columns["article"])))
        rows.variants[signature] = found
        if len(rows.variants) > VARIANTS_KEPT:
            rows.variants.popitem(last=False)
        return found

    @staticmethod
    def _corrected(columns: Mapping[str, Sequence[Any]], corrected: Mapping[int, ArticleMeta]) -> dict[str, list[Any]]:
        """Province, year and period columns with the corrected articles' values."""
        provinces, years, periods = list(columns["province"]), list(columns["report_year"]), list(columns["period"])
        for i, rank in enumerate(columns["article"]):
            meta = corrected.get(rank)
            if meta is not None:
                provinces[i], years[i], periods[i] = meta.province, meta.report_year, meta.period
        return {"province": provinces, "report_year": years, "period": periods}
