"""The article pane's text work, apart from the widget: making text safe to draw without
moving any offset, finding matches, and cutting styled runs into line segments.

Pure functions over strings and `rich` styles, so they are tested without an app.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style

from tongket.store.lang.text import fold, nfc

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]")


def safe_same_length(text: str) -> str:
    """Replace escape sequences and control characters with spaces, keeping every offset.

    `tongket.store.lang.text.strip_control` removes characters, which would shift the figure spans the
    parser recorded; replacing one for one keeps them valid while nothing the terminal
    could interpret (escape sequences, bidi overrides) reaches it.
    """
    text = _ANSI.sub(lambda m: " " * len(m.group()), text)
    text = _UNSAFE.sub(" ", text)
    normal = nfc(text)
    return normal if len(normal) == len(text) else text


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    component: str


def match_pattern(query: str) -> re.Pattern[str] | None:
    """Accent-insensitive pattern for a query, to run over `fold(text)`; words may be
    separated by any whitespace (a phrase can break across lines in the body)."""
    words = fold(query).split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def style_runs(marks: list[tuple[int, int, Style]], length: int) -> tuple[list[int], list[Style]]:
    """Flatten overlapping (start, end, style) marks into runs: `starts[i]` begins a run
    styled `styles[i]` (until `starts[i + 1]`). Where marks overlap, later marks are added
    on top of earlier ones, as `Text.stylize` in that order would do."""
    events: list[tuple[int, int, int]] = []
    for order, (start, end, _style) in enumerate(marks):
        start, end = max(0, start), min(length, end)
        if end > start:
            events.append((start, 1, order))
            events.append((end, 0, order))  # ends sort before starts at the same offset
    events.sort()
    starts, styles = [0], [Style()]
    active: dict[int, Style] = {}
    i, n = 0, len(events)
    while i < n:
        pos = events[i][0]
        while i < n and events[i][0] == pos:
            _pos, is_start, order = events[i]
            if is_start:
                active[order] = marks[order][2]
            else:
                active.pop(order, None)
            i += 1
        style = Style.combine(active[k] for k in sorted(active)) if active else Style()
        if starts[-1] == pos:
            styles[-1] = style
        else:
            starts.append(pos)
            styles.append(style)
    return starts, styles


def line_segments(
    plain: str, start: int, end: int, starts: list[int], styles: list[Style], base: Style
) -> list[Segment]:
    """Segments for `plain[start:end]`, cut where the style runs change."""
    segments: list[Segment] = []
    k = max(0, bisect_right(starts, start) - 1)
    pos = start
    last = len(starts) - 1
    while pos < end:
        stop = min(end, starts[k + 1]) if k < last else end
        if stop > pos:
            segments.append(Segment(plain[pos:stop], base + styles[k]))
        pos = stop
        k += 1
    return segments
