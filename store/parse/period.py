"""Which period a review article covers: the report year and its kind.

Review conferences look back on one period and forward to the next, so the year in a
headline is often the wrong one: "triển khai nhiệm vụ năm 2024" reviews 2023. Years that sit
in a forward-looking phrase (tasks, plans, directions) or after "so với" are set aside; the
review year is the one the text reports on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tongket.store.lang.wordlists import alt, word_lists

_YEAR = r"((?:19|20)\d{2})"


@dataclass(frozen=True, slots=True)
class _Forms:
    """The period reader's patterns, made once from `data/period.json` and `data/dates.json`."""

    year: str  # "năm"
    quarter: str  # "quý"
    review_verb: str  # an alternation of review verbs, for the year-specific check
    spelled_months: dict[str, int]  # "ba" -> 3
    months_count: re.Pattern[str]
    half: re.Pattern[str]
    half_year: re.Pattern[str]
    quarter_re: re.Pattern[str]
    monthly: re.Pattern[str]
    months: re.Pattern[str]
    title_month: re.Pattern[str]
    month_year: re.Pattern[str]
    term: re.Pattern[str]
    congress: re.Pattern[str]
    span: re.Pattern[str]
    year_mention: re.Pattern[str]
    forward: re.Pattern[str]
    compared: re.Pattern[str]
    review: re.Pattern[str]
    date_before: re.Pattern[str]
    forward_tasks: re.Pattern[str]


