"""In-memory indexes over the archive's metadata, built once per load from a `Snapshot`.

Listing, filtering and figure lookup must stay fast at 100,000 articles and 1.5M figures
(filter ≤ 100 ms, lookup ≤ 50 ms per keystroke), and TinyDB has no indexes (tinydb #316).
So the archive hands this module a `store.snapshot.Snapshot` (read from its compact file, or
built from plain records) and asks it questions; nothing here touches the disk except through
the `text_of` / `text_search` callbacks.

The snapshot holds the parsed metadata; the user's corrections (a few, in their own small
file) are an overlay applied here (`set_corrections`): the corrected articles' list rows,
their filter codes and the (province, year, period) counts. A correction then changes this
overlay in memory instead of rebuilding the snapshot. Newest-first order stays that of the
parsed titles (a corrected title does not move an article among same-date ones).

Articles are known by their rank in the newest-first order (the snapshot stores them in it),
so a filter is a set of small integers and a result is those ranks sorted. Figure lookup
scores each distinct folded label once (about 1,800 at 100k articles; their words are split
once, here) and then walks the best groups' members, which the snapshot keeps as contiguous
runs of a permutation array, stopping at `limit`: a query costs labels, not figures.
"""

from __future__ import annotations

import gc
import re
from collections import Counter
from dataclasses import replace
from typing import Any, Callable, Iterable, Mapping, Sequence

from tongket.store.record import FIGURE_KINDS, PERIODS, ArticleMeta, FigureHit, LookupResult
from tongket.store.derived.snapshot import CORRECTABLE, Snapshot, build, sort_key_newest_first
from tongket.store.lang.text import fold, fold_words, nfc

UNKNOWN = "unknown"  # filter value meaning "no value" (no province / no year / no period)

# Compact figure as the archive keeps it in memory and on disk: [value, unit, label, key, display]
CompactFigure = Sequence[Any]

_YEAR = re.compile(r"^(19[5-9]\d|20\d\d|2100)$")


# ---------------------------------------------------------------- provinces


def _load_province_table() -> Any | None:
    try:
        from tongket.store.lang.provinces import load_provinces
    except ImportError:
        return None
    return load_provinces()


def _load_metric_names() -> dict[str, tuple[str, ...]]:
    """Folded metric names by key, from the catalogue: the key itself as shown in the Metric
    column ("incoming_documents", also as words), and the Vietnamese and English names."""
    try:
        from tongket.store.lang.metrics import load_catalogue
    except ImportError:
        return {}
    names: dict[str, tuple[str, ...]] = {}
    for entry in load_catalogue().entries:
        spelled = (entry.key, entry.key.replace("_", " "), entry.name_vi, entry.name_en)
        folded = dict.fromkeys(fold_words(n) for n in spelled if n)
        names[entry.key] = tuple(n for n in folded if n)
    return names


class ProvinceNames:
    """Resolves what a user types ("kien giang", "Kiên Giang", an alias) to the archive's
    province names, through `store.provinces` when it is installed, else by folded
    equality with the names the archive already holds."""

    def __init__(self, known: Iterable[str], table: Any | None = None) -> None:
        self._table = table
        self._known = {fold(k).strip(): k for k in known if k}

    def canonical(self, name: str | None) -> str | None:
        if not name or not name.strip():
            return None
        if self._table is not None and (found := self._table.canonical(name)):
            return found
        return self._known.get(fold(name).strip())

    def merged_unit(self, name: str) -> str:
        if self._table is not None and (unit := self._table.merged_unit(name)):
            return unit
        return name

    def find_in_words(self, words: list[str]) -> tuple[str | None, list[str]]:
        """A province named inside a query ("van ban den kien giang"): the name and the
        remaining words. Longest run of words first."""
        for size in (4, 3, 2, 1):
            for start in range(0, len(words) - size + 1):
                phrase = " ".join(words[start : start + size])
                if size == 1 and len(phrase) < 4:
                    continue
                found = self.canonical(phrase)
                if found:
                    return found, words[:start] + words[start + size :]
        return None, words


# ---------------------------------------------------------------- lookup scoring


