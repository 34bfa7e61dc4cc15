"""A compact, derived copy of what listing and lookup need: `archive.snapshot` next to archive.json.

Why: archive.json (TinyDB, the store of record) is one JSON document; at 100,000 articles it is
~220 MB and parsing it takes ~10 s and ~1.5 GB. The app only needs, per article, the list row
(id, title, province, year, period, dates, source URL, number of figures, corrected fields) and, per figure,
(article, position, value, unit, label, key, display). Those are written here as columns: a small
JSON header with the distinct strings (provinces, labels, units, keys, each once) and raw
machine arrays (`array('i')`, `array('d')`) and NUL-joined UTF-8 string columns, so loading is a
file read plus a few `str.split` calls and memoryview casts, with no per-figure Python objects.

The metadata columns are the parsed values: the user's corrections live in corrections.json
and are applied over the snapshot when the archive opens, so a correction never rebuilds it.
`corrections` (header) is only the legacy table of an archive.json from before that file.

Everything is precomputed at write time, where the cost is paid once per batch rather than once
per app start: the newest-first order (articles are stored in it), the lookup groups (figures
grouped by folded label, folded unit and metric key, each group a contiguous run of a
permutation array, members newest first) and, for `Archive.get`, each full TinyDB record
(minus the compact figures) as an orjson blob read on demand.

The file format, its checksums and its reader are in snapshot_file.py.
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate, chain, repeat
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from tongket.store.derived.snapshot_columns import Pieces, as_list, url_or_none
from tongket.store.record import CORRECTABLE, FIGURE_KINDS, ArticleMeta, CompactFigure
from tongket.store.lang.text import fold, fold_words

SNAPSHOT_FILE = "archive.snapshot"  # the file format: snapshot_file.py

Signature = tuple[int, int, int]  # (mtime_ns, size, inode) of the store of record


def sort_key_newest_first(metas: Iterable[ArticleMeta]) -> list[ArticleMeta]:
    """Published (or event) date descending, undated last, then folded title and id.
    Each title is folded once (the sort key is computed once per item)."""
    by_title = sorted(metas, key=lambda m: (fold(m.title), m.id))
    return sorted(by_title, key=lambda m: (m.published or m.event_date or ""), reverse=True)


class Interner:
    """Distinct strings, each given a small integer in first-seen order; given `items` (an
    old table continued), old strings keep their ids and new ones come after."""

    def __init__(self, items: Sequence[str] = ()) -> None:
        self.items: list[str] = list(items)
        self.ids: dict[str, int] = {s: i for i, s in enumerate(self.items)}

    def __call__(self, value: str | None) -> int:
        if value is None:
            return -1
        i = self.ids.get(value)
        if i is None:
            i = self.ids[value] = len(self.items)
            self.items.append(value)
        return i


def by_code(codes: Sequence[int]) -> tuple[list[int], array, array]:
    """Distinct codes (sorted) and the positions of each as runs of a permutation."""
    values = sorted(set(codes))
    index = {v: i for i, v in enumerate(values)}
    perm, starts = _groups([index[c] for c in codes], len(values))
    return values, perm, starts


def _groups(keys: Sequence[int], n_groups: int) -> tuple[array, array]:
    """Bucket sort of figure indices by group: (permutation, starts), group g's members are
    perm[starts[g]:starts[g + 1]], in ascending figure order (newest article first)."""
    buckets: list[list[int]] = [[] for _ in range(n_groups + 1)]  # the last one takes key -1
    appenders = [b.append for b in buckets]
    for fi, g in enumerate(keys):
        appenders[g](fi)
    del buckets[-1]
    perm = array("i", chain.from_iterable(buckets))
    starts = array("i", accumulate(map(len, buckets), initial=0))
    return perm, starts


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Articles in newest-first order (position = rank) and their figures, in rank order."""

    source: Signature | None  # archive.json signature this was built from (None: in memory only)
    generation: int
    schema: int
    # articles, by rank
    ids: list[str]
    refs: list[str]  # body file ref when it differs from the id, else ""
    titles: list[str]
    province: Sequence[int]  # index into `provinces`, -1: none
    year: Sequence[int]  # 0: none
    period: Sequence[int]  # index into `periods`, -1: none
    published: list[str | None]
    event_date: list[str | None]
    source_urls: list[str | None]  # the stored record's "source_url" (a string, else None)
    n_figures: Sequence[int]
    corrected: Sequence[int]  # bit i set: CORRECTABLE[i] corrected
    provinces: list[str]
    periods: list[str]
    corrections: dict[str, dict[str, Any]]
    # figures, in rank order then position in the article
    fig_article: Sequence[int]
    fig_pos: Sequence[int]
    fig_value: Sequence[float]
    fig_unit: Sequence[int]  # index into `units`, -1: none
    fig_label: Sequence[int]  # index into `labels`, -1: none
    fig_key: Sequence[int]  # index into `keys`, -1: none
    fig_qual: Sequence[int]  # index into `qualifiers`, -1: none
    fig_kind: Sequence[int]  # index into FIGURE_KINDS
    display_blob: bytes | memoryview | Pieces  # Pieces: a merge's, joined when read
    display_off: Sequence[int]  # n_figures + 1 offsets into display_blob
    units: list[str]
    labels: list[str]
    keys: list[str]
    qualifiers: list[str]
    # lookup groups: folded label / folded unit / key -> contiguous runs of a permutation
    flabels: list[str]
    flabel_perm: Sequence[int]
    flabel_start: Sequence[int]
    funits: list[str]
    funit_perm: Sequence[int]
    funit_start: Sequence[int]
    key_perm: Sequence[int]  # groups are `keys`
    key_start: Sequence[int]
    label_flabel: list[int]  # raw label id -> folded label group (-1: empty label)
    unit_funit: list[int]  # raw unit id -> folded unit group
    # filters and pickers: the articles of each province / year / period code (a contiguous
    # run of a permutation, ranks ascending) and the article count of each
    # (province, year, period) cell, so a picker sums a few thousand cells, not 100k rows
    province_codes: list[int]
    province_perm: Sequence[int]
    province_start: Sequence[int]
    year_codes: list[int]
    year_perm: Sequence[int]
    year_start: Sequence[int]
    period_codes: list[int]
    period_perm: Sequence[int]
    period_start: Sequence[int]
    cells: list[list[int]]  # [province code, year, period code, articles]
    record_of: Callable[[int], dict[str, Any] | None] = field(default=lambda _rank: None, repr=False)
    record_bytes: Callable[[int], bytes | None] = field(default=lambda _rank: None, repr=False)  # stored blob
    identity: Callable[[], Any] = field(default=lambda: None, repr=False)  # the ingest identity maps' saved bytes, if any
    # where the stored records are read from when saved again (snapshot_file: the file they
    # are in; a merge: its parts), so a save streams them instead of holding every blob
    records_file: Any = field(default=None, repr=False)
    stored: Callable[[], Any] = field(default=lambda: None, repr=False)
    path: Any = field(default=None, repr=False)  # the file it was read from (None: built here); figure_counts.py

    @classmethod
    def with_loaders(cls, values: Mapping[str, Any], loaders: Mapping[str, Callable[[], Any]]) -> "Snapshot":
        """A snapshot whose fields in `loaders` are made on first use (snapshot_file.py: a column
        is checked and decoded when read: `list --province` skips the 110 MB of figures)."""
        snap = object.__new__(cls)
        snap.__dict__.update(values, _loaders=dict(loaders))  # frozen: set as __init__ would
        return snap

    if not TYPE_CHECKING:  # for mypy every field stays what it is declared as

        def __getattr__(self, name: str) -> Any:
            """A field not made yet, made now and kept (two threads may both make it: the same value)."""
            load = self.__dict__.get("_loaders", {}).get(name)
            if load is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            value = load()
            object.__setattr__(self, name, value)
            return value

    def __len__(self) -> int:
        return len(self.province)  # an array: a mapped snapshot checks 0.4 MB, not the 2.5 MB of ids

    def meta(self, rank: int) -> ArticleMeta:
        prov = self.province[rank]
        per = self.period[rank]
        bits = self.corrected[rank]
        return ArticleMeta(
            id=self.ids[rank],
            title=self.titles[rank],
            province=self.provinces[prov] if prov >= 0 else None,
            report_year=self.year[rank] or None,
            period=self.periods[per] if per >= 0 else None,
            published=self.published[rank],
            event_date=self.event_date[rank],
            n_figures=self.n_figures[rank],
            corrected=tuple(name for i, name in enumerate(CORRECTABLE) if bits >> i & 1) if bits else (),
        )

    def metas(self, ranks: Sequence[int] | None = None) -> list[ArticleMeta]:
        """The list rows of `ranks` (default: every article, by rank): `meta` for each,
        column-wise (map over columns instead of a Python call per article: this is most of
        the time of an open, and of a first text filter that lists ~88k of 100k)."""
        names = list(self.provinces) + [None]  # code -1 -> None
        periods = list(self.periods) + [None]
        flags = [tuple(n for i, n in enumerate(CORRECTABLE) if bits >> i & 1) for bits in range(1 << len(CORRECTABLE))]
        columns: list[Any] = [self.ids, self.titles, self.province, self.year, self.period, self.published,
                              self.event_date, self.n_figures, self.corrected]
        if ranks is not None:  # a string column read in place (Strings: a Python call per item) split whole
            columns = [map(as_list(c).__getitem__, ranks) for c in columns]
        ids, titles, province, year, period, published, event_date, n_figures, corrected = columns
        return list(map(ArticleMeta, ids, titles, map(names.__getitem__, province), [y or None for y in year],
                        map(periods.__getitem__, period), published, event_date, n_figures,
                        map(flags.__getitem__, corrected)))

    def display(self, fi: int) -> str:
        return str(self.display_blob[self.display_off[fi] : self.display_off[fi + 1]], "utf-8")

    def compact_figure(self, fi: int) -> CompactFigure:
        """The figure as archive.json keeps it."""
        u, lab, k, q = self.fig_unit[fi], self.fig_label[fi], self.fig_key[fi], self.fig_qual[fi]
        return CompactFigure(
            self.fig_value[fi],
            self.units[u] if u >= 0 else None,
            self.labels[lab] if lab >= 0 else None,  # type: ignore[arg-type]
            self.keys[k] if k >= 0 else None,
            self.display(fi),
            self.qualifiers[q] if q >= 0 else None,
            FIGURE_KINDS[self.fig_kind[fi]],
        )

    def figure_rows(self, start: int, end: int) -> list[list[Any]]:
        """Figures start..end as archive.json's compact rows (what `build` takes back), read
        straight from the columns: merging a batch into a snapshot re-reads old rows this way."""
        units, labels, keys, quals = self.units, self.labels, self.keys, self.qualifiers
        rows = []
        for fi in range(start, end):
            u, lab, k, q = self.fig_unit[fi], self.fig_label[fi], self.fig_key[fi], self.fig_qual[fi]
            row = [self.fig_value[fi], units[u] if u >= 0 else None, labels[lab] if lab >= 0 else None,
                   keys[k] if k >= 0 else None, self.display(fi)]
            kind = FIGURE_KINDS[self.fig_kind[fi]]
            if q >= 0 or kind != "actual":  # trailing defaults left out, as CompactFigure.row does
                row.append(quals[q] if q >= 0 else None)
                if kind != "actual":
                    row.append(kind)
            rows.append(row)
        return rows

    def figure_starts(self) -> list[int]:
        """First figure index of each article (prefix sums of n_figures), and the end."""
        return list(accumulate(self.n_figures, initial=0))


