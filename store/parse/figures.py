"""Find every quantity an article reports.

The reader walks the digits of the body once. Each run of digits is first ruled out if it
is a date, a time, a year, a document number, an ordinal or a portal counter; what is
left is read with its qualifier ("hơn"), scale word ("nghìn tỷ"), unit ("lượt đại
biểu"), `of` ("140/145") and a following change ("tăng 10,02% so với cùng kỳ"). Spelled
counts ("hai cá nhân") and breakdown lists ("Tin tức chung 668; ...") are read too.

Units and scale words: a scale word is multiplied into the value and the unit is the
thing counted ("gần 40 nghìn văn bản" -> 40000 văn bản, "9,3 nghìn tỷ đồng" -> 9.3e12
đồng, "1,765 tỷ USD" -> 1.765e9 USD). One exception, because Vietnamese investment
statistics report in it: a currency written with exactly its statistical scale keeps that
as its unit ("560 triệu USD" -> 560 triệu USD). Without a scale word it stays as written.

Labels are the article's words for what is counted: the unit and the words after it, or
for rates and money the words before it, without dates, document numbers, the clause's
subject ("trung tâm đã | tiếp nhận") or a person's name. A percentage with no words of its
own is named by what it is compared with ("so với dự toán") or is the rate of the figure
before it. Both ends of a range share the label, and a bare first end shares the unit of
the second ("56.000 - 61.000 tỷ đồng"). An amount in brackets is named by the words before
the bracket.

The vocabulary is data (`data/units.json`); the metric keys come from `metrics.py`.
Words are compared lower-cased with one placement of tone marks ("hoà" = "hòa"), so the
vocabulary lists each word once. Never raises: anything unreadable becomes a warning.

Speed: the body is lower-cased and folded once per article (the fold goes through a byte
code, see `_byte_fold`), the full-text scans open with a character set so the regex engine
skips ahead, and the metric catalogue is asked with slices of the folded body.
"""

from __future__ import annotations

import bisect
import codecs
import json
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from tongket.store.lang.metrics import MetricCatalogue, load_catalogue
from tongket.store.parse.clause_unit import clause_unit_before
from tongket.store.present.display import vn_number
from tongket.store.lang.numbers import DOT_DATE, parse_numeral, read_scale, read_spelled
from tongket.store.record import Change, Figure
from tongket.store.lang.text import fold, fold_words

if TYPE_CHECKING:
    from _codecs import _EncodingMap  # part of what codecs.charmap_build returns; typeshed names it only there

_REACH = 300  # how far a figure's clause context reaches either side
_KEY_REACH = 160  # how far back a metric's phrase is looked for (the nearest one wins anyway)
# A bare "nghìn"/"ngàn" counts what its clause named; a bare "triệu" or "tỷ" is money, so it
# takes no counted noun and stays unread as before.
_COUNT_SCALES = frozenset({1000.0})
MAX_FIGURES = 5000  # a body with more numbers than this is not an article; stop and warn
# a run without a sentence end longer than this is cut into pieces of at most this many
# characters: every figure carries its sentence, so an unbounded one costs memory per figure
MAX_SENTENCE = 1000
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*(?:[/:\-–][0-9]+(?:[.,][0-9]+)*)*")
_DOC_CODE = re.compile(r"[/\-][A-ZĐ]")
# a match ends where a sentence starts; it opens with a character set so the scan is fast
_SENT_END = re.compile(r"[.!?…\n](?:(?<=\n)\n*|(?<!\n)\s+(?=[^\s\da-zà-ỹđ]))")
_CLAUSE_END = re.compile(r"[;\n]")
_PAREN = re.compile(r"\([^()]*\)")
_VS = re.compile(r"\s*\(?\s*so với ((?:[^\W_]+ ?){1,5})")
_SO_AFTER = re.compile(r"\s*(so (?:với )?(?:[^\W\d_]+ ?){1,5})")
_RATIO_UNITS = frozenset(("%", "lần"))
_AMOUNT_QUALIFIERS = frozenset(("đạt", "ước đạt", "ước"))
_VS_STOP = re.compile(r"\s(?:và|được|đạt|là|có|đã|thì|nhưng|trong|của)\b.*$")
_SO_VOI = re.compile(r"so với.*?(?=\bvà\b|,|$)", re.I)
_VS_BEFORE = re.compile(r"so với ((?:[^\W_]+ ?){1,5}?)\s*,?\s*$", re.I)
_SPELLED = re.compile(r"(?:hai|ba|bốn|sáu|bảy|bẩy|tám|chín|mười|một trăm)\b")  # word start checked by hand
_LAST_CUT = re.compile(r".*[.;:()|\n0-9]", re.S)  # greedy: ends after the last cut character
_HEAD_CUT = re.compile(r".*[;:()\n]", re.S)
_HEAD_TOKEN = re.compile(r"[^\W_][\w\-&]*|,")
# a word with a digit in it is not part of a label, nor are the calendar words that lead to it
# ("từ ngày 1.1.2019 đến 15.8.2019", "Nghị định số 63/2010/NĐ-CP")
_DIGIT_WORD = re.compile(
    r"(?:\b(?:tính|từ|đến|tới|trong|ngày|tháng|năm|quý|đầu|cuối|số|hết)\s+)*[\w\-&/.]*\d[\w\-&/.]*", re.I
)
# words after which what follows names the thing counted: "trung tâm đã | tiếp nhận"
_ENDS_WITH_FIGURE = re.compile(r"[0-9][0-9.,]*%?(?:\s+[^\W\d_]+){0,3}\s*\Z")
_ANY_DIGIT = re.compile(r"[0-9]")
_HEAD_REACH = 90  # characters before a figure that its label is looked for in
_MARKERS = frozenset("đã được là".split())
_LABEL_WORDS = 6
_LABEL_PREPS = frozenset("về của cho tại trong theo thuộc để".split())  # a unit's label keeps this many words of the text before it
_PAIR_SEP = re.compile(r"[/\-–]")
_COMMA_PCT = re.compile(r",\s?%")
_FW = re.compile(r"\w+")
_GAP_STOP = re.compile(r"[\d;:]")
_SPLIT_TAIL = re.compile(r", ([0-9]{1,3}) (?:nghìn|ngàn|triệu|tỷ|tỉ)")
_BREAKDOWN = re.compile(
    r"[(:;,] ?([A-ZĐÀ-Ỹ][^\W\d_]*(?: [^\W\d_]+){0,6}) (\d+(?:\.\d{3})*)(?!,\d)(?=\s*(?:[;,)]|\.\s|\.?$|,\.\.\.))",
    re.M,
)


