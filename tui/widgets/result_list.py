"""A read-only table of one-line rows drawn line by line: the figure lookup's results.

A `DataTable` (even with `FastTable`'s cells) spends most of a lookup keystroke on its
per-line work: clearing, adding rows, row styles, `_render_line_in_row`. The results
change on every keystroke, so this is a `ScrollView` like `ArticleList`: `set_rows` is
an assignment, `render_line` draws a row when it comes on screen and caches its strip.
It looks like the DataTable it replaces: a bold header line (kept on top while the rows
scroll), one cell of padding each side of a column, zebra stripes and a row cursor.
Rows are tuples of plain strings (never markup), one per column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from ..compat import set_virtual_size_quietly
from .row_view import RowView


FIT_ROWS = 200  # rows measured to fit the columns: a screen and more, the lookup's first page; each read
# of a hit beyond what shows touches the archive's string columns (at 100k, 500 rows a keystroke
# added ~20 MB of the snapshot's pages to the app's peak), and the first page's widths then stay
# when the rest of the matches come


@dataclass(frozen=True)
class Column:
    """A column: its header, and how its cells are drawn."""

    label: str
    justify: str = "left"  # or "right"
    style: Style = Style()  # the cells' own style (bold, italic), under the row's
    shrink: bool = False  # narrowed (ellipsis) when the row is wider than the list
    min_width: int = 0  # a shrinking column keeps at least this many cells


class ResultList(RowView, can_focus=True):
    """Rows of text under a header; the cursor is a row; Enter posts `Selected`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("enter", "select", "Select", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "result-list--header",
        "result-list--cursor",
        "result-list--even-row",
        "result-list--odd-row",
    }

    # The same look as DataTable's defaults (Textual 8.2).
    DEFAULT_CSS = """
    ResultList {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        &:focus {
            background-tint: $foreground 5%;
            & > .result-list--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .result-list--header { background-tint: $foreground 5%; }
        }
        &:dark > .result-list--even-row { background: $surface-darken-1 40%; }
        & > .result-list--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .result-list--header { background: ansi_bright_blue; color: ansi_default; }
        & > .result-list--odd-row { }
        & > .result-list--even-row { background: $surface-lighten-1 50%; }
        & > .result-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    @dataclass
    class Selected(Message):
        """Enter (or a second click) on a row."""

        result_list: "ResultList"
        row: int

        @property
        def control(self) -> "ResultList":
            return self.result_list

    @dataclass
    class HeaderClicked(Message):
        """A click on a column's header (the dialog sorts by it)."""

        result_list: "ResultList"
        column: int

        @property
        def control(self) -> "ResultList":
            return self.result_list

    def __init__(self, columns: Sequence[Column], *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(cache_size=256, name=name, id=id, classes=classes)
        self._columns = tuple(columns)
        self._rows: Sequence[tuple[str, ...]] = []
        self._widths: list[int] = [cell_len(c.label) for c in self._columns]
        self._cursor = 0
        self._row_styles: dict[tuple[str, bool], tuple[Style, list[Style]]] = {}

    # -- data ---------------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[tuple[str, ...]]:
        return self._rows

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def widths(self) -> list[int]:
        """Content width of each column (the widest cell or header)."""
        return list(self._widths)

    def set_rows(self, rows: Sequence[tuple[str, ...]]) -> None:
        """Replace every row and put the cursor on the first; columns fit the widest cell of
        the first `FIT_ROWS` (rows may be made on demand: 50k results are not all measured)."""
        self._rows = rows
        first = [rows[i] for i in range(min(len(rows), FIT_ROWS))]
        self._widths = [
            max([cell_len(column.label)] + [cell_len(row[i]) for row in first])
            for i, column in enumerate(self._columns)
        ]
        self._cursor = 0
        self._strips.clear()
        set_virtual_size_quietly(self, Size(self.size.width, len(rows) + 1))
        if self.scroll_offset.y:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def row_text(self, index: int) -> str:
        """Plain text of a row as drawn, cells separated by spaces (for tests)."""
        return " ".join(self._rows[index])

    # -- cursor -------------------------------------------------------------------------

    def move_cursor(self, row: int) -> None:
        row = max(0, min(row, len(self._rows) - 1)) if self._rows else 0
        if row == self._cursor:
            return
        old, self._cursor = self._cursor, row
        top = int(self.scroll_offset.y)
        visible = max(1, self.scrollable_content_region.height - 1)  # less the header
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + visible:
            self.scroll_to(y=row - visible + 1, animate=False, immediate=True)
        else:
            # Only the two rows whose cursor state changed.
            self.refresh_line(old - top + 1)
            self.refresh_line(row - top + 1)

    def _cursor_row(self) -> int:
        return self._cursor

    def _go_to_row(self, index: int) -> None:
        self.move_cursor(index)

    def _row_count(self) -> int:
        return len(self._rows)

    def _page_rows(self) -> int:
        return self.scrollable_content_region.height - 2  # less the header

    def action_select(self) -> None:
        if 0 <= self._cursor < len(self._rows):
            self.post_message(self.Selected(self, self._cursor))

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            column = self._column_at(event.x)
            if column is not None:
                self.post_message(self.HeaderClicked(self, column))
            return
        index = int(self.scroll_offset.y) + event.y - 1
        if 0 <= index < len(self._rows):
            if index == self._cursor and event.chain > 1:
                self.action_select()
            self.move_cursor(index)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._strips.clear()
        self.virtual_size = Size(event.size.width, len(self._rows) + 1)

    def _clear_drawn(self) -> None:
        super()._clear_drawn()
        self._row_styles.clear()

    # -- rendering ----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width, base, top = self._line_frame()
        if y == 0:
            row_key = (-1, False)
        else:
            index = top + y - 1
            if not 0 <= index < len(self._rows):
                return Strip.blank(width, base)
            row_key = (index, index == self._cursor)
        strip = self._strips.get(row_key)
        if strip is None:
            strip = self._strips[row_key] = self._render_row(row_key[0], row_key[1], width, base)
        return strip

    def _column_at(self, x: int) -> int | None:
        """The column drawn at cell `x` of a line (cells are separated by two spaces)."""
        left = 0
        for i, w in enumerate(self._fitted(self.scrollable_content_region.width)):
            if left <= x < left + w + 2:
                return i
            left += w + 2
        return None

    def _fitted(self, width: int) -> list[int]:
        """Column widths for a line width: the shrinkable columns give up the excess, the
        rightmost first (a long metric key gives way before the label people read)."""
        widths = list(self._widths)
        excess = sum(widths) + 2 * len(widths) - width
        for i in reversed(range(len(self._columns))):
            column = self._columns[i]
            if excess <= 0:
                break
            if column.shrink:
                give = min(excess, max(0, widths[i] - max(cell_len(column.label), column.min_width)))
                widths[i] -= give
                excess -= give
        return widths

    def _styles(self, kind: str, cursor: bool, base: Style) -> tuple[Style, list[Style]]:
        """The line's style and each cell's, for a kind of row ("header", "even-row",
        "odd-row") with or without the cursor: a handful of combinations, added once."""
        key = (kind, cursor)
        styles = self._row_styles.get(key)
        if styles is None:
            row_style = base + self._component(f"result-list--{kind}")
            # As DataTable, with the cursor's colours taking priority over the cells' own.
            cursor_style = self._component("result-list--cursor") if cursor else Style()
            post = Style.from_color(cursor_style.color, cursor_style.bgcolor) if cursor else Style()
            line = row_style + cursor_style + post
            cells = [
                row_style + column.style + cursor_style + post if kind != "header" and column.style else line
                for column in self._columns
            ]
            styles = self._row_styles[key] = (line, cells)
        return styles

    def _render_row(self, index: int, cursor: bool, width: int, base: Style) -> Strip:
        if index < 0:
            cells: Sequence[str] = [c.label for c in self._columns]
            _line, cell_styles = self._styles("header", False, base)
        else:
            cells = self._rows[index]
            _line, cell_styles = self._styles("even-row" if index % 2 == 0 else "odd-row", cursor, base)
        segments: list[Segment] = []
        used = 0
        for column, size, value, style in zip(self._columns, self._fitted(width), cells, cell_styles):
            length = cell_len(value)
            if length > size:
                value = set_cell_size(value, max(0, size - 1)) + "…" if size > 0 else ""
                length = size
            room = size - length
            if index < 0 or column.justify != "right":
                padded = f" {value}{' ' * room} "
            else:
                padded = f" {' ' * room}{value} "
            segments.append(Segment(padded, style))
            used += size + 2
        if used < width:  # past the last column: the list's own background, as DataTable
            segments.append(Segment(" " * (width - used), base))
        elif used > width:  # narrower than the fixed columns: cut
            return Strip(segments, used).crop(0, width)
        return Strip(segments, width)
