"""Legacy Vietnamese font encodings (TCVN3/ABC, VNI) and double-encoded UTF-8, undone.

Each converter maps text that was read as Windows-1252 back to Unicode; deciding whether
a text needs one is `charset`'s job.
"""

from __future__ import annotations

import codecs
import re
from functools import cache

from tongket.store.lang.datafiles import data_json
from tongket.store.lang.text import nfc


# A "word" for spelling checks: anything between spaces, digits and punctuation. Latin-1
# symbols stay inside words because TCVN3 uses them as letters ("B¸o").
WORD = re.compile(r"[^\s\d!-/:-@\[-`{-~\u2000-\u206f]+")
_NOT_ASCII_LETTER = re.compile(r"[^A-Za-z]+")


@cache
def _legacy_tables() -> dict:
    return data_json("legacy_encodings.json")


@cache
def _tcvn3_table() -> dict[int, str]:
    return str.maketrans(_legacy_tables()["tcvn3"]["map"])


@cache
def _tcvn3_decoding_table() -> str:
    return "".join(chr(b) for b in range(256)).translate(_tcvn3_table())


def from_tcvn3(text: str) -> str:
    """TCVN3 read as Windows-1252 -> Unicode.

    TCVN3 has upper-case toned letters only in separate heading fonts (.VnTimeH) that reuse
    the lower-case codes, so "B¸O C¸O" means "BÁO CÁO": a line, or a word, whose plain
    letters are all capitals (at least two of them: "Tæ" is "Tổ") is upper-cased whole.
    A capital toned letter inside ordinary text ("Ủy") cannot be told apart and comes out
    in lower case.
    """
    try:  # the C codec is many times faster than str.translate on a large file
        converted = codecs.charmap_decode(text.encode("latin-1"), "strict", _tcvn3_decoding_table())[0]
    except UnicodeEncodeError:
        converted = text.translate(_tcvn3_table())
    # one character for one, so offsets in `text` are offsets in `converted`
    spans = []
    offset = 0
    for line in text.split("\n"):
        if _shouting(line):
            spans.append((offset, offset + len(line)))
        offset += len(line) + 1
    for match in WORD.finditer(text):
        if not match.group().islower() and _shouting(match.group()):
            spans.append(match.span())
    pieces, done = [], 0
    for start, end in sorted(spans):
        start = max(start, done)
        if start < end:
            pieces += [converted[done:start], converted[start:end].upper()]
            done = end
    pieces.append(converted[done:])
    return nfc("".join(pieces))


def _shouting(raw: str) -> bool:
    """At least two ASCII letters, all capitals: set in a TCVN3 heading font."""
    letters = _NOT_ASCII_LETTER.sub("", raw)
    return len(letters) >= 2 and letters.isupper()


@cache
def _vni_tables() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    vni = _legacy_tables()["vni"]
    circumflex = {k: "\u0302" + v for k, v in vni["circumflex_marks"].items()}
    breve = {k: "\u0306" + v for k, v in vni["breve_marks"].items()}
    return vni["tone_marks"], circumflex, breve, vni["letters"]


def from_vni(text: str) -> str:
    """VNI read as Windows-1252 -> Unicode: a vowel followed by a mark character ("aù" = á,
    "aâ" = â, "aá" = ấ), plus a few one-character letters ("ñ" = đ, "ô" = ơ)."""
    tones, circumflex, breve, letters = _vni_tables()
    out: list[str] = []
    for ch in text:
        low = ch.lower()
        prev = out[-1] if out else ""
        base = prev.lower() if len(prev) == 1 else ""
        if base and low in circumflex and base in "aeo":
            out[-1] = prev + circumflex[low]
        elif base and low in breve and base == "a":
            out[-1] = prev + breve[low]
        elif base and low in tones and base in "aeiouyơư":
            out[-1] = prev + tones[low]
        elif low in letters:
            out.append(letters[low].upper() if ch.isupper() else letters[low])
        else:
            out.append(ch)
    return nfc("".join(out))


@cache
def _cp1252_table() -> dict[int, str]:
    """Latin-1 text -> Windows-1252 text (differs in 0x80-0x9F; undefined bytes stay)."""
    table: dict[int, str] = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            pass
    return table


@cache
def cp1252_decoding_table() -> str:
    """Windows-1252 as a 256-character decoding table; its five undefined bytes read as Latin-1."""
    return "".join(chr(b) for b in range(256)).translate(_cp1252_table())


@cache
def _cp1252_reverse() -> dict[str, int]:
    return {ch: byte for byte, ch in _cp1252_table().items()}


def undo_mojibake(text: str) -> str | None:
    """UTF-8 that was once read as Windows-1252 and saved again ("VÄƒn phÃ²ng"), undone.

    The round trip is exact, so when its result spells Vietnamese it is the original text.
    """
    reverse = _cp1252_reverse()
    raw = bytearray()
    for ch in text:
        code = reverse.get(ch, ord(ch))
        if code > 0xFF:
            return None
        raw.append(code)
    try:
        return nfc(bytes(raw).decode("utf-8"))
    except UnicodeDecodeError as exc:
        if exc.reason != "unexpected end of data" or exc.end != len(raw):
            return None
        return nfc(bytes(raw[: exc.start]).decode("utf-8"))  # a sample cut inside a character
