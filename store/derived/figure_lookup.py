"""Figure lookup over the snapshot's figure groups: what a query matches (folded labels,
metric names, folded units, scored on one scale), the members of the best groups newest
first, counted in full, and the figures of one measure for a comparison.

A part of `ArchiveIndex` (mixed in), kept apart because it is a job of its own: the
filters decide which articles, this decides which of their figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from itertools import compress, repeat
from typing import Any, Callable, Iterable, Sequence

from tongket.store.derived.names import ProvinceNames
from tongket.store.derived.scoring import Label, names_score, phrase_score, unit_label_score
from tongket.store.derived.snapshot import Snapshot
from tongket.store.lang.numbers import looks_like_year
from tongket.store.lang.text import fold_words, nfc
from tongket.store.record import FIGURE_KINDS, ArticleMeta, FigureHit, LookupResult


@dataclass(frozen=True)
class MeasureFigures:
    """One metric key's matching figures as parallel columns (`pivot.Columns`), best
    match first, read from the snapshot with map operations; records (`FigureHit`) only
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
    scores: list[float]
    make: Callable[[Sequence[tuple[int, float]]], tuple[FigureHit, ...]]

    def hits(self, rows: Sequence[int]) -> tuple[FigureHit, ...]:
        return self.make([(self.figures[i], self.scores[i]) for i in rows])


