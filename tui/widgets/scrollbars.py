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
from textual.geometry import Size
from textual.widget import Widget


class WholeCellScrollBarRender(ScrollBarRender):
    """A thumb that starts and ends on cell boundaries: no partial-block glyphs."""

    VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8
    HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8


def use_whole_cell_scrollbars(*widgets: Widget) -> None:
    """Give these widgets' scrollbars the whole-cell renderer (per instance: Textual's
    own widgets elsewhere keep theirs)."""
    for widget in widgets:
        widget.vertical_scrollbar.renderer = WholeCellScrollBarRender
        widget.horizontal_scrollbar.renderer = WholeCellScrollBarRender


def set_virtual_size_quietly(widget: Widget, size: Size) -> None:
    """Change a scrolling widget's virtual size without a screen-wide layout.

    `virtual_size` is a layout reactive: setting it makes the screen arrange and redraw
    every widget (the list, the filter bar, the footer...), ~10 ms, each time the list
    is refilled or another article is shown. Our panes are sized by CSS, not by their
    content, so updating their own scrollbars is all a new virtual size needs (showing
    or hiding a scrollbar still asks for a layout, through its own reactive).
    """
    if size == widget.virtual_size:
        return
    if not widget.is_mounted or not widget.size:
        widget.virtual_size = size
        return
    widget.set_reactive(Widget.virtual_size, size)
    widget._scroll_update(size)
    widget.refresh()
