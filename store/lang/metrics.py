"""The metric catalogue: which canonical quantity a figure reports.

Articles name the same quantity many ways ("tiếp nhận 27.172 văn bản các loại", "45.268
văn bản đến"); the catalogue files them under one key so the archive can compare
provinces and years. The rules live in `data/metrics.json`: adding a metric is adding an
entry there, not code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache

from tongket.store.lang.datafiles import data_text
from tongket.store.lang.text import fold, fold_words


@dataclass(frozen=True, slots=True)
class Metric:
    """One catalogue entry. `units` are folded; `patterns` are the compiled `match` phrases.

    `any_match` and `ends` join the patterns into one regex each, so a text is searched
    once per entry instead of once per phrase (the reader asks for every figure)."""

    key: str
    name_vi: str
    name_en: str
    units: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    requires: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    any_match: re.Pattern[str] | None = None  # leftmost match of any pattern
    last: re.Pattern[str] | None = None  # the match starting last, found scanning back
    any_exclude: re.Pattern[str] | None = None


_GAP = r"[\W]+"  # between two words: what `fold_words` turns into one space


def _phrase_source(spec: str) -> str:
    """'don -vi' -> the word 'don' not followed by the word 'vi' (in folded text; any
    run of spaces and punctuation between words counts as one space, as `fold_words` has it)."""
    words = spec.split()
    plain = [w for w in words if not w.startswith("-")]
    banned = [w[1:] for w in words if w.startswith("-") and len(w) > 1]
    body = r"\b" + _GAP.join(re.escape(w) for w in plain) + r"\b"
    if banned:
        body += "".join(rf"(?!{_GAP}{re.escape(b)}\b)" for b in banned)
    return body


def _phrase(spec: str) -> re.Pattern[str]:
    return re.compile(_phrase_source(spec))


def _joined(specs: list[str]) -> str | None:
    """One alternation of phrases, longest first, so at one position the longest wins."""
    if not specs:
        return None
    ordered = sorted(specs, key=lambda s: len(" ".join(w for w in s.split() if not w.startswith("-"))), reverse=True)
    return "|".join(f"(?:{_phrase_source(s)})" for s in ordered)


def _first(pattern: re.Pattern[str] | None, text: str) -> int | None:
    m = pattern.search(text) if pattern is not None else None
    return m.start() if m else None


def _last(pattern: re.Pattern[str] | None, text: str) -> int | None:
    """End of the match nearest to the end of `text` (the words just before a figure):
    the one that starts last, found by a greedy scan back from the end."""
    m = pattern.match(text) if pattern is not None else None
    return m.end(1) if m else None


_NEAR = 70  # characters just before a figure in which an `exclude` phrase rules an entry out


def _build_index(entries: tuple[Metric, ...]) -> tuple[dict[str, tuple[Metric, ...]], tuple[Metric, ...]]:
    """Folded unit -> the entries that accept it, in catalogue order."""
    units = {u for m in entries for u in m.units}
    by_unit = {u: tuple(m for m in entries if not m.units or u in m.units) for u in units}
    return by_unit, tuple(m for m in entries if not m.units)


@dataclass(frozen=True, slots=True)
class MetricCatalogue:
    entries: tuple[Metric, ...]
    _index: tuple = field(default=(), compare=False, repr=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", _build_index(self.entries))

    def get(self, key: str) -> Metric | None:
        return next((m for m in self.entries if m.key == key), None)

    def search(self, query: str) -> tuple[Metric, ...]:
        """Entries whose key, Vietnamese or English name contains the query (folded)."""
        q = fold_words(query)
        if not q:
            return ()
        return tuple(
            m for m in self.entries
            if q in fold_words(m.name_vi) or q in fold_words(m.name_en) or q in m.key.replace("_", " ")
        )

    def key_for(self, label: str, unit: str | None, context: str = "", after: str = "") -> str | None:
        """Key of the metric a figure reports, or None.

        `label` is what the figure counts, `context` the text just before the number (the
        nearest phrase wins), `after` the text following it in the same clause. The label
        decides first, then the context, then `after`; an entry without match phrases is
        used when its unit fits and nothing more specific matched.
        """
        return self.key_for_folded(fold(label), fold(unit or "").strip(), fold(context), fold(after))

    def key_for_folded(self, lab: str, unit_f: str, before: str, aft: str) -> str | None:
        """`key_for` on text already folded (`fold`): the figure reader folds the article
        once and passes slices of it."""
        by_unit, unitless = self._index
        everything = None
        near = before[-_NEAR:]
        candidates = []
        for m in by_unit.get(unit_f, unitless):
            if m.requires:
                everything = everything or f"{lab} | {before} | {aft}"
                if any(not p.search(everything) for p in m.requires):
                    continue
            if m.any_exclude is not None and (m.any_exclude.search(lab) or m.any_exclude.search(near)):
                continue
            candidates.append(m)
        for m in candidates:
            if m.any_match is not None and m.any_match.search(lab):
                return m.key
        best: tuple[int, Metric] | None = None
        for m in candidates:
            pos = _last(m.last, before)
            if pos is not None and (best is None or pos > best[0]):
                best = (pos, m)
        if best:
            return best[1].key
        for m in candidates:
            pos = _first(m.any_match, aft)
            if pos is not None and (best is None or pos < best[0]):
                best = (pos, m)
        if best:
            return best[1].key
        return next((m.key for m in candidates if not m.patterns), None)


def catalogue_from_json(text: str) -> MetricCatalogue:
    data = json.loads(text)
    entries = []
    for raw in data["metrics"]:
        match, exclude = raw.get("match", ()), raw.get("exclude", ())
        joined, joined_ex = _joined(list(match)), _joined(list(exclude))
        entries.append(
            Metric(
                key=raw["key"],
                name_vi=raw["name_vi"],
                name_en=raw["name_en"],
                units=tuple(fold(u) for u in raw.get("units", ())),
                patterns=tuple(_phrase(p) for p in match),
                requires=tuple(_phrase(p) for p in raw.get("requires", ())),
                exclude=tuple(_phrase(p) for p in exclude),
                any_match=re.compile(joined) if joined else None,
                last=re.compile(f"(?s:.*)(?=({joined}))") if joined else None,
                any_exclude=re.compile(joined_ex) if joined_ex else None,
            )
        )
    return MetricCatalogue(tuple(entries))


def _catalogue_text() -> str:
    return data_text("metrics.json")


@cache
def load_catalogue() -> MetricCatalogue:
    """The packaged catalogue (read once; the result is immutable)."""
    return catalogue_from_json(_catalogue_text())

