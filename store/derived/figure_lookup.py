"""Figure lookup over the snapshot's figure groups: what a query matches (folded labels,
metric names, folded units, scored on one scale), the members of the best groups newest
first, counted in full, and the figures of one measure for a comparison.

A part of `ArchiveIndex` (mixed in), kept apart because it is a job of its own: the
filters decide which articles, this decides which of their figures. Turning the matched
groups into one measure for a comparison is a `FigureMeasure`'s job, made over the same
snapshot and handed the groups."""

from __future__ import annotations

from array import array
from collections import Counter, deque
from functools import cached_property
from itertools import compress, islice, repeat
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from tongket.store.derived import figure_counts
from tongket.store.derived.figure_groups import FigureGroups
from tongket.store.derived.figure_hits import FigureHits, ScoreRuns, distinct as _distinct
from tongket.store.derived.lookup_count import FigureCount
from tongket.store.derived.names import ProvinceNames
from tongket.store.lang.years import looks_like_year
from tongket.store.lang.text import fold_words, nfc
from tongket.store.record import FIGURE_KINDS, ArticleMeta, FigureHit, LookupResult

if TYPE_CHECKING:  # the measure's module is imported by the comparison that uses it, not by every open
    from tongket.store.derived.figure_measure import FigureMeasure, MeasureFigures


