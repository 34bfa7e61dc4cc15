"""New articles put into a snapshot without rebuilding it: the old columns are copied in runs
(buffer copies between the insertion points), only the new rows are interned and folded.

Why: `snapshot.build` walks every figure in Python (~2.5 s per 10k articles), so adding 1k
articles to 100k by a rebuild cost what the archive holds (issue 12). Here the work per old
row is a slice copy, and per old figure a C-level map (the figure groups' renumbering); new
strings get the next free ids of the string tables, so old codes stay valid. Articles that
replace stored ones (an update) still go through `build`: only additions come here.
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import replace
import sys
from bisect import bisect_left, bisect_right
from itertools import accumulate, repeat
from typing import Any, Callable, Mapping, Sequence

from tongket.store.derived.snapshot import Interner, Signature, Snapshot, by_code, sort_key_newest_first
from tongket.store.derived.snapshot_columns import NULLABLE, Pieces, Strings, url_or_none
from tongket.store.lang.text import fold, fold_words
from tongket.store.record import CORRECTABLE, FIGURE_KINDS, ArticleMeta


_ORDER = sys.byteorder


def _typecode(col: Any) -> str:
    return col.typecode if isinstance(col, array) else col.format


def _raw(part: Any) -> memoryview:
    """An array or memoryview slice as bytes, for `array.frombytes` (a copy at C speed)."""
    return memoryview(part).cast("B")


def _splice(old: Any, chunks: Sequence[Sequence[Any]], cuts: Sequence[int], typecode: str | None = None) -> Any:
    """`old` with chunk j put before old position cuts[j] (cuts ascending): a list, or an
    array of `typecode` (old runs copied as bytes)."""
    out: Any = [] if typecode is None else array(typecode)
    add_old = out.extend if typecode is None else (lambda part: out.frombytes(_raw(part)))
    prev = 0
    for cut, chunk in zip(cuts, chunks):
        if cut > prev:
            add_old(old[prev:cut])
        out.extend(chunk)
        prev = cut
    if len(old) > prev:
        add_old(old[prev:])
    return out


def _stored_strings(col: Sequence[Any]) -> tuple[bytes | memoryview, Sequence[int]]:
    """A string column as the snapshot file stores it (NUL-joined UTF-8, n + 1 starts): a
    mapped column's own bytes, a list encoded."""
    if isinstance(col, Strings):
        return col.raw()
    encoded = [(v or "").encode("utf-8") for v in col]
    return b"\x00".join(encoded), array("q", accumulate((len(e) + 1 for e in encoded), initial=0))


def _splice_strings(old_col: Sequence[Any], values: Sequence[str | None], cuts: Sequence[int], nullable: bool) -> Strings:
    """`old_col` with values[j] put before old position cuts[j], as stored bytes: the old runs
    copied undecoded. Why: splitting the old titles, ids and dates into 400k strings (~40 MB
    at 100k) and encoding them again to write was ~20% of the peak of adding 1k articles."""
    blob, starts = _stored_strings(old_col)
    pieces: list[bytes | memoryview] = []
    out = array("q")
    prev = at = 0

    def copy_old(cut: int) -> None:
        nonlocal prev, at
        if cut > prev:
            base = starts[prev]
            pieces.append(blob[base : starts[cut] - 1])
            out.frombytes(plus(starts[prev:cut], at - base))
            at += starts[cut] - base
            prev = cut

    for cut, value in zip(cuts, values):
        copy_old(cut)
        item = (value or "").encode("utf-8")
        pieces.append(item)
        out.append(at)
        at += len(item) + 1
    copy_old(len(starts) - 1)
    out.append(at)
    return Strings(b"\x00".join(pieces), out, len(out) - 1, nullable, lambda _values: None)


def _positions(old: Snapshot, order: Sequence[ArticleMeta]) -> list[int]:
    """Where each new article (newest-first) goes among the old ranks, by the snapshot's
    order (date descending, then folded title and id): a binary search each, folding only
    the old titles it compares with."""
    pub, ev, titles, ids = old.published, old.event_date, old.titles, old.ids
    folded: dict[int, str] = {}
    cuts: list[int] = []
    lo = 0
    for m in order:
        date = m.published or m.event_date or ""
        key = (fold(m.title), m.id)
        hi = len(ids)
        while lo < hi:
            mid = (lo + hi) // 2
            other = pub[mid] or ev[mid] or ""
            if other == date:
                ft = folded.get(mid)
                if ft is None:
                    ft = folded[mid] = fold(titles[mid])
                before = (ft, ids[mid]) < key
            else:
                before = other > date
            if before:
                lo = mid + 1
            else:
                hi = mid
        cuts.append(lo)
    return cuts


