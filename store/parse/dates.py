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

_D = r"(\d{1,2})"
_SEP = r"\s*[/.\-]\s*"
_DATE = rf"{_D}{_SEP}{_D}{_SEP}(\d{{4}})"  # 20/01/2020, 20-1-2020, 30.11.2019
_TIME = r"(\d{1,2})\s*[:hg]\s*(\d{2})(?:\s*:\s*\d{2})?"  # 14:04, 18:56:52, 14h04
_WEEKDAY = r"(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật|CN|T[2-7])"
_LABEL = (
    r"(?:cập nhật|ngày cập nhật|ngày đăng|đăng ngày|đăng lúc|thời gian đăng|ngày xuất bản|"
    r"xuất bản|gửi lúc|gửi ngày|thời gian|ngày|published|updated|posted)"
)

# Each published form: (pattern, has_time_first). Matched against a whole (short) line.
_PUBLISHED = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        # (14:04 | 20/01/2020)   Cập nhật: 21:00 | 11/01/2019   14:04, 20/01/2020
        rf"\(?\s*(?:{_LABEL}\s*:?\s*)?{_TIME}\s*(?:[|,\-–]\s*)?(?:(?:ngày|{_WEEKDAY})\s*,?\s*)?{_DATE}\s*\)?",
        # Cập nhật: 20/01/2020 14:04   THỨ HAI, 01/06/2020 18:56:52   20/01/2020 - 14:04 GMT+7
        rf"\(?\s*(?:{_LABEL}\s*:?\s*)?(?:{_WEEKDAY}\s*,?\s*)?{_DATE}\s*(?:[|,\-–]\s*|lúc\s+)?{_TIME}(?:\s*\(?GMT\s*\+?\s*7\)?)?\s*\)?",
    )
)
_TIME_FIRST, _DATE_FIRST = _PUBLISHED
# Labelled date without time: "Ngày đăng: 20/01/2020"; bare date line "26/03/2021".
_LABELLED_DATE = re.compile(rf"\(?\s*{_LABEL}\s*:?\s*{_DATE}\s*\)?", re.IGNORECASE)
_BARE_DATE = re.compile(rf"\(?\s*{_DATE}\s*\)?")
# Clock widgets: weekday + date without a time, "Ngày" + date + AM/PM clock, any AM/PM clock.
_CLOCK = re.compile(
    rf"(?:{_WEEKDAY}\s*,?\s*(?:ngày\s*)?{_DATE}\s*(?:,?\s*{_TIME}\s*(?:AM|PM|SA|CH))?"
    rf"|.*\b{_TIME}\s*(?:AM|PM|SA|CH)\b.*)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Published:
    iso: str  # "2020-01-20T14:04" or "2020-01-20"
    line: int  # index of the line it was read from


def _valid(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return 1900 < y < 2100


def is_clock_widget(line: str) -> bool:
    """A page clock ("Thứ tư, 21/04/2021", "Thứ 5 Ngày 14/5/2020, 10:13:21 AM"): the day the
    page was viewed, not the article's date."""
    s = line.strip()
    return len(s) <= 80 and any(c.isdigit() for c in s[:40]) and _CLOCK.fullmatch(s) is not None


def published_in_line(line: str, *, allow_bare: bool = False) -> str | None:
    """ISO publish stamp if the whole line is one; `allow_bare` accepts a date alone."""
    s = line.strip()
    if not s or len(s) > 120 or is_clock_widget(s):
        return None
    iso = _stamp(s, allow_bare)
    if iso is None and "|" in s and not s.startswith("("):
        # "Lượt xem: 7370 | Gửi lúc: 05/12/2013 15:42:27": the stamp shares a line with widgets
        for part in s.split("|"):
            iso = _stamp(part.strip(), False)
            if iso:
                break
    return iso


def _stamp(s: str, allow_bare: bool) -> str | None:
    if not s or len(s) > 80 or is_clock_widget(s):
        return None
    m = _TIME_FIRST.fullmatch(s)
    if m:
        hh, mi, d, mo, y = (int(g) for g in m.groups())
        return _iso(y, mo, d, hh, mi)
    m = _DATE_FIRST.fullmatch(s)
    if m:
        d, mo, y, hh, mi = (int(g) for g in m.groups())
        return _iso(y, mo, d, hh, mi)
    m = _LABELLED_DATE.fullmatch(s)
    if m is None and allow_bare:
        m = _BARE_DATE.fullmatch(s)
    if m:
        d, mo, y = (int(g) for g in m.groups())
        return _iso(y, mo, d)
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
    """The page's publish stamp: a stamp line in the header (before `head_end`, plus the two
    lines after it), else a labelled stamp ("Cập nhật: …") anywhere."""
    for i, line in enumerate(lines[: head_end + 2]):
        iso = published_in_line(line, allow_bare=i < head_end)
        if iso:
            return Published(iso, i)
    for i, line in enumerate(lines):
        s = line.strip()
        if re.match(_LABEL, s, re.IGNORECASE) and not s.lower().startswith("ngày "):
            iso = published_in_line(s)
            if iso:
                return Published(iso, i)
    return None


# ---- event date ------------------------------------------------------------------------------
_DAYPART = r"(?:sáng|chiều|trưa|tối|đêm|tối qua|sáng qua|chiều qua|sáng mai|chiều mai)"
_EVENT_FORMS = (
    # Chiều 11/01, Sáng ngày 20/01, Chiều ngày 11-1, Chiều 20/1/2020, chiều 1.6, Sáng nay (26/6)
    re.compile(
        rf"(?<!\w){_DAYPART}\s+(?:(?:nay|hôm nay|qua)\s*\(?\s*)?(?:ngày\s+)?"
        rf"{_D}\s*[/.\-]\s*{_D}(?:\s*[/.\-]\s*(\d{{4}}))?(?!\d|[,.]\d)",
        re.IGNORECASE,
    ),
    # Chiều ngày 08 tháng 8 năm 2018
    re.compile(
        rf"(?<!\w){_DAYPART}\s+(?:ngày\s+)?{_D}\s+tháng\s+{_D}(?:\s*(?:năm|,)\s*(\d{{4}}))?",
        re.IGNORECASE,
    ),
)
# Without a day part, only at the start of the lead, "trong ngày 17/1", a meeting verb
# ("diễn ra ngày 22/6", "tổ chức vào ngày …") or a date followed by the venue ("ngày 1/7, tại").
_EVENT_WEAK = (
    re.compile(
        rf"(?:(?:diễn\s+ra|tổ\s+chức|khai\s+mạc|họp|tiến\s+hành)\s+(?:vào\s+)?(?:hôm\s+)?ngày\s+"
        rf"{_D}\s*[/.\-]\s*{_D}(?:\s*[/.\-]\s*(\d{{4}}))?(?!\d|[,.]\d)"
        rf"|(?<!\w)ngày\s+{_D}\s*[/.\-]\s*{_D}(?:\s*[/.\-]\s*(\d{{4}}))?,?\s+tại\s)",
        re.IGNORECASE,
    ),
    re.compile(
        rf"(?:^|(?<=[.;]\s)|(?<=\)\s-\s)|(?<=-\s)|trong\s+)ngày\s+{_D}\s*[/.\-]\s*{_D}"
        rf"(?:\s*[/.\-]\s*(\d{{4}}))?(?!\d|[,.]\d)",
        re.IGNORECASE,
    ),
    re.compile(
        rf"(?:^|(?<=[.;]\s)|trong\s+)ngày\s+{_D}\s+tháng\s+{_D}(?:\s*(?:năm|,)\s*(\d{{4}}))?",
        re.IGNORECASE,
    ),
)


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
    for forms, limit in ((_EVENT_FORMS, len(paragraphs)), (_EVENT_WEAK, 3)):
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
