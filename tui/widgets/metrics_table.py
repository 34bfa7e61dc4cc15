"""The metrics table: the selected article's figures, one row each.

Every cell is a `rich.text.Text`: DataTable parses string cells as markup (a label with
"[...]" would lose text or crash) and prints floats as "27172.00", so values are
formatted here the Vietnamese way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from tongket.store.record import Figure
from tongket.store.lang.text import one_line

from tongket.store.present.collate import vn_sort_key
from tongket.store.present.display import change_label, figure_value
from ..compat import FastTable

COLUMNS = (("label", "Label"), ("value", "Value"), ("unit", "Unit"), ("change", "Change"), ("key", "Metric"))


def _fit(text: str, width: int) -> str:
    """Cut to `width` cells with an ellipsis."""
    if width > 1 and cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return text


def figure_texts(fig: Figure) -> tuple[str, str, str, str, str]:
    """Label, value, unit, change and metric key of one figure, as plain one-line text."""
    label = one_line(fig.label) or one_line(fig.raw) or "?"
    if fig.qualifier:
        label = f"{label} ({one_line(fig.qualifier)})"
    unit = "" if (fig.unit or "").strip() == "%" else one_line(fig.unit or "")  # "%" is in the value
    return label, one_line(figure_value(fig)), unit, one_line(change_label(fig.change)), one_line(fig.key or "")


def figure_cells(fig: Figure, widths: tuple[int, ...] | None = None) -> tuple[Text, ...]:
    """The row for one figure, each cell cut to its column's width (`widths`) and never
    read as markup."""
    texts: tuple[str, ...] = figure_texts(fig)
    if widths is not None:
        texts = tuple(_fit(t, w) for t, w in zip(texts, widths))
    label, value, unit, change, key = texts
    change_style = {"up": "green", "down": "red"}.get(fig.change.direction, "") if fig.change else ""
    return (
        Text(label, no_wrap=True),
        Text(value, justify="right", style="bold"),
        Text(" " + unit, no_wrap=True),  # the table has no cell padding: the unit opens a gap
        Text(change, style=change_style, no_wrap=True),
        Text(key, style="italic", no_wrap=True),
    )


# Column order for giving up cells when the pane is narrow: (column, floor) stages.
SHRINK_ORDER = ((0, 14), (2, 8), (3, 7), (4, 12), (0, 10), (2, 5), (3, 6), (4, 8))


def column_widths(figures: tuple[Figure, ...] | list[Figure], table_width: int) -> tuple[int, ...]:
    """Widths for label, value, unit, change and metric key that fit `table_width`.

    Every column starts at its natural width (label at most 48, unit and change at most
    14); when that is too wide they give up cells in `SHRINK_ORDER`: the label first
    (down to 14), then unit and change, and only then the metric key, which is what a
    lookup searches for, so it is never cut below 12 cells. The value is never cut.
    """
    texts = [figure_texts(f) for f in figures]
    widths = [max([cell_len(head)] + [cell_len(t[i]) for t in texts]) for i, (_k, head) in enumerate(COLUMNS)]
    widths[0] = min(widths[0], 48)
    widths[2], widths[3] = min(widths[2], 14), min(widths[3], 14)
    room = (table_width or 80) - (len(COLUMNS) - 1) - 1  # one-cell gaps between columns, scrollbar
    for column, floor in SHRINK_ORDER:
        excess = sum(widths) - room
        if excess <= 0:
            break
        if widths[column] > floor:
            widths[column] -= min(excess, widths[column] - floor)
    return tuple(widths)


FIGURE_SORTS = ("text", "label", "value", "metric")
HEADER_SORTS = {"label": "label", "value": "value", "key": "metric"}


def sort_figures(figures: tuple[Figure, ...], key: str, reverse: bool = False) -> list[int]:
    """Figure indexes in a chosen order: as the text has them, by label (dictionary order),
    value (largest first) or metric key (figures without one last); ties in text order."""
    order = list(range(len(figures)))
    if key == "label":
        order.sort(key=lambda i: vn_sort_key(figures[i].label), reverse=reverse)
    elif key == "value":
        order.sort(key=lambda i: figures[i].value, reverse=not reverse)
    elif key == "metric":
        order.sort(key=lambda i: (figures[i].key is None, figures[i].key or ""), reverse=reverse)
    elif reverse:
        order.reverse()
    return order


class MetricsTable(FastTable):
    """Lists figures; moving or pressing Enter on a row asks the app to show that figure."""

    QUIET_DIMENSIONS = True  # sized by CSS: a refill needs no screen-wide layout

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="metrics.down"),
        Binding("k", "cursor_up", "Up", show=False, id="metrics.up"),
        Binding("g", "scroll_top", "First figure", show=False, id="metrics.first"),
        Binding("G", "scroll_bottom", "Last figure", show=False, id="metrics.last"),
        Binding("s", "cycle_sort", "Sort: text order, label, value, metric (or click a header)", show=False,
                id="metrics.sort"),
        Binding("S", "reverse_sort", "Reverse the order", show=False, id="metrics.reverse"),
    ]

    @dataclass
    class FigureChosen(Message):
        """The user picked a figure row: the detail pane highlights it."""

        table: "MetricsTable"
        index: int

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, MetricsTable.FigureChosen)

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes, cursor_type="row", zebra_stripes=True, cell_padding=0)
        self._figures: tuple[Figure, ...] = ()
        self._order: list[int] = []  # figure index of each row
        self.sort_key = "text"
        self.sort_reverse = False
        self._message: str | None = None
        self._filled_width = 0

    @property
    def figures(self) -> tuple[Figure, ...]:
        return self._figures

    def show_figures(self, figures: tuple[Figure, ...] | list[Figure], *, message: str | None = None) -> None:
        """Refill the table (clear and add: cheap for the tens of rows an article has)."""
        self._figures = tuple(figures)
        self._message = message
        self._order = sort_figures(self._figures, self.sort_key, self.sort_reverse)
        self._fill(0)

    @property
    def order(self) -> list[int]:
        """The figure index shown on each row, top to bottom."""
        return list(self._order)

    def sort_by(self, key: str, reverse: bool = False) -> None:
        """Rows in another order; the cursor stays on its figure."""
        if key not in FIGURE_SORTS:
            raise ValueError(f"sort key must be one of {', '.join(FIGURE_SORTS)}, not {key!r}")
        current = self._order[self.cursor_row] if 0 <= self.cursor_row < len(self._order) else None
        self.sort_key, self.sort_reverse = key, reverse
        self._order = sort_figures(self._figures, key, reverse)
        self._fill(self._order.index(current) if current is not None else 0)

    def action_cycle_sort(self) -> None:
        self.sort_by(FIGURE_SORTS[(FIGURE_SORTS.index(self.sort_key) + 1) % len(FIGURE_SORTS)])

    def action_reverse_sort(self) -> None:
        self.sort_by(self.sort_key, not self.sort_reverse)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A header sorts by its column (label, value, metric); the same one again reverses."""
        event.stop()
        key = HEADER_SORTS.get(str(event.column_key.value))
        if key is not None:
            self.sort_by(key, not self.sort_reverse if key == self.sort_key else False)

    def _fill(self, cursor: int) -> None:
        # Columns go too: DataTable keeps the widest width ever seen otherwise.
        self.clear(columns=True)
        # Widths are set, not auto: an auto-width table drawn before its idle-time
        # dimension update can keep blank cached lines (seen in Textual 8.2.8).
        self._filled_width = self.size.width
        if self._figures:
            widths = column_widths(self._figures, self.size.width)
            rows = [figure_cells(self._figures[i], widths) for i in self._order]
            # No cell padding (it would cost ten cells): one gap cell between columns,
            # on the unit's left for the right-aligned value.
            gaps = {"label": 1, "value": 0, "unit": 2, "change": 1, "key": 0}
            for (key, label), width in zip(COLUMNS, widths):
                header = Text(label, justify="right") if key == "value" else Text((" " if key == "unit" else "") + label)
                self.add_column(header, key=key, width=width + gaps[key])
            self.add_rows(rows)
        else:
            text = "No figures found in this article." if self._message is None else self._message
            self.add_column(Text(""), key="message", width=max(1, cell_len(text)))
            self.add_row(Text(text, style="italic dim"))
        self.move_cursor(row=min(cursor, max(0, len(self._figures) - 1)), animate=False)

    def on_resize(self) -> None:
        if self.size.width != self._filled_width and self._figures:
            self._fill(self.cursor_row)

    def select_figure(self, index: int) -> None:
        """Put the cursor on a figure's row (announced only if the table has focus)."""
        if 0 <= index < len(self._figures):
            self.move_cursor(row=self._order.index(index), animate=False)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        # Only cursor moves the user makes count: refills happen while the list has focus.
        if not self.has_focus:
            return
        if 0 <= event.cursor_row < len(self._order):
            self.post_message(self.FigureChosen(self, self._order[event.cursor_row]))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self._order):
            self.post_message(self.FigureChosen(self, self._order[event.cursor_row]))
