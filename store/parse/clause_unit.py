"""A count written without its unit takes the unit its clause already named: in "tiếp nhận
hồ sơ gần 15 ngàn, giải quyết hơn 4000" both numbers count hồ sơ. Only units the figure
vocabulary knows (`lang/data/units.json`) are taken, and only when no other number stands
between the unit and the count (a count that already took the same unit does not break the
chain: "hồ sơ gần 15 ngàn, giải quyết hơn 4 nghìn"). A count whose own words speak of money
("thu nhập bình quân 5 nghìn") takes only a currency: "người" is never silently its unit."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

from tongket.store.lang.datafiles import data_json
from tongket.store.lang.figure_words import currencies, money_words_re
from tongket.store.record import Figure

_CLAUSE_START = re.compile(r".*[.;:!?\n]", re.S)


@cache
def _unit_re() -> re.Pattern[str]:
    raw = data_json("units.json")
    units = sorted({u for u in raw["units"] if not any(c.isdigit() for c in u)}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(u).replace(r"\ ", r"\s+") for u in units) + r")(?!\w)",
                      re.IGNORECASE)


@cache
def _per_re() -> re.Pattern[str]:
    words = data_json("figure_words.json")
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words["per_words"]) + r") \Z", re.IGNORECASE)


def unit_named_in(text: str) -> str | None:
    """The last unit of the figure vocabulary that `text` names ("Văn bản đến" -> "văn bản")."""
    hits = list(_unit_re().finditer(text))
    return " ".join(hits[-1].group(1).lower().split()) if hits else None


def clause_unit_before(body: str, lo: int, pos: int, counted: list[tuple[tuple[int, int], str | None]]) -> str | None:
    """The unit a bare count at `pos` takes from its clause (text from `lo`), or None.

    `counted` holds the spans and units of the figures read before it in the sentence:
    digits between the unit and the count are allowed only inside figures of that unit. A
    one-word unit counts only when such a figure carries it."""
    before = body[lo:pos]
    cut = _CLAUSE_START.match(before)
    start = lo + (cut.end() if cut else 0)
    carried = {u for _, u in counted}
    for hit in reversed(list(_unit_re().finditer(body, start, pos))):
        unit = " ".join(hit.group(1).lower().split())
        if " " not in unit and unit not in carried:
            continue  # one-word units are also parts of words ("giải quyết", "dân số")
        if _per_re().search(body, start, hit.start()):
            return None  # "mỗi hộ 500 nghìn": an amount per unit, not a count of it
        gap = list(body[hit.end():pos])
        for (a, b), u in counted:
            if u == unit and a >= hit.end():
                gap[a - hit.end():b - hit.end()] = " " * (min(b, pos) - a)
        if re.search(r"\d", "".join(gap)):
            return None
        return None if unit not in currencies() and _speaks_of_money(body, start, pos) else unit
    return None


def _speaks_of_money(body: str, start: int, pos: int) -> bool:
    """Do the count's own words (from the last comma of its clause) name an amount of money?"""
    own = max(start, body.rfind(",", start, pos) + 1)
    return money_words_re().search(body, own, pos) is not None


def units_from_clause(body: str, figures: list[Figure]) -> list[Figure]:
    out = []
    for f in figures:
        if f.unit is None and f.kind == "actual":
            start = f.sentence_span[0] if f.sentence_span[0] <= f.span[0] else 0
            before = body[start: f.span[0]]
            cut = _CLAUSE_START.match(before)
            clause = before[cut.end():] if cut else before
            hits = list(_unit_re().finditer(clause))
            if hits and not re.search(r"\d", clause[hits[-1].end():]):
                f = replace(f, unit=" ".join(hits[-1].group(1).lower().split()))
        out.append(f)
    return out
