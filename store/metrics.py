"""The metric catalogue: which canonical quantity a figure reports.

Articles name the same quantity many ways ("tiếp nhận 27.172 văn bản các loại", "45.268
văn bản đến"); the catalogue files them under one key so the archive can compare
provinces and years. The rules live in `data/metrics.json`: adding a metric is adding an
entry there, not code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .text import fold, fold_words


@dataclass(frozen=True, slots=True)
class Metric:
    """One catalogue entry. `units` are folded; `patterns` are the compiled `match` phrases."""

    key: str
    name_vi: str
    name_en: str
    units: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    requires: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()


def _phrase(spec: str) -> re.Pattern[str]:
    """'don -vi' -> the word 'don' not followed by the word 'vi' (in folded, word-joined text)."""
    words = spec.split()
    plain = [w for w in words if not w.startswith("-")]
    banned = [w[1:] for w in words if w.startswith("-") and len(w) > 1]
    body = r"\b" + r" ".join(re.escape(w) for w in plain) + r"\b"
    if banned:
        body += "".join(rf"(?! {re.escape(b)}\b)" for b in banned)
    return re.compile(body)


def _first(patterns: tuple[re.Pattern[str], ...], text: str) -> int | None:
    starts = [m.start() for p in patterns if (m := p.search(text))]
    return min(starts) if starts else None


def _last(patterns: tuple[re.Pattern[str], ...], text: str) -> int | None:
    """End of the match nearest to the end of `text` (the words just before a figure)."""
    ends = [ms[-1].end() for p in patterns if (ms := list(p.finditer(text)))]
    return max(ends) if ends else None


@dataclass(frozen=True, slots=True)
class MetricCatalogue:
    entries: tuple[Metric, ...]

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
        unit_f = fold(unit or "").strip()
        lab = fold_words(label)
        before = fold_words(context)
        aft = fold_words(after)
        everything = f"{lab} | {before} | {aft}"
        near = before[-60:]
        candidates = []
        for m in self.entries:
            if m.units and unit_f not in m.units:
                continue
            if any(not p.search(everything) for p in m.requires):
                continue
            if m.exclude and (_first(m.exclude, lab) is not None or _first(m.exclude, near) is not None):
                continue
            candidates.append(m)
        for m in candidates:
            if m.patterns and _first(m.patterns, lab) is not None:
                return m.key
        best: tuple[int, Metric] | None = None
        for m in candidates:
            pos = _last(m.patterns, before) if m.patterns else None
            if pos is not None and (best is None or pos > best[0]):
                best = (pos, m)
        if best:
            return best[1].key
        for m in candidates:
            pos = _first(m.patterns, aft) if m.patterns else None
            if pos is not None and (best is None or pos < best[0]):
                best = (pos, m)
        if best:
            return best[1].key
        return next((m.key for m in candidates if not m.patterns), None)


def catalogue_from_json(text: str) -> MetricCatalogue:
    data = json.loads(text)
    entries = []
    for raw in data["metrics"]:
        entries.append(
            Metric(
                key=raw["key"],
                name_vi=raw["name_vi"],
                name_en=raw["name_en"],
                units=tuple(fold(u) for u in raw.get("units", ())),
                patterns=tuple(_phrase(p) for p in raw.get("match", ())),
                requires=tuple(_phrase(p) for p in raw.get("requires", ())),
                exclude=tuple(_phrase(p) for p in raw.get("exclude", ())),
            )
        )
    return MetricCatalogue(tuple(entries))


@cache
def load_catalogue() -> MetricCatalogue:
    """The packaged catalogue (read once; the result is immutable)."""
    text = resources.files("store").joinpath("data/metrics.json").read_text(encoding="utf-8")
    return catalogue_from_json(text)
