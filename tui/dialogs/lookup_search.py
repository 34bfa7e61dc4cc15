"""The first page of a lookup, shown before its counts: a page costs its own hits, the
counts walk the whole answer (tens of thousands of matches), so a keystroke's results
are drawn first and the line saying how many follows."""

from __future__ import annotations

import threading
from typing import Callable, Sequence

from tongket.store.record import FigureHit, LookupResult

from ..widgets.lookup_rows import counted

PAGE_DRAWN_S = 0.2  # at most this long a wait for the frame showing the first page
Search = Callable[..., "LookupResult | Sequence[FigureHit]"]  # (query) or, with first_page, (query, limit)


def first_hits(search: Search, query: str, page: int, *, counts_apart: bool, wanted: Callable[[], bool],
               show_page: Callable[[LookupResult, threading.Event], None]) -> LookupResult | None:
    """The first `page` hits, counted. With `counts_apart` (`search(query, limit,
    counted=False)` gives the hits alone) a full page goes to `show_page` before the
    counts are asked for (`search(query, 0)`), once the page is drawn (the event
    `show_page` sets then, or PAGE_DRAWN_S): counting holds the interpreter, and the
    frame that shows the page should not wait for it. None once `wanted()` is False."""
    if not counts_apart:
        found = counted(search(query, page))
        return found if wanted() else None
    hits = tuple(search(query, page, counted=False))
    if not wanted():
        return None
    if len(hits) < page:  # the whole answer: it counts itself
        return counted(hits)
    drawn = threading.Event()
    show_page(LookupResult(hits, len(hits), 0), drawn)
    drawn.wait(PAGE_DRAWN_S)
    if not wanted():
        return None
    counts = counted(search(query, 0))
    return LookupResult(hits, counts.total, counts.articles) if wanted() else None
