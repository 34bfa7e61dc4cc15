"""Scrollbars drawn in whole cells.

Textual draws the ends of a scrollbar thumb with eighth-block glyphs (▁▂▃▄▅▆▇) for
sub-cell precision. In a 256-colour terminal (tmux's default) the thumb and its track
come out almost the colour of the pane, so all that is left visible is a stray "▅▅"
beside the text, which reads as part of the article. Whole cells avoid the glyphs;
the thumb is also made one cell wide and given a visible colour in `app.tcss`.
"""

from __future__ import annotations

from typing import ClassVar

from textual.scrollbar import ScrollBarRender
from textual.widget import Widget


class WholeCellScrollBarRender(ScrollBarRender):
    """A thumb that starts and ends on cell boundaries: no partial-block glyphs."""

    VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8
    HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8


def use_whole_cell_scrollbars(*widgets: Widget) -> None:
    """Give these widgets' scrollbars the whole-cell renderer (per instance: Textual's
    own widgets elsewhere keep theirs)."""
    for widget in widgets:
        # `renderer` is typed as a class variable but is meant to be set per instance.
        widget.vertical_scrollbar.renderer = WholeCellScrollBarRender  # type: ignore[misc]
        widget.horizontal_scrollbar.renderer = WholeCellScrollBarRender  # type: ignore[misc]
