"""Bytes on disk -> NFC text, or an `InputError` that says in one line what is wrong.

Scraped Vietnamese pages arrive in every encoding the last twenty years produced: UTF-8
(with or without BOM), UTF-16 from Windows tools, Windows-1258 (combining tone marks), and
text typed in legacy font encodings (TCVN3/ABC, VNI) that shows up as "B¸o c¸o" or
"Baùo caùo". This module checks the file, hands the bytes to `charset.to_unicode` (which
encoding) and the text to `charset.fix_legacy` (legacy text saved as Unicode; the
converters are in `legacy_fonts`), removes invisible characters and judges whether the
result is an article at all.
"""

from __future__ import annotations

import os
import re
import stat
from typing import BinaryIO

from tongket.store.errors import InputError
from tongket.store.lang.text import nfc, split_joined_words
from tongket.store.parse.charset import SAMPLE_CHARS, to_unicode, fix_legacy


DEFAULT_MAX_BYTES = 5 * 1024 * 1024
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
_WHITESPACE = re.compile(r"\s")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # C0/C1 controls except \t \n \v \f \r
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_NOT_ASCII_LETTER_BYTES = bytes(b for b in range(128) if not chr(b).isalpha())
_HTML_START = re.compile(r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html\b|head\b|body\b)", re.I | re.S)
_HTML_TAG = re.compile(
    r"</?(?:html|head|body|div|p|span|a|table|tr|td|ul|ol|li|br|meta|script|style|title|h[1-6]|article|section|img)\b[^<>]*>",
    re.I,
)


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
    text = to_unicode(data, path)
    text = fix_legacy(nfc(_ZERO_WIDTH.sub("", _BIDI.sub("", split_joined_words(text)))), path)
    text = text.replace(_SOFT_HYPHEN, "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return nfc(text.rstrip("\x1a"))  # Ctrl-Z: end-of-file mark left by DOS-era editors


def looks_like_html(text: str) -> bool:
    """True for a saved web page, so the parser extracts the article instead of reading tags
    as text. An article that merely mentions "<p>" once is not HTML."""
    if _HTML_START.match(text[:4096]):
        return True
    tags = len(_HTML_TAG.findall(text[:SAMPLE_CHARS]))
    return tags >= 20 or (tags >= 3 and text.lstrip().startswith("<"))


def display_path(path: str | os.PathLike[str]) -> str:
    """The path as printable text, even when the file name is not valid UTF-8."""
    raw = os.fsdecode(path)
    return raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


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
