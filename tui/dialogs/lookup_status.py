"""The lookup dialog's status line: what the results are, as one Text (never markup)."""

from __future__ import annotations

from rich.text import Text

from tongket.store.lang.text import one_line
from tongket.store.present.display import vn_number
from tongket.store.record import LookupResult

HELP = "Type a metric name, key or label: “van ban den”, “incoming_documents”, “hồ sơ”."
KEYS = " (s, S) · Enter opens the article · ctrl+t pivot · F2 metrics"


def lookup_status(query: str, result: LookupResult, *, counting: bool, order: str, pivot: Text | str | None) -> Text:
    """`counting`: the first hits are shown, their counts are still to come; `order`: the
    results' sort as words; `pivot`: the pivot's own part when it shows (None: the list's)."""
    if not query:
        return Text(HELP)
    quoted = f"“{one_line(query)}”"
    if not result.total:
        status = Text("No figure matches ")
        status.append(quoted, style="bold")
        status.append(". Try fewer words, no diacritics, or clear the filters (x) first.")
        return status
    if counting:
        status = Text(f"the first {vn_number(len(result.hits))} figures for ")
        status.append(quoted, style="bold")
        status.append(" · counting…", style="dim")
        return status
    shown = "" if len(result.hits) >= result.total else f"showing {vn_number(len(result.hits))} of "
    status = Text(f"{shown}{vn_number(result.total)} figure{'s' if result.total != 1 else ''} in "
                  f"{vn_number(result.articles)} article{'s' if result.articles != 1 else ''} for ")
    status.append(quoted, style="bold")
    if pivot is not None:
        status.append(pivot)
    else:
        status.append(f" · sorted by {order}{KEYS}")
    return status
