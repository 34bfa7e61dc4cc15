"""The pivot of a lookup: provinces × years of one measure, its legend always on show, and a
bar chart of value by year for the highlighted (or marked) provinces.

Drawn from a `store.present.pivot.Pivot` (plain data); the province column stays fixed
while the years scroll, and long names shorten by the rule in the data
(store/lang/data/compare.json), so at 80 columns every row still says what it is.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Static

from tongket.store.lang.text import one_line
from tongket.store.present import pivot as pivots
from tongket.store.present.collate import short_name

from ..compat import FastTable

PROVINCE_WIDTH = 12
BAR = "█"
PARTS = " ▏▎▍▌▋▊▉"


def bar(value: float, high: float, width: int) -> str:
    """A horizontal bar of `value` on a scale where `high` fills `width` cells (eighths)."""
    if high <= 0 or value <= 0:
        return ""
    eighths = round(value / high * width * 8)
    return BAR * (eighths // 8) + (PARTS[eighths % 8] if eighths % 8 else "")


def chart(pivot: pivots.Pivot, rows: list[pivots.Row], width: int) -> Text:
    """Value by year, one bar per year and province, the value written after it."""
    text = Text()
    values = [c.value for r in rows for c in r.cells.values()]
    if not rows or not values:
        return text
    high = max(values)
    label_w = max(len(short_name(r.province, PROVINCE_WIDTH)) for r in rows) + 6
    bar_w = max(width - label_w - 14, 5)
    for r in rows:
        name = short_name(r.province, PROVINCE_WIDTH)
        for year in pivot.years:
            c = r.cells.get(year)
            text.append(f"{name:<{label_w - 6}} {year} ", style="bold" if c else "dim")
            if c is None:
                text.append("·\n", style="dim")
                continue
            text.append(bar(c.value, high, bar_w), style="bold")
            text.append(f" {c.text()}\n")
    text.rstrip()
    return text


class PivotTable(FastTable):
    """The pivot's table: says when it draws what `PivotView.show` put in (`PivotView.Drawn`)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell")
        self.shown = False  # a new pivot is in, not drawn yet

    def render_lines(self, crop: Region) -> list[Strip]:
        if self.shown:
            self.shown = False
            self.post_message(PivotView.Drawn())  # handled once this frame is out
        return super().render_lines(crop)


class PivotView(Vertical):
    """Table, legend and chart of one pivot; `c` shows the chart, space marks a province for it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "toggle_chart", "Chart", id="pivot.chart"),
        Binding("space", "mark", "Mark for chart", id="pivot.mark"),
    ]

    DEFAULT_CSS = """
    PivotView { height: 1fr; }
    PivotView FastTable { height: 1fr; }
    PivotView #pivot-legend { height: auto; color: $text-muted; }
    PivotView #pivot-chart { height: auto; max-height: 50%; display: none; }
    PivotView.-chart #pivot-chart { display: block; }
    """

    class Drawn(Message):
        """The table drew the last pivot shown (work that would share the interpreter with
        drawing it can start)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pivot: pivots.Pivot | None = None
        self.marked: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Static(id="pivot-title")
        yield PivotTable(id="lookup-pivot")
        yield Static(Text(pivots.LEGEND), id="pivot-legend")
        yield Static(id="pivot-chart")

    @property
    def table(self) -> PivotTable:
        return self.query_one("#lookup-pivot", PivotTable)

    def show(self, pivot: pivots.Pivot) -> None:
        self.pivot = pivot
        table = self.table
        table.clear(columns=True)
        table.fixed_columns = 1
        title = Text(one_line(pivot.title), style="bold")
        title.append(f"  {one_line(pivot.summary())}", style="dim")
        self.query_one("#pivot-title", Static).update(title)
        if pivot.rows:
            table.add_column(Text("Province"), key="province")
            for year in pivot.years:
                table.add_column(Text(str(year), justify="right"), key=str(year))
            for row in pivot.rows:
                cells = [Text(short_name(one_line(row.province), PROVINCE_WIDTH))]
                for year in pivot.years:
                    c = row.cells.get(year)
                    if c is None:
                        cells.append(Text("·", style="dim", justify="right"))
                    else:
                        cells.append(Text(c.text(), justify="right", style="bold" if c.conflict else ""))
                table.add_row(*cells)
        self._draw_chart()
        table.shown = True

    def waiting(self, why: Text) -> None:
        """Say what the pivot waits for (above the table it will replace)."""
        self.query_one("#pivot-title", Static).update(why)

    def current_row(self) -> pivots.Row | None:
        if self.pivot is None or not self.pivot.rows:
            return None
        row = self.table.cursor_coordinate.row
        return self.pivot.rows[row] if 0 <= row < len(self.pivot.rows) else None

    def current_cell(self) -> pivots.Cell | None:
        row = self.current_row()
        col = self.table.cursor_coordinate.column
        if row is None or self.pivot is None or not 1 <= col <= len(self.pivot.years):
            return None
        return row.cells.get(self.pivot.years[col - 1])

    def row_text(self) -> str:
        """The highlighted row as tab-separated text with its header, for the clipboard."""
        row = self.current_row()
        if row is None or self.pivot is None:
            return ""
        header, lines = pivots.table(self.pivot)
        line = lines[self.pivot.rows.index(row)]
        return "\t".join(header) + "\n" + "\t".join(line) + "\n"

    def on_data_table_cell_highlighted(self) -> None:
        self._draw_chart()

    def _draw_chart(self) -> None:
        if not self.has_class("-chart") or self.pivot is None:
            return
        rows = [r for r in self.pivot.rows if r.province in self.marked] or [r for r in [self.current_row()] if r]
        self.query_one("#pivot-chart", Static).update(chart(self.pivot, rows, self.size.width or 80))

    def action_toggle_chart(self) -> None:
        self.toggle_class("-chart")
        self._draw_chart()

    def action_mark(self) -> None:
        row = self.current_row()
        if row is not None:
            self.marked ^= {row.province}
            self._draw_chart()
