"""Vietnamese-style formatting of numbers, periods and dates for the app.

Readers of these reports expect the Vietnamese convention: "." groups thousands and ","
marks decimals (27.172 văn bản; 94,03%; 9,3 nghìn tỷ đồng). Everything here returns plain
strings; callers wrap them in `Text` so nothing is ever parsed as markup.
"""

from __future__ import annotations

from store.record import Change, Figure

PERIOD_LABELS = {
    "year": "year",
    "half-year": "half-year",
    "quarter": "quarter",
    "term": "term",
    "other": "other",
}
PERIOD_SHORT = {"half-year": "half", "quarter": "qtr", "term": "term", "other": "other"}


def vn_number(value: float | int | None, *, decimals: int = 2) -> str:
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


def figure_value(fig: Figure) -> str:
    """The value column of the metrics table, without the unit (the unit has its own column).

    Uses `Figure.display` (the number as the article wrote it) when given, minus a trailing
    copy of the unit; otherwise formats the parsed value.
    """
    display = (fig.display or "").strip()
    unit = (fig.unit or "").strip()
    if display:
        if unit and display.endswith(unit) and display != unit:
            display = display[: -len(unit)].strip()
        if display:
            return display
    if unit == "%":
        return vn_number(fig.value)
    if unit.endswith("đồng") and abs(fig.value) >= 1e6:
        return vn_compact(fig.value)
    return vn_number(fig.value)


def figure_with_unit(value: float, unit: str | None, display: str | None = None) -> str:
    """A value and its unit in one string, for lookup results: "27.172 văn bản"."""
    if display:
        return display.strip()
    if not unit:
        return vn_number(value)
    if unit == "%":
        return vn_percent(value)
    if unit.endswith("đồng") and abs(value) >= 1e6:
        return f"{vn_compact(value)} {unit}".replace(" đồng đồng", " đồng")
    return f"{vn_number(value)} {unit}"


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


def count_label(n: int, noun: str = "article") -> str:
    """"1 article", "27.172 articles"."""
    return f"{vn_number(n)} {noun}{'' if n == 1 else 's'}"
