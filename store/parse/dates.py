"""Publish dates and meeting dates as Vietnamese news pages write them.

Two different things: `published` is the page's own stamp ("(14:04 | 20/01/2020)",
"Cập nhật: 21:00 | 11/01/2019"); `event_date` is the day of the meeting as the lead states it
("Chiều 11/01", "Sáng nay (26/6)"). Page clock widgets ("Thứ 5 Ngày 14/5/2020, 10:13:21 AM",
"Chủ nhật, 01/08/2021") look like dates but are the day of the scrape, so they are rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from tongket.store.lang.numbers import looks_like_year
from tongket.store.lang.wordlists import alt, word_lists

_D = r"(\d{1,2})"
_SEP = r"\s*[/.\-]\s*"
_DATE = rf"{_D}{_SEP}{_D}{_SEP}(\d{{4}})"  # 20/01/2020, 20-1-2020, 30.11.2019
_TIME = r"(\d{1,2})\s*[:hg]\s*(\d{2})(?:\s*:\s*\d{2})?"  # 14:04, 18:56:52, 14h04
_ZONE = r"(?:\s*\(?\s*GMT\s*[+]?\s*7(?::00)?\s*\)?)?"


@dataclass(frozen=True, slots=True)
class _Forms:
    """The date readers' patterns, made once from `data/dates.json`."""

    day: str  # "ngày"
    label: str  # a stamp's label: "cập nhật", "ngày đăng"
    stamp_forms: tuple[re.Pattern[str], ...]
    trailer: re.Pattern[str]
    prose: re.Pattern[str]
    clock: re.Pattern[str]
    event_forms: tuple[re.Pattern[str], ...]
    event_weak: tuple[re.Pattern[str], ...]


@cache
def _forms() -> _Forms:
    w = word_lists("dates.json")
    day, month, year, at_time = w["day"], w["month"], w["year"], w["at_time"]
    weekday = rf"(?:{w['weekday']}\s+(?:{alt(w['weekday_numbers'])}|[2-7])|{alt(w['sunday'])}|T[2-7])"
    label = rf"(?:{alt(w['stamp_labels'], ' ')}|(?:[a-z]+-)?publish(?:ed)?[-_ ]date|{alt(w['stamp_labels_meta'])})"
    clock_marks = alt(w["clock_marks"])
    # A stamp opens the line: an optional label, then time-first or date-first, with optional
    # weekday, "ngày" and zone. What may follow it decides whether the line is a stamp (see trailer).
    lead = rf"\(?\s*(?:({label})\s*(?:{day}\s*)?[:,]?\s*)?"
    stamp_forms = tuple(
        re.compile(p, re.IGNORECASE)
        for p in (
            # (14:04 | 20/01/2020)   Cập nhật, 05:41, Thứ Sáu, 26/06/2020 (GMT+7)   15:02, Thứ Tư, 06/06/2018
            rf"{lead}{_TIME}\s*(?:[|,\-–]\s*)?(?:{weekday}\s*[,\-–]?\s*)?(?:{day}\s*)?{_DATE}{_ZONE}\s*\)?",
            # Thứ Ba, 14/03/2017 08:12 (GMT+7)   Thứ hai - 02/11/2020 10:05   05/05/2019 | 16:40 GMT+7
            rf"{lead}(?:{weekday}\s*[,\-–]?\s*)?(?:{day}\s*)?{_DATE}\s*(?:[|,\-–]\s*|{at_time}\s+)?{_TIME}{_ZONE}\s*\)?",
            # Ngày đăng: 20/01/2020   (a date with no time needs a label, or a line to itself)
            rf"{lead}{_DATE}\s*\)?",
            # date 2026-02-23   2020-01-20T14:04
            rf"\(?\s*(?:({label}|date)\s*:?\s*)?(\d{{4}})-(\d{{2}})-(\d{{2}})(?:[T ]{_TIME})?\s*\)?",
        )
    )
    # event dates: Chiều 11/01, Sáng ngày 20/01, Chiều ngày 11-1, Chiều 20/1/2020, chiều 1.6, Sáng nay (26/6)
    daypart = rf"(?:{alt((*w['dayparts'], *w['dayparts_relative']), ' ')})"
    event_forms = (
        re.compile(
            rf"(?<!\w){daypart}\s+(?:(?:{alt(w['daypart_today'], ' ')})\s*\(?\s*)?(?:{day}\s+)?"
            rf"{_D}\s*[/.\-]\s*{_D}(?:\s*[/.\-]\s*(\d{{4}}))?(?!\d|[,.]\d)",
            re.IGNORECASE,
        ),
        # Chiều ngày 08 tháng 8 năm 2018
        re.compile(
            rf"(?<!\w){daypart}\s+(?:{day}\s+)?{_D}\s+{month}\s+{_D}(?:\s*(?:{year}|,)\s*(\d{{4}}))?",
            re.IGNORECASE,
        ),
    )
    # Without a day part, only at the start of the lead, "trong ngày 17/1", a meeting verb
    # ("diễn ra ngày 22/6", "tổ chức vào ngày …") or a date followed by the venue ("ngày 1/7, tại").
    during = w["during"]
    event_weak = (
        re.compile(
            rf"(?:(?:{alt(w['meeting_verbs'])})\s+(?:{w['on']}\s+)?(?:{w['day_of']}\s+)?{day}\s+"
            rf"{_D}\s*[/.\-]\s*{_D}(?:\s*[/.\-]\s*(\d{{4}}))?(?!\d|[,.]\d)"
            rf"|(?<!\w){day}\s+{_D}\s*[/.\-]\s*{_D}(?:\s*[/.\-]\s*(\d{{4}}))?,?\s+{w['at_place']}\s)",
            re.IGNORECASE,
        ),
        re.compile(
            rf"(?:^|(?<=[.;]\s)|(?<=\)\s-\s)|(?<=-\s)|{during}\s+){day}\s+{_D}\s*[/.\-]\s*{_D}"
            rf"(?:\s*[/.\-]\s*(\d{{4}}))?(?!\d|[,.]\d)",
            re.IGNORECASE,
        ),
        re.compile(
            rf"(?:^|(?<=[.;]\s)|{during}\s+){day}\s+{_D}\s+{month}\s+{_D}(?:\s*(?:{year}|,)\s*(\d{{4}}))?",
            re.IGNORECASE,
        ),
    )
    return _Forms(
        day=day,
        label=label,
        stamp_forms=stamp_forms,
        # After a stamp on its own line: nothing, view/comment counters ("1.320 0") or a few words
        # of widget chrome ("Xem cỡ chữ Google", "| Lượt xem: 120").
        trailer=re.compile(r"[\d.,\s|]*|(?:[|\-–]\s*)?(?:\w+\s*){1,5}:?\s*[\d.,\s|]*", re.IGNORECASE),
        prose=re.compile(rf"[.!?…]\s*$|\b(?:{alt(w['prose_words'], ' ')})\b", re.IGNORECASE),
        # Clock widgets: weekday + date without a time, "Ngày" + date + AM/PM clock, any AM/PM clock.
        clock=re.compile(
            rf"(?:{weekday}\s*,?\s*(?:{day}\s*)?{_DATE}\s*[-–|]?\s*(?:,?\s*{_TIME}\s*(?:{clock_marks}))?"
            rf"|.*\b{_TIME}\s*(?:{clock_marks})\b.*)",
            re.IGNORECASE,
        ),
        event_forms=event_forms,
        event_weak=event_weak,
    )


