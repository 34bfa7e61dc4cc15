"""Text normalisation shared by the parser, the indexes and the app.

Vietnamese is compared after NFC normalisation; searches also match without diacritics,
so every index stores the folded form produced here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# C0/C1 controls, zero-width characters, and every bidi control: the embeddings and
# overrides U+202A-U+202E and the isolates U+2066-U+2069, which reorder what a terminal shows
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]"
# A zero-width character between a lower-case and an upper-case letter ("Kiên\u200dGiang")
# stands where a space was: removing it would glue two words into one no name matches.
_JOINED_WORDS = r"(?<=[^\W\d_])[\u180e\u200b-\u200d\u2060\ufeff]+(?=[^\W\d_])"
_ANSI = r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])"
_SPACES = r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+"
# The runs `_SPACES` would change: all but a lone plain space, which is most of them in
# prose (replacing each with itself made `clean_text` ~3x slower). Same result.
_ODD_SPACES = r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000][ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]*| [ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+"


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The cleaning patterns above (control, joined words, ANSI, odd spaces), compiled on
    first use: compiling them on import cost every command ~1 ms, and one that only lists
    articles never cleans a text. One call for all: `one_line` runs per table cell."""
    return re.compile(_CONTROL), re.compile(_JOINED_WORDS), re.compile(_ANSI), re.compile(_ODD_SPACES)


def _fold_table() -> dict[int, str]:
    """Per-character map for Latin letters: one character in, one out, so folded text keeps
    the offsets of the original and a match found in it can be highlighted in the original."""
    table: dict[int, str] = {}
    for cp in list(range(0x41, 0x5B)) + list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)).lower()
        if len(base) == 1 and base != ch:
            table[cp] = base
    table.update({ord("đ"): "d", ord("Đ"): "d"})
    return table


_FOLD_TABLE = _fold_table()
# The same map with every other character below U+3000 mapped to itself: `str.translate`
# then finds every character it meets, instead of raising and clearing a KeyError inside
# for each unmapped one (most of a text), which made folding a body twice as slow.
_FOLD_LOOKUP: dict[int, int | str] = {cp: cp for cp in range(0x3000)}
_FOLD_LOOKUP.update(_FOLD_TABLE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case, diacritic-free form: "Văn bản đến" -> "van ban den".

    NFC input keeps its length, so offsets in the folded text are offsets in the input.
    """
    return nfc(text).translate(_FOLD_LOOKUP)


def fold_words(text: str) -> str:
    """Folded text with punctuation turned to single spaces, for word-wise matching."""
    return " ".join(re.findall(r"\w+", fold(text)))


def split_joined_words(text: str) -> str:
    """'Kiên\u200dGiang' -> 'Kiên Giang'; a zero-width character inside a word is left for
    the caller to remove, so the word stays whole."""
    return _patterns()[1].sub(lambda m: " " if text[m.start() - 1].islower() and text[m.end()].isupper() else m.group(), text)


def strip_control(text: str) -> str:
    """Remove escape sequences and control characters (keeps newlines and tabs)."""
    control, _joined, ansi, _odd = _patterns()
    return control.sub("", ansi.sub("", split_joined_words(text)))


def clean_text(text: str) -> str:
    """NFC, no control characters, NBSPs and odd spaces as plain spaces, \\n line ends."""
    text = nfc(text).replace("\r\n", "\n").replace("\r", "\n")
    text = strip_control(text)
    return _patterns()[3].sub(" ", text)


def one_line(text: str) -> str:
    """Safe for a single terminal line: no control characters, whitespace collapsed."""
    return " ".join(strip_control(nfc(text)).split())


# Old-style tone placement ("hoà", "thuỷ") -> the form the catalogue uses ("hòa", "thủy").
# One character pair in, one pair out, so offsets survive.
_TONE_PAIRS = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
# only in open syllables ("hoà", "thuỷ"): in "Đoàn" the mark belongs on the vowel it is on
_TONE_RE = re.compile(
    "[oOuU][" + "".join(sorted({k[1] + k[1].upper() for k in _TONE_PAIRS} - set())) + r"](?!\w)"
)


def _tone_table() -> dict[str, str]:
    """Every spelling the pattern can match -> its replacement, case kept as written."""
    table = {}
    for low, out in _TONE_PAIRS.items():
        for first in (low[0], low[0].upper()):
            for second in (low[1], low[1].upper()):
                s = first + second
                table[s] = out.upper() if s.isupper() else (out[0].upper() + out[1:] if s[0].isupper() else out)
    return table


_TONE_TABLE = _tone_table()


def tone_norm(text: str) -> str:
    """NFC text with old-style tone marks moved ("Khánh Hoà" -> "Khánh Hòa"); same length."""
    table = _TONE_TABLE
    return _TONE_RE.sub(lambda m: table.get(m.group(0), m.group(0)), nfc(text))
