"""The year a review reports on, when the text does not settle it alone.

Reviews look back: a year-end review is held in the last weeks of the year or in January
and February of the next, a half-year review in June or July. So a "year" review dated
January 2020 that names only 2020 (the year of the meeting: "Hội nghị cán bộ công chức năm
2020") reviews 2019, and a review whose text names no year takes it from its meeting or
publish date by the same rule. Without any date or year the answer is None, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from tongket.store.parse.period import Period


@dataclass(frozen=True, slots=True)
class ReportYear:
    value: int | None
    evidence: str | None
    confidence: str  # one of record.CONFIDENCES


def decide_report_year(per: Period, event_date: str | None, published: str | None, pub_conf: str,
                       event_stated: bool = False) -> ReportYear:
    """The report year from the text's year (`per`) and the meeting or publish date."""
    when, what = (event_date, "meeting") if event_date else (published, "published")
    date_stated = event_stated if event_date else pub_conf == "stated"
    if what == "published" and pub_conf == "inferred":
        what = "URL dated"
    year, month = (int(when[:4]), int(when[5:7])) if when and len(when) >= 7 else (None, None)
    if per.report_year is not None and per.year_evidence is not None:
        if per.year_may_be_meeting and date_stated and year == per.report_year and month is not None and month <= 2:
            # the year named is the meeting's own: a year cannot be reviewed in its first months
            return ReportYear(year - 1, f"year-end review held in {_month(month)} {year} → {year - 1}", "inferred")
        return ReportYear(per.report_year, per.year_evidence, "stated")
    if when is None or year is None or month is None:  # all three are set together
        return ReportYear(None, None, "none")
    if per.period == "year":  # a year-end review naming no year
        if month <= 3:
            return ReportYear(year - 1, f"year-end review {what} in {_month(month)} {year} → {year - 1}", "inferred")
        if month >= 11:
            return ReportYear(year, f"year-end review {what} in {_month(month)} {year}", "inferred")
        return ReportYear(None, None, "none")
    if per.period == "other" and per.period_evidence is None:  # not a review: the year it was written
        return ReportYear(year, f"no year in the text; {what} {when[:10]}", "inferred")
    if per.period == "half-year":
        target = year if month >= 6 else year - 1
        return ReportYear(target, f"half-year review {what} in {_month(month)} {year} → {target}", "inferred")
    if per.period == "quarter" or per.months:
        return ReportYear(year, f"{what} {when[:10]}", "inferred")
    return ReportYear(None, None, "none")


def _month(m: int) -> str:
    return ("January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December")[m - 1]
