"""Finding the numbers that are quantities, and what is written right after them.

Each run of digits is ruled out if it is a date, a time, a year, a document number, an
ordinal or a portal counter; what is left is read with its scale word ("nghìn tỷ"), its
unit ("lượt đại biểu") and its `of` ("140/145"). Spelled counts ("hai cá nhân") and
breakdown lists ("Tin tức chung 668; ...") are found here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tongket.store.lang.figure_words import Vocab, label_words, reader_lower
from tongket.store.lang.numbers import DOT_DATE, looks_like_year, number_words, parse_numeral, read_scale, read_spelled, scale_words
from tongket.store.parse.figure_label import cut_or_abbreviated, qualifier_before
from tongket.store.parse.figure_text import WORD, ends_with_one_of, tail_phrases, BodyText, words_before


MAX_FIGURES = 5000  # a body with more numbers than this is not an article; stop and warn
_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*(?:[/:\-–][0-9]+(?:[.,][0-9]+)*)*")
_DOC_CODE = re.compile(r"[/\-][A-ZĐ]")
_PAIR_SEP = re.compile(r"[/\-–]")
_COMMA_PCT = re.compile(r",\s?%")
_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+|\d{3,}")  # a count, never a day or month number
_BREAKDOWN = re.compile(
    r"[(:;,] ?([A-ZĐÀ-Ỹ][^\W\d_]*(?: [^\W\d_]+){0,6}) (\d+(?:\.\d{3})*)(?!,\d)(?=\s*(?:[;,)]|\.\s|\.?$|,\.\.\.))",
    re.M,
)



@cache
def _split_tail() -> re.Pattern[str]:
    """", 38 tỷ" right after a number: the second half of a decimal split by a stray space."""
    return re.compile(rf", ([0-9]{{1,3}}) (?:{'|'.join(map(re.escape, scale_words()))})")


@dataclass(frozen=True, slots=True)
class Read:
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


def _read_unit(t: BodyText, pos: int, v: Vocab) -> tuple[str | None, int, bool, bool]:
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
        unit, end = _paired(t, v, v.unit_names[m.group(0)], m.group(0), m.end())
        return unit, end, True, False
    words: list[str] = []
    j = i
    for _ in range(2):
        wm = WORD.match(t.body, j)
        if not wm or (words and t.body[wm.start() - 1] != " "):
            break
        w = wm.group(0)
        if reader_lower(w) in v.stopwords or not w[0].islower():
            break
        # "v.v…" is an abbreviation, and a word the excerpt cuts off is not a unit
        if cut_or_abbreviated(t.body, wm.end()):
            break
        words.append(w)
        j = wm.end()
        if j >= len(t.body) or t.body[j] != " ":
            break
        j += 1
    if not words:
        return None, pos, False, False
    unit = " ".join(words)
    unit, end = _paired(t, v, unit, reader_lower(unit), i + len(unit))
    return unit, end, False, False


def _paired(t: BodyText, v: Vocab, unit: str, low: str, end: int) -> tuple[str, int]:
    """The unit with the paired units a comma joins to it ("371 tổ chức, cá nhân" count
    one set), and where it ends."""
    if low not in v.paired:
        return unit, end
    parts = [low]
    while (p := v.paired_re.match(t.low, end)) and p.group(1) not in parts:
        parts.append(p.group(1))
        end = p.end()
    return ", ".join([unit, *parts[1:]]), end


def _skip_context(t: BodyText, start: int, v: Vocab, value: float | None = None) -> bool:
    """Ordinals, document numbers, addresses, clock and calendar words right before (a
    calendar word only up to the largest day, month or quarter it takes)."""
    words = words_before(t.low, start, 4)
    if not words:
        return False
    if value is not None and value > v.calendar_max.get(words[-1], value):
        return False
    if words[-1] != "số":
        return ends_with_one_of(words, v.skip_before)
    phrases = tail_phrases(words)
    if words[-1] == "số":
        if any(p in v.skip_exempt for p in phrases):
            return False
        rest = words[:-1]
        if not rest:
            return False
        prev_raw = t.body[max(0, start - 40):start].split()
        if len(prev_raw) >= 2 and prev_raw[-2][:1].isupper():
            return True  # "Công văn số 12", "Kế hoạch số 62"
        return any(p in v.skip_before for p in tail_phrases(rest))
    return any(p in v.skip_before for p in phrases)


def _is_widget(t: BodyText, start: int, v: Vocab) -> bool:
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


def _read_at(t: BodyText, m: re.Match[str], v: Vocab, warnings: list[str]) -> Read | None:
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
    if _skip_context(t, start, v, _GROUPED.fullmatch(token) and parse_numeral(token)) or _is_widget(t, start, v):
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
    return Read(start, s_end, u_end if unit else s_end, value, unit, known, scale=scale)


def _range_unit(t: BodyText, end: int, v: Vocab, scale: float, unit: str | None, known: bool) -> tuple[float, str | None, bool]:
    """'56.000 - 61.000 tỷ đồng', 'từ 5 đến 7 hồ sơ': the first end of a range is written
    bare and shares the scale and unit of the second."""
    g = label_words().range_to.match(t.low, end)
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


def _is_year(t: BodyText, start: int, token: str, value: float, end: int, v: Vocab) -> bool:
    if not (len(token) == 4 and token.isdigit() and looks_like_year(value)):
        return False
    if start and t.body[start - 1] in "/-":
        return True  # the year of a date or period: "quý I/2021", "tháng 6/2020", "2017-2019"
    if ends_with_one_of(words_before(t.low, start, 2), v.year_before):
        return True
    unit, _, known, _ = _read_unit(t, end, v)
    next_word = t.body[end:end + 2].strip()[:1]
    return not (known and unit not in ("%",) and not next_word.isupper())  # "2022 Trung tâm …" is a year


def _read_pair(t: BodyText, start: int, end: int, parts: list[str], sep: str, v: Vocab) -> Read | None:
    """"a/b": a share ("140/145 nội dung" -> 140 of 145) or a day/month or month/year."""
    if sep != "/":
        return None  # 11-1 dates, 2017-2019 year ranges, 5-7 ranges
    a, b = parse_numeral(parts[0]), parse_numeral(parts[1])
    if a is None or b is None:
        return None
    if len(parts[1]) == 4 and looks_like_year(b) and a <= 12:
        return None  # tháng 07/2018
    unit, u_end, known, is_time = _read_unit(t, end, v)
    if is_time:
        return None
    datelike = 1 <= a <= 31 and 1 <= b <= 12 and len(parts[0]) <= 2 and len(parts[1]) <= 2
    after_date_word = ends_with_one_of(words_before(t.low, start, 2), v.date_before)
    if datelike and (unit is None or after_date_word):
        return None
    if a > b:
        return None
    return Read(start, end, u_end if unit else end, a, unit, known, of=b)




def scan_digits(t: BodyText, v: Vocab, warnings: list[str]) -> list[tuple[Read, str | None, int]]:
    reads: list[tuple[Read, str | None, int]] = []
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
        q, qs = qualifier_before(t, r.start, v)
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
    tail = _split_tail().match(body, m.end())
    if tail:
        out.append((i, tail.start(1), tail.end()))


def scan_spelled(t: BodyText, v: Vocab) -> list[tuple[Read, str | None, int]]:
    reads = []
    for m in number_words().spelled_start.finditer(t.low):  # word start checked by hand
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
        if not known or is_time or unit in label_words().spelled_not_units:
            continue
        if _skip_context(t, m.start(), v):
            continue
        q, qs = qualifier_before(t, m.start(), v)
        reads.append((Read(m.start(), end, u_end, value, unit, True, kind="spelled"), q, qs))
    return reads


def scan_breakdowns(t: BodyText, v: Vocab, taken: set[int]) -> list[tuple[Read, str | None, int]]:
    """'(trong đó: Tin tức chung 668; Hoạt động kỳ họp 182; ...)': a label, then a bare number."""
    reads: list[tuple[Read, str | None, int]] = []
    for m in _BREAKDOWN.finditer(t.body):
        if m.start(2) in taken:
            continue
        fl = t.folded[m.start(1):m.end(1)]
        if v.widget_start.match(fl) or v.widget_end.search(fl):
            continue
        if _skip_context(t, m.start(2), v):
            continue
        value = parse_numeral(m.group(2))
        if value is None or (len(m.group(2)) == 4 and looks_like_year(value)):
            continue
        reads.append((Read(m.start(2), m.end(2), m.end(2), value, None, False, kind="breakdown"), None, m.start(1)))
    return reads
