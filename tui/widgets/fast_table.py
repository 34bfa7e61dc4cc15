"""A DataTable that draws its one-line `Text` cells directly.

DataTable renders every cell through rich's console (`Styled(Padding(Text))`), about
0.3 ms a cell: 20-30 ms to draw an article's figures table, and most of a lookup
keystroke for the results table. The cells in tongket's tables are single-line `Text`s,
so the same segments (checked against DataTable's own output, see
`tests/test_tui_widgets.py`) are built here in microseconds. Anything else (row labels,
fixed rows or columns, taller rows, centred or overflowing text) goes to DataTable.
Relies on DataTable internals of Textual 8.2.x, which is pinned.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable


class FastTable(DataTable):
    """DataTable with a fast path for one-line `Text` cells."""

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

    def _fast_cell(
        self, row_index: int, column_index: int, base_style: Style, width: int, cursor: bool, hover: bool
    ) -> list[list[Segment]] | None:
        if column_index < 0 or self.fixed_rows or self.fixed_columns:
            return None
        is_header = row_index == -1
        row_key = self._header_row_key if is_header else self._row_locations.get_key(row_index)
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
            self._column_locations.get_key(column_index),
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
                False,
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