@dataclass(frozen=True, slots=True)
class _Vocab:
    unit_re: re.Pattern[str]
    unit_names: dict[str, str]  # lower-cased form -> written form
    time_re: re.Pattern[str]
    stopwords: frozenset[str]
    change_words: dict[str, str]
    skip_before: frozenset[str]
    skip_exempt: frozenset[str]
    year_before: frozenset[str]
    date_before: frozenset[str]
    fillers: frozenset[tuple[str, ...]]  # word tuples
    filler_edges: frozenset[str]  # first and last words of fillers: a quick "no filler here"
    keep: frozenset[tuple[str, ...]]  # "tiếp nhận": a filler opening a compound stays
    currencies: dict[str, tuple[str | None, float]]
    qualifier_re: re.Pattern[str]  # a qualifier ending right before a number
    change_re: re.Pattern[str]
    widget_end: re.Pattern[str]  # folded widget label at the end / start of a string
    widget_start: re.Pattern[str]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _ends_before_number(words: list[str]) -> re.Pattern[str]:
    """One of `words`, not glued to a letter before it, then one space, then the number."""
    return re.compile(rf"(?<![^\W\d_])({_alternation(words)}) \Z")


@cache
def _tone_pairs() -> dict[str, str]:
    """Tone marks written on either vowel of 'oa', 'oe', 'uy' ("hòa"/"hoà", "thủy"/"thuỷ")
    -> one spelling, so that words compare after one normalisation instead of being
    listed twice. Two characters in, two out: offsets are kept."""
    pairs = {}
    for mark in "\u0300\u0301\u0303\u0309\u0323":
        for a, b in (("o", "a"), ("o", "e"), ("u", "y")):
            pairs[unicodedata.normalize("NFC", a + mark) + b] = a + unicodedata.normalize("NFC", b + mark)
    return pairs


@cache
def _tone_re() -> re.Pattern[str]:
    return re.compile("|".join(_tone_pairs()))


def _tone_norm(low: str) -> str:
    pairs = _tone_pairs()
    return _tone_re().sub(lambda m: pairs[m.group(0)], low)


def _low(text: str) -> str:
    """Lower case with one placement of tone marks: how the reader compares words."""
    return _tone_norm(text.lower())


@cache
def _vocab() -> _Vocab:
    data = json.loads(resources.files("tongket.store.lang").joinpath("data/units.json").read_text(encoding="utf-8"))
    low = _low  # vocabulary is compared with the reader's lower-cased, tone-normalised view
    units = [low(u) for u in data["units"]]
    return _Vocab(
        unit_re=re.compile(rf"(?:{_alternation(units)})(?![^\W_])"),
        unit_names={low(u): u for u in data["units"]},
        time_re=re.compile(rf"(?:{_alternation([low(t) for t in data['time_units']])})(?![^\W_])"),
        stopwords=frozenset(low(w) for w in data["stopwords"]),
        change_words={low(k): v for k, v in data["change_words"].items()},
        skip_before=frozenset(low(w) for w in data["skip_before"]),
        skip_exempt=frozenset(low(w) for w in data["skip_before_exempt_with_so"]),
        year_before=frozenset(low(w) for w in data["year_before"]),
        date_before=frozenset(low(w) for w in data["date_before"]),
        fillers=frozenset(tuple(w.lower().split()) for w in data["label_fillers"]),
        keep=frozenset(tuple(w.lower().split()) for w in data.get("label_keep", ())),

        filler_edges=frozenset(e for w in data["label_fillers"] for e in (w.lower().split()[0], w.lower().split()[-1])),
        currencies={k: (v.get("scaled_unit"), float(v.get("scale", 1))) for k, v in data["currencies"].items()},
        qualifier_re=_ends_before_number([low(q) for q in data["qualifiers"]]),
        change_re=_ends_before_number([low(k) for k in data["change_words"]]),
        widget_end=re.compile(rf"(?:{_alternation([fold(w) for w in data['widget_labels']])})\Z"),
        widget_start=re.compile(_alternation([fold(w) for w in data["widget_labels"]])),
    )


