"""Bytes on disk -> NFC text, or an `InputError` that says in one line what is wrong.

Scraped Vietnamese pages arrive in every encoding the last twenty years produced: UTF-8
(with or without BOM), UTF-16 from Windows tools, Windows-1258 (combining tone marks), and
text typed in legacy font encodings (TCVN3/ABC, VNI) that shows up as "B¸o c¸o" or
"Baùo caùo". Every guess is checked against Vietnamese spelling (`_syllable_share`), so a
conversion only happens when its result reads as Vietnamese, and a refusal names the cause.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from collections import Counter
from collections.abc import Callable, Mapping
from typing import BinaryIO, NamedTuple

from tongket.store.errors import InputError
from tongket.store.lang.text import nfc, split_joined_words

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

# A conversion is applied when at least this share of the words with non-ASCII letters
# are valid Vietnamese syllables afterwards; a legacy encoding is named in a refusal
# from LIKELY up.
CERTAIN = 0.85
LIKELY = 0.6
# Scoring looks at the start of the text only: enough words to decide, bounded time.
_SAMPLE_CHARS = 200_000
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

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document (.doc/.xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program (ELF executable)"),
)
_ZIP_KINDS = (  # what a ZIP container holds, by the names of its first entries
    (b"word/", "a Word document (.docx)"),
    (b"xl/", "an Excel workbook (.xlsx)"),
    (b"ppt/", "a PowerPoint file (.pptx)"),
    (b"application/vnd.oasis.opendocument", "an OpenDocument file (.odt/.ods)"),
    (b"application/epub", "an EPUB book"),
)

# Invisible characters that split words without showing: removed. The soft hyphen is
# removed only after legacy detection, because in TCVN3 it is the letter "ư".
_ZERO_WIDTH = re.compile("[\u180e\u200b-\u200f\u2060-\u2064\ufeff]")
# Bidi controls (embeddings, overrides, isolates) reorder what a terminal shows: removed too.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SOFT_HYPHEN = "\u00ad"
_WHITESPACE = re.compile(r"\s+")
# A "word" for spelling checks: anything between spaces, digits and punctuation. Latin-1
# symbols stay inside words because TCVN3 uses them as letters ("B¸o").
_WORD = re.compile(r"[^\s\d!-/:-@\[-`{-~\u2000-\u206f]+")
_NOT_ASCII_LETTER = re.compile(r"[^A-Za-z]+")
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"  # onset
    r"[ou]?"  # medial glide (hoa, tuần)
    r"(?:iê|yê|uô|ươ|ia|ya|ua|ưa|[aăâeêioôơuưy])"  # nucleus
    r"(?:ch|ng|nh|[cmnptiyou])?"  # coda
)
_WHITESPACE = re.compile(r"\s")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # C0/C1 controls except \t \n \v \f \r
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_NOT_ASCII_LETTER_BYTES = bytes(b for b in range(128) if not chr(b).isalpha())
_HTML_START = re.compile(r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html\b|head\b|body\b)", re.I | re.S)
_HTML_TAG = re.compile(
    r"</?(?:html|head|body|div|p|span|a|table|tr|td|ul|ol|li|br|meta|script|style|title|h[1-6]|article|section|img)\b[^<>]*>",
    re.I,
)


class _Score(NamedTuple):
    """Spelling evidence for one reading of the text."""

    words: int  # all words
    foreign: int  # words with a non-ASCII character
    valid: int  # of those, valid Vietnamese syllables

    @property
    def share(self) -> float:
        return self.valid / self.foreign if self.foreign else 0.0


# ---------------------------------------------------------------- public API


def read_source(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read and decode one article file. Raises only `InputError`."""
    return decode_bytes(read_bytes(path, max_bytes=max_bytes), display_path(path))


