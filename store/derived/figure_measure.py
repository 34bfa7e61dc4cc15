"""The figures of one metric key among a query's matches, counted and ranked without a
Python step per match, and given as parallel columns (`pivot.Columns`) so a comparison
is built from plain values: records are made only for the sources a user opens.

A part of `ArchiveIndex` (mixed in through `FigureLookup`), kept apart because it is a
job of its own: the lookup finds the matching groups, this turns them into a measure."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from itertools import compress, repeat
from typing import Any, Callable, Sequence

from tongket.store.derived.snapshot import Snapshot
from tongket.store.record import FIGURE_KINDS, FigureHit, LookupResult

__all__ = ["FigureMeasure", "MeasureFigures"]

KEYS_KEPT = 8  # metric keys whose columns stay read (a comparison moves among a few)


@dataclass(frozen=True)
class MeasureFigures:
    """One metric key's matching figures as parallel columns (`pivot.Columns`), newest
    first (`rank` gives the best-first order), read from the snapshot with map operations; records (`FigureHit`) only
    for the rows asked for, as `measure_hits` makes them."""

    measure: str
    total: int
    articles: int
    unit: list[str | None]
    kind: list[str]
    period: list[str | None]
    province: list[str | None]
    report_year: list[int | None]
    published: list[str | None]
    article_id: list[str]
    figure_index: list[int]
    value: list[float]
    qualifier: list[str | None]
    figures: list[int]  # figure index of each row
    rank: list[int]  # each row's best matching group (best first: by rank, then row)
    scores: list[float]  # of each group rank
    make: Callable[[Sequence[tuple[int, float]]], tuple[FigureHit, ...]]

    def hits(self, rows: Sequence[int]) -> tuple[FigureHit, ...]:
        return self.make([(self.figures[i], self.scores[self.rank[i]]) for i in rows])


class FigureMeasure:
    """Measure methods of `ArchiveIndex`; the attributes below are set by its constructor,
    the lookup methods by `FigureLookup`."""

    snapshot: Snapshot
    _order: Any  # index.Rows
    _key_gid: dict[str, int]
    _override: dict[int, tuple[int, int, int]]  # corrected articles' codes

    def _asked(
        self, query: str, province: str | None, year: int | str | None, period: str | None, merged: bool
    ) -> tuple[list[tuple[float, int, int]], set[int] | None] | None:
        raise NotImplementedError

    def _hits(self, found: Sequence[tuple[int, float]], *, dated: bool = False) -> tuple[FigureHit, ...]:
        raise NotImplementedError

    def measure_hits(self, query: str, *, measure: str | None = None, by_label: bool = False,
                     province: str | None = None, year: int | str | None = None, period: str | None = None,
                     merged: bool = False) -> LookupResult:
        raise NotImplementedError

    def measure_figures(
        self,
        query: str,
        *,
        measure: str | None = None,
        by_label: bool = False,
        province: str | None = None,
        year: int | str | None = None,
        period: str | None = None,
        merged: bool = False,
    ) -> MeasureFigures | LookupResult:
        """`measure_hits` as columns when the measure is a metric key and no filter
        applies (the pivot's usual case: no record per figure); otherwise `measure_hits`."""
        asked = None if by_label else self._asked(query, province, year, period, merged)
        if asked is None or asked[1] is not None:
            return self.measure_hits(query, measure=measure, by_label=by_label, province=province, year=year,
                                     period=period, merged=merged)
        total, kid, rows, best = self._key_measure(asked[0], measure)
        snap = self.snapshot
        own = self._key_columns(kid) if kid >= 0 else {}
        every = bool(rows) and len(rows) == len(own["figure"])

        def column(name: str, *, copy: bool = False) -> list[Any]:
            """The key's column over `rows`: the cached list itself when every figure matched."""
            values = own.get(name, [])
            if every:
                return list(values) if copy else values
            return list(map(values.__getitem__, rows))

        ranks = column("rank")
        override = self._override
        provinces, years, period_of = (column(name, copy=bool(override)) for name in ("province", "report_year", "period"))
        if override:  # corrected articles: their list rows hold the corrected fields
            for i, rank in enumerate(ranks):
                if rank in override:
                    m = self._order[rank]
                    provinces[i], years[i], period_of[i] = m.province, m.report_year, m.period
        return MeasureFigures(
            measure=snap.keys[kid] if rows else "",
            total=total,
            articles=len(set(ranks)),
            unit=column("unit"),
            kind=column("kind"),
            period=period_of,
            province=provinces,
            report_year=years,
            published=column("published"),
            article_id=column("article_id"),
            figure_index=column("figure_index"),
            value=column("value"),
            qualifier=column("qualifier"),
            figures=column("figure"),
            rank=best,
            scores=[s for s, _k, _g in asked[0]],
            make=lambda found: self._hits(found, dated=True),
        )

    @cached_property
    def _key_column_cache(self) -> dict[int, dict[str, list[Any]]]:
        return {}

    def _key_columns(self, kid: int) -> dict[str, list[Any]]:
        """The snapshot's columns of one metric key's figures (its group's run, newest
        first), read once per key: the snapshot's number columns are memory views, whose
        reads cost several times a list's, and the pivot of a key reads them on every
        keystroke. Corrections are not in these (measure_figures applies them)."""
        cached = self._key_column_cache.get(kid)
        if cached is not None:
            return cached
        if len(self._key_column_cache) >= KEYS_KEPT:
            del self._key_column_cache[next(iter(self._key_column_cache))]  # the oldest: ~20 MB a key at 100k
        snap = self.snapshot
        fis = list(snap.key_perm[snap.key_start[kid] : snap.key_start[kid + 1]])
        ranks = list(map(snap.fig_article.__getitem__, fis))
        names, years_of, periods = self._article_columns
        units, quals = [*snap.units, None], [*snap.qualifiers, None]
        cached = self._key_column_cache[kid] = {
            "figure": fis,
            "rank": ranks,
            "label_id": list(map(snap.fig_label.__getitem__, fis)),
            "unit_id": list(map(snap.fig_unit.__getitem__, fis)),
            "unit": list(map(units.__getitem__, map(snap.fig_unit.__getitem__, fis))),
            "kind": list(map(FIGURE_KINDS.__getitem__, map(snap.fig_kind.__getitem__, fis))),
            "province": list(map(names.__getitem__, ranks)),
            "report_year": list(map(years_of.__getitem__, ranks)),
            "period": list(map(periods.__getitem__, ranks)),
            "published": list(map(snap.published.__getitem__, ranks)),
            "article_id": list(map(snap.ids.__getitem__, ranks)),
            "figure_index": list(map(snap.fig_pos.__getitem__, fis)),
            "value": list(map(snap.fig_value.__getitem__, fis)),
            "qualifier": list(map(quals.__getitem__, map(snap.fig_qual.__getitem__, fis))),
        }
        return cached

    @cached_property
    def _article_columns(self) -> tuple[list[str | None], list[int | None], list[str | None]]:
        """Province name, report year and period of each article by rank, as parsed (a
        comparison patches the corrected ones): one map per figure column instead of two."""
        snap = self.snapshot
        names, periods = [*snap.provinces, None], [*snap.periods, None]
        return (list(map(names.__getitem__, snap.province)), [y or None for y in snap.year],
                list(map(periods.__getitem__, snap.period)))

    @cached_property
    def _combos(self) -> tuple[list[list[tuple[int, int, int, int]]], ...]:
        """The figures counted by (raw label, raw unit, key), listed under their folded
        label group, folded unit group and key group: what a comparison's count and
        choice of measure need, a few thousand combinations instead of a step per
        figure. Made once per snapshot, on the first comparison."""
        snap = self.snapshot
        by_label: list[list[tuple[int, int, int, int]]] = [[] for _ in snap.flabels]
        by_unit: list[list[tuple[int, int, int, int]]] = [[] for _ in snap.funits]
        by_key: list[list[tuple[int, int, int, int]]] = [[] for _ in snap.keys]
        label_fl, unit_fu = snap.label_flabel, snap.unit_funit
        for (lab, unit, key), n in Counter(zip(snap.fig_label, snap.fig_unit, snap.fig_key)).items():
            combo = (lab, unit, key, n)
            if lab >= 0 and label_fl[lab] >= 0:
                by_label[label_fl[lab]].append(combo)
            if unit >= 0 and unit_fu[unit] >= 0:
                by_unit[unit_fu[unit]].append(combo)
            if key >= 0:
                by_key[key].append(combo)
        return by_label, by_key, by_unit

    def _key_measure(self, scored: list[tuple[float, int, int]], measure: str | None) -> tuple[int, int, list[int], list[int]]:
        """How many figures the unfiltered `scored` groups hold in all, the metric key
        chosen, its figures among them (positions in `_key_columns`, newest first) and
        each one's best group rank (best first is by rank, then position): the same as filtering
        `_matches` by key. A figure's folded label, folded unit and key each put it in
        at most one group, so the count and the key counts come from `_combos` (a
        figure seen through an earlier kind of group is not counted again) and its best
        score is that of the best-ranked of its (at most three) groups; only the chosen
        key's own figures are read, with map operations."""
        snap = self.snapshot
        inf = len(scored)
        group_rank: tuple[list[int], ...] = ([inf] * len(snap.flabels), [inf] * len(snap.keys), [inf] * len(snap.funits))
        for rank, (_s, k, g) in enumerate(scored):
            group_rank[k][g] = rank
        label_fl, unit_fu = snap.label_flabel, snap.unit_funit
        lab_rank = [group_rank[0][g] if g >= 0 else inf for g in label_fl] + [inf]  # raw label id (-1: last)
        unit_rank = [group_rank[2][g] if g >= 0 else inf for g in unit_fu] + [inf]
        key_rank = group_rank[1] + [inf]
        total = 0
        counts: Counter[int] = Counter()
        combos = self._combos
        for _s, k, g in scored:
            for lab, unit, key, n in combos[k][g]:
                if k == 2 and lab_rank[lab] < inf:
                    continue  # counted under its label
                if k == 1 and (lab_rank[lab] < inf or unit_rank[unit] < inf):
                    continue
                total += n
                counts[key] += n

        def members(kid: int) -> tuple[list[int], list[int]]:
            """Positions in `_key_columns(kid)` of the key's figures among the matches, best
            first, and each one's best group rank."""
            own = self._key_columns(kid)
            best = list(map(min, map(lab_rank.__getitem__, own["label_id"]), map(unit_rank.__getitem__, own["unit_id"]),
                            repeat(key_rank[kid], len(own["figure"]))))
            keep = list(map(inf.__gt__, best))
            if all(keep):
                return list(range(len(best))), best
            return list(compress(range(len(best)), keep)), list(compress(best, keep))

        if measure is not None:
            kid = self._key_gid.get(measure, -2)
        else:
            counts.pop(-1, None)
            kid = -2
            if counts:
                most = max(counts.values())
                tied = [k for k, n in counts.items() if n == most]

                def first_met(k: int) -> tuple[int, int]:
                    rows, ranks = members(k)
                    return min(zip(ranks, map(self._key_columns(k)["figure"].__getitem__, rows)))

                kid = tied[0] if len(tied) == 1 else min(tied, key=first_met)
        if kid < 0:
            return total, kid, [], []
        rows, ranks = members(kid)
        return total, kid, rows, ranks
