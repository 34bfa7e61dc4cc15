"""Read numbers the way Vietnamese articles write them.

Vietnamese groups thousands with dots and writes decimals with a comma ("27.172" is
27172, "94,03" is 94.03), adds scale words after the digits ("9,3 nghìn tỷ") and spells
small counts ("hai cá nhân"). Everything here works on short strings and returns None
for what it cannot read, so the figure reader can warn instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tongket.store.lang.datafiles import data_json
from tongket.store.lang.text import fold
from tongket.store.lang.years import YEARS, looks_like_year  # noqa: F401 - the reader's own rule, re-exported

_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")  # 1.239.717 or 1.239,5
_PLAIN = re.compile(r"\d+(?:,\d+)?,?")  # 94,03 / 16, (malformed "16,%") / 03
_ENGLISH_GROUPED = re.compile(r"\d{1,3}(?:,\d{3}){2,}")  # 1,239,717 (two or more groups)
DOT_DATE = re.compile(r"\d{1,2}\.\d{1,2}(?:\.\d{2,4})?")  # 13.1, 30.11.2019 (newspaper dates)


@dataclass(frozen=True, slots=True)
class NumberWords:
    """The number words of `data/numbers.json`; `scales` and the spelled words are folded."""

    scales: dict[str, float]  # written scale word -> multiplier, longest first
    folded_scales: dict[str, float]
    scale_re: re.Pattern[str]  # a scale word (folded) after optional spaces
    spelled_start: re.Pattern[str]  # a word that can open a spelled count (lower case, not folded)
    digits: dict[str, int]  # folded
    ones_after_tens: dict[str, int]  # folded
    ten: str
    hundred: str
    one: str
    written_hundred: str  # "trăm", for patterns on text that is not folded


@cache
def number_words() -> NumberWords:
    """Loaded and compiled once per process."""
    raw = data_json("numbers.json")
    scales = dict(sorted(raw["scales"].items(), key=lambda kv: len(kv[0]), reverse=True))
    folded = {fold(k): float(v) for k, v in scales.items()}
    digits = {fold(k): v for k, v in raw["spelled_digits"].items()}
    hundred, one = raw["hundred"], raw["one_before_hundred"]
    starts = sorted([*raw["spelled_digits"], *raw["ten"][:1], f"{one} {hundred}"], key=len, reverse=True)
    return NumberWords(
        scales={k: float(v) for k, v in scales.items()},
        folded_scales=folded,
        scale_re=re.compile(r"\s*(" + "|".join(re.escape(k) for k in folded) + r")(?!\w)"),
        spelled_start=re.compile(r"(?:" + "|".join(re.escape(w) for w in starts) + r")\b"),
        digits=digits,
        ones_after_tens={**digits, **{fold(k): v for k, v in raw["ones_after_tens"].items()}},
        ten=fold(raw["ten"][0]),
        hundred=fold(hundred),
        one=fold(one),
        written_hundred=hundred,
    )


def scale_words() -> tuple[str, ...]:
    """The written scale words, longest first ("nghìn tỷ" before "nghìn")."""
    return tuple(number_words().scales)


def parse_numeral(token: str) -> float | None:
    """Digits as written in a Vietnamese article -> value, or None if unreadable.

    "27.172" -> 27172, "1.239.717" -> 1239717, "94,03" -> 94.03, "16," -> 16 (the
    malformed "16,%"), "03" -> 3. "13.1" (a dot date) and "1.23" are None.
    """
    token = token.strip()
    if token.isdigit() and token.isascii():
        return float(token)  # the common case, without a regex
    if not token:
        return None
    if _GROUPED.fullmatch(token):
        return float(token.replace(".", "").replace(",", "."))
    if _PLAIN.fullmatch(token):
        return float(token.rstrip(",").replace(",", "."))
    if _ENGLISH_GROUPED.fullmatch(token):
        return float(token.replace(",", ""))
    return None


def read_scale(folded: str, pos: int = 0) -> tuple[float, int]:
    """Scale word starting at `pos` in folded text -> (multiplier, end); (1.0, pos) if none."""
    words = number_words()
    m = words.scale_re.match(folded, pos)
    if not m:
        return 1.0, pos
    return words.folded_scales[m.group(1)], m.end()


def read_spelled(words: list[str]) -> tuple[float, int] | None:
    """Spelled count at the start of `words` (folded) -> (value, words used), or None.

    Reads "hai" (2), "mười hai" (12), "hai mươi lăm" (25), "ba trăm" (300). "một" alone and
    "năm" alone are not read: they are far more often "a"/"one of" and "year".
    """
    if not words:
        return None
    nw = number_words()
    first, i = words[0], 1
    if first in nw.digits:
        value = nw.digits[first]
    elif first == nw.ten:
        value = 10
        if i < len(words) and words[i] in nw.ones_after_tens:
            value += nw.ones_after_tens[words[i]]
            i += 1
        return float(value), i
    elif first == nw.one and len(words) > 1 and words[1] == nw.hundred:
        value = 1
    else:
        return None
    if i < len(words) and words[i] == nw.ten:
        value *= 10
        i += 1
        if i < len(words) and words[i] in nw.ones_after_tens:
            value += nw.ones_after_tens[words[i]]
            i += 1
    elif i < len(words) and words[i] == nw.hundred:
        value *= 100
        i += 1
    return float(value), i


def read_number(text: str) -> float | None:
    """A whole number phrase -> value: "27.172", "94,03%", "9,3 nghìn tỷ", "hơn 16 ngàn" is
    not a number phrase (qualifiers belong to the figure reader), "hai" -> 2.

    Returns None when the text is not one number phrase.
    """
    folded = fold(text).strip()
    if folded.endswith("%"):
        folded = folded[:-1].rstrip()
    m = re.match(r"[\d.,]+", folded)
    if m:
        value = parse_numeral(m.group(0))
        if value is None:
            return None
        scale, end = read_scale(folded, m.end())
        if folded[end:].strip():
            return None
        return value * scale
    words = folded.split()
    spelled = read_spelled(words)
    if spelled is None:
        return None
    value, used = spelled
    rest = " ".join(words[used:])
    scale, end = read_scale(rest, 0) if rest else (1.0, 0)
    if rest[end:].strip():
        return None
    return value * scale