class FigureLookup:
    """Lookup methods of `ArchiveIndex`; the attributes below are set by its constructor."""

    snapshot: Snapshot
    provinces: ProvinceNames
    _order: Any  # index.Rows: ArticleMeta by rank, made on first use
    _flabels: list[Label]
    _funits: list[Label]
    _metric_names: dict[str, tuple[Label, ...]]
    _key_gid: dict[str, int]
    _override: dict[int, tuple[int, int, int]]  # corrected articles' codes

    def codes(self, rank: int) -> tuple[int, int, int]:
        raise NotImplementedError

    def figure_range(self, rank: int) -> tuple[int, int]:
        raise NotImplementedError

    def _candidates(self, province: str | None, year: int | str | None, period: str | None,
                    merged: bool) -> set[int] | None:
        raise NotImplementedError


    def _groups(self, q: str, words: list[str]) -> list[tuple[float, int, int]]:
        """Matching groups, best first: (score, kind, group id).
        Ties keep the order labels, metric names, units (each in first-seen order)."""
        snap = self.snapshot
        scored: list[tuple[float, int, int]] = []  # (score, kind, group): kinds 0 label, 1 key, 2 unit
        for gid, label in enumerate(self._flabels):
            s = phrase_score(q, words, label)
            if s > 0:
                scored.append((s, 0, gid))
        for key, names in self._metric_names.items():
            kgid = self._key_gid.get(key)
            if kgid is not None and snap.key_start[kgid + 1] > snap.key_start[kgid]:
                s = names_score(q, words, names)
                if s > 0:
                    scored.append((s, 1, kgid))
        for gid, unit in enumerate(self._funits):
            s = unit_label_score(q, words, unit)
            if s > 0:
                scored.append((s, 2, gid))
        scored.sort(key=lambda g: -g[0])  # stable
        return scored

    def _members(self, scored: list[tuple[float, int, int]], allowed: set[int] | None) -> Iterable[tuple[float, Sequence[int]]]:
        """Each group's members (figure indices, ascending = newest first) among `allowed`.

        Without a filter, or with a wide one, a group is a slice of its permutation array.
        With a narrow filter (a province and a year: ~0.1% of the archive) walking whole
        groups to find the few allowed members would cost more than bucketing the allowed
        articles' own figures by group once; both give the same members in the same order."""
        snap = self.snapshot
        perms = (snap.flabel_perm, snap.key_perm, snap.funit_perm)
        starts = (snap.flabel_start, snap.key_start, snap.funit_start)
        if allowed is not None:
            matched = sum(starts[k][g + 1] - starts[k][g] for _s, k, g in scored)
            if len(allowed) * 16 < matched:
                buckets: tuple[dict[int, list[int]], ...] = ({}, {}, {})
                label_fl, unit_fu = snap.label_flabel, snap.unit_funit
                for r in sorted(allowed):
                    start, end = self.figure_range(r)
                    for fi in range(start, end):
                        lab, key, unit = snap.fig_label[fi], snap.fig_key[fi], snap.fig_unit[fi]
                        if lab >= 0 and label_fl[lab] >= 0:
                            buckets[0].setdefault(label_fl[lab], []).append(fi)
                        if key >= 0:
                            buckets[1].setdefault(key, []).append(fi)
                        if unit >= 0 and unit_fu[unit] >= 0:
                            buckets[2].setdefault(unit_fu[unit], []).append(fi)
                for s, k, g in scored:
                    members = buckets[k].get(g)
                    if members:
                        yield s, members
                return
        for s, k, g in scored:
            yield s, perms[k][starts[k][g] : starts[k][g + 1]]

    def lookup(
        self,
        query: str,
        *,
        province: str | None = None,
        year: int | str | None = None,
        period: str | None = None,
        merged: bool = False,
        limit: int | None = 200,
    ) -> list[FigureHit]:
        """The best `limit` matches (None: every match), best first."""
        return list(self.lookup_counted(query, province=province, year=year, period=period, merged=merged,
                                   limit=limit).hits)

    def lookup_counted(
        self,
        query: str,
        *,
        province: str | None = None,
        year: int | str | None = None,
        period: str | None = None,
        merged: bool = False,
        limit: int | None = None,
    ) -> LookupResult:
        """Matches best first with how many there are in all and in how many articles, so a
        view that shows the first `limit` can say what it leaves out. Counting walks the
        matching figure indices (integers); only the shown ones become records."""
        found = self._matches(query, province, year, period, merged)
        fig_article = self.snapshot.fig_article
        shown = found if limit is None else found[:limit]
        return LookupResult(
            hits=self._hits(shown),
            total=len(found),
            articles=len({fig_article[fi] for fi, _s in found}),
        )

    def _matches(
        self, query: str, province: str | None, year: int | str | None, period: str | None, merged: bool
    ) -> list[tuple[int, float]]:
        """(figure index, score) of every match, best first; a figure counts once, at its best score."""
        asked = self._asked(query, province, year, period, merged)
        if asked is None:
            return []
        scored, allowed = asked
        fig_article = self.snapshot.fig_article
        matches: list[tuple[int, float]] = []
        seen: set[int] = set()
        for score, members in self._members(scored, allowed):
            # best groups first: the first time a figure is seen is its best score
            for fi in members:
                if fi in seen or (allowed is not None and fig_article[fi] not in allowed):
                    continue
                seen.add(fi)
                matches.append((fi, score))
        return matches

    def _asked(
        self, query: str, province: str | None, year: int | str | None, period: str | None, merged: bool
    ) -> tuple[list[tuple[float, int, int]], set[int] | None] | None:
        """The matching groups of a query, best first, and the articles its filters allow
        (a year or province written in the query counts as a filter); None: nothing asked."""
        words = fold_words(query or "").split()
        if year is None:
            years = [w for w in words if len(w) == 4 and w.isdigit() and looks_like_year(int(w))]
            if years:
                year = int(years[0])
                words = [w for w in words if w != years[0]]
        if province is None:
            found, rest = self.provinces.find_in_words(words)
            if found and rest:
                province, words = found, rest
        if not words:
            return None
        q = " ".join(words)
        return self._groups(q, words), self._candidates(province, year, period, merged)

    def measure_hits(
        self,
        query: str,
        *,
        measure: str | None = None,
        by_label: bool = False,
        province: str | None = None,
        year: int | str | None = None,
        period: str | None = None,
        merged: bool = False,
    ) -> LookupResult:
        """The matches of one measure, best first, for a comparison: a metric key (`measure`,
        else the key most matches share) or, `by_label`, an exact label (else the best
        match's). The measure is chosen on the integer columns, so only its own figures
        become records; `total` counts every match, the other measures included."""
        snap = self.snapshot
        fig_article = snap.fig_article
        if not by_label:
            asked = self._asked(query, province, year, period, merged)
            if asked is None:
                return LookupResult((), 0, 0)
            if asked[1] is None:  # no filter: whole groups, counted and chosen with set operations
                total, figures, scores = self._key_measure(asked[0], measure)
                chosen = list(zip(figures, scores))
                return LookupResult(
                    hits=self._hits(chosen, dated=True),
                    total=total,
                    articles=len(set(map(fig_article.__getitem__, [fi for fi, _s in chosen]))),
                )
        found = self._matches(query, province, year, period, merged)
        if by_label:
            same_label: dict[int, bool] = {}
            fig_label, labels = snap.fig_label, snap.labels
            if measure is None and found:
                lab = fig_label[found[0][0]]
                measure = labels[lab] if lab >= 0 else ""
            wanted = nfc((measure or "").strip())

            def keep(fi: int) -> bool:
                lab = fig_label[fi]
                ok = same_label.get(lab)
                if ok is None:
                    ok = same_label[lab] = lab >= 0 and nfc(labels[lab].strip()) == wanted
                return ok

            chosen = [(fi, score) for fi, score in found if keep(fi)]
        else:
            keys = list(map(snap.fig_key.__getitem__, [fi for fi, _s in found]))
            if measure is None:
                counts = Counter(keys)
                counts.pop(-1, None)
                kid = counts.most_common(1)[0][0] if counts else -2
            else:
                kid = self._key_gid.get(measure, -2)
            chosen = [pair for pair, k in zip(found, keys) if k == kid]
        return LookupResult(
            hits=self._hits(chosen, dated=True),
            total=len(found),
            articles=len({fig_article[fi] for fi, _s in chosen}),
        )

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
        total, fis, scores = self._key_measure(asked[0], measure)
        snap = self.snapshot
        ranks = list(map(snap.fig_article.__getitem__, fis))
        names, years_of, periods = self._article_columns
        provinces = list(map(names.__getitem__, ranks))
        years = list(map(years_of.__getitem__, ranks))
        period_of = list(map(periods.__getitem__, ranks))
        override = self._override
        if override:  # corrected articles: their list rows hold the corrected fields
            for i, rank in enumerate(ranks):
                if rank in override:
                    m = self._order[rank]
                    provinces[i], years[i], period_of[i] = m.province, m.report_year, m.period
        units, quals = [*snap.units, None], [*snap.qualifiers, None]
        return MeasureFigures(
            measure=snap.keys[snap.fig_key[fis[0]]] if fis else "",
            total=total,
            articles=len(set(ranks)),
            unit=list(map(units.__getitem__, map(snap.fig_unit.__getitem__, fis))),
            kind=list(map(FIGURE_KINDS.__getitem__, map(snap.fig_kind.__getitem__, fis))),
            period=period_of,
            province=provinces,
            report_year=years,
            published=list(map(snap.published.__getitem__, ranks)),
            article_id=list(map(snap.ids.__getitem__, ranks)),
            figure_index=list(map(snap.fig_pos.__getitem__, fis)),
            value=list(map(snap.fig_value.__getitem__, fis)),
            qualifier=list(map(quals.__getitem__, map(snap.fig_qual.__getitem__, fis))),
            figures=fis,
            scores=scores,
            make=lambda found: self._hits(found, dated=True),
        )

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

    def _key_measure(self, scored: list[tuple[float, int, int]], measure: str | None) -> tuple[int, list[int], list[float]]:
        """How many figures the unfiltered `scored` groups hold in all, and the figures of
        one metric key among them with their scores, best first: the same as filtering
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
            """The key's figures among the matches, best first, and each one's best group rank."""
            own = snap.key_perm[snap.key_start[kid] : snap.key_start[kid + 1]]
            best = list(map(min, map(lab_rank.__getitem__, map(snap.fig_label.__getitem__, own)),
                            map(unit_rank.__getitem__, map(snap.fig_unit.__getitem__, own)),
                            repeat(key_rank[kid], len(own))))
            keep = list(map(inf.__gt__, best))
            figures, ranks = list(compress(own, keep)), list(compress(best, keep))
            order = sorted(range(len(ranks)), key=ranks.__getitem__)  # stable: a group's own order (newest first)
            return list(map(figures.__getitem__, order)), list(map(ranks.__getitem__, order))

        if measure is not None:
            kid = self._key_gid.get(measure, -2)
        else:
            counts.pop(-1, None)
            kid = -2
            if counts:
                most = max(counts.values())
                tied = [k for k, n in counts.items() if n == most]

                def first_met(k: int) -> tuple[int, int]:
                    figures, ranks = members(k)
                    return ranks[0], figures[0]

                kid = tied[0] if len(tied) == 1 else min(tied, key=first_met)
        if kid < 0:
            return total, [], []
        figures, ranks = members(kid)
        scores = [s for s, _k, _g in scored]
        return total, figures, list(map(scores.__getitem__, ranks))

    def _hits(self, found: Sequence[tuple[int, float]], *, dated: bool = False) -> tuple[FigureHit, ...]:
        """Hits of figure indices, the columns bound once (a comparison makes tens of
        thousands at 100k articles). `dated`: with the article's title and publication
        date (from the list row), which a comparison needs to choose among its sources."""
        snap = self.snapshot
        order, fig_article, fig_pos, fig_value = self._order, snap.fig_article, snap.fig_pos, snap.fig_value
        fig_unit, fig_label, fig_key, fig_qual, fig_kind = snap.fig_unit, snap.fig_label, snap.fig_key, snap.fig_qual, snap.fig_kind
        units, labels, keys, quals = [*snap.units, None], [*snap.labels, None], [*snap.keys, None], [*snap.qualifiers, None]
        # a copy of the display strings (24 MB at 100k) pays off only for many hits
        blob, off = (bytes(snap.display_blob) if len(found) > 2000 else snap.display_blob), snap.display_off
        out = []
        for fi, score in found:
            m = order[fig_article[fi]]
            out.append(FigureHit(
                m.id, fig_pos[fi], m.province, m.report_year, m.period, fig_value[fi], units[fig_unit[fi]],
                labels[fig_label[fi]], keys[fig_key[fi]], str(blob[off[fi]:off[fi + 1]], "utf-8"), round(score, 4),  # type: ignore[arg-type]
                FIGURE_KINDS[fig_kind[fi]], quals[fig_qual[fi]],
                title=m.title if dated else "", published=m.published if dated else None,
            ))
        return tuple(out)

    def metric_counts(self) -> dict[str, tuple[int, int]]:
        """Metric key -> (figures, provinces) over the whole archive, corrections applied."""
        snap = self.snapshot
        fig_article = snap.fig_article
        out: dict[str, tuple[int, int]] = {}
        for gid, key in enumerate(snap.keys):
            members = snap.key_perm[snap.key_start[gid] : snap.key_start[gid + 1]]
            provinces = {self.codes(fig_article[fi])[0] for fi in members}
            provinces.discard(-1)
            out[key] = (len(members), len(provinces))
        return out

    def unmatched_labels(self, n: int = 20) -> list[tuple[str, int]]:
        """The most frequent labels (as written, first spelling seen) of figures filed under no
        metric: what the catalogue misses."""
        snap = self.snapshot
        counts: Counter[int] = Counter(
            lab for lab, key in zip(snap.fig_label, snap.fig_key) if key < 0 and lab >= 0
        )
        by_group: Counter[int] = Counter()
        spelled: dict[int, str] = {}
        for lab, c in counts.items():
            group = snap.label_flabel[lab]
            if group < 0:
                continue
            by_group[group] += c
            spelled.setdefault(group, snap.labels[lab])
        return [(spelled[g], c) for g, c in by_group.most_common(n)]
