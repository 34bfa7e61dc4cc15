"""Read numbers the way Vietnamese articles write them.

Vietnamese groups thousands with dots and writes decimals with a comma ("27.172" is
27172, "94,03" is 94.03), adds scale words after the digits ("9,3 nghìn tỷ") and spells
small counts ("hai cá nhân"). Everything here works on short strings and returns None
for what it cannot read, so the figure reader can warn instead of guessing.
"""

from __future__ import annotations

import re

from tongket.store.lang.text import fold

# Folded scale word -> multiplier. "nghìn tỷ" must be tried before "nghìn".
SCALES: dict[str, float] = {
    "nghin ty": 1e12,
    "ngan ty": 1e12,
    "nghin ti": 1e12,
    "ngan ti": 1e12,
    "nghin": 1e3,
    "ngan": 1e3,
    "trieu": 1e6,
    "ty": 1e9,
    "ti": 1e9,
}
SCALE_RE = re.compile(r"\s*(nghin ty|ngan ty|nghin ti|ngan ti|nghin|ngan|trieu|ty|ti)(?!\w)")

_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")  # 1.239.717 or 1.239,5
_PLAIN = re.compile(r"\d+(?:,\d+)?,?")  # 94,03 / 16, (malformed "16,%") / 03
_ENGLISH_GROUPED = re.compile(r"\d{1,3}(?:,\d{3}){2,}")  # 1,239,717 (two or more groups)
DOT_DATE = re.compile(r"\d{1,2}\.\d{1,2}(?:\.\d{2,4})?")  # 13.1, 30.11.2019 (newspaper dates)

# Spelled digits (folded). "năm" (five) only counts after "mươi": alone it is "year".
_DIGIT_WORDS = {"hai": 2, "ba": 3, "bon": 4, "sau": 6, "bay": 7, "tam": 8, "chin": 9}
_ONES_AFTER_TENS = {**_DIGIT_WORDS, "mot": 1, "mốt": 1, "lam": 5, "nam": 5, "tu": 4}


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
    m = SCALE_RE.match(folded, pos)
    if not m:
        return 1.0, pos
    return SCALES[m.group(1)], m.end()


def read_spelled(words: list[str]) -> tuple[float, int] | None:
    """Spelled count at the start of `words` (folded) -> (value, words used), or None.

    Reads "hai" (2), "mười hai" (12), "hai mươi lăm" (25), "ba trăm" (300). "một" alone and
    "năm" alone are not read: they are far more often "a"/"one of" and "year".
    """
    if not words:
        return None
    first, i = words[0], 1
    if first in _DIGIT_WORDS:
        value = _DIGIT_WORDS[first]
    elif first == "muoi":
        value = 10
        if i < len(words) and words[i] in _ONES_AFTER_TENS:
            value += _ONES_AFTER_TENS[words[i]]
            i += 1
        return float(value), i
    elif first == "mot" and len(words) > 1 and words[1] == "tram":
        value = 1
    else:
        return None
    if i < len(words) and words[i] == "muoi":
        value *= 10
        i += 1
        if i < len(words) and words[i] in _ONES_AFTER_TENS:
            value += _ONES_AFTER_TENS[words[i]]
            i += 1
    elif i < len(words) and words[i] == "tram":
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