@cache
def _forms() -> _Forms:
    cal, w = word_lists("dates.json"), word_lists("period.json")
    day, month, year = cal["day"], cal["month"], cal["year"]
    six, first, last = alt(w["half_months"]), alt(w["first"]), alt(w["last"])
    half_names, work = alt(w["half_names"]), alt(w["work"])
    since, to, term = alt(w["from"]), alt(w["to"]), alt(w["term"])
    i = re.IGNORECASE
    return _Forms(
        year=year,
        quarter=w["quarter"],
        review_verb=rf"(?:{alt(w['review_verbs'])})",
        spelled_months=dict(w["spelled_months"]),
        months_count=re.compile(rf"\d{{1,2}}|{alt(w['spelled_months'])}", i),
        # "6 tháng cuối năm" alone is the plan for the second half; it is a review only with "năm"
        # ("6 tháng cuối năm 2019") or after a review verb.
        half=re.compile(
            rf"(?:{six})\s+{month}\s+(?:{first}\s+{year}|{year})|(?:{alt(w['half_review'])})[^.;]{{0,30}}"
            rf"(?:{six})\s+{month}\s+{last}\s+{year}|(?<!{alt(w['half_plan_before'], ' ')} )(?:{six})\s+{month}\s+{last}\s+{year}\s+(?:19|20)\d\d"
            rf"|{alt(w['interim_review'])}\s+(?:{work}\s+)?(?:{six})\s+{month}"
            rf"|{half_names}",
            i,
        ),
        half_year=re.compile(rf"(?:(?:{six})\s+{month}\s+(?:{first}\s+)?{year}|{half_names})\s*(?:{year}\s+)?{_YEAR}", i),
        quarter_re=re.compile(
            rf"{alt(w['quarter'])}\s+(I{{1,3}}|IV|[1-4])(?:\s*(?:/|{year}|-)\s*{_YEAR})?"
            rf"|(?:{alt(w['quarter_months'])})\s+{month}\s+{first}\s+{year}\s*(?:{year}\s+)?{_YEAR}?",
            i,
        ),
        # A monthly meeting ("phiên họp thường kỳ tháng 5/2023", "giao ban tháng 10-2015").
        monthly=re.compile(
            rf"(?:{alt(w['monthly_meetings'])})(?:\s+[^\s,.;]+){{0,4}}?\s+{month}\s+\d{{1,2}}(?:\s*(?:/|-|{year})\s*{_YEAR})?",
            i,
        ),
        # A span of months that is neither a quarter nor a half: "9 tháng", "4 tháng đầu năm", "sau 3 tháng".
        months=re.compile(
            rf"(?:{alt(w['after'])}\s+)?(?<![\d/])(?:[1-9]|1[01]|0[1-9])\s+{month}\s+(?:{alt(w['months_after'])})"
            rf"|(?:{alt(w['after'])}\s+)(?:[1-9]|1[01])\s+{month}",
            i,
        ),
        title_month=re.compile(rf"(?<![\d/])(?<!{day}\s){month}\s+(?:0?[1-9]|1[0-2])\s*(?:/|-|{year})\s*{_YEAR}", i),
        month_year=re.compile(rf"{month}\s+\d{{1,2}}\s*(?:/|-|{year})\s*{_YEAR}", i),
        term=re.compile(rf"(?:{alt(w['term_review'])})[^.;]{{0,40}}{term}\s+{_YEAR}\s*[-–]\s*{_YEAR}", i),
        congress=re.compile(rf"{alt(w['congress'])}[^.;]{{0,80}}{term}", i),
        span=re.compile(
            rf"{since}\s+(?:{year}\s+)?(?:{since}\s+)?(?:{month}\s+)?\d{{1,2}}\s*/\s*{_YEAR}\s+{to}|{alt(w['span'])}\s+{_YEAR}\s*[-–]\s*{_YEAR}"
            # several whole years: "Từ năm 2015-2020", "từ năm 2016 đến năm 2020"
            rf"|(?<![\w/])(?:{since}\s+)?{year}\s+{_YEAR}\s*(?:[-–]|{to}\s+(?:{year}\s+)?)\s*{_YEAR}(?![\d/])",
            i,
        ),
        year_mention=re.compile(rf"(?<![\w/.\-])(?:{year}|{year.capitalize()}|{year.upper()})\s+{_YEAR}(?![\d/\-–])"),
        forward=re.compile(rf"(?:{alt(w['forward_words'])})\s+(?:[^\s,.;:]+\s+){{0,6}}$", i),
        compared=re.compile(rf"(?:{alt(w['compared_with'])})\s+{year}\s+{_YEAR}|{since}\s+{year}\s+{_YEAR}\s+{alt(w['changed_to'])}", i),
        # A year-end review that may not say which year: the caller dates it from the meeting.
        review=re.compile(
            rf"{alt(w['year_review'])}\s+(?:{work}\s+)?{year}"
            rf"|{alt(w['staff_conference'])},?\s+(?:{alt(w['public'])}\s+)?{alt(w['civil_servants'])}",
            i,
        ),
        date_before=re.compile(rf"{day}\s+\d{{1,2}}\s+{month}\s+\d{{1,2}}\s*$", i),  # "ngày 05 tháng 01 năm 2020" is a date
        forward_tasks=re.compile(rf"{alt(w['forward_tasks'])}\s+(?:[^\s,.;:]+\s+){{0,4}}{year}\s+{_YEAR}", i),
    )


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
    f = _forms()
    for m in f.year_mention.finditer(text):
        before = text[max(0, m.start() - 60): m.start()]
        clause = re.split(r"[.;:,(]\s|\n", before)[-1] if before else ""
        if f.forward.search(clause + " ") or f.date_before.search(before):
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
    f = _forms()
    named_year = f"'{f.year} {{}}'"  # the evidence quotes the phrase: "'năm 2019'"

    m = f.quarter_re.search(head)
    if m and m.group(0).lower().startswith(f.quarter):
        year = _int(m.group(2))
        ev: str | None = f"'{_short(m.group(0))}'"
        if year is None and (year := _first_year(head)):
            return Period(year, "quarter", f"{named_year.format(year)} in the head", ev)
        if year is None and (c := f.compared.search(head)):  # "so với cùng kỳ năm 2023": the quarter is of 2024
            year = int(c.group(1) or c.group(2)) + 1
            return Period(year, "quarter", f"'{_short(c.group(0))}' → {year}", ev)
        return Period(year or fallback_year, "quarter", ev if year else None, ev)
    if m and m.group(2):  # "3 tháng đầu năm 2024", "9 tháng đầu năm 2019": months of one year
        ev = f"'{_short(m.group(0))}'"
        return Period(int(m.group(2)), "other", ev, ev, _months(f, m.group(0)))
    if h := f.half.search(head):
        m = f.half_year.search(head) or f.half_year.search(text)
        pev = f"'{_short(h.group(0))}'"
        if m:
            return Period(int(m.group(1)), "half-year", f"'{_short(m.group(0))}'", pev)
        year = _first_year(head)
        return Period(year or fallback_year, "half-year", f"{named_year.format(year)} in the head" if year else None, pev)
    m = f.term.search(head)
    if m:
        ev = f"'{_short(m.group(0))}'"
        return Period(int(m.group(2)), "term", ev, ev)
    m = f.monthly.search(head)
    if m:
        y = m.group(1) or ((mm := f.month_year.search(head)) and mm.group(1))
        ev = f"'{_short(m.group(0))}'"
        return Period(_int(y) or fallback_year, "other", ev if y else None, ev, 1)
    if m := f.title_month.search(title):  # "Kết quả tiếp công dân tháng 4 năm 2017": one month's report
        ev = f"'{_short(m.group(0))}'"
        return Period(int(m.group(1)), "other", ev, ev, 1)
    if m := f.months.search(head):  # "sau 3 tháng", "4 tháng đầu năm": a span of months
        ev = f"'{_short(m.group(0))}'"
        y = _first_year(head)
        return Period(y or fallback_year, "other", f"{named_year.format(y)} in the head" if y else None, ev, _months(f, m.group(0)))
    if m := f.congress.search(head):
        return Period(None, "other", None, f"'{_short(m.group(0))}'")
    if (m := f.span.search(head)) and not _first_year(head):
        return Period(None, "other", None, f"'{_short(m.group(0))}'")

    year = _first_year(head)
    ev = f"{named_year.format(year)} in the headline or lead" if year else None
    if year is not None and not re.search(rf"{f.review_verb}(?:(?!{f.year})[^.;\n]){{0,40}}{f.year}\s+{year}", head, re.IGNORECASE):
        return Period(year, "year", ev, ev, year_may_be_meeting=True)
    if year is None:
        counts: dict[int, int] = {}
        for y, _ in _backward_years(text):
            counts[y] = counts.get(y, 0) + 1
        named = sorted(counts)
        if len(named) >= 3 and not f.review.search(head):
            # an account over several years ("năm 2020 …, năm 2021 …, 9 tháng năm 2022")
            return Period(None, "other", None, f"several years named ({', '.join(map(str, named))})")
        if counts:
            year = max(counts, key=lambda k: (counts[k], -k))
            ev = f"{named_year.format(year)} most named in the text ({counts[year]}x)"
    if year is None:
        m = f.forward_tasks.search(head)
        if m:  # only the tasks year is stated: the conference reviews the year before
            year = int(m.group(1)) - 1
            ev = f"'{_short(m.group(0))}' → reviews {year}"
    if year is None and (m := f.review.search(head)):
        return Period(None, "year", None, f"'{_short(m.group(0))}'")
    if year is None:
        m = f.compared.search(text)
        if m:  # only the year compared with is named ("cùng kỳ năm 2018"): the report is the next
            year = int(m.group(1) or m.group(2)) + 1
            return Period(year, "other", f"'{_short(m.group(0))}' → {year}", None)
        return Period(None, "other")
    return Period(year, "year", ev, ev)


def _months(f: _Forms, phrase: str) -> int | None:
    m = f.months_count.search(phrase)
    if m is None:
        return None
    return f.spelled_months.get(m.group(0).lower()) or int(m.group(0))


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_year(text: str) -> int | None:
    years = _backward_years(text)
    return years[0][0] if years else None


def _int(s: str | None) -> int | None:
    return int(s) if s else None
