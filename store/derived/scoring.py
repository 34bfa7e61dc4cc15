"""How well a lookup query matches a label, a metric's names or a unit: one scale for all
three, so their groups rank in one list (exact phrase > phrase being typed > all words >
metric name > unit > some words)."""

from __future__ import annotations

from typing import Sequence


class Label:
    """A folded label (or unit, or metric name) with its words split once."""

    __slots__ = ("text", "padded", "words", "wordset", "length")

    def __init__(self, text: str) -> None:
        self.text = text
        self.padded = f" {text} "
        self.words = tuple(text.split())
        self.wordset = frozenset(self.words)
        self.length = len(text)


def phrase_score(query: str, qwords: list[str], label: Label) -> float:
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
    return phrase_score(query, qwords, Label(label))


def names_score(query: str, qwords: list[str], names: Sequence[Label]) -> float:
    best = 0.0
    for name in names:
        s = phrase_score(query, qwords, name)
        if s >= 3.0:
            best = max(best, 2.0 + (s - 3.0) / 10)
    return best


def metric_score(query: str, qwords: list[str], names: tuple[str, ...]) -> float:
    return names_score(query, qwords, [Label(n) for n in names])


def unit_label_score(query: str, qwords: list[str], unit: Label) -> float:
    s = phrase_score(query, qwords, unit)
    if s >= 3.0:
        return 1.5
    return min(s, 0.9)


def unit_score(query: str, qwords: list[str], unit: str) -> float:
    return unit_label_score(query, qwords, Label(unit))
