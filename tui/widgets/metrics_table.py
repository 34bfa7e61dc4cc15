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

from store.record import Figure
from store.text import one_line

from ..format import change_label, figure_value

COLUMNS = (("label", "Label"), ("value", "Value"), ("unit", "Unit"), ("change", "Change"), ("key", "Metric"))


def figure_cells(fig: Figure, label_width: int = 40) -> tuple[Text, ...]:
    """The row for one figure; labels are cut to one line (and to `label_width` cells, so
    the value column stays on screen in a narrow pane) and never read as markup."""
    label = one_line(fig.label) or one_line(fig.raw) or "?"
    if fig.qualifier:
        label = f"{label} ({one_line(fig.qualifier)})"
    if cell_len(label) > label_width:
        label = set_cell_size(label, label_width - 1) + "…"
    change = change_label(fig.change)
    change_style = {"up": "green", "down": "red"}.get(fig.change.direction, "") if fig.change else ""
    return (
        Text(label, no_wrap=True, overflow="ellipsis"),
        Text(one_line(figure_value(fig)), justify="right", style="bold"),
        Text(one_line(fig.unit or "")),
        Text(one_line(change), style=change_style),
        Text(one_line(fig.key or ""), style="italic"),
    )


class MetricsTable(DataTable):
    """Lists figures; moving or pressing Enter on a row asks the app to show that figure."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="metrics.down"),
        Binding("k", "cursor_up", "Up", show=False, id="metrics.up"),
        Binding("g", "scroll_top", "First figure", show=False, id="metrics.first"),
        Binding("G", "scroll_bottom", "Last figure", show=False, id="metrics.last"),
    ]

    @dataclass
    class FigureChosen(Message):
        """The user picked a figure row: the detail pane highlights it."""

        table: "MetricsTable"
        index: int

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, MetricsTable.FigureChosen)

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self._figures: tuple[Figure, ...] = ()

    @property
    def figures(self) -> tuple[Figure, ...]:
        return self._figures

    def show_figures(self, figures: tuple[Figure, ...] | list[Figure], *, message: str | None = None) -> None:
        """Refill the table (clear and add: cheap for the tens of rows an article has)."""
        self._figures = tuple(figures)
        # Columns go too: DataTable keeps the widest width ever seen otherwise.
        self.clear(columns=True)
        # Widths are set, not auto: an auto-width table drawn before its idle-time
        # dimension update can keep blank cached lines (seen in Textual 8.2.8).
        if self._figures:
            # About 40% of the pane for labels, between 16 and 48 cells.
            label_width = max(16, min(48, int(self.size.width * 0.4) or 40))
            rows = [figure_cells(fig, label_width) for fig in self._figures]
            for index, (key, label) in enumerate(COLUMNS):
                width = max([cell_len(label)] + [row[index].cell_len for row in rows])
                self.add_column(Text(label), key=key, width=width)
            self.add_rows(rows)
        else:
            text = "No figures found in this article." if message is None else message
            self.add_column(Text(""), key="message", width=max(1, cell_len(text)))
            self.add_row(Text(text, style="italic dim"))
        self.move_cursor(row=0, animate=False)

    def select_figure(self, index: int) -> None:
        """Put the cursor on a figure's row (announced only if the table has focus)."""
        if 0 <= index < len(self._figures):
            self.move_cursor(row=index, animate=False)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        # Only cursor moves the user makes count: refills happen while the list has focus.
        if not self.has_focus:
            return
        if 0 <= event.cursor_row < len(self._figures):
            self.post_message(self.FigureChosen(self, event.cursor_row))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self._figures):
            self.post_message(self.FigureChosen(self, event.cursor_row))