@dataclass(frozen=True, slots=True)
class _Text:
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


def _prepare(body: str) -> _Text:
    low = _lower(body)
    folded = _fold_view(body, low)
    if len(low) != len(body):  # a few characters lower-case to two; keep offsets
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in body)
    low = _tone_norm(low)
    sents = _bounded([0] + [m.end() for m in _SENT_END.finditer(body)], body)
    clauses = [0] + [m.end() for m in _CLAUSE_END.finditer(body)]
    return _Text(body, low, folded, tuple(sents), tuple(clauses))


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


def _words_before(low: str, pos: int, n: int = 4, reach: int = 60) -> list[str]:
    """Up to `n` words right before `pos` (stops at digits and most punctuation)."""
    chunk = low[max(0, pos - reach):pos]
    m = _LAST_CUT.match(chunk)
    if m:
        chunk = chunk[m.end():]
    return chunk.split()[-n:]


def _ends_with_one_of(words: list[str], phrases: frozenset[str]) -> bool:
    """Are the last one, two, ... of `words` one of `phrases`?"""
    tail = ""
    for w in reversed(words):
        tail = f"{w} {tail}" if tail else w
        if tail in phrases:
            return True
    return False


def _tail_phrases(words: list[str]) -> list[str]:
    return [" ".join(words[i:]) for i in range(len(words))]


@dataclass(frozen=True, slots=True)
class _Read:
    """A number read in place: where it is, its value and what follows it."""

    start: int  # of the digits
    num_end: int  # end of digits (+ scale word, + %)
    end: int  # end of unit
    value: float
    unit: str | None
    unit_known: bool
    of: float | None = None
    kind: str = "digits"  # "digits", "spelled" or "breakdown" (label, then a bare number)
    scale: float = 1.0  # the scale word multiplied in ("ngàn" -> 1000)


def _read_unit(t: _Text, pos: int, v: _Vocab) -> tuple[str | None, int, bool, bool]:
    """Unit starting after `pos` -> (unit, end, known, is_time). Unknown units are the next
    one or two lower-case words that are not function words."""
    i = pos
    while i < len(t.low) and t.low[i] in " \t":
        i += 1
    if i - pos > 2:
        return None, pos, False, False
    if i < len(t.low) and t.low[i] == "%":
        return "%", i + 1, True, False
    if v.time_re.match(t.low, i):
        return None, pos, False, True
    m = v.unit_re.match(t.low, i)
    if m:
        return v.unit_names[m.group(0)], m.end(), True, False
    if t.low.startswith("phần trăm", i):
        return "%", i + len("phần trăm"), True, False
    words: list[str] = []
    j = i
    for _ in range(2):
        wm = _WORD.match(t.body, j)
        if not wm or (words and t.body[wm.start() - 1] != " "):
            break
        w = wm.group(0)
        if _low(w) in v.stopwords or not w[0].islower():
            break
        # "v.v…" is an abbreviation, and a word the excerpt cuts off is not a unit
        if t.body[wm.end(): wm.end() + 2][:1] == "." and t.body[wm.end() + 1: wm.end() + 2].isalpha() or wm.end() == len(t.body):
            break
        words.append(w)
        j = wm.end()
        if j >= len(t.body) or t.body[j] != " ":
            break
        j += 1
    if not words:
        return None, pos, False, False
    end = i + len(" ".join(words))
    return " ".join(words), end, False, False


def _skip_context(t: _Text, start: int, v: _Vocab) -> bool:
    """Ordinals, document numbers, addresses, clock and calendar words right before."""
    words = _words_before(t.low, start, 4)
    if not words:
        return False
    if words[-1] != "số":
        return _ends_with_one_of(words, v.skip_before)
    phrases = _tail_phrases(words)
    if words[-1] == "số":
        if any(p in v.skip_exempt for p in phrases):
            return False
        rest = words[:-1]
        if not rest:
            return False
        prev_raw = t.body[max(0, start - 40):start].split()
        if len(prev_raw) >= 2 and prev_raw[-2][:1].isupper():
            return True  # "Công văn số 12", "Kế hoạch số 62"
        return any(p in v.skip_before for p in _tail_phrases(rest))
    return any(p in v.skip_before for p in phrases)


def _is_widget(t: _Text, start: int, v: _Vocab) -> bool:
    """Portal counters: a short line "Thống kê: 600.974", "Online: 13", "Lượt xem: 698"."""
    ls = t.body.rfind("\n", max(0, start - 100), start) + 1 or max(0, start - 100)
    le = t.body.find("\n", start, start + 100)
    le = min(len(t.body), start + 100) if le < 0 else le
    if le - ls > 80:
        prefix = t.folded[max(ls, start - 30):start]
        return ":" in prefix and v.widget_end.search(prefix.rstrip(" :")) is not None
    head = t.folded[ls:start]
    if ":" not in head:
        return False
    head = head.strip(" :|-")
    return v.widget_end.search(head) is not None or v.widget_start.match(head) is not None