def plus(part: Any, c: int) -> bytes | memoryview:
    """Every lane of `part` (an array or memoryview of ints >= 0) plus `c`, as bytes, where
    every sum stays >= 0 and fits its lane: one big-integer addition over the whole buffer
    (no lane overflows or goes below 0, so no carry or borrow crosses lanes) instead of a
    Python step per element."""
    raw = _raw(part)
    if not c or not raw:
        return raw
    size = memoryview(part).itemsize
    ones = int.from_bytes((1).to_bytes(size, _ORDER) * (len(raw) // size), _ORDER)
    return (int.from_bytes(raw, _ORDER) + c * ones).to_bytes(len(raw), _ORDER)


_PER_PIECE = 3  # members per piece below which a group is renumbered through the index map


def _renumbered(run: Any, fcuts: Sequence[int], cum: Sequence[int], fmap: Callable[[], array]) -> bytes | memoryview:
    """Old figure indices (ascending) as the merged snapshot numbers them: fi + the count of
    new figures put before it, cum[bisect_right(fcuts, fi)]. A run with few pieces of one
    shift each in one big-integer addition of the run and its shifts (lanes of each piece's
    shift repeated, no carry crosses lanes); a scattered one through the index map. Why:
    ~3.5M members went through the map (~1 s of adding 1k to 100k), pieces cost a bisect."""
    n = len(run)
    if not n:
        return b""
    lo, hi = bisect_right(fcuts, run[0]), bisect_right(fcuts, run[-1])
    if n < _PER_PIECE * (hi - lo + 1):
        return _raw(array("i", map(fmap().__getitem__, run)))
    raw = _raw(run)
    size = len(raw) // n
    shifts: list[bytes] = []
    pos = 0
    for k in range(lo, hi):
        end = bisect_left(run, fcuts[k], pos)
        shifts.append(cum[k].to_bytes(size, _ORDER) * (end - pos))
        pos = end
    shifts.append(cum[hi].to_bytes(size, _ORDER) * (n - pos))
    return (int.from_bytes(raw, _ORDER) + int.from_bytes(b"".join(shifts), _ORDER)).to_bytes(len(raw), _ORDER)


def _with_members(run: array, more: Sequence[int]) -> array:
    """`run` (ascending) with `more` (ascending, none in `run`) put in order: runs of it
    copied between bisections, not a sort of the whole group (a unit's is ~800k)."""
    out, pos = array(run.typecode), 0
    for x in more:
        at = bisect_left(run, x, pos)
        out.frombytes(_raw(run[pos:at]))
        out.append(x)
        pos = at
    out.frombytes(_raw(run[pos:]))
    return out


def _regroup(old_perm: Sequence[int], old_start: Sequence[int], fcuts: Sequence[int], cum: Sequence[int],
             fmap: Callable[[], array], n_groups: int, extra: Mapping[int, list[int]]) -> tuple[array, array]:
    """Group runs (as `snapshot._groups` makes them) after renumbering the old figures
    (`_renumbered`) and adding the new figures' members (`extra`: group -> indices)."""
    perm, starts = array("i"), array("i", [0])
    n_old = len(old_start) - 1
    for g in range(n_groups):
        run = array("i")
        if g < n_old:
            run.frombytes(_renumbered(old_perm[old_start[g] : old_start[g + 1]], fcuts, cum, fmap))
        more = extra.get(g)
        perm.frombytes(_raw(_with_members(run, more) if more else run))
        starts.append(len(perm))
    return perm, starts


def _first_seen(perm: array, starts: array, items: list[str], codes: list[int]) -> tuple[array, array, list[str], list[int]]:
    """Groups renumbered in the order of their first member, as `build` numbers them (first
    seen newest first: lookup ties keep that order); `codes` (raw id -> group) remapped."""
    n = len(items)
    first = [perm[starts[g]] if starts[g + 1] > starts[g] else len(perm) + g for g in range(n)]
    order = sorted(range(n), key=first.__getitem__)
    if order == list(range(n)):
        return perm, starts, items, codes
    new_perm, new_starts = array("i"), array("i", [0])
    for g in order:
        new_perm.frombytes(_raw(perm[starts[g] : starts[g + 1]]))
        new_starts.append(len(new_perm))
    pos = [0] * n
    for i, g in enumerate(order):
        pos[g] = i
    return new_perm, new_starts, [items[g] for g in order], [pos[c] if c >= 0 else -1 for c in codes]


def insert(old: Snapshot, metas: Sequence[ArticleMeta], figures: Mapping[str, Sequence[Sequence[Any]]], *,
           refs: Mapping[str, str], urls: Mapping[str, Any], source: Signature | None, generation: int, schema: int,
           corrections: Mapping[str, Mapping[str, Any]], fold_cache: dict[str, str],
           record_bytes: Callable[[int], bytes | None], release: Callable[[], None] = lambda: None) -> Snapshot:
    """`old` with the articles `metas` (none of them in `old`) added, as `build` over all
    would make it, up to the numbering of the string tables. `record_bytes(new rank)` is
    the merged snapshot's stored blob reader; `release()` is called when old columns have
    been copied (a mapped snapshot lets go of their pages)."""
    order = sort_key_newest_first(metas)
    cuts = _positions(old, order)
    provinces, periods = Interner(old.provinces), Interner(old.periods)
    units, labels, keys, quals = Interner(old.units), Interner(old.labels), Interner(old.keys), Interner(old.qualifiers)
    flabels, funits = Interner(old.flabels), Interner(old.funits)
    label_flabel, unit_funit = list(old.label_flabel), list(old.unit_funit)
    kind_code = {kind: i for i, kind in enumerate(FIGURE_KINDS)}

    def folded(s: str) -> str:
        f = fold_cache.get(s)
        if f is None:
            f = fold_cache[s] = fold_words(s)
        return f

    def label_of(label: str | None) -> tuple[int, int]:
        lid = labels(label)
        if lid >= len(label_flabel):
            label_flabel.append(flabels(folded(label)) if label else -1)
        return lid, label_flabel[lid] if lid >= 0 else -1

    def unit_of(unit: str | None) -> tuple[int, int]:
        uid = units(unit)
        if uid >= len(unit_funit):
            unit_funit.append(funits(folded(unit)) if unit else -1)
        return uid, unit_funit[uid] if uid >= 0 else -1

    starts = old.figure_starts()
    fcuts = [starts[c] for c in cuts]
    # new figures, one list per column and per new article
    cols: dict[str, list[list[Any]]] = {n: [] for n in ("value", "unit", "label", "key", "qual", "kind", "display")}
    groups: tuple[dict[int, list[int]], dict[int, list[int]], dict[int, list[int]]] = ({}, {}, {})
    counts = []
    shift = 0
    for j, m in enumerate(order):
        figs = figures.get(m.id) or ()
        counts.append(len(figs))
        per: dict[str, list[Any]] = {n: [] for n in cols}
        first = fcuts[j] + shift
        for k, row in enumerate(figs):
            value, unit, label, key, display = row[:5]
            lid, fl = label_of(label)
            uid, fu = unit_of(unit)
            kid = keys(key) if key else -1
            per["value"].append(float(value))
            per["unit"].append(uid)
            per["label"].append(lid)
            per["key"].append(kid)
            per["qual"].append(quals(row[5]) if len(row) > 5 and row[5] else -1)
            per["kind"].append(kind_code.get(row[6], 0) if len(row) > 6 else 0)
            per["display"].append((display or "").encode("utf-8"))
            for table, code in zip(groups, (fl, fu, kid)):
                if code >= 0:
                    table.setdefault(code, []).append(first + k)
        for n in cols:
            cols[n].append(per[n])
        shift += len(figs)
    n_old_figs = len(old.fig_article)
    cum = list(accumulate(counts, initial=0))
    made: list[array] = []

    def fmap() -> array:
        """Old figure index -> new, made when a short group first needs it."""
        if not made:
            built = array("i")
            prev = 0
            for cut, moved in zip(fcuts, cum):
                built.extend(range(prev + moved, cut + moved))
                prev = cut
            built.extend(range(prev + cum[-1], n_old_figs + cum[-1]))
            made.append(built)
        return made[0]

    def column(old_col: Any, values: Sequence[Any]) -> Any:
        return _splice(old_col, [[v] for v in values], cuts, _typecode(old_col))

    def fig_column(name: str, old_col: Any) -> Any:
        return _splice(old_col, cols[name], fcuts, _typecode(old_col))

    province = column(old.province, [provinces(m.province or None) for m in order])
    year = column(old.year, [m.report_year or 0 for m in order])
    period = column(old.period, [periods(m.period or None) for m in order])
    n_figures = column(old.n_figures, counts)
    corrected = column(old.corrected, [sum(1 << i for i, name in enumerate(CORRECTABLE) if name in m.corrected)
                                       for m in order])
    fig_article = array(_typecode(old.fig_article))
    prev = 0
    for j, (cut, fcut) in enumerate(zip(cuts + [len(old.ids)], fcuts + [n_old_figs])):
        fig_article.frombytes(plus(old.fig_article[starts[prev] : fcut], j))
        if j < len(counts):
            fig_article.extend(repeat(cut + j, counts[j]))
        prev = cut
    refs_col = _splice(old.refs, [[refs.get(m.id) or m.id] for m in order], cuts)
    new_strings: dict[str, list[str | None]] = {"ids": [m.id for m in order], "titles": [m.title for m in order],
                   "published": [m.published for m in order], "event_date": [m.event_date for m in order]}
    string_cols: dict[str, Any] = {name: _splice_strings(getattr(old, name), values, cuts, name in NULLABLE)
                                   for name, values in new_strings.items()}
    source_urls = _splice(old.source_urls, [[url_or_none(urls.get(m.id))] for m in order], cuts)
    fig_cols = {name: fig_column(name[4:], getattr(old, name))
                for name in ("fig_value", "fig_unit", "fig_label", "fig_key", "fig_qual", "fig_kind")}
    release()

    display_parts: list[bytes | memoryview] = []
    display_off = array("q", [0])
    prev, at = 0, 0
    old_off, blob = old.display_off, old.display_blob
    for cut, chunk in zip(fcuts + [n_old_figs], cols["display"] + [[]]):
        if cut > prev:
            base = old_off[prev]
            display_parts.append(blob[base : old_off[cut]])
            display_off.frombytes(plus(old_off[prev + 1 : cut + 1], at - base))
            at += old_off[cut] - base
        if chunk:
            display_parts.append(b"".join(chunk))
        for d in chunk:
            at += len(d)
            display_off.append(at)
        prev = cut
    n_groups = (len(flabels.items), len(funits.items), len(keys.items))
    flabel_perm, flabel_start = _regroup(old.flabel_perm, old.flabel_start, fcuts, cum, fmap, n_groups[0], groups[0])
    funit_perm, funit_start = _regroup(old.funit_perm, old.funit_start, fcuts, cum, fmap, n_groups[1], groups[1])
    flabel_perm, flabel_start, flabel_items, label_flabel = _first_seen(flabel_perm, flabel_start, flabels.items, label_flabel)
    funit_perm, funit_start, funit_items, unit_funit = _first_seen(funit_perm, funit_start, funits.items, unit_funit)
    key_perm, key_start = _regroup(old.key_perm, old.key_start, fcuts, cum, fmap, n_groups[2], groups[2])
    release()
    province_codes, province_perm, province_start = by_code(province)
    year_codes, year_perm, year_start = by_code(year)
    period_codes, period_perm, period_start = by_code(period)
    snap = replace(
        old,
        source=source,
        generation=generation,
        schema=schema,
        refs=refs_col, **string_cols,
        province=province, year=year, period=period,
        source_urls=source_urls,
        n_figures=n_figures, corrected=corrected,
        provinces=provinces.items, periods=periods.items,
        corrections={k: dict(v) for k, v in corrections.items() if v},
        fig_article=fig_article,
        fig_pos=_splice(old.fig_pos, [range(c) for c in counts], fcuts, _typecode(old.fig_pos)),
        **fig_cols,
        display_blob=Pieces(display_parts),
        display_off=display_off,
        units=units.items, labels=labels.items, keys=keys.items, qualifiers=quals.items,
        flabels=flabel_items, flabel_perm=flabel_perm, flabel_start=flabel_start,
        funits=funit_items, funit_perm=funit_perm, funit_start=funit_start,
        key_perm=key_perm, key_start=key_start,
        label_flabel=label_flabel, unit_funit=unit_funit,
        province_codes=province_codes, province_perm=province_perm, province_start=province_start,
        year_codes=year_codes, year_perm=year_perm, year_start=year_start,
        period_codes=period_codes, period_perm=period_perm, period_start=period_start,
        cells=[[p, y, q, c] for (p, y, q), c in Counter(zip(province, year, period)).items()],
        record_bytes=record_bytes,
        identity=lambda: None,
        records_file=None,
        stored=lambda: None,
    )
    return snap
