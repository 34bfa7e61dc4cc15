"""In-memory indexes over the archive's metadata, built once per load.

Listing, filtering and figure lookup must stay fast at 100,000 articles and 1.5M figures
(filter ≤ 100 ms, lookup ≤ 50 ms per keystroke), and TinyDB has no indexes (tinydb #316).
So the archive hands this module plain records once and asks it questions; nothing here
touches the disk except through the `text_of` callback, which keeps the module ready to
be fed from a compact derived cache file instead of the archive itself.

Figure lookup folds each distinct label once (a few thousand at 100k articles) and maps
labels back to figures, so a query scans labels, not figures.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from .record import PERIODS, ArticleMeta, FigureHit
from .text import fold, fold_words

UNKNOWN = "unknown"  # filter value meaning "no value" (no province / no year / no period)

# Compact figure as the archive keeps it in memory and on disk: [value, unit, label, key, display]
CompactFigure = Sequence[Any]

_YEAR = re.compile(r"^(19[5-9]\d|20\d\d|2100)$")


# ---------------------------------------------------------------- provinces


def _load_province_table() -> Any | None:
    try:
        from .provinces import load_provinces
    except ImportError:
        return None
    return load_provinces()


def _load_metric_names() -> dict[str, tuple[str, ...]]:
    """Folded Vietnamese and English metric names by key, from the catalogue when present."""
    try:
        from .metrics import load_catalogue
    except ImportError:
        return {}
    names: dict[str, tuple[str, ...]] = {}
    for entry in load_catalogue().entries:
        folded = tuple(
            fold_words(n) for n in (getattr(entry, "name_vi", None), getattr(entry, "name_en", None)) if n
        )
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
        if self._table is not None:
            try:
                found = self._table.canonical(name)
            except Exception:  # a resolver bug must not break filtering
                found = None
            if found:
                return found
        return self._known.get(fold(name).strip())

    def merged_unit(self, name: str) -> str:
        if self._table is not None:
            try:
                unit = self._table.merged_unit(name)
            except Exception:
                unit = None
            if unit:
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


def _word_hits(qwords: list[str], lwords: list[str]) -> int:
    """How many query words occur as words of the label; the last one may be a prefix
    (the user is still typing it)."""
    hits = 0
    last = len(qwords) - 1
    for i, w in enumerate(qwords):
        if w in lwords or (i == last and any(lw.startswith(w) for lw in lwords)):
            hits += 1
    return hits


def label_score(query: str, qwords: list[str], label: str) -> float:
    """Exact folded phrase in label > all words in label > partial (> 0 only on a match).

    Within a level, labels closer in length to the query rank higher."""
    if not label or not qwords:
        return 0.0
    closeness = min(len(query) / len(label), 1.0) * 0.5
    if label == query:
        return 5.0
    padded = f" {label} "
    if f" {query} " in padded:
        return 4.0 + closeness
    if f" {query}" in padded:  # phrase whose last word is still being typed
        return 3.6 + closeness
    lwords = label.split()
    hits = _word_hits(qwords, lwords)
    if hits == len(qwords):
        return 3.0 + closeness
    if hits:
        return hits / len(qwords) * 0.9
    return 0.0


def metric_score(query: str, qwords: list[str], names: tuple[str, ...]) -> float:
    best = 0.0
    for name in names:
        s = label_score(query, qwords, name)
        if s >= 3.0:
            best = max(best, 2.0 + (s - 3.0) / 10)
    return best


def unit_score(query: str, qwords: list[str], unit: str) -> float:
    s = label_score(query, qwords, unit)
    if s >= 3.0:
        return 1.5
    return min(s, 0.9)


# ---------------------------------------------------------------- the index


@dataclass(frozen=True, slots=True)
class _Group:
    score: float
    members: tuple[tuple[str, int], ...]  # (article id, figure index), best first


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
        self._order: list[ArticleMeta] = sort_newest_first(metas)
        self._by_id = {m.id: m for m in self._order}
        self._figures = figures
        self._text_of = text_of
        self.provinces = provinces or ProvinceNames(m.province for m in self._order if m.province)
        self._metric_names = dict(metric_names or {})
        self._by_province: dict[str | None, set[str]] = defaultdict(set)
        self._by_year: dict[int | None, set[str]] = defaultdict(set)
        self._by_period: dict[str | None, set[str]] = defaultdict(set)
        self._title_folded: dict[str, str] = {}
        for m in self._order:
            self._by_province[self.province_key(m.province)].add(m.id)
            self._by_year[m.report_year].add(m.id)
            self._by_period[m.period].add(m.id)
            self._title_folded[m.id] = " ".join(fold(m.title).split())
        self._lookup_built = False
        self._labels: dict[str, list[tuple[str, int]]] = {}
        self._units: dict[str, list[tuple[str, int]]] = {}
        self._keys: dict[str, list[tuple[str, int]]] = {}

    # ------------------------------------------------------------ articles

    def __len__(self) -> int:
        return len(self._order)

    def all(self) -> list[ArticleMeta]:
        return list(self._order)

    def meta(self, article_id: str) -> ArticleMeta | None:
        return self._by_id.get(article_id)

    def ids(self) -> Iterable[str]:
        return self._by_id.keys()

    def province_key(self, name: str | None) -> str | None:
        if not name:
            return None
        return self.provinces.canonical(name) or name

    def _province_ids(self, province: str, merged: bool) -> set[str]:
        if province.strip().lower() == UNKNOWN:
            return self._by_province.get(None, set())
        key = self.province_key(province)
        if not merged:
            return self._by_province.get(key, set())
        unit = self.provinces.merged_unit(key)
        out: set[str] = set()
        for name, ids in self._by_province.items():
            if name is not None and (name == key or self.provinces.merged_unit(name) == unit):
                out |= ids
        return out

    def _candidates(
        self, province: str | None, year: int | str | None, period: str | None, merged: bool
    ) -> set[str] | None:
        """Ids allowed by the set filters, or None for "no filter"."""
        sets: list[set[str]] = []
        if province:
            sets.append(self._province_ids(province, merged))
        if year is not None and year != "":
            if isinstance(year, str) and year.strip().lower() == UNKNOWN:
                sets.append(self._by_year.get(None, set()))
            else:
                try:
                    sets.append(self._by_year.get(int(year), set()))
                except (TypeError, ValueError):
                    sets.append(set())
        if period:
            key = None if period.strip().lower() == UNKNOWN else period.strip().lower()
            sets.append(self._by_period.get(key, set()))
        if not sets:
            return None
        sets.sort(key=len)
        result = set(sets[0])
        for s in sets[1:]:
            result &= s
        return result

    def _text_ids(self, text: str, among: set[str] | None) -> set[str]:
        needle = " ".join(fold(text).split())
        pool = among if among is not None else self._by_id.keys()
        out: set[str] = set()
        for aid in pool:
            if needle in self._title_folded.get(aid, "") or needle in self._text_of(aid):
                out.add(aid)
        return out

    def select_ids(
        self,
        *,
        province: str | None = None,
        year: int | str | None = None,
        period: str | None = None,
        text: str | None = None,
        merged: bool = False,
    ) -> set[str] | None:
        ids = self._candidates(province, year, period, merged)
        if text and text.strip():
            ids = self._text_ids(text, ids)
        return ids

    def select(self, **filters: Any) -> list[ArticleMeta]:
        ids = self.select_ids(**filters)
        if ids is None:
            return list(self._order)
        return [m for m in self._order if m.id in ids]

    def _metas(self, ids: set[str] | None) -> Iterable[ArticleMeta]:
        if ids is None:
            return self._order
        return (self._by_id[i] for i in ids)

    def province_counts(self, *, merged: bool = False, **filters: Any) -> list[tuple[str | None, int]]:
        counts: Counter[str | None] = Counter()
        for m in self._metas(self.select_ids(**filters)):
            key = self.province_key(m.province)
            if merged and key is not None:
                key = self.provinces.merged_unit(key)
            counts[key] += 1
        return sorted(counts.items(), key=lambda kv: (kv[0] is None, fold(kv[0] or "")))

    def year_counts(self, **filters: Any) -> list[tuple[int | None, int]]:
        counts = Counter(m.report_year for m in self._metas(self.select_ids(**filters)))
        return sorted(counts.items(), key=lambda kv: (kv[0] is None, -(kv[0] or 0)))

    def period_counts(self, **filters: Any) -> list[tuple[str | None, int]]:
        counts = Counter(m.period for m in self._metas(self.select_ids(**filters)))
        rank = {p: i for i, p in enumerate(PERIODS)}
        return sorted(counts.items(), key=lambda kv: (kv[0] is None, rank.get(kv[0], len(rank)), kv[0] or ""))

    # ------------------------------------------------------------ figure lookup

    def _build_lookup(self) -> None:
        """Group figures by folded label, folded unit and metric key (each folded once)."""
        fold_cache: dict[str, str] = {}

        def folded(s: str) -> str:
            f = fold_cache.get(s)
            if f is None:
                f = fold_cache[s] = fold_words(s)
            return f

        labels: dict[str, list[tuple[str, int]]] = defaultdict(list)
        units: dict[str, list[tuple[str, int]]] = defaultdict(list)
        keys: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for m in self._order:  # newest first, so every group lists newest figures first
            for i, fig in enumerate(self._figures.get(m.id, ())):
                _value, unit, label, key, _display = fig
                if label:
                    labels[folded(label)].append((m.id, i))
                if unit:
                    units[folded(unit)].append((m.id, i))
                if key:
                    keys[key].append((m.id, i))
        self._labels, self._units, self._keys = dict(labels), dict(units), dict(keys)
        self._lookup_built = True

    def lookup(
        self,
        query: str,
        *,
        province: str | None = None,
        year: int | str | None = None,
        period: str | None = None,
        merged: bool = False,
        limit: int = 200,
    ) -> list[FigureHit]:
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
        if not self._lookup_built:
            self._build_lookup()
        q = " ".join(words)
        groups: list[_Group] = []
        for label, members in self._labels.items():
            s = label_score(q, words, label)
            if s > 0:
                groups.append(_Group(s, tuple(members)))
        for key, names in self._metric_names.items():
            members = self._keys.get(key)
            if members:
                s = metric_score(q, words, names)
                if s > 0:
                    groups.append(_Group(s, tuple(members)))
        for unit, members in self._units.items():
            s = unit_score(q, words, unit)
            if s > 0:
                groups.append(_Group(s, tuple(members)))
        groups.sort(key=lambda g: -g.score)

        allowed = self._candidates(province, year, period, merged)
        hits: list[FigureHit] = []
        seen: set[tuple[str, int]] = set()
        for group in groups:  # best groups first: the first time a figure is seen is its best score
            for member in group.members:
                if member in seen or (allowed is not None and member[0] not in allowed):
                    continue
                seen.add(member)
                hits.append(self._hit(member, group.score))
                if len(hits) >= limit:
                    return hits
        return hits

    def _hit(self, member: tuple[str, int], score: float) -> FigureHit:
        aid, i = member
        m = self._by_id[aid]
        value, unit, label, key, display = self._figures[aid][i]
        return FigureHit(
            article_id=aid,
            figure_index=i,
            province=m.province,
            report_year=m.report_year,
            period=m.period,
            value=value,
            unit=unit,
            label=label,
            key=key,
            display=display,
            score=round(score, 4),
        )


def sort_newest_first(metas: Iterable[ArticleMeta]) -> list[ArticleMeta]:
    """Published (or event) date descending, undated last, then title."""
    by_title = sorted(metas, key=lambda m: (fold(m.title), m.id))
    return sorted(by_title, key=lambda m: (m.published or m.event_date or ""), reverse=True)
