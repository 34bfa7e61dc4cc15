"""Every touch of Textual's private API, in one place (Textual is pinned to 8.2.8).

The app draws large lists and tables faster than Textual's public API allows by reaching
into a few internals; each such touch lives here, so a Textual upgrade means reading one
file. Nothing else in tui/ (or its tests) uses an underscored Textual name.

- `set_virtual_size_quietly`: a new scroll size without a screen-wide layout.
- `FastTable`: a DataTable that draws its one-line `Text` cells directly. DataTable
  renders every cell through rich's console (`Styled(Padding(Text))`), about 0.3 ms a
  cell: 20-30 ms to draw an article's figures table, and most of a lookup keystroke for
  the results table. The same segments (checked against DataTable's own output, see
  `tests/test_tui_app.py`) are built here in microseconds (a fixed row or column's cells
  too, in its own style: the pivot's province column, whose table drew all its cells the
  slow way, ~60 ms of its first frame at 100k). Anything else (row labels, taller rows,
  centred or overflowing text) goes to DataTable.
- `screen_strips`, `screen_lines`: what a screen shows (for tests and captures).
- `FastTable.both_renderings`: one cell drawn by the fast path and by DataTable, so a
  test can check that they agree without touching the internals itself.
- `FrameHold`: frames held back until an answer due in a few milliseconds is in.
"""

from __future__ import annotations

from typing import Any, ClassVar, Iterable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.geometry import Region, Size
from textual.screen import Screen
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey
from typing_extensions import Self


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


def screen_strips(screen: Screen[Any]) -> list[Strip]:
    """The screen as the terminal shows it (dialogs and notifications included), one
    strip of styled segments per line."""
    return list(screen._compositor.render_strips())


def screen_lines(screen: Screen[Any]) -> list[str]:
    """`screen_strips` as plain text."""
    return [strip.text for strip in screen_strips(screen)]


class FrameHold:
    """Frames held back (the app's batch count, which `App.batch_update` keeps for a block
    of code, here across the wait for a worker's answer) until `release` or `seconds`.

    A keystroke whose answer a worker sends a few milliseconds later would otherwise be
    drawn twice: the typed letter alone at once, then the answer in the next update slot
    of the screen (1/60 s after the first frame), which is most of what the user waits
    for. Held, the letter and the answer are one frame, drawn as soon as the answer is
    in. `hold` while held keeps the first deadline, so a stream of keys cannot hold the
    screen for longer than `seconds`."""

    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._timer: Timer | None = None

    def hold(self, seconds: float) -> None:
        if self._timer is None:
            self._app._begin_batch()
            self._timer = self._app.set_timer(seconds, self.release, name="frame hold")

    def release(self) -> None:
        """Draw what is waiting (a no-op when nothing is held)."""
        if self._timer is None:
            return
        self._timer.stop()
        self._timer = None
        self._app._end_batch()
        if self._app.is_running:
            self._app.screen.check_idle()  # what changed while held is drawn in the next frame


class FastTable(DataTable):
    """DataTable with a fast path for one-line `Text` cells (see the module docstring).

    `QUIET_DIMENSIONS`: DataTable sets its virtual size on idle after rows are added, and
    that reactive asks the whole screen for a layout, ~10 ms each refill. A table sized
    by CSS (not by its rows) sets it True: new scrollbars are all a new row count needs."""

    QUIET_DIMENSIONS: ClassVar[bool] = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._quiet_layout = False

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        rest = self._measure_plain_rows(new_rows)
        if not self.QUIET_DIMENSIONS:
            super()._update_dimensions(rest)
            return
        self._quiet_layout = True
        try:
            super()._update_dimensions(rest)
        finally:
            self._quiet_layout = False
        self._scroll_update(self.virtual_size)

    def _measure_plain_rows(self, new_rows: Iterable[RowKey]) -> list[RowKey]:
        """Column content widths of rows of unlabelled one-line `Text` cells, measured
        here by `cell_len` (what rich's measure gives for them, ~20x cheaper: 8 ms an
        article's figures on idle); other rows are left for DataTable."""
        rest: list[RowKey] = []
        columns = self.ordered_columns
        for row_key in new_rows:
            row_index = self._row_locations.get(row_key)
            row = self.rows.get(row_key)
            if row_index is None or row is None:
                continue
            label, cells = self._get_row_renderables(row_index)
            if row.label is not None or row.auto_height or not all(
                isinstance(c, Text) and "\n" not in c.plain and "\t" not in c.plain for c in cells
            ):
                rest.append(row_key)
                continue
            for column, cell in zip(columns, cells):
                width = cell_len(cell.plain)  # type: ignore[union-attr]
                if width > column.content_width:
                    column.content_width = width
        return rest

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False) -> Self:
        return super().refresh(*regions, repaint=repaint, layout=layout and not self._quiet_layout, recompose=recompose)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        lines = self._fast_cell(row_index, column_index, base_style, width, cursor, hover)
        if lines is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        return lines

    def both_renderings(self, row_index: int, column_index: int, *, cursor: bool) -> tuple[list[list[Segment]], ...]:
        """A cell (row -1: the header) as this table draws it and as DataTable would, each
        freshly rendered (not from the cell cache)."""
        base = self.rich_style
        width = self.ordered_columns[column_index].get_render_width(self)
        self._cell_render_cache.clear()
        fast = self._render_cell(row_index, column_index, base, width, cursor, False)
        self._cell_render_cache.clear()
        slow = DataTable._render_cell(self, row_index, column_index, base, width, cursor, False)
        return fast, slow

    def _fast_cell(
        self, row_index: int, column_index: int, base_style: Style, width: int, cursor: bool, hover: bool
    ) -> list[list[Segment]] | None:
        if column_index < 0:
            return None
        is_header = row_index == -1
        fixed = not is_header and (row_index < self.fixed_rows or column_index < self.fixed_columns)  # as DataTable
        row_key = self._header_row_key if is_header else self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return None
        if is_header:
            height = self.header_height
        else:
            row = self.rows[row_key]
            height = 0 if row.auto_height else row.height
        cell = self._get_row_renderables(row_index)[1][column_index]
        pad = self.cell_padding
        inner = width - 2 * pad
        if (
            height != 1
            or not isinstance(cell, Text)
            or cell.justify not in (None, "default", "left", "right")
            or "\n" in cell.plain
            or "\t" in cell.plain
            or cell_len(cell.plain) > inner
        ):
            return None
        key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        lines = self._cell_render_cache.get(key)
        if lines is None:
            component_style, post_style = self._get_styles_to_render_cell(
                is_header,
                False,
                fixed,
                hover,
                cursor,
                self.show_cursor,
                self._show_hover_cursor,
                self.cursor_foreground_priority == "css",
                self.cursor_background_priority == "css",
            )
            pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
            console = self.app.console
            segments = list(cell.render(console, end=""))
            room = inner - cell_len(cell.plain)
            if room > 0 and cell.justify == "right":  # rich pads inside the text
                segments.insert(0, Segment(" " * room))
            if cell.style:  # `Text.render` leaves the text's own style out
                segments = list(Segment.apply_style(segments, console.get_style(cell.style)))
            segments = Segment.adjust_line_length(segments, inner, pad=True)
            if pad:
                segments = [Segment(" " * pad), *segments, Segment(" " * pad)]
            lines = [list(Segment.apply_style(segments, pre_style, post_style))]
            self._cell_render_cache[key] = lines
        return lines
