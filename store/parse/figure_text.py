"""The body as the figure reader sees it: lower-cased, folded, cut into sentences and clauses.

Every view keeps the body's offsets, so a match in the folded view is a span in the body.
Speed: the fold goes through a one-byte code (see `_byte_fold`).
"""

from __future__ import annotations

import bisect
import codecs
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from tongket.store.lang.text import tone_norm
from tongket.store.lang.text import fold

if TYPE_CHECKING:
    from _codecs import _EncodingMap  # part of what codecs.charmap_build returns; typeshed names it only there


_REACH = 300  # how far a figure's clause context reaches either side
# a run without a sentence end longer than this is cut into pieces of at most this many
# characters: every figure carries its sentence, so an unbounded one costs memory per figure
MAX_SENTENCE = 1000
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# a match ends where a sentence starts; it opens with a character set so the scan is fast
_SENT_END = re.compile(r"[.!?…\n](?:(?<=\n)\n*|(?<!\n)\s+(?=[^\s\da-zà-ỹđ]))")
_CLAUSE_END = re.compile(r"[;\n]")
_LAST_CUT = re.compile(r".*[.;:()|\n0-9]", re.S)  # greedy: ends after the last cut character


@dataclass(frozen=True, slots=True)
class BodyText:
    """The body and the views of it the reader needs, all with the body's offsets."""

    body: str
    low: str
    folded: str
    sent_starts: tuple[int, ...]
    clause_starts: tuple[int, ...]

    def sentence_span(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.sent_starts, pos) - 1
        start = self.sent_starts[i]
        end = self.sent_starts[i + 1] if i + 1 < len(self.sent_starts) else len(self.body)
        while end > start and self.body[end - 1].isspace():
            end -= 1
        while start < end and self.body[start].isspace():
            start += 1
        return start, end

    def clause_span(self, pos: int, sent: tuple[int, int] | None = None) -> tuple[int, int]:
        s0, s1 = sent or self.sentence_span(pos)
        i = bisect.bisect_right(self.clause_starts, pos) - 1
        c0 = max(s0, self.clause_starts[i]) if i >= 0 else s0
        c1 = self.clause_starts[i + 1] - 1 if i + 1 < len(self.clause_starts) else s1
        # bounded, so a run-on "sentence" of thousands of numbers stays linear
        return max(c0, pos - _REACH), min(s1, max(c1, pos), pos + _REACH)


@cache
def _byte_fold() -> tuple[dict[int, int] | _EncodingMap, bytes]:
    """A one-byte code for lower-case Vietnamese text and a byte table folding it.

    `str.translate` with a dict costs a lookup per character; encoding through a charmap
    and translating bytes does the same fold in C at a fifth of the time. The code holds
    ASCII, the Vietnamese letters, common punctuation and Latin-1 letters; anything else
    reads as '?' in the folded view (the reader only matches Vietnamese words in it)."""
    letters = {unicodedata.normalize("NFC", b + t) for b in "aăâeêioôơuưy" for t in ("", *"\u0300\u0301\u0303\u0309\u0323")}
    extra = sorted(c for c in letters | {"đ"} if ord(c) >= 128) + list("…–—“”‘’•·«»°×²³")
    extra += [chr(c) for c in range(0xDF, 0x100) if chr(c) not in extra and chr(c) != "÷"][: 128 - len(extra)]
    table = "".join(chr(i) for i in range(128)) + "".join(extra)
    encoding = codecs.charmap_build(table + "\ufffe" * (256 - len(table)))
    folds = bytes(ord(c.lower()) if i < 128 else ord(fold(c)) if len(fold(c)) == 1 and ord(fold(c)) < 256 else ord("?")
                  for i, c in enumerate(table.ljust(256, "?")))
    return encoding, folds


def _fold_view(body: str, low: str) -> str:
    """`fold(body)` with the body's offsets, computed fast when `low` is `body` lower-cased."""
    encoding, folds = _byte_fold()
    if len(low) == len(body):
        folded = codecs.charmap_encode(low, "replace", encoding)[0].translate(folds).decode("latin-1")
        if len(folded) == len(body):
            return folded
    folded = fold(body)
    if len(folded) != len(body):
        folded = "".join(fold(c) if len(fold(c)) == 1 else c for c in body)
    return folded


def _lower(text: str, chunk: int = 1 << 16) -> str:
    """`text.lower()` a slice at a time: for non-ASCII text CPython's lower() first fills a
    buffer of three 4-byte characters per character (81 MB for a 6 MB body)."""
    if len(text) <= chunk:
        return text.lower()
    return "".join([text[i : i + chunk].lower() for i in range(0, len(text), chunk)])


def prepare(body: str) -> BodyText:
    low = _lower(body)
    folded = _fold_view(body, low)
    if len(low) != len(body):  # a few characters lower-case to two; keep offsets
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in body)
    low = tone_norm(low)
    sents = _bounded([0] + [m.end() for m in _SENT_END.finditer(body)], body)
    clauses = [0] + [m.end() for m in _CLAUSE_END.finditer(body)]
    return BodyText(body, low, folded, tuple(sents), tuple(clauses))


def _bounded(starts: list[int], body: str) -> list[int]:
    """Sentence starts with long runs cut at their last clause break, comma or space within
    `MAX_SENTENCE` (a scraped table or a list of numbers has no full stops)."""
    out: list[int] = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(body)
        out.append(start)
        while end - start > MAX_SENTENCE:
            lo, hi = start + MAX_SENTENCE // 2, start + MAX_SENTENCE
            cut = next((k + len(sep) for sep in ("; ", ", ", " ") if (k := body.rfind(sep, lo, hi)) >= 0), hi)
            out.append(cut)
            start = cut
    return out


def words_before(low: str, pos: int, n: int = 4, reach: int = 60) -> list[str]:
    """Up to `n` words right before `pos` (stops at digits and most punctuation)."""
    chunk = low[max(0, pos - reach):pos]
    m = _LAST_CUT.match(chunk)
    if m:
        chunk = chunk[m.end():]
    return chunk.split()[-n:]


def ends_with_one_of(words: list[str], phrases: frozenset[str]) -> bool:
    """Are the last one, two, ... of `words` one of `phrases`?"""
    tail = ""
    for w in reversed(words):
        tail = f"{w} {tail}" if tail else w
        if tail in phrases:
            return True
    return False


def tail_phrases(words: list[str]) -> list[str]:
    return [" ".join(words[i:]) for i in range(len(words))]