def _read_at(t: _Text, m: re.Match[str], v: _Vocab, warnings: list[str]) -> _Read | None:
    """Read the digit run `m`, or None if it is not a quantity."""
    body = t.body
    start, end = m.span()
    token = m.group(0)
    prev = body[start - 1] if start else " "
    if prev.isalnum() or prev == "_":
        return None  # glued to letters: H5N1, COVID-19 style codes, 4G
    if prev in "-–" and start >= 2 and body[start - 2].isalpha():
        return None
    if prev in ".,:" and start >= 2 and body[start - 2].isdigit():
        return None
    if end < len(body) and (body[end].isalpha() or body[end] == "_"):
        return None  # 1A, 5G, 10ha glued
    if _DOC_CODE.match(body, end) or (end < len(body) and body[end] == "/" and end + 1 < len(body) and body[end + 1].isalpha()):
        return None  # 93/KH-UBND, 18-NQ/TW
    if ":" in token:
        return None  # times, ISO 9001:2008
    seps = _PAIR_SEP.findall(token) if not token.isdigit() else []
    parts = _PAIR_SEP.split(token) if seps else [token]
    if len(parts) >= 3:
        return None  # full dates 20/1/2020, 24-12-2018
    if _skip_context(t, start, v) or _is_widget(t, start, v):
        return None
    if len(parts) == 2:
        return _read_pair(t, start, end, parts, seps[0], v)
    if DOT_DATE.fullmatch(token) and "." in token:
        return None  # 13.1, 30.11.2019
    comma_pct = _COMMA_PCT.match(body, end, end + 3)
    if comma_pct:
        end += 1  # "16,%"
    if len(token) > 3 and token[0] == "0" and token[1:2].isdigit():
        return None  # phone numbers, codes
    value = parse_numeral(token + ("," if comma_pct else ""))
    if value is None:
        warnings.append(f"unreadable number {body[start:min(len(body), end + 12)]!r}")
        return None
    if _is_year(t, start, token, value, end, v):
        return None
    scale, s_end = read_scale(t.folded, end)
    unit, u_end, known, is_time = _read_unit(t, s_end, v)
    if is_time:
        return None
    if unit is None and s_end == end:
        scale, unit, known = _range_unit(t, end, v, scale, unit, known)
        u_end = s_end
    value *= scale
    if unit in v.currencies:
        scaled_unit, unit_scale = v.currencies[unit]
        if scaled_unit and scale == unit_scale:
            value, unit = value / unit_scale, scaled_unit
    return _Read(start, s_end, u_end if unit else s_end, value, unit, known, scale=scale)


def _range_unit(t: _Text, end: int, v: _Vocab, scale: float, unit: str | None, known: bool) -> tuple[float, str | None, bool]:
    """'56.000 - 61.000 tỷ đồng', 'từ 5 đến 7 hồ sơ': the first end of a range is written
    bare and shares the scale and unit of the second."""
    g = _RANGE_TO.match(t.low, end)
    if not g:
        return scale, unit, known
    nxt = _NUMBER.match(t.body, g.end())
    if not nxt:
        return scale, unit, known
    scale2, s2 = read_scale(t.folded, nxt.end())
    unit2, _, known2, is_time = _read_unit(t, s2, v)
    if is_time or not known2:
        return scale, unit, known
    return scale2, unit2, known2


def _is_year(t: _Text, start: int, token: str, value: float, end: int, v: _Vocab) -> bool:
    if not (len(token) == 4 and token.isdigit() and 1900 <= value <= 2100):
        return False
    if start and t.body[start - 1] in "/-":
        return True  # the year of a date or period: "quý I/2021", "tháng 6/2020", "2017-2019"
    if _ends_with_one_of(_words_before(t.low, start, 2), v.year_before):
        return True
    unit, _, known, _ = _read_unit(t, end, v)
    next_word = t.body[end:end + 2].strip()[:1]
    return not (known and unit not in ("%",) and not next_word.isupper())  # "2022 Trung tâm …" is a year


def _read_pair(t: _Text, start: int, end: int, parts: list[str], sep: str, v: _Vocab) -> _Read | None:
    """"a/b": a share ("140/145 nội dung" -> 140 of 145) or a day/month or month/year."""
    if sep != "/":
        return None  # 11-1 dates, 2017-2019 year ranges, 5-7 ranges
    a, b = parse_numeral(parts[0]), parse_numeral(parts[1])
    if a is None or b is None:
        return None
    if len(parts[1]) == 4 and 1900 <= b <= 2100 and a <= 12:
        return None  # tháng 07/2018
    unit, u_end, known, is_time = _read_unit(t, end, v)
    if is_time:
        return None
    datelike = 1 <= a <= 31 and 1 <= b <= 12 and len(parts[0]) <= 2 and len(parts[1]) <= 2
    after_date_word = _ends_with_one_of(_words_before(t.low, start, 2), v.date_before)
    if datelike and (unit is None or after_date_word):
        return None
    if a > b:
        return None
    return _Read(start, end, u_end if unit else end, a, unit, known, of=b)


def _qualifier(t: _Text, start: int, v: _Vocab) -> tuple[str | None, int]:
    m = v.qualifier_re.search(t.low, max(0, start - 16), start)
    if m:
        return t.body[m.start():start - 1], m.start()
    return None, start


def _change_word(t: _Text, pos: int, v: _Vocab) -> tuple[str | None, int]:
    m = v.change_re.search(t.low, max(0, pos - 14), pos)
    if m:
        return v.change_words[m.group(1)], m.start()
    return None, pos


