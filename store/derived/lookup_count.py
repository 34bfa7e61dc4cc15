"""How many figures, in how many articles, a lookup matches, counted per group and class
instead of per figure: a keystroke's count then costs the ~1,600 groups it matched, not
the hundreds of thousands of figures in them (a union of figure sets: 140-240 ms at 100k).

A figure matches when its folded label, its metric key or its folded unit is among the
matched groups. So the figures are a sum over (label group, key, unit group) classes
with a matched part, and the articles the union of each matched group's articles, kept
as one bitmap (a Python int) per group, made the first time the group matches. Making them
is the slow part of a first count (~0.3 s of CPU for a wide query at 100k articles), so a
caller may stop it between groups (`stop`) and ask again later: the bitmaps made are kept."""

from __future__ import annotations

from collections import Counter, deque
from itertools import repeat
from typing import Callable, Mapping, Sequence

from tongket.store.derived.snapshot import Snapshot

Scored = Sequence[tuple[float, int, int]]  # (score, kind: 0 label / 1 key / 2 unit, group id)


class FigureCount:
    """Exact (figures, articles) of the union of whole groups of one snapshot."""

    def __init__(self, snapshot: Snapshot, id_counts: Callable[[], Mapping[tuple[int, int, int], int]]) -> None:
        self._snapshot = snapshot
        self._id_counts = id_counts  # figures per (label, unit, key) id (figure_counts.py)
        self._classes: list[tuple[int, int, int, int]] | None = None  # (label group, key, unit group, figures)
        self._bits: tuple[dict[int, int], ...] = ({}, {}, {})  # kind -> group -> articles as bits

    def count(self, scored: Scored) -> tuple[int, int]:
        counted = self.count_unless(scored, _never)
        assert counted is not None  # never stopped
        return counted

    def count_unless(self, scored: Scored, stop: Callable[[], bool]) -> tuple[int, int] | None:
        """`count`, or None as soon as `stop()` is true, asked before each bitmap not made yet."""
        matched: tuple[set[int], ...] = (set(), set(), set())
        articles = 0
        for _s, kind, group in scored:
            if group not in matched[kind]:
                matched[kind].add(group)
                if group not in self._bits[kind] and stop():
                    return None
                articles |= self._articles(kind, group)
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
            for (lab, unit, key), n in self._id_counts().items():
                classes[folded_label[lab], key, folded_unit[unit]] += n
            self._classes = [(lab, key, unit, n) for (lab, key, unit), n in classes.items()]
        return self._classes

    def _articles(self, kind: int, group: int) -> int:
        """The articles holding a figure of the group, bit r for article rank r (about
        12 KB per group at 100k articles)."""
        bits = self._bits[kind].get(group)
        if bits is None:
            snap = self._snapshot
            perm, start = ((snap.flabel_perm, snap.flabel_start), (snap.key_perm, snap.key_start),
                           (snap.funit_perm, snap.funit_start))[kind]
            fig_article = snap.fig_article
            marks = bytearray(fig_article[-1] + 1 if len(fig_article) else 0)
            deque(map(marks.__setitem__, map(fig_article.__getitem__, perm[start[group] : start[group + 1]]), repeat(1)), 0)
            bits = self._bits[kind][group] = int(marks.translate(_BINARY)[::-1] or b"0", 2)
        return bits


def _never() -> bool:
    return False


_BINARY = bytes.maketrans(b"\x00\x01", b"01")  # a mark per article -> the digits of its bitmap
