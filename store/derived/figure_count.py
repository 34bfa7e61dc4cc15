"""How many figures, in how many articles, a lookup matches, counted per group and class
instead of per figure: a keystroke's count then costs the ~1,600 groups it matched, not
the hundreds of thousands of figures in them (a union of figure sets: 140-240 ms at 100k).

A figure matches when its folded label, its metric key or its folded unit is among the
matched groups. So the figures are a sum over (label group, key, unit group) classes
with a matched part, and the articles the union of each matched group's articles, kept
as one bitmap (a Python int) per group, made the first time the group matches."""

from __future__ import annotations

from collections import Counter, deque
from functools import cached_property
from itertools import repeat
from typing import Sequence

from tongket.store.derived import figure_counts
from tongket.store.derived.snapshot import Snapshot

Scored = Sequence[tuple[float, int, int]]  # (score, kind: 0 label / 1 key / 2 unit, group id)


class FigureCount:
    """Exact (figures, articles) of the union of whole groups of one snapshot."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._classes: list[tuple[int, int, int, int]] | None = None  # (label group, key, unit group, figures)
        self._bits: tuple[dict[int, int], ...] = ({}, {}, {})  # kind -> group -> articles as bits

    def count(self, scored: Scored) -> tuple[int, int]:
        matched: tuple[set[int], ...] = (set(), set(), set())
        articles = 0
        small = bytearray()  # articles of the small groups, marked afresh each count
        for _s, kind, group in scored:
            if group in matched[kind]:
                continue
            matched[kind].add(group)
            members = self._members(kind, group)
            if len(members) * _BIG >= self._articles_n:
                articles |= self._bitmap(kind, group, members)
            else:
                if not small:
                    small = bytearray(self._articles_n)
                self._mark(small, members)
        if small:
            articles |= _as_bits(small)
        labels, keys, units = matched
        figures = sum(n for lab, key, unit, n in self._figure_classes()
                      if lab in labels or key in keys or unit in units)
        return figures, articles.bit_count()

    def _figure_classes(self) -> list[tuple[int, int, int, int]]:
        """Figures per class: the raw (label, unit, key) counts saved with the snapshot
        (figure_counts.py; counted in one pass when not saved), folded (a few thousand)."""
        if self._classes is None:
            snap = self._snapshot
            folded_label, folded_unit = [*snap.label_flabel, -1], [*snap.unit_funit, -1]  # index -1: none
            classes: Counter[tuple[int, int, int]] = Counter()
            for (lab, unit, key), n in (figure_counts.read_ids(snap) or figure_counts.count_ids(snap)).items():
                classes[folded_label[lab], key, folded_unit[unit]] += n
            self._classes = [(lab, key, unit, n) for (lab, key, unit), n in classes.items()]
        return self._classes

    @cached_property
    def _articles_n(self) -> int:
        fig_article = self._snapshot.fig_article
        return fig_article[-1] + 1 if len(fig_article) else 0

    def _members(self, kind: int, group: int) -> Sequence[int]:
        snap = self._snapshot
        perm, start = ((snap.flabel_perm, snap.flabel_start), (snap.key_perm, snap.key_start),
                       (snap.funit_perm, snap.funit_start))[kind]
        return perm[start[group] : start[group + 1]]

    def _mark(self, marks: bytearray, members: Sequence[int]) -> None:
        deque(map(marks.__setitem__, map(self._snapshot.fig_article.__getitem__, members), repeat(1)), 0)

    def _bitmap(self, kind: int, group: int, members: Sequence[int]) -> int:
        """The articles of a big group, bit r for article rank r (about 12 KB at 100k
        articles), kept: a bitmap costs a pass over every article, which only a group
        holding a good share of them repays on later counts (small groups are marked
        afresh: 1,600 bitmaps of a wide first query were 0.25 s at 100k)."""
        bits = self._bits[kind].get(group)
        if bits is None:
            marks = bytearray(self._articles_n)
            self._mark(marks, members)
            bits = self._bits[kind][group] = _as_bits(marks)
        return bits


def _as_bits(marks: bytearray) -> int:
    return int(marks.translate(_BINARY)[::-1] or b"0", 2)


_BIG = 32  # a group of at least 1/32 of the articles keeps its bitmap
_BINARY = bytes.maketrans(b"\x00\x01", b"01")  # a mark per article -> the digits of its bitmap