def _strip_fillers(words: list[str], v: _Vocab) -> list[str]:
    """Drop filler verbs and words ("đạt", "tổng số", "trong đó") from both ends."""
    a, b = 0, len(words)
    while b > a and words[b - 1] == ",":
        b -= 1
    if a == b:
        return []
    low = " ".join(words).lower().split(" ")  # words hold no spaces: one lower() for all
    edges, fillers = v.filler_edges, v.fillers
    changed = True
    while a < b and changed:
        changed = False
        if low[a] not in edges and low[b - 1] not in edges:
            break
        for n in (3, 2, 1):
            if b - a >= n and tuple(low[b - n:b]) in fillers:
                b -= n
                changed = True
                break
            if b - a >= n and tuple(low[a:a + n]) in fillers and tuple(low[a:a + n + 1]) not in v.keep:
                a += n
                changed = True
                break
    return words[a:b]


_TAIL_STOP = frozenset(
    "và với của cho tại trên dưới so tăng giảm đạt chiếm để nhằm theo từ trong là có gồm như khi "
    "nhưng hoặc hay sau trước qua về vào thuộc bằng hơn gần khoảng vượt".split()
)
_STARTERS = ("tỷ lệ", "tỉ lệ", "tốc độ", "tăng trưởng", "tổng thu", "tổng chi", "tổng số", "kim ngạch",
             "giá trị", "chỉ số", "thu nhập", "thu hút", "thu ngân sách", "thu nội địa", "tổng vốn", "vốn")
_RANGE_NEXT = re.compile(r"(?:đến|tới) [0-9]")  # "7,5% đến 8%": the second end of a range, not a word about the first
_RANGE_TO = re.compile(r"\s*(?:-|–)\s*|\s+(?:đến|tới)\s+")
_RANGE_GAP = re.compile(r"\s*(?:đến|tới|-|–)\s*\Z")  # all that stands between the two ends of a range
_CUT_PREPS = (" của ", " tại ", " trên ", " thuộc ", " trong ", " so với ")
_STARTER_AT = re.compile(f"(?=({_alternation(list(_STARTERS))}))")


def _head(t: _Text, lo: int, hi: int, v: _Vocab, bracketed: bool = True) -> str:
    """The words naming a figure, written before it: from `lo` (previous figure or clause
    start) to `hi` (the qualifier), without brackets, numbers and filler verbs. A figure
    that opens a bracket (`bracketed`) is named by the words before the bracket."""
    if hi - lo > _HEAD_REACH:  # only the last words can name the figure; start at a word
        lo = t.body.find(" ", hi - _HEAD_REACH, hi) + 1 or hi - _HEAD_REACH
    text = t.body[lo:hi]
    if "(" in text:
        text = _PAREN.sub(" ", text)
    if "so với" in t.low[lo:hi]:
        text = _SO_VOI.sub(" ", text)
    m = _HEAD_CUT.match(text)
    if m:
        rest = text[m.end():]
        if bracketed and text[m.end() - 1] == "(" and not rest.strip(" ,:") and not _ENDS_WITH_FIGURE.search(text, 0, m.end() - 1):
            rest = text[:m.end() - 1]  # "thu xổ số (5.056 tỷ đồng)": named before the bracket
            m2 = _HEAD_CUT.match(rest)
            rest = rest[m2.end():] if m2 else rest
        text = rest
    tokens = _HEAD_TOKEN.findall(_DIGIT_WORD.sub(" ", text) if _ANY_DIGIT.search(text) else text)
    tokens = _strip_fillers(tokens, v)
    low = " ".join(tokens).lower()
    starts = [m.start() for m in _STARTER_AT.finditer(low)]
    best = starts[-1] if starts else -1
    if best >= 0:
        pre = low[:best].rstrip()
        for s in _STARTERS:  # "tốc độ tăng trưởng": keep the starter before the starter
            if pre.endswith(s):
                best = pre.rfind(s)
                pre = low[:best].rstrip()
        tokens = low[:best].count(" ") and tokens[len(low[:best].split()):] or tokens
    else:
        if "," in tokens:
            tokens = tokens[len(tokens) - tokens[::-1].index(","):]
        tokens = _after_subject(tokens)
    words = _strip_fillers([w for w in tokens if w != ","], v)
    return " ".join(words[-10:])


def _is_name_word(w: str) -> bool:
    return w[:1].isupper() and not w.isupper()


def _after_subject(tokens: list[str]) -> list[str]:
    """Drop the clause's subject: what follows its last verb marker ("trung tâm đã tiếp
    nhận" -> "tiếp nhận") or its last name ("Nguyễn Văn Sơn trao Bằng khen" -> "trao
    Bằng khen"), as long as some words are left."""
    cut = 0
    names = [_is_name_word(w) for w in tokens]
    for i in range(len(tokens) - 1):
        if tokens[i].lower() in _MARKERS:
            cut = i + 1
        elif names[i] and i >= 2 and names[i - 1] and names[i - 2] and tokens[i + 1][:1].islower():
            cut = i + 1  # a name of three or more capitalised words, then lower-case words
    return tokens[cut:] if cut < len(tokens) else tokens


def _cut_preps(label: str) -> str:
    """'tăng trưởng kinh tế của tỉnh' -> 'tăng trưởng kinh tế' (for rates and money)."""
    for p in _CUT_PREPS:
        i = label.lower().find(p)
        if i > 0:
            label = label[:i]
    return label