@dataclass(frozen=True, slots=True)
class Stamp:
    """A publish stamp read at the start of a line: its ISO value, whether it carried a
    label ("Cập nhật:"), and where in the line it ends."""

    iso: str
    labelled: bool
    end: int


@dataclass(frozen=True, slots=True)
class Published:
    iso: str  # "2020-01-20T14:04" or "2020-01-20"
    line: int  # index of the line it was read from
    evidence: str
    prefix_end: int = 0  # > 0: the stamp opens a prose line and ends here ("(07:30 21/09/2022) Sáng nay…")


def _valid(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return looks_like_year(y)


def is_clock_widget(line: str) -> bool:
    """A page clock ("Thứ tư, 21/04/2021", "Thứ 6, Ngày 02/06/2023 -"): the day the page was
    viewed, not the article's date. A weekday and date with a 24-hour time is a stamp."""
    s = line.strip()
    return len(s) <= 80 and any(c.isdigit() for c in s[:40]) and _forms().clock.fullmatch(s) is not None


def stamp_at_start(line: str) -> Stamp | None:
    """The publish stamp that opens `line`, if any (label, time and date in any listed order)."""
    s = line.strip()
    for i, rx in enumerate(_forms().stamp_forms):
        m = rx.match(s)
        if m is None:
            continue
        g = m.groups()
        if i == 0:
            label, hh, mi, d, mo, y = g
        elif i == 1:
            label, d, mo, y, hh, mi = g
        elif i == 2:
            (label, d, mo, y), hh, mi = g, None, None
        else:
            label, y, mo, d, hh, mi = g
        iso = _iso(int(y), int(mo), int(d), _int(hh), _int(mi))
        if iso:
            return Stamp(iso, label is not None, m.end())
    return None


def _int(s: str | None) -> int | None:
    return int(s) if s else None


def published_in_line(line: str, *, allow_bare: bool = False) -> str | None:
    """ISO publish stamp if the line is one (a stamp, perhaps with counters or widget words
    after it); `allow_bare` accepts a date alone, without time or label."""
    s = line.strip()
    if not s or len(s) > 120 or is_clock_widget(s):
        return None
    st = _line_stamp(s, allow_bare)
    if st is None and "|" in s and not s.startswith("("):
        # "Lượt xem: 7370 | Gửi lúc: 05/12/2013 15:42:27": the stamp shares a line with widgets
        for part in s.split("|"):
            st = _line_stamp(part.strip(), False)
            if st:
                break
    return st.iso if st else None


def _line_stamp(s: str, allow_bare: bool) -> Stamp | None:
    st = stamp_at_start(s)
    if st is None or is_clock_widget(s):
        return None
    rest = s[st.end:].strip()
    timed = "T" in st.iso
    f = _forms()
    if not (timed or st.labelled or allow_bare) and rest == "":
        return None
    if rest == "" or (timed or st.labelled) and f.trailer.fullmatch(rest) and not f.prose.search(rest):
        return st
    return None


def _iso(y: int, mo: int, d: int, hh: int | None = None, mi: int | None = None) -> str | None:
    if not _valid(y, mo, d):
        return None
    if hh is None or mi is None:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    if not (0 <= hh < 24 and 0 <= mi < 60):
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return f"{y:04d}-{mo:02d}-{d:02d}T{hh:02d}:{mi:02d}"


def find_published(lines: list[str], head_end: int) -> Published | None:
    """The page's publish stamp, strongest place first: a stamp line in the header (a bare
    date only there, or on its own line just under the headline), a timed stamp opening the
    lead ("(07:30:00 21/09/2022) Sáng nay…"), else a labelled stamp anywhere."""
    for i, line in enumerate(lines[: head_end + 3]):
        iso = published_in_line(line, allow_bare=i <= head_end + 1)
        if iso:
            where = "under the headline" if i >= max(head_end - 1, 1) else "in the page header"
            return Published(iso, i, f"stamp {where} '{_short(line)}'")
    for i, line in enumerate(lines[head_end: head_end + 2], head_end):
        st = stamp_at_start(line)
        if st and ("T" in st.iso and line.lstrip().startswith("(") or st.labelled and i < 2):
            return Published(st.iso, i, f"stamp opening the lead '{_short(line[:st.end])}'", st.end)
    f = _forms()
    for i, line in enumerate(lines):
        s = line.strip()
        if re.match(f.label, s, re.IGNORECASE) and not s.lower().startswith(f.day + " "):
            iso = published_in_line(s)
            if iso:
                return Published(iso, i, f"labelled stamp '{_short(s)}'")
    return None


def plausible_stamp(published: str, event: str) -> bool:
    """A page is published on or after the meeting it reports, and within a few months:
    a "stamp" outside that is more likely the page clock or another story's date."""
    try:
        p, e = date.fromisoformat(published[:10]), date.fromisoformat(event[:10])
    except ValueError:
        return True
    return -1 <= (p - e).days <= 120


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _day_month_year(m: re.Match[str]) -> tuple[int, int, int | None]:
    """(day, month, year) from a form whose alternatives each capture day, month, year."""
    g = m.groups()
    i = next((i for i in range(0, len(g), 3) if g[i] is not None), 0)
    return int(g[i]), int(g[i + 1]), int(g[i + 2]) if g[i + 2] else None


@dataclass(frozen=True, slots=True)
class EventDate:
    iso: str | None  # full ISO date, or None when the year is unknown
    day: int
    month: int
    year_stated: bool
    warning: str | None = None


def find_event_date(paragraphs: list[str], published: str | None) -> EventDate | None:
    """The meeting day from the title/lead paragraphs; the year comes from the text, else from
    the publish stamp (a December meeting published in January belongs to the year before)."""
    found: tuple[int, int, int | None] | None = None
    f = _forms()
    for forms, limit in ((f.event_forms, len(paragraphs)), (f.event_weak, 3)):
        for para in paragraphs[:limit]:
            for rx in forms:
                for m in rx.finditer(para):
                    d, mo, y = _day_month_year(m)
                    if 1 <= d <= 31 and 1 <= mo <= 12 and _valid(y or 2000, mo, d):
                        found = (d, mo, y)
                        break
                if found:
                    break
            if found:
                break
        if found:
            break
    if not found:
        return None
    d, mo, y = found
    if y is not None:
        return EventDate(_iso(y, mo, d), d, mo, True)
    if published:
        py, pm = int(published[:4]), int(published[5:7])
        year = py - 1 if mo >= 11 and pm <= 2 else py
        if _valid(year, mo, d):
            return EventDate(_iso(year, mo, d), d, mo, False)
    return EventDate(None, d, mo, False, f"event date without year: {d:02d}/{mo:02d}")
