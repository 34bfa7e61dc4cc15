"""Amounts written in mixed scales: "2 tỷ 3 trăm triệu đồng" is 2.3e9, "7 tỷ 480 triệu
đồng" is 7.48e9. The figure reader reads one number and its scale word at a time, so it
sees only the last part; this pass joins the parts into the one amount the text states."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

from tongket.store.lang.figure_words import alternation, currencies
from tongket.store.lang.numbers import number_words
from tongket.store.record import Figure

_NUM = r"\d+(?:,\d+)?"


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(the whole mixed amount, one part of it), from the scale words of `lang/numbers`."""
    words = number_words()
    part = rf"({_NUM})\s+({re.escape(words.written_hundred)}\s+)?({'|'.join(map(re.escape, words.scales))})"
    money = alternation([c for c in currencies() if " " not in c])  # "đồng", "USD"
    mixed = re.compile(rf"(?<![\d.,]){part}(?:\s+{part}){{1,2}}(?:\s+({money}))?", re.IGNORECASE)
    return mixed, re.compile(part, re.IGNORECASE)


def _value(text: str) -> float | None:
    """The sum of the parts, or None when the scales do not fall ("3 triệu 2 tỷ")."""
    total, last = 0.0, float("inf")
    for m in _patterns()[1].finditer(text):
        scale = number_words().scales[" ".join(m.group(3).lower().split())] * (100 if m.group(2) else 1)
        if scale >= last:
            return None
        total += float(m.group(1).replace(",", ".")) * scale
        last = scale
    return total


def join_mixed_scales(body: str, figures: list[Figure]) -> list[Figure]:
    """The figures with each mixed-scale amount read as one figure (in body order)."""
    out = list(figures)
    for m in _patterns()[0].finditer(body):
        value = _value(m.group(0))
        if value is None:
            continue
        inside = [f for f in out if f.span[0] < m.end() and m.start() < f.span[1]]
        if not inside:
            continue
        base = max(inside, key=lambda f: f.span[1])
        start = min(m.start(), *(f.span[0] for f in inside))
        end = max(m.end(), *(f.span[1] for f in inside))
        unit = m.group(7) or base.unit
        merged = replace(base, value=value, unit=unit, raw=body[start:end], display=body[m.start():m.end()],
                         span=(start, end))
        out = [f for f in out if f not in inside] + [merged]
    return sorted(out, key=lambda f: f.span)
