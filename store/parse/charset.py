"""Which encoding a text is in, judged by how well each reading spells Vietnamese.

Bytes that are not UTF-8 are read as Windows-1258, TCVN3 and VNI, and text that is valid
Unicode may still be a legacy font encoding saved as UTF-8 ("B¸o c¸o") or double-encoded
UTF-8 ("VÄƒn phÃ²ng"). Every guess is checked against Vietnamese spelling (`_score`), so a
conversion only happens when its result reads as Vietnamese, and a refusal names the cause.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import NamedTuple

from tongket.store.errors import InputError
from tongket.store.lang.text import nfc
from tongket.store.parse.legacy_fonts import (
    WORD, cp1252_decoding_table, from_tcvn3, from_vni, undo_mojibake,
)


# A conversion is applied when at least this share of the words with non-ASCII letters
# are valid Vietnamese syllables afterwards; a legacy encoding is named in a refusal
# from LIKELY up.
CERTAIN = 0.85
LIKELY = 0.6
# Scoring looks at the start of the text only: enough words to decide, bounded time.
SAMPLE_CHARS = 200_000
# How much better a legacy reading must spell than the text as it stands to be believed.
_GAIN = 0.25
# Most share of words with non-ASCII characters for 8-bit text to be taken as Windows-1252.
_WESTERN_SHARE = 0.3
_BOMS = (  # UTF-32 first: its little-endian BOM starts with the UTF-16 one
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"  # onset
    r"[ou]?"  # medial glide (hoa, tuần)
    r"(?:iê|yê|uô|ươ|ia|ya|ua|ưa|[aăâeêioôơuưy])"  # nucleus
    r"(?:ch|ng|nh|[cmnptiyou])?"  # coda
)


class _Score(NamedTuple):
    """Spelling evidence for one reading of the text."""

    words: int  # all words
    foreign: int  # words with a non-ASCII character
    valid: int  # of those, valid Vietnamese syllables

    @property
    def share(self) -> float:
        return self.valid / self.foreign if self.foreign else 0.0


def to_unicode(data: bytes, path: str) -> str:
    """Unicode from bytes: BOM, then UTF-8, then the 8-bit Vietnamese encodings."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    path, f"starts with a {label} byte-order mark but is not valid {label} (bad data at byte {exc.start + len(bom)})"
                ) from None
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise InputError(path, "contains NUL bytes: it is binary data, not text")
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.end == len(data):
            # Cut off in the middle of a character (a size-capped scrape): keep the rest.
            try:
                return data[: exc.start].decode("utf-8")
            except UnicodeDecodeError:
                pass
        return _decode_8bit(data, path)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without a BOM shows NULs in every other byte (the high byte of ASCII)."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:8192]
    half = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.3 * half and even <= 0.02 * half:
        codec = "utf-16-le"
    elif even >= 0.3 * half and odd <= 0.02 * half:
        codec = "utf-16-be"
    else:
        return None
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _decode_8bit(data: bytes, path: str) -> str:
    """Not UTF-8: try Windows-1258, TCVN3 and VNI, and keep the one that spells Vietnamese."""
    western = codecs.charmap_decode(data, "strict", cp1252_decoding_table())[0]
    readings: dict[str, Callable[[str], str | None]] = {"tcvn3": from_tcvn3, "vni": from_vni}
    try:
        vietnamese = nfc(data.decode("cp1258"))
    except UnicodeDecodeError:
        pass  # bytes Windows-1258 leaves undefined
    else:
        readings["cp1258"] = lambda _: vietnamese
    best, name = _best_reading(readings, western)
    if best.share >= CERTAIN:
        if name == "vni":
            raise InputError(path, _VNI_REASON)
        return readings[name](western) or western
    if best.share >= LIKELY and name in _LEGACY_REASONS:
        raise InputError(path, _LEGACY_REASONS[name])
    if _reads_as_western(western):
        return western
    raise InputError(
        path,
        _utf8_damage(data)
        or "is not UTF-8 and does not read as Vietnamese in Windows-1258, TCVN3 or VNI; save it as UTF-8",
    )


