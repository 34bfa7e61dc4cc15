"""Vietnamese-style formatting of numbers, periods and dates, for every place people read
them: the app, the command line and the Markdown export (one convention, one module).

Readers of these reports expect the Vietnamese convention: "." groups thousands and ","
marks decimals (27.172 văn bản; 94,03%; 9,3 nghìn tỷ đồng). Everything here returns plain
strings; callers wrap them in `Text` so nothing is ever parsed as markup.
"""

from __future__ import annotations

import re

from tongket.store.lang.numbers import scale_words
from tongket.store.record import Change, Figure

PERIOD_LABELS = {
    "year": "year",
    "half-year": "half-year",
    "quarter": "quarter",
    "term": "term",
    "other": "other",
}
PERIOD_SHORT = {"half-year": "half", "quarter": "qtr", "term": "term", "other": "other"}


def vn_number(value: float | int | None, *, decimals: int = 4) -> str:
    """27172 -> "27.172", 94.03 -> "94,03", 9.3 -> "9,3", -1500.5 -> "-1.500,5".

    Trailing zero decimals are dropped so counts never show ",00" (DataTable's default
    f"{x:.2f}" would print "27172.00", which no Vietnamese reader expects).
    """
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN
        return "?"
    negative = value < 0
    value = abs(value)
    text = f"{value:,.{decimals}f}"
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    whole = whole.replace(",", ".")
    out = f"{whole},{frac}" if frac else whole
    return f"-{out}" if negative else out


def vn_percent(value: float | None) -> str:
    """94.03 -> "94,03%"."""
    if value is None:
        return ""
    return f"{vn_number(value)}%"


def vn_compact(value: float) -> str:
    """Large amounts the way the reports write them: 9.3e12 -> "9,3 nghìn tỷ"."""
    size = abs(value)
    for limit, word in ((1e12, "nghìn tỷ"), (1e9, "tỷ"), (1e6, "triệu")):
        if size >= limit:
            return f"{vn_number(value / limit, decimals=1)} {word}"
    return vn_number(value)


_WRITTEN = re.compile(r"^(?P<num>\d[\d.,]*)(?:\s*/\s*(?P<of>\d[\d.,]*))?\s*(?P<rest>.*)$")


def _strip_unit(display: str, unit: str) -> str:
    if unit and display.endswith(unit) and display != unit:
        return display[: -len(unit)].strip()
    return display


def _written_number(token: str) -> float | None:
    """A number as Vietnamese reports write it ("27.172", "9,3", "01") -> float."""
    token = token.rstrip(".,")
    if not token:
        return None
    try:
        return float(token.replace(".", "").replace(",", "."))
    except ValueError:
        return None


def figure_value(fig: Figure) -> str:
    """The value column of the metrics table, without the unit (the unit has its own column).

    The number is always re-formatted the Vietnamese way from the parsed value, so a
    zero-padded "01" shows as "1" and "hai" as "2"; a written scale ("9,3 nghìn tỷ",
    "10 nghìn") is kept as written because that is how readers know the amount, and a
    ratio ("140/145") keeps both sides. Percentages carry their sign: "94,03%".
    """
    unit = (fig.unit or "").strip()
    if unit == "%":
        return vn_percent(fig.value)
    shown = _strip_unit((fig.display or "").strip(), unit)
    match = _WRITTEN.match(shown)
    if match:
        rest = match.group("rest").strip()
        if rest and any(rest.startswith(w) for w in scale_words()):
            number = _written_number(match.group("num"))
            written = vn_number(number) if number is not None else match.group("num")
            return f"{written} {rest}"
        if match.group("of"):
            whole = _written_number(match.group("of"))
            if whole is not None:
                return f"{vn_number(fig.value)}/{vn_number(whole)}"
    if unit.endswith("đồng") and abs(fig.value) >= 1e6:
        return vn_compact(fig.value)
    return vn_number(fig.value)


def figure_with_unit(value: float, unit: str | None, display: str | None = None) -> str:
    """A value and its unit in one string, for lookup results: "27.172 văn bản"
    (the number normalised as in `figure_value`: "01 hồ sơ" shows as "1 hồ sơ")."""
    unit = (unit or "").strip()
    if unit == "%":
        return vn_percent(value)
    shown = figure_value(Figure(value=value, unit=unit or None, label="", raw="", display=display or "",
                                sentence="", span=(0, 0), sentence_span=(0, 0)))
    if not unit:
        return shown
    if unit.endswith("đồng") and shown.endswith("đồng"):
        return shown
    return f"{shown} {unit}"


def change_label(change: Change | None) -> str:
    """"+10,02%", "-3 hồ sơ", "=" — short enough for a table column."""
    if change is None:
        return ""
    sign = {"up": "+", "down": "-", "same": "="}.get(change.direction, "")
    if change.direction == "same":
        return "="
    unit = change.unit or ""
    amount = vn_number(abs(change.value))
    if unit == "%":
        return f"{sign}{amount}%"
    return f"{sign}{amount} {unit}".rstrip()


def change_long(change: Change | None) -> str:
    """"tăng 10,02% so với cùng kỳ", for the detail pane."""
    if change is None:
        return ""
    verb = {"up": "tăng", "down": "giảm", "same": "bằng"}.get(change.direction, "")
    unit = change.unit or ""
    amount = vn_percent(abs(change.value)) if unit == "%" else f"{vn_number(abs(change.value))} {unit}".strip()
    text = f"{verb} {amount}".strip()
    if change.vs:
        text += f" so với {change.vs}"
    return text


def period_label(period: str | None) -> str:
    """Short label of a report period; "" when unknown."""
    if not period:
        return ""
    return PERIOD_LABELS.get(period, period)


def year_period(year: int | None, period: str | None, *, short: bool = False) -> str:
    """"2019", "2018 half-year" ("2018 half" when `short`), "? quarter"; a whole-year
    report shows the year alone because it is by far the most common."""
    parts = [str(year) if year is not None else "?"]
    if period and period != "year":
        parts.append(PERIOD_SHORT.get(period, period) if short else period_label(period))
    return " ".join(parts)


def date_label(value: str | None) -> str:
    """ISO date or date-time -> "2020-01-20"; "" when unknown."""
    if not value:
        return ""
    return value[:10]


def list_date(published: str | None, event_date: str | None) -> tuple[str, bool]:
    """The list's date column: the publish date, else the event date; the flag says
    the fallback was used (the list shows it dimmer)."""
    if published:
        return date_label(published), False
    if event_date:
        return date_label(event_date), True
    return "", False


def count_label(n: int, noun: str = "article") -> str:
    """"1 article", "27.172 articles"."""
    return f"{vn_number(n)} {noun}{'' if n == 1 else 's'}"