def read_bytes(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The file's bytes, after checking it is a readable regular file within the size limit.

    Checks `stat` first so that a folder, a pipe (which would block) or a huge file is
    refused before any read; every `OSError` becomes an `InputError` naming the file.
    """
    name = display_path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(name, _missing_reason(path)) from None
    except NotADirectoryError:
        raise InputError(name, "does not exist (part of the path is a file, not a folder)") from None
    except (OSError, ValueError) as exc:
        raise InputError(name, _os_reason(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(name, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(name, "is not a regular file (a device, pipe or socket)")
    if info.st_size > max_bytes:
        raise InputError(name, _too_large(info.st_size, max_bytes))
    try:
        with open(path, "rb") as handle:
            data = _read_limited(handle, info.st_size, max_bytes)
    except (OSError, ValueError) as exc:
        raise InputError(name, _os_reason(exc)) from None
    if len(data) > max_bytes:  # grew between stat and read
        raise InputError(name, _too_large(len(data), max_bytes))
    return data


def _read_limited(handle: BinaryIO, size: int, max_bytes: int) -> bytes:
    """Up to `max_bytes + 1` bytes, asking for the size `stat` gave (a limit of "99999G" must
    not become one read of that many bytes), then in chunks if the file grew meanwhile."""
    parts = [handle.read(min(size, max_bytes) + 1)]
    total = len(parts[0])
    while total <= max_bytes and total > size:
        chunk = handle.read(min(1 << 20, max_bytes + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def decode_bytes(data: bytes, path: str) -> str:
    """NFC article text from raw bytes, or `InputError` when it is not usable text."""
    text = decode_text(data, path)
    _check_content(text, path)
    return text


def decode_text(data: bytes, path: str) -> str:
    """Decode without judging the content (for manifests and other small text files).

    Result: NFC, "\\n" line ends, no zero-width characters or BOMs, legacy encodings converted.
    """
    if not data:
        raise InputError(path, "is empty (0 bytes)")
    kind = _binary_kind(data)
    if kind:
        raise InputError(path, f"is {kind}, not a text file; save the article as plain text (UTF-8) or HTML")
    text = _decode(data, path)
    text = _fix_legacy(nfc(_ZERO_WIDTH.sub("", _BIDI.sub("", split_joined_words(text)))), path)
    text = text.replace(_SOFT_HYPHEN, "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return nfc(text.rstrip("\x1a"))  # Ctrl-Z: end-of-file mark left by DOS-era editors


def looks_like_html(text: str) -> bool:
    """True for a saved web page, so the parser extracts the article instead of reading tags
    as text. An article that merely mentions "<p>" once is not HTML."""
    if _HTML_START.match(text[:4096]):
        return True
    tags = len(_HTML_TAG.findall(text[:_SAMPLE_CHARS]))
    return tags >= 20 or (tags >= 3 and text.lstrip().startswith("<"))


def display_path(path: str | os.PathLike[str]) -> str:
    """The path as printable text, even when the file name is not valid UTF-8."""
    raw = os.fsdecode(path)
    return raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# ---------------------------------------------------------------- file checks


def _missing_reason(path: str | os.PathLike[str]) -> str:
    try:
        if os.path.islink(path):
            return f"is a broken symbolic link (it points to {os.readlink(path)}, which does not exist)"
    except (OSError, ValueError):
        pass
    return "does not exist"


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, PermissionError):
        return "cannot be read: permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(exc, ValueError):
        return "is not a valid file name"
    if isinstance(exc, OSError) and exc.errno == 40:  # ELOOP
        return "is a symbolic link that loops back on itself"
    detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"cannot be read: {detail[:1].lower()}{detail[1:]}"


def _size(n: int) -> str:
    if n < 1024:
        return f"{n:,} bytes" if n != 1 else "1 byte"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB ({n:,} bytes)"
    return f"{n / (1024 * 1024):.1f} MiB ({n:,} bytes)"


def _too_large(size: int, limit: int) -> str:
    return f"is too large: {_size(size)}, over the limit of {_size(limit)}"


def _binary_kind(data: bytes) -> str | None:
    """What a known binary format is, from its first bytes."""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        head = data[:4096]
        return next((kind for marker, kind in _ZIP_KINDS if marker in head), "a ZIP archive")
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "a WebP image"
    if data.startswith(b"BZh") and data[4:10] == b"1AY&SY":
        return "a bzip2-compressed file"
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)


# ---------------------------------------------------------------- choosing the encoding


def _decode(data: bytes, path: str) -> str:
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
    western = codecs.charmap_decode(data, "strict", _cp1252_decoding_table())[0]
    readings: dict[str, Callable[[str], str | None]] = {"tcvn3": _from_tcvn3, "vni": _from_vni}
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
    sample = text[:_SAMPLE_CHARS]
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
    for match in _WORD.finditer(text, 0, _SAMPLE_CHARS):
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


# ---------------------------------------------------------------- legacy font encodings

_VNI_REASON = "looks like VNI-encoded Vietnamese (legacy font encoding); convert it to Unicode first"
_LEGACY_REASONS = {
    "tcvn3": "looks like TCVN3 (ABC)-encoded Vietnamese (legacy font encoding) but could not be converted with certainty; convert it to Unicode first",
    "vni": _VNI_REASON,
}


def _fix_legacy(text: str, path: str) -> str:
    """Unicode text that is really TCVN3, VNI or double-encoded UTF-8: convert or refuse.

    Legacy text survives a save as UTF-8 unchanged ("B¸o c¸o" is valid Unicode), so this
    runs on every decoded text; it leaves alone text whose words already spell Vietnamese
    or have no accented letters at all (English).
    """
    plain = _score(text)
    if plain.foreign < 2 or plain.share >= CERTAIN:
        return text
    readings = {"tcvn3": _from_tcvn3, "vni": _from_vni, "mojibake": _undo_mojibake}
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


@cache
def _legacy_tables() -> dict:
    raw = resources.files("tongket.store.lang").joinpath("data/legacy_encodings.json").read_text("utf-8")
    return json.loads(raw)


@cache
def _tcvn3_table() -> dict[int, str]:
    return str.maketrans(_legacy_tables()["tcvn3"]["map"])


@cache
def _tcvn3_decoding_table() -> str:
    return "".join(chr(b) for b in range(256)).translate(_tcvn3_table())


def _from_tcvn3(text: str) -> str:
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
    for match in _WORD.finditer(text):
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


def _from_vni(text: str) -> str:
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
def _cp1252_decoding_table() -> str:
    """Windows-1252 as a 256-character decoding table; its five undefined bytes read as Latin-1."""
    return "".join(chr(b) for b in range(256)).translate(_cp1252_table())


@cache
def _cp1252_reverse() -> dict[str, int]:
    return {ch: byte for byte, ch in _cp1252_table().items()}


def _undo_mojibake(text: str) -> str | None:
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


# ---------------------------------------------------------------- spelling evidence


def _score(text: str) -> _Score:
    # Fast path: count the words in C, then judge each distinct word once (an article
    # repeats its syllables many times); the same totals as a word-by-word loop.
    found = _WORD.findall(text, 0, _SAMPLE_CHARS)
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


# ---------------------------------------------------------------- is it an article at all


def _kept_length(pattern: re.Pattern[str], text: str, chunk: int = 1 << 16) -> int:
    """len(pattern.sub("", text)), a slice at a time: `sub` builds a list of every piece it
    keeps, which for a 5 MB file of short numbers is a million strings at once. The
    patterns are character classes, so cutting the text anywhere gives the same total."""
    return sum(len(pattern.sub("", text[i : i + chunk])) for i in range(0, len(text), chunk))


def _check_content(text: str, path: str) -> None:
    total = len(text)
    visible = _kept_length(_WHITESPACE, text)  # re's \s is str.split's whitespace test
    if not visible:
        raise InputError(path, "has no text (only whitespace)")
    controls = len(_CONTROLS.findall(text))
    if controls >= 3 and controls > 0.02 * total:
        raise InputError(path, f"has many control characters ({controls} of {total}): it is binary data, not text")
    broken = text.count("\ufffd")
    if broken >= 3 and broken > 0.05 * visible:
        raise InputError(path, f"has {broken} unreadable characters (\ufffd): it was damaged when it was saved")
    # Fast path: the ASCII letters alone (counted in C) often settle it; they are a
    # lower bound of the letters, so the full count is needed only when they fall short.
    ascii_letters = len(text.encode("ascii", "ignore").translate(None, _NOT_ASCII_LETTER_BYTES))
    if ascii_letters >= 3 and ascii_letters >= 0.25 * visible:
        return
    letters = _kept_length(_NOT_LETTERS, text)
    if letters < 3 or letters < 0.25 * visible:
        raise InputError(
            path, f"has almost no letters ({letters} of {visible} visible characters): it is not an article"
        )
