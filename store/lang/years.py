"""Which numbers read as years: one rule for the figure reader, the lookup and `tongket set`.

Its own module so that the lookup and the corrections check, which every archive open
imports, do not load the number reader's words and patterns (`numbers.py`) to know it.
"""

from __future__ import annotations

YEARS = (1900, 2100)  # a four-digit number in this range reads as a year, inclusive


def looks_like_year(value: float) -> bool:
    """Whether a four-digit number can be a year ("2022"), as the figure reader rules them out."""
    return YEARS[0] <= value <= YEARS[1]