def _best_reading(readings: Mapping[str, Callable[[str], str | None]], text: str) -> tuple[_Score, str]:
    """The reading whose words spell Vietnamese best, judged on the start of the text so a
    large file is converted once, by the winner only."""
    sample = text[:SAMPLE_CHARS]
    scored = []
    for name, convert in readings.items():
        converted = convert(sample)
        if converted is not None:
            scored.append((_score(converted), name))
    return max(scored, key=lambda item: item[0].share, default=(_Score(0, 0, 0), ""))


def _reads_as_western(text: str) -> bool:
    """Windows-1252 English, French or German: few accented words, or accented words that
    are Latin letters around ASCII ones ("été", "Straße"). Checked only after every
    Vietnamese reading failed, so it cannot swallow an encoding we know."""
    plain = _score(text)
    if plain.foreign <= _WESTERN_SHARE * plain.words:
        return True
    latin = 0
    for match in WORD.finditer(text, 0, SAMPLE_CHARS):
        word = match.group()
        if not word.isascii():
            latin += word.isalpha() and any(c.isascii() for c in word) and all(ord(c) < 0x100 for c in word)
    return latin >= 0.9 * plain.foreign


def _utf8_damage(data: bytes) -> str | None:
    """A reason if the bytes are UTF-8 with a few broken sequences (a damaged download)."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    good = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    if bad <= 0 or good < 2 * bad:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first = exc.start
    else:  # pragma: no cover - the caller only asks about invalid UTF-8
        return None
    plural = "s" if bad != 1 else ""
    return f"is mostly UTF-8 but has {bad} invalid byte sequence{plural} (the first at byte {first}); the file looks damaged"


_VNI_REASON = "looks like VNI-encoded Vietnamese (legacy font encoding); convert it to Unicode first"
_LEGACY_REASONS = {
    "tcvn3": "looks like TCVN3 (ABC)-encoded Vietnamese (legacy font encoding) but could not be converted with certainty; convert it to Unicode first",
    "vni": _VNI_REASON,
}


def fix_legacy(text: str, path: str) -> str:
    """Unicode text that is really TCVN3, VNI or double-encoded UTF-8: convert or refuse.

    Legacy text survives a save as UTF-8 unchanged ("B¸o c¸o" is valid Unicode), so this
    runs on every decoded text; it leaves alone text whose words already spell Vietnamese
    or have no accented letters at all (English).
    """
    plain = _score(text)
    if plain.foreign < 2 or plain.share >= CERTAIN:
        return text
    readings = {"tcvn3": from_tcvn3, "vni": from_vni, "mojibake": undo_mojibake}
    best, name = _best_reading(readings, text)
    if best.share < max(LIKELY, plain.share + _GAIN):
        return text  # some other language, or noise: not ours to judge here
    if best.share < CERTAIN:
        if name in _LEGACY_REASONS:
            raise InputError(path, _LEGACY_REASONS[name])
        return text
    if name == "vni":
        raise InputError(path, _VNI_REASON)
    return readings[name](text) or text


def _score(text: str) -> _Score:
    # Fast path: count the words in C, then judge each distinct word once (an article
    # repeats its syllables many times); the same totals as a word-by-word loop.
    found = WORD.findall(text, 0, SAMPLE_CHARS)
    foreign = valid = 0
    for word, n in Counter(found).items():
        if not word.isascii():
            foreign += n
            if _is_syllable(word):
                valid += n
    return _Score(len(found), foreign, valid)


@lru_cache(maxsize=1 << 15)
def _is_syllable(word: str) -> bool:
    """Whether a word is one Vietnamese syllable: onset, rhyme and at most one tone mark."""
    if len(word) > 8:
        return False
    parts = unicodedata.normalize("NFD", word.lower().replace("ð", "đ"))
    if sum(parts.count(mark) for mark in _TONE_MARKS) > 1:
        return False
    bare = nfc("".join(c for c in parts if c not in _TONE_MARKS))
    return _SYLLABLE.fullmatch(bare) is not None
