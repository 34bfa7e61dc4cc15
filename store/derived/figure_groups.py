"""Which figure groups a query matches (folded labels, metric names, folded units), scored
on one scale, best first: the start of every lookup, count and comparison. A part of
`ArchiveIndex` (mixed into `FigureLookup`); the attributes below are set by its constructor."""

from __future__ import annotations

from collections import OrderedDict
from functools import cached_property
from typing import Mapping

from tongket.store.derived.scoring import Label, names_score, phrase_score, unit_label_score
from tongket.store.derived.snapshot import Snapshot

GROUPS_KEPT = 8  # queries whose matching groups are kept (`_groups`)


class FigureGroups:
    snapshot: Snapshot
    _metric_names_given: Mapping[str, tuple[str, ...]]  # folded metric names by key
    _key_gid: dict[str, int]

    # Words of each distinct folded label, unit and metric name, split once (not once per
    # query) on the first lookup: a command that only lists (`list --province` at 100k,
    # ~1.8k labels: ~9 ms) never makes them.
    @cached_property
    def _flabels(self) -> list[Label]:
        return [Label(t) for t in self.snapshot.flabels]

    @cached_property
    def _funits(self) -> list[Label]:
        return [Label(t) for t in self.snapshot.funits]

    @cached_property
    def _metric_names(self) -> dict[str, tuple[Label, ...]]:
        return {k: tuple(Label(x) for x in v) for k, v in self._metric_names_given.items()}

    @cached_property
    def _groups_of(self) -> OrderedDict[str, list[tuple[float, int, int]]]:
        """The last queries' groups: a keystroke asks for them up to three times (its first
        page, its count, its comparison), ~4 ms each at 100k articles."""
        return OrderedDict()

    def _groups(self, q: str, words: list[str]) -> list[tuple[float, int, int]]:
        """Matching groups, best first: (score, kind, group id); shared, not to be changed.
        Ties keep the order labels, metric names, units (each in first-seen order)."""
        memo = self._groups_of
        scored = memo.get(q)
        if scored is None:
            scored = memo[q] = self._scored_groups(q, words)
            if len(memo) > GROUPS_KEPT:
                memo.popitem(last=False)
        else:
            memo.move_to_end(q)
        return scored

    def _scored_groups(self, q: str, words: list[str]) -> list[tuple[float, int, int]]:
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