class _Label:
    """A folded label (or unit, or metric name) with its words split once."""

    __slots__ = ("text", "padded", "words", "wordset", "length")

    def __init__(self, text: str) -> None:
        self.text = text
        self.padded = f" {text} "
        self.words = tuple(text.split())
        self.wordset = frozenset(self.words)
        self.length = len(text)


def _word_hits(qwords: list[str], lwords: Sequence[str]) -> int:
    """How many query words occur as words of the label; the last one may be a prefix
    (the user is still typing it)."""
    hits = 0
    last = len(qwords) - 1
    for i, w in enumerate(qwords):
        if w in lwords or (i == last and any(lw.startswith(w) for lw in lwords)):
            hits += 1
    return hits


def _score(query: str, qwords: list[str], label: _Label) -> float:
    if not label.text or not qwords:
        return 0.0
    closeness = min(len(query) / label.length, 1.0) * 0.5
    if label.text == query:
        return 5.0
    padded = label.padded
    if f" {query} " in padded:
        return 4.0 + closeness
    if f" {query}" in padded:  # phrase whose last word is still being typed
        return 3.6 + closeness
    hits = 0
    last = len(qwords) - 1
    for i, w in enumerate(qwords):
        if w in label.wordset or (i == last and any(lw.startswith(w) for lw in label.words)):
            hits += 1
    if hits == len(qwords):
        return 3.0 + closeness
    if hits:
        return hits / len(qwords) * 0.9
    return 0.0


def label_score(query: str, qwords: list[str], label: str) -> float:
    """Exact folded phrase in label > all words in label > partial (> 0 only on a match).

    Within a level, labels closer in length to the query rank higher."""
    return _score(query, qwords, _Label(label))


def _metric_score(query: str, qwords: list[str], names: Sequence[_Label]) -> float:
    best = 0.0
    for name in names:
        s = _score(query, qwords, name)
        if s >= 3.0:
            best = max(best, 2.0 + (s - 3.0) / 10)
    return best


def metric_score(query: str, qwords: list[str], names: tuple[str, ...]) -> float:
    return _metric_score(query, qwords, [_Label(n) for n in names])


def _unit_score(query: str, qwords: list[str], unit: _Label) -> float:
    s = _score(query, qwords, unit)
    if s >= 3.0:
        return 1.5
    return min(s, 0.9)


def unit_score(query: str, qwords: list[str], unit: str) -> float:
    return _unit_score(query, qwords, _Label(unit))


# ---------------------------------------------------------------- the index