def _tail(t: _Text, pos: int, v: _Vocab, about: bool = False) -> tuple[str, int]:
    """Words right after the unit that say more about it ("văn bản đến", "tin nhắn được gửi đi").
    A ratio (`about`) may go on with what it measures ("tăng 2 lần về số dự án")."""
    words: list[str] = []
    j = pos
    ends: list[int] = []
    while len(words) < 6:
        if j >= len(t.body) or t.body[j] != " ":
            break
        wm = _WORD.match(t.body, j + 1)
        if not wm:
            break
        w = wm.group(0)
        if w.lower() in _TAIL_STOP and not (about and not words and w.lower() == "về"):
            break
        if _RANGE_NEXT.match(t.low, wm.start()):
            break
        words.append(w)
        ends.append(wm.end())
        j = wm.end()
    while words and words[-1].lower() in ("được", "đã", "đang"):
        words.pop()
        ends.pop()
    return " ".join(words), (ends[-1] if ends else pos)


def _label(t: _Text, r: _Read, head: str, tail: str, clause_head: str) -> str:
    """What the figure counts: the unit and the words after it ("văn bản đến"); for rates
    and money, the words before it ("tỷ lệ hồ sơ nộp trực tuyến")."""
    unit = r.unit
    if unit is None or unit == "%" or unit in ("đồng", "USD", "triệu USD"):
        head = _cut_preps(head or ("" if tail else clause_head))
        parts = [p for p in (head, tail) if p]
        return " ".join(parts) or (unit or "")
    if tail:
        return f"{unit} {tail}"
    if head and fold(unit) in fold(head):
        return head
    head = _cut_preps(head)
    if head:
        return f"{unit} {_last_words(head, _LABEL_WORDS)}"
    return unit


def _last_words(text: str, n: int) -> str:
    """The last `n` words. A cut lands at a preposition when one is near ("khiếu nại | về
    lĩnh vực"), else reaches back over a capitalised word cut in two ("Trung | tâm")."""
    words = text.split()
    i = max(0, len(words) - n)
    if i == 0:
        return text
    at = next((j for j in range(max(1, i - 2), min(i + 3, len(words) - 1)) if words[j].lower() in _LABEL_PREPS), None)
    if at is not None:
        return " ".join(words[at:])
    while 0 < i and words[i - 1][:1].isupper() and i > len(words) - n - 2:
        i -= 1
    return " ".join(words[i:])


def _rate_label(t: _Text, end: int, prev: Figure | None, start: int) -> str:
    """A percentage with no words of its own: of what it is compared with ("đạt 24,9% so
    với dự toán"), else a rate of the figure just before it ("2.998 hồ sơ, đạt 99,9%")."""
    m = _SO_AFTER.match(t.body, end)
    if m:
        return _VS_STOP.sub("", m.group(1)).strip()
    if prev and start - prev.span[1] <= 60 and not _GAP_STOP.search(t.body, prev.span[1], start):
        return f"tỷ lệ {prev.label}"
    return ""


def _vs_after(t: _Text, pos: int) -> tuple[str | None, int]:
    m = _VS.match(t.body, pos)
    if m:
        return _VS_STOP.sub("", m.group(1)).strip(), m.end()
    return None, pos


@dataclass(frozen=True, slots=True)
class _Found:
    fig: Figure
    is_change: bool
    direction: str | None
    vs: str | None


def _scan_digits(t: _Text, v: _Vocab, warnings: list[str]) -> list[tuple[_Read, str | None, int]]:
    reads: list[tuple[_Read, str | None, int]] = []
    split_at: list[tuple[int, int, int]] = []
    body = t.body
    for m in _NUMBER.finditer(body):
        if len(reads) >= MAX_FIGURES:
            warnings.append(f"stopped after {MAX_FIGURES} numbers")
            break
        if body.startswith(", ", m.end()):
            _note_split_decimal(body, m, split_at)
        r = _read_at(t, m, v, warnings)
        if r is None:
            continue
        q, qs = _qualifier(t, r.start, v)
        reads.append((r, q, qs))
    for a, b, end in split_at:
        warnings.append(f"unreadable number {body[a:end]!r}")
        reads = [x for x in reads if x[0].start not in (a, b)]
    return reads


def _note_split_decimal(body: str, m: re.Match[str], out: list[tuple[int, int, int]]) -> None:
    """'37, 38 tỷ': a decimal comma with a stray space; which number is meant is unclear.
    Notes (start of each part, end) when the digits before the comma start a number."""
    i = m.end()
    while i > m.start() and body[i - 1] in "0123456789":
        i -= 1
    if i and body[i - 1] in "0123456789.,":
        return
    tail = _SPLIT_TAIL.match(body, m.end())
    if tail:
        out.append((i, tail.start(1), tail.end()))


def _scan_spelled(t: _Text, v: _Vocab) -> list[tuple[_Read, str | None, int]]:
    reads = []
    for m in _SPELLED.finditer(t.low):
        if m.start() and (t.low[m.start() - 1].isalnum() or t.low[m.start() - 1] == "_"):
            continue
        words = t.folded[m.start():m.start() + 40].split()
        got = read_spelled(words)
        if not got:
            continue
        value, used = got
        end = m.start() + len(" ".join(t.body[m.start():m.start() + 40].split()[:used]))
        if t.low[end:end + 1] != " ":
            continue
        unit, u_end, known, is_time = _read_unit(t, end, v)
        if not known or is_time or unit in ("số", "bộ", "ban", "bản", "tin", "bài", "trang", "điểm", "%", "đồng", "USD", "sở", "kỳ", "khóa", "lớp", "máy", "nhà", "xe"):
            continue
        if _skip_context(t, m.start(), v):
            continue
        q, qs = _qualifier(t, m.start(), v)
        reads.append((_Read(m.start(), end, u_end, value, unit, True, kind="spelled"), q, qs))
    return reads


