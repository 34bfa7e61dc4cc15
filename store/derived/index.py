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

from collections import Counter
from dataclasses import replace
from typing import Any, Callable, Iterable, Mapping, Sequence

from tongket.store.derived.figure_lookup import FigureLookup
from tongket.store.derived.index_rows import Rows
from tongket.store.derived.names import ProvinceNames
from tongket.store.derived.scoring import Label
from tongket.store.derived.snapshot import Snapshot, build, sort_key_newest_first
from tongket.store.derived.text_filter import FoldedTitles, TextFilter
from tongket.store.lang.text import fold, fold_words, nfc
from tongket.store.record import CORRECTABLE, PERIODS, ArticleMeta

UNKNOWN = "unknown"  # filter value meaning "no value" (no province / no year / no period)

# Compact figure as the archive keeps it (see record.CompactFigure)
CompactFigure = Sequence[Any]


# ---------------------------------------------------------------- the index

class ArchiveIndex(FigureLookup, TextFilter):
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
        self._order = Rows(snap)
        self._rank_of: dict[str, int] | None = None  # id -> rank, made on first use
        self.provinces = provinces or ProvinceNames(snap.provinces)
        self._metric_names_given = metric_names or {}
        # Province names as stored -> the key they are filtered and counted under; resolved
        # once per distinct name (63 or so), not once per article.
        self._pkey = [self.province_key(p) for p in snap.provinces]
        # Filters work on the snapshot's small codes: province id, year (0: none), period id;
        # the position sets are made per code on the first filter that names it, not before the first paint.
        self._positions: dict[tuple[int, int], set[int]] = {}
        self._cells: Counter[tuple[int, int, int]] | None = None  # (province, year, period) -> articles
        self._title_folded: FoldedTitles | None = None
        for made in ("_flabels", "_funits", "_metric_names"):  # lookup's tables, made on its first use
            self.__dict__.pop(made, None)
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
        for rank in self._override:
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
        self._positions = {}
        self._cells = self._title_folded = None  # rebuilt with the overlay

    def corrected_ranks(self) -> set[int]:
        return set(self._override)  # every corrected article's rank (the overlay's)

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
        return list(self._order.all())

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

    def _positions_at(self, dim: int, code: int) -> set[int]:
        """The ranks whose effective code in `dim` (0 province id, 1 year, 2 period id) is
        `code`, corrections applied. Made per code on first use: `list --province` at 100k
        reads the 1.6k ranks of one province, not the 300k of every set (~30 ms)."""
        found = self._positions.get((dim, code))
        if found is None:
            snap = self.snapshot
            name = ("province", "year", "period")[dim]  # only this dimension's columns are read (and checked)
            codes, perm, starts, column = (getattr(snap, f"{name}_codes"), getattr(snap, f"{name}_perm"),
                                           getattr(snap, f"{name}_start"), getattr(snap, name))
            i = codes.index(code) if code in codes else -1
            found = set(perm[starts[i] : starts[i + 1]]) if i >= 0 else set()
            for rank, new in self._override.items():
                if column[rank] != new[dim]:
                    if new[dim] == code:
                        found.add(rank)
                    else:
                        found.discard(rank)
            self._positions[(dim, code)] = found
        return found

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
        for dim, values in enumerate(allowed):
            if values is not None:
                found = [self._positions_at(dim, v) for v in values]
                sets.append(found[0] if len(found) == 1 else set().union(*found))
        if not sets:
            return None
        sets.sort(key=len)
        result = set(sets[0])
        for s in sets[1:]:
            result &= s
        return result

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

    def select_ranks(self, **filters: Any) -> list[int]:
        """The ranks of the articles `select` lists, in its order (for a caller that reads
        the snapshot's columns instead of making a row per article)."""
        ranks = self._select_ranks(**filters)
        return list(range(len(self._order))) if ranks is None else sorted(ranks)

    def select(self, **filters: Any) -> list[ArticleMeta]:
        ranks = self._select_ranks(**filters)
        if ranks is None:
            return list(self._order.all())
        return self._order.some(sorted(ranks))

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

def sort_newest_first(metas: Iterable[ArticleMeta]) -> list[ArticleMeta]:
    """Published (or event) date descending, undated last, then title."""
    return sort_key_newest_first(metas)