# ---------------------------------------------------------------- building


def build(
    metas: Iterable[ArticleMeta],
    figures: Mapping[str, Sequence[Sequence[Any]]],
    *,
    corrections: Mapping[str, Mapping[str, Any]] | None = None,
    source: Signature | None = None,
    generation: int = 0,
    record_of: Callable[[int], dict[str, Any] | None] | None = None,
    record_bytes: Callable[[int], bytes | None] | None = None,
    fold_cache: dict[str, str] | None = None,
    refs: Mapping[str, str] | None = None,
    urls: Mapping[str, Any] | None = None,
    schema: int = 1,
) -> Snapshot:
    """A snapshot of effective (corrected) metadata and compact figures; `urls`: id -> "source_url".
    `fold_cache` (folded label/unit by raw string) may be kept by the caller across builds:
    the same few thousand labels come back in every batch of an ingest."""
    order = sort_key_newest_first(metas)
    provinces, periods = Interner(), Interner()
    units, labels, keys, quals = Interner(), Interner(), Interner(), Interner()
    kind_code = {kind: i for i, kind in enumerate(FIGURE_KINDS)}
    flabels, funits = Interner(), Interner()
    folded_cache = fold_cache if fold_cache is not None else {}

    def folded(s: str) -> str:
        f = folded_cache.get(s)
        if f is None:
            f = folded_cache[s] = fold_words(s)
        return f

    n = len(order)
    province = array("i", [0]) * n
    year = array("i", [0]) * n
    period = array("i", [0]) * n
    n_figures = array("i", [0]) * n
    corrected = array("i", [0]) * n
    fig_article, fig_pos = array("i"), array("i")
    fig_qual, fig_kind = array("h"), array("b")
    values: list[float] = []
    displays: list[str] = []
    # A figure's (unit, label, key) is one of a few thousand combinations: intern and fold
    # each combination once, keep one small id per figure, and expand the columns at the end.
    combo_ids: dict[tuple[Any, Any, Any], int] = {}
    combos: list[tuple[int, int, int, int, int]] = []  # (unit, label, key, folded label, folded unit)
    combo_of: list[int] = []
    label_folded: dict[int, int] = {}  # raw label id -> folded label id (-1: empty)
    unit_folded: dict[int, int] = {}
    for rank, m in enumerate(order):
        province[rank] = provinces(m.province or None)
        year[rank] = m.report_year or 0
        period[rank] = periods(m.period or None)
        corrected[rank] = sum(1 << i for i, name in enumerate(CORRECTABLE) if name in m.corrected)
        figs = figures.get(m.id) or ()
        count = len(figs)
        n_figures[rank] = count
        if not count:
            continue
        fig_article.extend(repeat(rank, count))
        fig_pos.extend(range(count))
        for row in figs:
            value, unit, label, key, display = row[:5]
            fig_qual.append(quals(row[5]) if len(row) > 5 and row[5] else -1)
            fig_kind.append(kind_code.get(row[6], 0) if len(row) > 6 else 0)
            values.append(value)
            displays.append(display or "")
            ck = (unit, label, key)
            cid = combo_ids.get(ck)
            if cid is None:
                lid = labels(label)
                fl = label_folded.get(lid)
                if fl is None:
                    fl = label_folded[lid] = flabels(folded(label)) if label else -1
                uid = units(unit)
                fu = unit_folded.get(uid)
                if fu is None:
                    fu = unit_folded[uid] = funits(folded(unit)) if unit else -1
                cid = combo_ids[ck] = len(combos)
                combos.append((uid, lid, keys(key) if key else -1, fl, fu))
            combo_of.append(cid)
    fig_value = array("d", map(float, values))
    fig_unit, fig_label, fig_key, flabel_of, funit_of = (
        array("i", map(column.__getitem__, combo_of)) for column in map(list, zip(*combos) if combos else [()] * 5)
    )
    encoded = [d.encode("utf-8") for d in displays]
    blob = b"".join(encoded)
    display_off = array("q", accumulate(map(len, encoded), initial=0))
    flabel_perm, flabel_start = _groups(flabel_of, len(flabels.items))
    funit_perm, funit_start = _groups(funit_of, len(funits.items))
    key_perm, key_start = _groups(fig_key, len(keys.items))
    province_codes, province_perm, province_start = by_code(province)
    year_codes, year_perm, year_start = by_code(year)
    period_codes, period_perm, period_start = by_code(period)
    cells = [[p, y, q, c] for (p, y, q), c in Counter(zip(province, year, period)).items()]
    return Snapshot(
        source=source,
        generation=generation,
        schema=schema,
        ids=[m.id for m in order],
        refs=[(refs.get(m.id) or m.id) if refs else m.id for m in order],
        titles=[m.title for m in order],
        province=province,
        year=year,
        period=period,
        published=[m.published or None for m in order],
        event_date=[m.event_date or None for m in order],
        source_urls=[url_or_none(urls.get(m.id)) if urls else None for m in order],
        n_figures=n_figures,
        corrected=corrected,
        provinces=provinces.items,
        periods=periods.items,
        corrections={k: dict(v) for k, v in (corrections or {}).items() if v},
        fig_article=fig_article,
        fig_pos=fig_pos,
        fig_value=fig_value,
        fig_unit=fig_unit,
        fig_label=fig_label,
        fig_key=fig_key,
        fig_qual=fig_qual,
        fig_kind=fig_kind,
        display_blob=blob,
        display_off=display_off,
        units=units.items,
        labels=labels.items,
        keys=keys.items,
        qualifiers=quals.items,
        flabels=flabels.items,
        flabel_perm=flabel_perm,
        flabel_start=flabel_start,
        funits=funits.items,
        funit_perm=funit_perm,
        funit_start=funit_start,
        key_perm=key_perm,
        key_start=key_start,
        label_flabel=[label_folded[i] for i in range(len(labels.items))],
        unit_funit=[unit_folded[i] for i in range(len(units.items))],
        province_codes=province_codes,
        province_perm=province_perm,
        province_start=province_start,
        year_codes=year_codes,
        year_perm=year_perm,
        year_start=year_start,
        period_codes=period_codes,
        period_perm=period_perm,
        period_start=period_start,
        cells=cells,
        record_of=record_of or (lambda _rank: None),
        record_bytes=record_bytes or (lambda _rank: None),
    )