def _scan_breakdowns(t: _Text, v: _Vocab, taken: set[int]) -> list[tuple[_Read, str | None, int]]:
    """'(trong đó: Tin tức chung 668; Hoạt động kỳ họp 182; ...)': a label, then a bare number."""
    reads: list[tuple[_Read, str | None, int]] = []
    for m in _BREAKDOWN.finditer(t.body):
        if m.start(2) in taken:
            continue
        fl = t.folded[m.start(1):m.end(1)]
        if v.widget_start.match(fl) or v.widget_end.search(fl):
            continue
        if _skip_context(t, m.start(2), v):
            continue
        value = parse_numeral(m.group(2))
        if value is None or (len(m.group(2)) == 4 and 1900 <= value <= 2100):
            continue
        reads.append((_Read(m.start(2), m.end(2), m.end(2), value, None, False, kind="breakdown"), None, m.start(1)))
    return reads


def extract_figures(body: str) -> tuple[list[Figure], list[str]]:
    """Return the figures found in `body` (spans index into `body`) and warnings."""
    warnings: list[str] = []
    try:
        if not isinstance(body, str) or not body:
            return [], warnings
        if not unicodedata.is_normalized("NFC", body):
            return _extract_non_nfc(body)
        return _extract(body, warnings), warnings
    except Exception as exc:  # the reader must never stop an ingest
        warnings.append(f"figure reader failed: {type(exc).__name__}")
        return [], warnings


def _extract_non_nfc(body: str) -> tuple[list[Figure], list[str]]:
    """Read the NFC form, then map spans back to the original text."""
    marks = re.compile(r".[\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*", re.S)
    pieces: list[str] = []
    starts: list[int] = []  # nfc offset -> original offset
    for m in marks.finditer(body):
        piece = unicodedata.normalize("NFC", m.group(0))
        for _ in piece:
            starts.append(m.start())
        pieces.append(piece)
    starts.append(len(body))
    norm = "".join(pieces)
    warnings: list[str] = []
    figs = _extract(norm, warnings)

    def back(span: tuple[int, int]) -> tuple[int, int]:
        a = starts[span[0]]
        b = starts[span[1]] if span[1] < len(starts) else len(body)
        return a, b

    out = []
    sentences: dict[tuple[int, int], str] = {}
    for f in figs:
        sp, ss = back(f.span), back(f.sentence_span)
        sentence = sentences.setdefault(ss, body[ss[0]:ss[1]])
        out.append(replace(f, span=sp, raw=body[sp[0]:sp[1]], sentence_span=ss, sentence=sentence))
    return out, warnings


def _extract(body: str, warnings: list[str]) -> list[Figure]:
    v = _vocab()
    cat = load_catalogue()
    t = _prepare(body)
    reads = _scan_digits(t, v, warnings)
    taken = {r.start for r, _, _ in reads if r.unit or r.of is not None}
    breakdowns = _scan_breakdowns(t, v, taken)
    claimed = {r.start for r, _, _ in breakdowns}
    reads = [x for x in reads if x[0].start not in claimed] + breakdowns + _scan_spelled(t, v)
    reads.sort(key=lambda x: x[0].start)
    return _assemble(t, v, cat, reads)


@lru_cache(maxsize=1024)
def _fold_unit(unit: str | None) -> str:
    return fold(unit or "").strip()