class ArchiveIndex:
    """Province / year / period sets, folded titles, and figure groups for lookup."""

    def __init__(
        self,
        metas: Iterable[ArticleMeta],
        figures: Mapping[str, Sequence[CompactFigure]],
        *,
        text_of: Callable[[str], str],
        provinces: ProvinceNames | None = None,
        metric_names: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self._setup(build(metas, figures), text_of, provinces, metric_names)
        self._text_search: Callable[[str, set[int] | None], set[int]] | None = None

    @classmethod
    def from_snapshot(
        cls,
        snapshot: Snapshot,
        *,
        text_of: Callable[[str], str] | None = None,
        text_search: Callable[[str, set[int] | None], set[int]] | None = None,
        provinces: ProvinceNames | None = None,
        metric_names: Mapping[str, tuple[str, ...]] | None = None,
        corrections: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> "ArchiveIndex":
        """`text_search(needle, among)`: the ranks whose body text holds the folded needle
        (the packed text index); else `text_of(id)` gives each article's text."""
        index = cls.__new__(cls)
        index._setup(snapshot, text_of or (lambda _id: ""), provinces, metric_names)
        index._text_search = text_search
        if corrections:
            index.set_corrections(corrections)
        return index

    def _setup(
        self,
        snap: Snapshot,
        text_of: Callable[[str], str],
        provinces: ProvinceNames | None,
        metric_names: Mapping[str, tuple[str, ...]] | None,
    ) -> None:
        self.snapshot = snap
        self._text_of = text_of
        gc_was_enabled = gc.isenabled()
        gc.disable()  # 100k new objects would trigger full collections that find nothing to free
        try:
            self._order: list[ArticleMeta] = snap.metas()
        finally:
            if gc_was_enabled:
                gc.enable()
        self._rank_of: dict[str, int] | None = None  # id -> rank, made on first use
        self.provinces = provinces or ProvinceNames(snap.provinces)
        self._metric_names = {k: tuple(_Label(x) for x in v) for k, v in (metric_names or {}).items()}
        # Province names as stored -> the key they are filtered and counted under; resolved
        # once per distinct name (63 or so), not once per article.
        self._pkey = [self.province_key(p) for p in snap.provinces]
        # Filters work on the snapshot's small codes: province id, year (0: none), period id;
        # the position sets are made on the first filter, not before the first paint.
        self._positions: tuple[dict[int, set[int]], ...] | None = None
        self._cells: Counter[tuple[int, int, int]] | None = None  # (province, year, period) -> articles
        self._title_folded: list[str] | None = None
        # Words of each distinct folded label and unit, split once (not once per query).
        self._flabels = [_Label(t) for t in snap.flabels]
        self._funits = [_Label(t) for t in snap.funits]
        self._key_gid = {k: i for i, k in enumerate(snap.keys)}
        self._fig_starts: list[int] | None = None
        # the corrections overlay: names beyond the snapshot's, and each corrected rank's
        # effective (province id, year, period id)
        self._province_names = list(snap.provinces)
        self._period_names = list(snap.periods)
        self._override: dict[int, tuple[int, int, int]] = {}
        self._corrections: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------ corrections overlay

    def set_corrections(self, corrections: Mapping[str, Mapping[str, Any]]) -> None:
        """Apply the user's corrections (article id -> corrected fields) over the parsed
        metadata, replacing the previous overlay. Costs the corrected articles, not the archive."""
        wanted = {aid: dict(f) for aid, f in corrections.items() if f}
        if wanted == self._corrections:
            return
        snap = self.snapshot
        for rank in self._corrected_ranks():
            self._order[rank] = snap.meta(rank)
        self._override = {}
        ranks = self._ranks()
        for aid, fields in wanted.items():
            found = ranks.get(aid)
            if found is None:
                continue  # a correction of an article this archive no longer has
            rank = found
            base = snap.meta(rank)
            meta = replace(
                base,
                title=fields.get("title", base.title),
                province=fields.get("province", base.province),
                report_year=fields.get("report_year", base.report_year),
                period=fields.get("period", base.period),
                corrected=tuple(k for k in CORRECTABLE if k in fields),
            )
            self._order[rank] = meta
            self._override[rank] = (
                self._code(self._province_names, meta.province, self._pkey),
                meta.report_year or 0,
                self._code(self._period_names, meta.period, None),
            )
        self._corrections = wanted
        self._positions = self._cells = self._title_folded = None  # rebuilt with the overlay

    def _corrected_ranks(self) -> list[int]:
        ranks = self._ranks()
        return [ranks[aid] for aid in self._corrections if aid in ranks]

    def _code(self, names: list[str], value: str | None, keys: list[str | None] | None) -> int:
        if not value:
            return -1
        try:
            return names.index(value)
        except ValueError:
            names.append(value)
            if keys is not None:
                keys.append(self.province_key(value))
            return len(names) - 1

    def codes(self, rank: int) -> tuple[int, int, int]:
        """Effective (province id, year, period id) of an article, corrections applied."""
        over = self._override.get(rank)
        if over is not None:
            return over
        snap = self.snapshot
        return snap.province[rank], snap.year[rank], snap.period[rank]

    # ------------------------------------------------------------ articles

    def __len__(self) -> int:
        return len(self._order)

    def all(self) -> list[ArticleMeta]:
        return list(self._order)

    def meta(self, article_id: str) -> ArticleMeta | None:
        r = self._ranks().get(article_id)
        return None if r is None else self._order[r]

    def rank(self, article_id: str) -> int | None:
        return self._ranks().get(article_id)

    def ids(self) -> Iterable[str]:
        return self._ranks().keys()

    def _ranks(self) -> dict[str, int]:
        if self._rank_of is None:
            self._rank_of = dict(zip(self.snapshot.ids, range(len(self.snapshot.ids))))
        return self._rank_of

    def _position_sets(self) -> tuple[dict[int, set[int]], ...]:
        if self._positions is None:
            snap = self.snapshot
            self._positions = tuple(
                {code: set(perm[starts[i] : starts[i + 1]]) for i, code in enumerate(codes)}
                for codes, perm, starts in (
                    (snap.province_codes, snap.province_perm, snap.province_start),
                    (snap.year_codes, snap.year_perm, snap.year_start),
                    (snap.period_codes, snap.period_perm, snap.period_start),
                )
            )
            for rank, new in self._override.items():
                old = (snap.province[rank], snap.year[rank], snap.period[rank])
                for positions, was, now in zip(self._positions, old, new):
                    if was != now:
                        positions[was].discard(rank)
                        positions.setdefault(now, set()).add(rank)
        return self._positions

    def figure_range(self, rank: int) -> tuple[int, int]:
        """The snapshot's figure indices of the article at `rank`: range(start, end)."""
        if self._fig_starts is None:
            self._fig_starts = self.snapshot.figure_starts()
        return self._fig_starts[rank], self._fig_starts[rank + 1]

    def province_key(self, name: str | None) -> str | None:
        if not name:
            return None
        return self.provinces.canonical(name) or name

    def _allowed(
        self, province: str | None, year: int | str | None, period: str | None, merged: bool
    ) -> tuple[set[int] | None, set[int] | None, set[int] | None]:
        """The province ids, years and period ids the set filters allow (None: no filter)."""
        pids = years = periods = None
        if province:
            if province.strip().lower() == UNKNOWN:
                pids = {-1}
            else:
                key = self.province_key(province) or province  # a non-empty name always has a key
                if merged:
                    unit = self.provinces.merged_unit(key)
                    pids = {p for p, k in enumerate(self._pkey) if k == key or (k is not None and self.provinces.merged_unit(k) == unit)}
                else:
                    pids = {p for p, k in enumerate(self._pkey) if k == key}
        if year is not None and year != "":
            if isinstance(year, str) and year.strip().lower() == UNKNOWN:
                years = {0}
            else:
                try:
                    years = {int(year)} if int(year) else set()
                except (TypeError, ValueError):
                    years = set()
        if period:
            wanted = period.strip().lower()
            if wanted == UNKNOWN:
                periods = {-1}
            else:
                periods = {i for i, name in enumerate(self._period_names) if name == wanted}
        return pids, years, periods

    def _candidates(
        self, province: str | None, year: int | str | None, period: str | None, merged: bool
    ) -> set[int] | None:
        """Ranks allowed by the set filters, or None for "no filter"."""
        sets: list[set[int]] = []
        allowed = self._allowed(province, year, period, merged)
        if all(values is None for values in allowed):
            return None
        for values, positions in zip(allowed, self._position_sets()):
            if values is not None:
                found = [positions[v] for v in values if v in positions]
                sets.append(found[0] if len(found) == 1 else set().union(*found))
        if not sets:
            return None
        sets.sort(key=len)
        result = set(sets[0])
        for s in sets[1:]:
            result &= s
        return result

    def _text_ranks(self, text: str, among: set[int] | None) -> set[int]:
        needle = " ".join(fold(text).split())
        if self._title_folded is None:  # folded on the first text filter, not at open
            self._title_folded = [" ".join(fold(m.title).split()) for m in self._order]
        titles, ids = self._title_folded, self.snapshot.ids
        pool = among if among is not None else range(len(ids))
        if self._text_search is not None:
            return {r for r in pool if needle in titles[r]} | self._text_search(needle, among)
        return {r for r in pool if needle in titles[r] or needle in self._text_of(ids[r])}

    def _select_ranks(
        self,
        *,
        province: str | None = None,
        year: int | str | None = None,
        period: str | None = None,
        text: str | None = None,
        merged: bool = False,
    ) -> set[int] | None:
        ranks = self._candidates(province, year, period, merged)
        if text and text.strip():
            ranks = self._text_ranks(text, ranks)
        return ranks

    def select(self, **filters: Any) -> list[ArticleMeta]:
        ranks = self._select_ranks(**filters)
        if ranks is None:
            return list(self._order)
        order = self._order
        return [order[r] for r in sorted(ranks)]

    def _counts(
        self,
        *,
        province: str | None = None,
        year: int | str | None = None,
        period: str | None = None,
        text: str | None = None,
        merged: bool = False,
    ) -> Counter[tuple[int, int, int]]:
        """Articles per (province id, year, period id) under the filters. Without a text
        filter this reads the precomputed table (a few thousand cells at 100k articles)."""
        snap = self.snapshot
        if text and text.strip():
            ranks = self._select_ranks(province=province, year=year, period=period, text=text, merged=merged)
            return Counter(map(self.codes, ranks or ()))
        if self._cells is None:
            self._cells = Counter({(p, y, q): c for p, y, q, c in snap.cells})
            for rank, new in self._override.items():
                self._cells[(snap.province[rank], snap.year[rank], snap.period[rank])] -= 1
                self._cells[new] += 1
            self._cells = +self._cells  # drop emptied cells
        pids, years, periods = self._allowed(province, year, period, merged)
        return Counter({
            cell: n for cell, n in self._cells.items()
            if (pids is None or cell[0] in pids) and (years is None or cell[1] in years)
            and (periods is None or cell[2] in periods)
        })

    def province_counts(self, *, merged: bool = False, **filters: Any) -> list[tuple[str | None, int]]:
        counts: Counter[str | None] = Counter()
        for (pid, _y, _p), n in self._counts(**filters).items():
            key = self._pkey[pid] if pid >= 0 else None
            if merged and key is not None:
                key = self.provinces.merged_unit(key)
            counts[key] += n
        return sorted(counts.items(), key=lambda kv: (kv[0] is None, fold(kv[0] or "")))

    def year_counts(self, **filters: Any) -> list[tuple[int | None, int]]:
        counts: Counter[int | None] = Counter()
        for (_pid, y, _p), n in self._counts(**filters).items():
            counts[y or None] += n
        return sorted(counts.items(), key=lambda kv: (kv[0] is None, -(kv[0] or 0)))

    def period_counts(self, **filters: Any) -> list[tuple[str | None, int]]:
        periods = self._period_names
        counts: Counter[str | None] = Counter()
        for (_pid, _y, p), n in self._counts(**filters).items():
            counts[periods[p] if p >= 0 else None] += n
        rank: dict[str | None, int] = {p: i for i, p in enumerate(PERIODS)}
        return sorted(counts.items(), key=lambda kv: (kv[0] is None, rank.get(kv[0], len(rank)), kv[0] or ""))

    # ------------------------------------------------------------ figure lookup

    def _groups(self, q: str, words: list[str]) -> list[tuple[float, int, int]]:
        """Matching groups, best first: (score, kind, group id).
        Ties keep the order labels, metric names, units (each in first-seen order)."""
        snap = self.snapshot
        scored: list[tuple[float, int, int]] = []  # (score, kind, group): kinds 0 label, 1 key, 2 unit
        for gid, label in enumerate(self._flabels):
            s = _score(q, words, label)
            if s > 0:
                scored.append((s, 0, gid))
        for key, names in self._metric_names.items():
            kgid = self._key_gid.get(key)
            if kgid is not None and snap.key_start[kgid + 1] > snap.key_start[kgid]:
                s = _metric_score(q, words, names)
                if s > 0:
                    scored.append((s, 1, kgid))
        for gid, unit in enumerate(self._funits):
            s = _unit_score(q, words, unit)
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
        words = fold_words(query or "").split()
        if year is None:
            years = [w for w in words if _YEAR.match(w)]
            if years:
                year = int(years[0])
                words = [w for w in words if w != years[0]]
        if province is None:
            found, rest = self.provinces.find_in_words(words)
            if found and rest:
                province, words = found, rest
        if not words:
            return []
        q = " ".join(words)
        allowed = self._candidates(province, year, period, merged)
        fig_article = self.snapshot.fig_article
        matches: list[tuple[int, float]] = []
        seen: set[int] = set()
        for score, members in self._members(self._groups(q, words), allowed):
            # best groups first: the first time a figure is seen is its best score
            for fi in members:
                if fi in seen or (allowed is not None and fig_article[fi] not in allowed):
                    continue
                seen.add(fi)
                matches.append((fi, score))
        return matches

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
        found = self._matches(query, province, year, period, merged)
        snap = self.snapshot
        fig_article = snap.fig_article
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


def sort_newest_first(metas: Iterable[ArticleMeta]) -> list[ArticleMeta]:
    """Published (or event) date descending, undated last, then title."""
    return sort_key_newest_first(metas)
