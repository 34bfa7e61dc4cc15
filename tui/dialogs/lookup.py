"""Figure lookup: type a metric ("van ban den", "văn bản đến", "hồ sơ") and see matching
figures across the archive, best first, as province × year × value.

The search runs in a thread worker on every keystroke (exclusive, so a slow query is
superseded by the next one) and the results are applied on the UI thread only if the
input still holds the query they answer. ctrl+t pivots the same hits into provinces by
years with a sparkline per province.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.timer import Timer
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from store.record import FigureHit
from store.text import one_line

from .typeahead import TypeAheadScreen

from store.display import figure_with_unit, vn_number, year_period
from ..widgets.fast_table import FastTable
from ..widgets.scrollbars import use_whole_cell_scrollbars

SEARCHING_DELAY = 0.15  # seconds before "searching…" shows
PAGE = 50  # result rows added at a time: the first page on each keystroke, more on scrolling
RESULT_COLUMNS = (("province", "Province"), ("report", "Year"), ("value", "Value"), ("label", "Label"), ("metric", "Metric"))
SPARKS = "▁▂▃▄▅▆▇█"
PERIOD_MARK = {"half-year": "½", "quarter": "q", "term": "t", "other": "?"}


def sparkline(values: list[float | None]) -> str:
    """One block character per value, scaled between the row's min and max; blanks for gaps."""
    present = [v for v in values if v is not None]
    if not present:
        return ""
    low, high = min(present), max(present)
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        elif high == low:
            out.append(SPARKS[len(SPARKS) // 2])
        else:
            out.append(SPARKS[round((v - low) / (high - low) * (len(SPARKS) - 1))])
    return "".join(out)


def result_texts(hit: FigureHit) -> tuple[str, str, str, str, str]:
    """Province, year and period, value, label and metric of a result row, as one-line text."""
    return (
        one_line(hit.province or "unknown"),
        year_period(hit.report_year, hit.period),
        one_line(figure_with_unit(hit.value, hit.unit, hit.display)),
        one_line(hit.label),
        one_line(hit.key or ""),
    )


def pivot(hits: list[FigureHit]) -> tuple[list[str], list[int], dict[tuple[str, int], FigureHit], str]:
    """Provinces × years from hits (best first). Keeps to the top hit's metric when it has
    a key, so one table never mixes "văn bản đến" with "văn bản đi". A cell prefers a
    whole-year figure over a half-year one. Returns provinces, years, cells, caption."""
    if not hits:
        return [], [], {}, ""
    top = hits[0]
    same = [h for h in hits if h.key == top.key] if top.key else hits
    caption = f"metric: {top.key}" if top.key else "best match per province and year"
    cells: dict[tuple[str, int], FigureHit] = {}
    for hit in same:
        if hit.report_year is None:
            continue
        cell = (hit.province or "unknown", hit.report_year)
        held = cells.get(cell)
        if held is None or (held.period != "year" and hit.period == "year"):
            cells[cell] = hit
    provinces = sorted({p for p, _ in cells}, key=lambda p: (p == "unknown", p))
    years = sorted({y for _, y in cells})
    return provinces, years, cells, caption


class LookupDialog(TypeAheadScreen[FigureHit | None]):
    """Search figures; Enter opens the article with the chosen figure highlighted."""

    TYPE_AHEAD_INPUT = "#lookup-input"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="lookup.cancel"),
        Binding("ctrl+t", "toggle_view", "Pivot by year", id="lookup.toggle"),
        Binding("down", "focus_results", "Results", show=False, id="lookup.results"),
    ]

    DEFAULT_CSS = """
    /* Opaque: a see-through modal redraws the whole main screen under it on every frame. */
    LookupDialog { align: center middle; background: $background; }
    LookupDialog > Vertical {
        width: 95%;
        height: 90%;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    LookupDialog #lookup-title { text-style: bold; height: 1; }
    LookupDialog #lookup-status { height: auto; color: $text-muted; }
    LookupDialog DataTable { height: 1fr; }
    LookupDialog #lookup-pivot { display: none; }
    LookupDialog.-pivot #lookup-pivot { display: block; }
    LookupDialog.-pivot #lookup-results { display: none; }
    """

    @dataclass
    class Results(Message):
        """Posted by the lookup thread (posting is thread-safe; widgets are not)."""

        query: str
        hits: list[FigureHit] | None
        error: str | None = None

    def __init__(
        self,
        search: Callable[[str], list[FigureHit]],
        *,
        scope: str = "",
        initial: str = "",
    ) -> None:
        super().__init__()
        self._search = search
        self._scope = scope
        self._initial = initial
        self._hits: list[FigureHit] = []
        self._query = ""
        self._cells: dict[tuple[int, int], FigureHit] = {}
        self._pivot_for: list[FigureHit] | None = None  # the hits the pivot table shows
        self._result_texts: list[tuple[str, str, str, str, str]] = []
        self._searching: Timer | None = None
        self._status: Text | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            title = Text("Figure lookup", style="bold")
            if self._scope:
                title.append(f"  ({one_line(self._scope)})", style="dim")
            yield Static(title, id="lookup-title")
            yield Input(value=self._initial, placeholder="metric or label, e.g. van ban den", id="lookup-input")
            yield Static(id="lookup-status")
            yield FastTable(id="lookup-results", cursor_type="row", zebra_stripes=True)
            yield FastTable(id="lookup-pivot", cursor_type="cell")

    def on_mount(self) -> None:
        use_whole_cell_scrollbars(*self.query(DataTable))
        self.focus_input()
        self._start(self.query_one(Input).value)

    # -- searching ----------------------------------------------------------------------

    @property
    def hits(self) -> list[FigureHit]:
        return self._hits

    @property
    def pivoted(self) -> bool:
        return self.has_class("-pivot")

    @on(Input.Changed, "#lookup-input")
    def _changed(self, event: Input.Changed) -> None:
        self._start(event.value)

    def _start(self, query: str) -> None:
        query = query.strip()
        if self._searching is not None:
            self._searching.stop()
            self._searching = None
        if not query:
            self._apply("", [])
            return
        # Only a slow search says so: a status change per keystroke costs a frame and a
        # layout, and most searches answer within a frame.
        self._searching = self.set_timer(SEARCHING_DELAY, lambda: self._set_status(Text("searching…", style="dim")))
        self._lookup(query)

    @work(thread=True, exclusive=True, group="lookup")
    def _lookup(self, query: str) -> None:
        try:
            hits = self._search(query)
        except Exception as exc:  # the store reports errors as exceptions; show, don't crash
            self.post_message(self.Results(query, None, str(exc)))
            return
        self.post_message(self.Results(query, hits))

    def on_lookup_dialog_results(self, message: Results) -> None:
        if self._searching is not None and message.query == self.query_one(Input).value.strip():
            self._searching.stop()
            self._searching = None
        if message.hits is not None:
            self._apply(message.query, message.hits)
        elif message.query == self.query_one(Input).value.strip():
            self._set_status(Text(f"Lookup failed: {one_line(message.error or '')}", style="bold red"))

    def _apply(self, query: str, hits: list[FigureHit]) -> None:
        """Show results, unless the input moved on while the worker ran."""
        if query != self.query_one(Input).value.strip():
            return
        self._query = query
        if hits is not self._hits:  # not a mere refresh of the status line
            self._hits = list(hits)
            self._fill_results()
        if self.pivoted:
            self._fill_pivot()
        if not query:
            self._set_status(Text("Type a metric name or a label: “van ban den”, “văn bản đến”, “hồ sơ”."))
        elif not hits:
            status = Text("No figure matches ")
            status.append(f"“{one_line(query)}”", style="bold")
            status.append(". Try fewer words, no diacritics, or clear the filters (x) first.")
            self._set_status(status)
        else:
            status = Text(f"{vn_number(len(hits))} figure{'s' if len(hits) != 1 else ''} for ")
            status.append(f"“{one_line(query)}”", style="bold")
            status.append(" · Enter opens the article · ctrl+t " + ("list" if self.pivoted else "pivot by year"))
            self._set_status(status)

    def _set_status(self, text: Text) -> None:
        if text == self._status:
            return
        status = self.query_one("#lookup-status", Static)
        width = status.content_region.width
        # A layout only when the status takes another number of lines (it wraps).
        layout = True
        if self._status is not None and width > 0:
            console = self.app.console
            layout = len(text.wrap(console, width)) != len(self._status.wrap(console, width))
        self._status = text
        status.update(text, layout=layout)

    def _fill_results(self) -> None:
        """The first `PAGE` hits only: a keystroke must not format and lay out hundreds of
        rows nobody scrolls to. More are added as the cursor reaches the last row.

        Column widths are given, not measured: an auto-width DataTable draws once, then
        measures on idle and draws everything again."""
        table = self.query_one("#lookup-results", DataTable)
        table.clear(columns=True)  # DataTable keeps the widest width ever seen otherwise
        texts = [result_texts(hit) for hit in self._hits]
        for i, (key, label) in enumerate(RESULT_COLUMNS):
            width = max([cell_len(label)] + [cell_len(row[i]) for row in texts])
            table.add_column(Text(label), key=key, width=width)
        self._result_texts = texts
        self._add_result_rows(table)

    def _add_result_rows(self, table: DataTable) -> None:
        start = table.row_count
        table.add_rows(
            (
                Text(province),
                Text(report),
                Text(value, justify="right", style="bold"),
                Text(label, no_wrap=True, overflow="ellipsis"),
                Text(key, style="italic"),
            )
            for province, report, value, label, key in self._result_texts[start : start + PAGE]
        )

    @on(DataTable.RowHighlighted, "#lookup-results")
    def _more_rows(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        if event.cursor_row >= table.row_count - 1 and table.row_count < len(self._hits):
            self._add_result_rows(table)

    def _fill_pivot(self) -> None:
        """Built only while the pivot is on show (and once per set of hits)."""
        if self._pivot_for is self._hits:
            return
        self._pivot_for = self._hits
        table = self.query_one("#lookup-pivot", DataTable)
        table.clear(columns=True)
        self._cells = {}
        provinces, years, cells, caption = pivot(self._hits)
        if not provinces:
            return
        table.add_column(Text("Province"), key="province")
        for year in years:
            table.add_column(Text(str(year), justify="right"), key=str(year))
        table.add_column(Text("Trend"), key="trend")
        for row, province in enumerate(provinces):
            values: list[float | None] = []
            cells_text: list[Text] = [Text(one_line(province))]
            for col, year in enumerate(years, start=1):
                hit = cells.get((province, year))
                values.append(hit.value if hit else None)
                if hit is None:
                    cells_text.append(Text("·", style="dim", justify="right"))
                    continue
                self._cells[(row, col)] = hit
                mark = PERIOD_MARK.get(hit.period or "", "")
                cells_text.append(Text(vn_number(hit.value) + mark, justify="right"))
            cells_text.append(Text(sparkline(values), style="bold"))
            table.add_row(*cells_text)
        table.border_subtitle = Text(caption + " · ½ half-year")

    # -- choosing -----------------------------------------------------------------------

    @on(Input.Submitted, "#lookup-input")
    def _submit(self) -> None:
        self._choose_current()

    def _choose_current(self) -> None:
        if self.pivoted:
            table = self.query_one("#lookup-pivot", DataTable)
            coordinate = table.cursor_coordinate
            hit = self._cells.get((coordinate.row, coordinate.column))
            if hit is None:  # on the province or trend column: that province's best hit
                row_hits = [h for (r, _c), h in sorted(self._cells.items()) if r == coordinate.row]
                hit = row_hits[-1] if row_hits else None
            if hit is not None:
                self.dismiss(hit)
            return
        table = self.query_one("#lookup-results", DataTable)
        if self._hits and 0 <= table.cursor_row < len(self._hits):
            self.dismiss(self._hits[table.cursor_row])

    @on(DataTable.RowSelected, "#lookup-results")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self._hits):
            self.dismiss(self._hits[event.cursor_row])

    @on(DataTable.CellSelected, "#lookup-pivot")
    def _cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self._choose_current()

    def action_focus_results(self) -> None:
        target = "#lookup-pivot" if self.pivoted else "#lookup-results"
        table = self.query_one(target, DataTable)
        if isinstance(self.focused, Input):
            table.focus()
        else:
            table.action_cursor_down()

    def action_toggle_view(self) -> None:
        self.toggle_class("-pivot")
        self._apply(self._query, self._hits)  # refresh the status line's hint

    def action_cancel(self) -> None:
        self.dismiss(None)
