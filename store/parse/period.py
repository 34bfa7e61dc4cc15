"""Which period a review article covers: the report year and its kind.

Review conferences look back on one period and forward to the next, so the year in a
headline is often the wrong one: "triển khai nhiệm vụ năm 2024" reviews 2023. Years that sit
in a forward-looking phrase (tasks, plans, directions) or after "so với" are set aside; the
review year is the one the text reports on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_YEAR = r"((?:19|20)\d{2})"

# "6 tháng cuối năm" alone is the plan for the second half; it is a review only with "năm"
# ("6 tháng cuối năm 2019") or after a review verb.
_HALF = re.compile(
    r"(?:6|06|sáu)\s+tháng\s+(?:đầu\s+năm|năm)|(?:tổng\s+kết|sơ\s+kết|kết\s+quả)[^.;]{0,30}"
    r"(?:6|06|sáu)\s+tháng\s+cuối\s+năm|(?<!nhiệm vụ )(?:6|06|sáu)\s+tháng\s+cuối\s+năm\s+(?:19|20)\d\d|sơ\s+kết\s+(?:công\s+tác\s+)?(?:6|06|sáu)\s+tháng"
    r"|nửa\s+đầu\s+năm|bán\s+niên",
    re.IGNORECASE,
)
_HALF_YEAR = re.compile(
    rf"(?:(?:6|06|sáu)\s+tháng\s+(?:đầu\s+)?năm|nửa\s+đầu\s+năm|bán\s+niên)\s*(?:năm\s+)?{_YEAR}",
    re.IGNORECASE,
)
_QUARTER = re.compile(
    rf"quý\s+(I{{1,3}}|IV|[1-4])(?:\s*(?:/|năm|-)\s*{_YEAR})?|(?:3|03|ba|9|09|chín)\s+tháng\s+đầu\s+năm\s*(?:năm\s+)?{_YEAR}?",
    re.IGNORECASE,
)
# A monthly meeting ("phiên họp thường kỳ tháng 5/2023", "giao ban tháng 10-2015").
_MONTHLY = re.compile(
    rf"(?:thường\s+kỳ|giao\s+ban|định\s+kỳ)(?:\s+[^\s,.;]+){{0,4}}?\s+tháng\s+\d{{1,2}}(?:\s*(?:/|-|năm)\s*{_YEAR})?",
    re.IGNORECASE,
)
# A span of months that is neither a quarter nor a half: "9 tháng", "4 tháng đầu năm", "sau 3 tháng".
_MONTHS = re.compile(
    r"(?:sau\s+)?(?<![\d/])(?:[1-9]|1[01]|0[1-9])\s+tháng\s+(?:đầu\s+năm|qua|triển\s+khai|thực\s+hiện|năm)"
    r"|(?:sau\s+)(?:[1-9]|1[01])\s+tháng",
    re.IGNORECASE,
)
_TITLE_MONTH = re.compile(rf"(?<![\d/])(?<!ngày\s)tháng\s+(?:0?[1-9]|1[0-2])\s*(?:/|-|năm)\s*{_YEAR}", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"tháng\s+\d{{1,2}}\s*(?:/|-|năm)\s*{_YEAR}", re.IGNORECASE)
_TERM = re.compile(
    rf"(?:tổng\s+kết|kết\s+quả|đánh\s+giá)[^.;]{{0,40}}nhiệm\s+kỳ\s+{_YEAR}\s*[-–]\s*{_YEAR}",
    re.IGNORECASE,
)
_CONGRESS = re.compile(r"đại\s+hội[^.;]{0,80}nhiệm\s+kỳ", re.IGNORECASE)
_SPAN = re.compile(
    rf"từ\s+(?:năm\s+)?(?:từ\s+)?(?:tháng\s+)?\d{{1,2}}\s*/\s*{_YEAR}\s+đến|giai\s+đoạn\s+{_YEAR}\s*[-–]\s*{_YEAR}"
    # several whole years: "Từ năm 2015-2020", "từ năm 2016 đến năm 2020"
    rf"|(?<![\w/])(?:từ\s+)?năm\s+{_YEAR}\s*(?:[-–]|đến\s+(?:năm\s+)?)\s*{_YEAR}(?![\d/])",
    re.IGNORECASE,
)
_YEAR_MENTION = re.compile(rf"(?<![\w/.\-])(?:năm|Năm|NĂM)\s+{_YEAR}(?![\d/\-–])")
_FORWARD = re.compile(
    r"(?:triển\s+khai|nhiệm\s+vụ|phương\s+hướng|kế\s+hoạch|mục\s+tiêu|phấn\s+đấu|dự\s+kiến|"
    r"định\s+hướng|giải\s+pháp|chương\s+trình\s+công\s+tác|trọng\s+tâm|đến|từ|so\s+với|"
    r"cùng\s+kỳ|sau|trước|cuối)\s+(?:[^\s,.;:]+\s+){0,6}$",
    re.IGNORECASE,
)
_COMPARED = re.compile(rf"(?:cùng\s+kỳ|so\s+với)\s+năm\s+{_YEAR}|từ\s+năm\s+{_YEAR}\s+chuyển\s+sang", re.IGNORECASE)
_REVIEW_VERB = r"(?:tổng\s+kết|sơ\s+kết|kết\s+quả|đánh\s+giá|báo\s+cáo|trong|thực\s+hiện|hoàn\s+thành)"
# A year-end review that may not say which year: the caller dates it from the meeting.
_REVIEW = re.compile(r"tổng\s+kết\s+(?:công\s+tác\s+)?năm|hội\s+nghị\s+cán\s+bộ,?\s+(?:công\s+)?công\s+chức", re.IGNORECASE)
_DATE_BEFORE = re.compile(r"ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s*$", re.IGNORECASE)  # "ngày 05 tháng 01 năm 2020" is a date
_FORWARD_TASKS = re.compile(rf"triển\s+khai\s+(?:[^\s,.;:]+\s+){{0,4}}năm\s+{_YEAR}", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Period:
    report_year: int | None
    period: str  # one of record.PERIODS
    year_evidence: str | None = None  # the phrase the year was read from
    period_evidence: str | None = None  # the phrase that set the kind
    months: int | None = None  # span of an "other" period: "9 tháng" -> 9
    # the year is not tied to a review verb, so it may be the meeting's own year
    # ("Hội nghị cán bộ công chức năm 2020", held in January 2020, reviews 2019)
    year_may_be_meeting: bool = False


def _backward_years(text: str) -> list[tuple[int, int]]:
    """(year, position) of "năm YYYY" mentions that are not forward-looking or comparisons."""
    out = []
    for m in _YEAR_MENTION.finditer(text):
        before = text[max(0, m.start() - 60): m.start()]
        clause = re.split(r"[.;:,(]\s|\n", before)[-1] if before else ""
        if _FORWARD.search(clause + " ") or _DATE_BEFORE.search(before):
            continue
        out.append((int(m.group(1)), m.start()))
    return out


def detect_period(title: str, paragraphs: list[str], fallback_year: int | None = None) -> Period:
    """Report year and period from the title and the text.

    The head (title and the first two paragraphs) decides the kind; the year is the first
    backward-looking "năm YYYY" in the head, else the most frequent one in the text.
    A year taken from `fallback_year` (the meeting or publish date) has no evidence here:
    the caller says where it came from.
    """
    head = "\n".join([title, *paragraphs[:2]])
    text = "\n".join([title, *paragraphs])

    m = _QUARTER.search(head)
    if m and m.group(0).lower().startswith("quý"):
        year = _int(m.group(2))
        ev: str | None = f"'{_short(m.group(0))}'"
        if year is None and (year := _first_year(head)):
            return Period(year, "quarter", f"'năm {year}' in the head", ev)
        if year is None and (c := _COMPARED.search(head)):  # "so với cùng kỳ năm 2023": the quarter is of 2024
            year = int(c.group(1) or c.group(2)) + 1
            return Period(year, "quarter", f"'{_short(c.group(0))}' → {year}", ev)
        return Period(year or fallback_year, "quarter", ev if year else None, ev)
    if m and m.group(2):  # "3 tháng đầu năm 2024", "9 tháng đầu năm 2019": months of one year
        ev = f"'{_short(m.group(0))}'"
        return Period(int(m.group(2)), "other", ev, ev, _months(m.group(0)))
    if h := _HALF.search(head):
        m = _HALF_YEAR.search(head) or _HALF_YEAR.search(text)
        pev = f"'{_short(h.group(0))}'"
        if m:
            return Period(int(m.group(1)), "half-year", f"'{_short(m.group(0))}'", pev)
        year = _first_year(head)
        return Period(year or fallback_year, "half-year", f"'năm {year}' in the head" if year else None, pev)
    m = _TERM.search(head)
    if m:
        ev = f"'{_short(m.group(0))}'"
        return Period(int(m.group(2)), "term", ev, ev)
    m = _MONTHLY.search(head)
    if m:
        y = m.group(1) or ((mm := _MONTH_YEAR.search(head)) and mm.group(1))
        ev = f"'{_short(m.group(0))}'"
        return Period(_int(y) or fallback_year, "other", ev if y else None, ev, 1)
    if m := _TITLE_MONTH.search(title):  # "Kết quả tiếp công dân tháng 4 năm 2017": one month's report
        ev = f"'{_short(m.group(0))}'"
        return Period(int(m.group(1)), "other", ev, ev, 1)
    if m := _MONTHS.search(head):  # "sau 3 tháng", "4 tháng đầu năm": a span of months
        ev = f"'{_short(m.group(0))}'"
        y = _first_year(head)
        return Period(y or fallback_year, "other", f"'năm {y}' in the head" if y else None, ev, _months(m.group(0)))
    if m := _CONGRESS.search(head):
        return Period(None, "other", None, f"'{_short(m.group(0))}'")
    if (m := _SPAN.search(head)) and not _first_year(head):
        return Period(None, "other", None, f"'{_short(m.group(0))}'")

    year = _first_year(head)
    ev = f"'năm {year}' in the headline or lead" if year else None
    if year is not None and not re.search(rf"{_REVIEW_VERB}(?:(?!năm)[^.;\n]){{0,40}}năm\s+{year}", head, re.IGNORECASE):
        return Period(year, "year", ev, ev, year_may_be_meeting=True)
    if year is None:
        counts: dict[int, int] = {}
        for y, _ in _backward_years(text):
            counts[y] = counts.get(y, 0) + 1
        named = sorted(counts)
        if len(named) >= 3 and not _REVIEW.search(head):
            # an account over several years ("năm 2020 …, năm 2021 …, 9 tháng năm 2022")
            return Period(None, "other", None, f"several years named ({', '.join(map(str, named))})")
        if counts:
            year = max(counts, key=lambda k: (counts[k], -k))
            ev = f"'năm {year}' most named in the text ({counts[year]}x)"
    if year is None:
        m = _FORWARD_TASKS.search(head)
        if m:  # only the tasks year is stated: the conference reviews the year before
            year = int(m.group(1)) - 1
            ev = f"'{_short(m.group(0))}' → reviews {year}"
    if year is None and (m := _REVIEW.search(head)):
        return Period(None, "year", None, f"'{_short(m.group(0))}'")
    if year is None:
        m = _COMPARED.search(text)
        if m:  # only the year compared with is named ("cùng kỳ năm 2018"): the report is the next
            year = int(m.group(1) or m.group(2)) + 1
            return Period(year, "other", f"'{_short(m.group(0))}' → {year}", None)
        return Period(None, "other")
    return Period(year, "year", ev, ev)


def _months(phrase: str) -> int | None:
    m = re.search(r"\d{1,2}|ba|chín|sáu", phrase, re.IGNORECASE)
    if m is None:
        return None
    return {"ba": 3, "chín": 9, "sáu": 6}.get(m.group(0).lower()) or int(m.group(0))


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_year(text: str) -> int | None:
    years = _backward_years(text)
    return years[0][0] if years else None


def _int(s: str | None) -> int | None:
    return int(s) if s else None