def _assemble(t: _Text, v: _Vocab, cat: MetricCatalogue, reads: list) -> list[Figure]:
    found: list[_Found] = []
    sentences: dict[tuple[int, int], str] = {}  # figures of one sentence share its text
    prev_end_in_sentence: dict[tuple[int, int], int] = {}
    for idx, (r, q, qs) in enumerate(reads):
        sent = t.sentence_span(r.start)
        clause = t.clause_span(r.start, sent)
        direction, cs = _change_word(t, qs, v)
        if direction and q and q.lower() in _AMOUNT_QUALIFIERS:
            direction, cs = None, qs  # "vốn tăng thêm đạt 179,2 triệu USD": a noun, not a change
        raw_start = qs
        unit = r.unit
        prev_end = prev_end_in_sentence.get(sent, sent[0])
        lo = max(prev_end, clause[0]) if prev_end <= r.start else clause[0]
        is_breakdown = r.kind == "breakdown"
        from_clause = False
        if is_breakdown:
            # breakdown list: inherit the unit of the figure the list breaks down
            parent = next((f.fig for f in reversed(found) if f.fig.span[1] <= r.start and f.fig.sentence_span == sent and f.fig.unit), None)
            unit = parent.unit if parent else None
        elif unit is None and r.of is None and direction is None:
            if r.scale in _COUNT_SCALES:  # "hồ sơ gần 15 ngàn": the clause names what is counted
                unit = clause_unit_before(t.body, sent[0], r.start, [(f.fig.span, f.fig.unit) for f in found if f.fig.sentence_span == sent])
                from_clause = unit is not None
            if unit is None:
                prev_end_in_sentence[sent] = r.end
                continue  # a bare number that no list or unit explains
        head_hi = cs if direction else raw_start
        head = t.body[qs:r.start].strip() if is_breakdown else _head(t, lo, head_hi, v, bracketed=not direction)
        tail, tail_end = _tail(t, r.end, v, about=r.unit in _RATIO_UNITS) if r.unit else ("", r.end)
        prev = found[-1].fig if found and found[-1].fig.sentence_span == sent else None
        if is_breakdown:
            label = head
        elif prev and prev.unit == unit and _RANGE_GAP.match(t.body[prev.span[1]:raw_start]):
            label = prev.label  # "từ 7,5% đến 8%": both ends of one range
        elif unit == "%" and not head and not tail:
            label = _rate_label(t, r.end, prev, raw_start) or _label(t, r, head, tail, _head(t, clause[0], head_hi, v))
            if label in ("%", "") and prev:
                label = f"tỷ lệ {prev.label}"
        else:
            clause_head = "" if head or tail else _head(t, clause[0], head_hi, v)
            label = _label(t, r, head, tail, clause_head)
            if unit == "%" and label in ("%", "") and prev:
                label = f"tỷ lệ {prev.label}"  # "2.998 hồ sơ, đạt tỷ lệ 99,9%"
        next_start = reads[idx + 1][2] if idx + 1 < len(reads) else clause[1]
        after_hi = min(next_start, clause[1]) if next_start > r.end else clause[1]
        label_f, unit_f = fold(label), _fold_unit(unit)
        key = cat.key_for_folded(label_f, unit_f, t.folded[max(lo, head_hi - _KEY_REACH):head_hi], t.folded[r.end:after_hi])
        if key is None and prev and label == f"tỷ lệ {prev.label}":  # "trả trước hạn 22.357 hồ sơ, đạt 83%"
            key = cat.key_for_folded(label_f, unit_f, t.folded[max(clause[0], head_hi - _KEY_REACH):head_hi], "")
        if key is None and after_hi < clause[1]:  # "03 tập thể và 06 cá nhân được tặng Bằng khen": the clause's end names both
            key = cat.key_for_folded(label_f, unit_f, "", t.folded[r.end:clause[1]])
        span_end = r.end
        vs = None
        if direction:
            vs, _ = _vs_after(t, r.end)
            if vs is None:
                m = _VS_BEFORE.search(t.body, max(sent[0], cs - 70), cs)
                vs = m.group(1).strip() if m else None
        raw = t.body[raw_start:span_end]
        display_start = r.start
        display = t.body[display_start:span_end]
        if is_breakdown:
            display = f"{vn_number(r.value)} {unit}" if unit else vn_number(r.value)
        elif from_clause:
            display = f"{display} {unit}"  # "15 ngàn hồ sơ": the display names what is counted
        fig = Figure(
            value=float(r.value),
            unit=unit,
            label=label,
            raw=raw,
            display=display,
            sentence=sentences.setdefault(sent, t.body[sent[0]:sent[1]]),
            span=(raw_start, span_end),
            sentence_span=sent,
            key=key,
            qualifier=q,
            of=r.of,
            change=Change(r.value, unit, direction, vs) if direction else None,
        )
        found.append(_Found(fig, direction is not None, direction, vs))
        prev_end_in_sentence[sent] = tail_end
    return _dedupe(_attach_changes(t, found))


def _attach_changes(t: _Text, found: list[_Found]) -> list[Figure]:
    """'129 cuộc họp, tăng 15 cuộc họp so với năm 2018': the change belongs to 129."""
    out: list[Figure] = []
    for f in found:
        if f.is_change and out:
            base = out[-1]
            gap = t.body[base.span[1]:f.fig.span[0]]
            same_sentence = base.sentence_span == f.fig.sentence_span
            unit_ok = f.fig.unit in ("%", None, base.unit) or (base.unit or "").startswith(f.fig.unit or "")
            if same_sentence and base.change is None and len(gap) <= 40 and not _GAP_STOP.search(gap) and unit_ok:
                out[-1] = replace(base, change=Change(f.fig.value, f.fig.unit or base.unit, f.direction or "up", f.vs))
                continue
        out.append(f.fig)
    return out


def _dedupe(figs: list[Figure]) -> list[Figure]:
    """One quantity written twice ("hai cá nhân" ... "2 cá nhân") is one figure: same value
    and unit in another sentence, filed under the same metric or with the same label.
    Two figures in one sentence are always two things."""
    out: list[Figure] = []
    seen: dict[tuple[float, str | None], list[Figure]] = {}
    for f in figs:
        twins = seen.setdefault((f.value, f.unit), [])
        dup = any(
            g.sentence_span != f.sentence_span
            and g.of == f.of
            and (
                (f.key is not None and g.key == f.key)
                or _same_label(g, f)
            )
            for g in twins
        )
        if dup:
            continue
        twins.append(f)
        out.append(f)
    return out


def _same_label(a: Figure, b: Figure) -> bool:
    """Labels name the same thing: equal, or one extends the other, and more than the unit."""
    la, lb = fold_words(a.label), fold_words(b.label)
    if la == fold_words(a.unit or "") or lb == fold_words(b.unit or ""):
        return False
    return la == lb or la.startswith(lb + " ") or lb.startswith(la + " ")