class FigureLookup(FigureGroups):
    """Lookup methods of `ArchiveIndex`; the attributes below are set by its constructor."""

    provinces: ProvinceNames
    _order: Any  # index.Rows: ArticleMeta by rank, made on first use
    _override: dict[int, tuple[int, int, int]]  # corrected articles' codes

    # ArchiveIndex's own methods this part calls (declared, not stubbed: nothing here to override)
    codes: Callable[[int], tuple[int, int, int]]
    figure_range: Callable[[int], tuple[int, int]]
    _candidates: Callable[[str | None, int | str | None, str | None, bool], set[int] | None]

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
        lazy: bool = False,
        count: bool = True,
        stop: Callable[[], bool] | None = None,
    ) -> LookupResult:
        """Matches best first with how many there are in all and in how many articles, so a
        view that shows the first `limit` can say what it leaves out. Without a filter the
        count is made per group (`FigureCount`), not per figure; only the first `limit`
        are walked in order, and only the shown ones become records (`lazy`: each when
        first asked for, so tens of thousands of hits cost their indices, not records).
        `count` False with a `limit`: the first page alone, counted only when it holds every
        match (fewer than `limit`); otherwise `total` and `articles` are those of the page,
        a lower bound, so a view can show the page while the count is made. `stop`, with a
        `limit` and no filter: asked between the groups whose counts are not made yet, True
        ends the count there (what it made is kept for the next one) and the answer is the
        page alone, as with `count` False: an app's comparison need not wait for it."""
        asked = self._asked(query, province, year, period, merged)
        if asked is None:
            return LookupResult((), 0, 0)
        scored, allowed = asked
        fig_article = self.snapshot.fig_article
        counted = None
        if limit is not None and allowed is None and count:
            counted = self._counter.count(scored) if stop is None else self._counter.count_unless(scored, stop)
        if counted is not None:  # counted without walking every match
            total, articles = counted
            figures, scores = self._match_columns(scored, None, limit)
        elif limit is not None and (not count or allowed is None):  # the first page alone (or a count stopped)
            figures, scores = self._match_columns(scored, allowed, limit)
            total, articles = len(figures), _distinct(fig_article, figures)
        else:
            figures, scores = self._match_columns(scored, allowed)
            total, articles = (len(figures), _distinct(fig_article, figures)) if allowed is not None else self._count(scored)
            if limit is not None:
                figures, scores = figures[:limit], scores[:limit]
        hits: Sequence[FigureHit]
        if lazy:
            hits = FigureHits(figures, scores, self._hit_maker(0))
        else:
            make = self._hit_maker(len(figures))
            hits = tuple(map(make, figures, scores))
        return LookupResult(hits=hits, total=total, articles=articles)

    def _count(self, scored: list[tuple[float, int, int]]) -> tuple[int, int]:
        """(figures, articles) of the union of whole groups (`FigureCount`: per group and class)."""
        return self._counter.count(scored)

    def _matches(
        self, query: str, province: str | None, year: int | str | None, period: str | None, merged: bool
    ) -> list[tuple[int, float]]:
        """(figure index, score) of every match, best first; a figure counts once, at its best score."""
        asked = self._asked(query, province, year, period, merged)
        return [] if asked is None else self._matches_of(*asked)

    def _matches_of(self, scored: list[tuple[float, int, int]], allowed: set[int] | None,
                    limit: int | None = None) -> list[tuple[int, float]]:
        """The matches of scored groups among `allowed`, best first, at most `limit`."""
        figures, scores = self._match_columns(scored, allowed, limit)
        return list(zip(figures, scores))

    def _match_columns(self, scored: list[tuple[float, int, int]], allowed: set[int] | None,
                       limit: int | None = None) -> tuple[array[int], ScoreRuns]:
        """`_matches_of` as two columns (figure indices, scores as a run per group): 4 bytes
        a match, where pairs took ~100 and even a float a match 8 MB for a million. Best
        groups come first, so the first time a figure is seen is its best score; a group's
        members are ascending (newest first), and its new ones are picked with a mark per
        figure (1.5 MB at 100k articles, where sets of the figures seen took ~100 MB at
        their peak) straight into the column: no list of a group's members as ints."""
        fig_article = self.snapshot.fig_article
        figures, scores = array("i"), ScoreRuns()
        unseen = bytearray(b"\x01") * len(fig_article)
        for score, members in self._members(scored, allowed):
            picked: Iterable[int] = compress(members, map(unseen.__getitem__, members))
            if allowed is not None:
                picked = (fi for fi in picked if fig_article[fi] in allowed)
            before = len(figures)
            figures.extend(picked if limit is None else islice(picked, limit - before))
            if len(figures) == before:
                continue
            deque(map(unseen.__setitem__, figures[before:], repeat(0)), 0)
            scores.add(score, len(figures) - before)
            if limit is not None and len(figures) >= limit:
                break
        return figures, scores

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
        table_period: str | None = None,
    ) -> LookupResult:
        """The matches of one measure, best first, for a comparison: a metric key (`measure`,
        else the key most matches share, one with results in `table_period` first) or,
        `by_label`, an exact label (else the best match's). The measure is chosen on the
        integer columns, so only its own figures become records; `total` counts every
        match, the other measures included."""
        snap = self.snapshot
        fig_article = snap.fig_article
        if not by_label:
            asked = self._asked(query, province, year, period, merged)
            if asked is None:
                return LookupResult((), 0, 0)
            if asked[1] is None:  # no filter: whole groups, counted and chosen on their combinations
                total, chosen = self._measure.best_first(asked[0], measure, corrected=self._corrected_rows(),
                                                         table_period=table_period)
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
                ranked = [k for k, _n in counts.most_common()]
                if table_period is not None:  # one with results in the shown table first
                    from tongket.store.derived.figure_measure import period_class

                    rows = [(self._order[fig_article[fi]], k) for (fi, _s), k in zip(found, keys)
                            if FIGURE_KINDS[snap.fig_kind[fi]] == "actual"]
                    shown = {k for m, k in rows if m.province and m.report_year and period_class(m.period) == table_period}
                    ranked.sort(key=lambda k: k not in shown)  # stable
                kid = ranked[0] if ranked else -2
            else:
                kid = self._key_gid.get(measure, -2)
            chosen = [pair for pair, k in zip(found, keys) if k == kid]
        return LookupResult(
            hits=self._hits(chosen, dated=True),
            total=len(found),
            articles=len({fig_article[fi] for fi, _s in chosen}),
        )

    def measure_figures(self, query: str, *, measure: str | None = None, by_label: bool = False,
                        province: str | None = None, year: int | str | None = None, period: str | None = None,
                        merged: bool = False, table_period: str | None = None) -> MeasureFigures | LookupResult:
        """`measure_hits` as columns when the measure is a metric key and no filter
        applies (the pivot's usual case: no record per figure); otherwise `measure_hits`."""
        asked = None if by_label else self._asked(query, province, year, period, merged)
        if asked is None or asked[1] is not None:
            return self.measure_hits(query, measure=measure, by_label=by_label, province=province, year=year,
                                     period=period, merged=merged, table_period=table_period)
        return self._measure.figures(asked[0], measure, corrected=self._corrected_rows(), table_period=table_period,
                                     make=lambda found: self._hits(found, dated=True))

    @cached_property
    def _counter(self) -> FigureCount:
        return FigureCount(self.snapshot, self._id_counts)

    @cached_property
    def _measure(self) -> FigureMeasure:
        from tongket.store.derived.figure_measure import FigureMeasure

        return FigureMeasure(self.snapshot, self._id_counts)

    def _id_counts(self) -> Mapping[tuple[int, int, int], int]:
        return self._id_count_table

    @cached_property
    def _id_count_table(self) -> Mapping[tuple[int, int, int], int]:
        """Figures per (label, unit, key) id, read from figures.counts (or counted) once, for
        the lookup's count and the pivot alike; asked only when one of them needs it."""
        return figure_counts.read_ids(self.snapshot) or figure_counts.count_ids(self.snapshot)

    def _corrected_rows(self) -> dict[int, ArticleMeta]:
        return {rank: self._order[rank] for rank in self._override}

    def _hits(self, found: Sequence[tuple[int, float]], *, dated: bool = False) -> tuple[FigureHit, ...]:
        """Hits of figure indices (a comparison makes tens of thousands at 100k articles)."""
        make = self._hit_maker(len(found), dated=dated)
        return tuple(make(fi, score) for fi, score in found)

    def _hit_maker(self, many: int, *, dated: bool = False) -> Callable[[int, float], FigureHit]:
        """The hit of one figure index, the columns bound once. `dated`: with the article's
        title and publication date (from the list row), which a comparison needs to choose
        among its sources."""
        snap = self.snapshot
        order, fig_article, fig_pos, fig_value = self._order, snap.fig_article, snap.fig_pos, snap.fig_value
        fig_unit, fig_label, fig_key, fig_qual, fig_kind = snap.fig_unit, snap.fig_label, snap.fig_key, snap.fig_qual, snap.fig_kind
        units, labels, keys, quals = [*snap.units, None], [*snap.labels, None], [*snap.keys, None], [*snap.qualifiers, None]
        # a copy of the display strings (24 MB at 100k) pays off only for many hits
        blob, off = (bytes(snap.display_blob) if many > 2000 else snap.display_blob), snap.display_off

        def make(fi: int, score: float) -> FigureHit:
            m = order[fig_article[fi]]
            return FigureHit(
                m.id, fig_pos[fi], m.province, m.report_year, m.period, fig_value[fi], units[fig_unit[fi]],
                labels[fig_label[fi]], keys[fig_key[fi]], str(blob[off[fi]:off[fi + 1]], "utf-8"), round(score, 4),  # type: ignore[arg-type]
                FIGURE_KINDS[fig_kind[fi]], quals[fig_qual[fi]],
                title=m.title if dated else "", published=m.published if dated else None,
            )

        return make

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
