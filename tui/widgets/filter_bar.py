"""The header line over the list: active filters and "N of M articles".

Built as a `Text` from parts: filter values come from data (province names, the user's
search text) and must never be parsed as markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tongket.store.lang.text import one_line

from tongket.store.present.display import vn_number
from ..state import Filters


def filter_line(filters: Filters, shown: int | None, total: int | None, *, busy: bool = False) -> Text:
    """"province: Kiên Giang · year: 2019 — 3 of 18 articles"."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    parts = filters.describe()
    if parts:
        for i, (label, value) in enumerate(parts):
            if i:
                text.append(" · ", style="dim")
            text.append(f"{label}: ", style="dim")
            text.append(one_line(value), style="bold")
    else:
        text.append("all articles", style="dim")
    if shown is not None and total is not None:
        text.append(" — ", style="dim")
        text.append(f"{vn_number(shown)} of {vn_number(total)} article{'' if total == 1 else 's'}")
    if busy:
        text.append(" …", style="dim")
    return text


class FilterBar(Static):
    """One line; the app calls `show_state` whenever filters or results change."""

    DEFAULT_CSS = """
    FilterBar {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    """

    def show_state(self, filters: Filters, shown: int | None, total: int | None, *, busy: bool = False) -> None:
        # The bar is always one line high: no need to lay the whole screen out again.
        self.update(filter_line(filters, shown, total, busy=busy), layout=False)
