"""Figure lookup: type a metric ("van ban den", "văn bản đến", "hồ sơ") and see matching
figures across the archive, best first, as province × year × value.

The search runs on every keystroke, on the dialog's lookup thread, and the key's own
handler waits for it up to `SYNC_WAIT`: a search takes a few ms, so the typed letter and
its results are drawn in one frame. A slower one (the store busy with another worker, a
first search building indexes) is left running and its results are applied when they
come, only if the input still holds the query they answer; a search whose query was
superseded before it started is skipped. ctrl+t pivots the same hits into provinces by
years with a sparkline per province.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.geometry import Size
from textual.timer import Timer
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from tongket.store.record import FigureHit
from tongket.store.lang.text import one_line

from .typeahead import TypeAheadScreen

from tongket.store.present.display import figure_with_unit, vn_number, year_period
from ..compat import FastTable, set_virtual_size_quietly
from ..widgets.result_list import Column, ResultList
from ..widgets.scrollbars import use_whole_cell_scrollbars

SEARCHING_DELAY = 0.15  # seconds before "searching…" shows
SYNC_WAIT = 0.03  # seconds the key handler waits for its search before leaving it running
RESULT_COLUMNS = (
    Column("Province"),
    Column("Year"),
    Column("Value", justify="right", style=Style(bold=True)),
    Column("Label", shrink=True),
    Column("Metric", style=Style(italic=True), shrink=True, min_width=18),
)
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


_one_line = lru_cache(maxsize=8192)(one_line)
_year_period = lru_cache(maxsize=1024)(year_period)


@lru_cache(maxsize=8192)
def _value_text(value: float, unit: str | None, display: str) -> str:
    return one_line(figure_with_unit(value, unit, display))


def result_texts(hit: FigureHit) -> tuple[str, str, str, str, str]:
    """Province, year and period, value, label and metric of a result row, as one-line
    text. The parts repeat across hits and keystrokes, so each is formatted once."""
    return (
        _one_line(hit.province or "unknown"),
        _year_period(hit.report_year, hit.period),
        _value_text(hit.value, hit.unit, hit.display),
        _one_line(hit.label),
        _one_line(hit.key or ""),
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


class LookupInput(Input):
    """An Input whose keystrokes do not lay out the whole dialog.

    Input sets its `virtual_size` (a layout reactive) to the text's width on every change,
    so each keystroke arranges and redraws every widget of the screen. Its size is fixed
    by CSS, so only its own scrolling needs the new virtual size."""

    # Called with the new value as soon as it changes (before `Changed` goes round the
    # message queues, by which time the typed letter has been drawn in a frame of its own).
    value_hook: Callable[[str], None] | None = None

    def _watch_value(self, value: str) -> None:
        set_virtual_size_quietly(self, Size(self.content_width, 1))  # then Input's is a no-op
        super()._watch_value(value)
        if self.value_hook is not None and self.is_mounted:
            self.value_hook(value)


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
    LookupDialog DataTable, LookupDialog ResultList { height: 1fr; }
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
        self._searching: Timer | None = None
        self._started: str | None = None  # the last query searched for
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lookup")
        self._status: Text | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            title = Text("Figure lookup", style="bold")
            if self._scope:
                title.append(f"  ({one_line(self._scope)})", style="dim")
            yield Static(title, id="lookup-title")
            box = LookupInput(value=self._initial, placeholder="metric or label, e.g. van ban den", id="lookup-input")
            box.value_hook = self._start
            yield box
            yield Static(id="lookup-status")
            yield ResultList(RESULT_COLUMNS, id="lookup-results")
            yield FastTable(id="lookup-pivot", cursor_type="cell")

    def on_mount(self) -> None:
        use_whole_cell_scrollbars(*self.query(DataTable), self.query_one(ResultList))
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
        if query == self._started:  # the value hook already started it
            return
        self._started = query
        if self._searching is not None:
            self._searching.stop()
            self._searching = None
        if not query:
            self._apply("", [])
            return
        future = self._executor.submit(self._run_search, query)
        try:
            hits = future.result(timeout=SYNC_WAIT)
        except FutureTimeout:
            # Only a slow search says so: a status change per keystroke costs a frame.
            self._searching = self.set_timer(SEARCHING_DELAY, lambda: self._set_status(Text("searching…", style="dim")))
            future.add_done_callback(lambda done: self._post_results(query, done))
            return
        except Exception as exc:  # the store reports errors as exceptions; show, don't crash
            self._set_status(Text(f"Lookup failed: {one_line(str(exc))}", style="bold red"))
            return
        if hits is not None:
            self._apply(query, hits)

    def _run_search(self, query: str) -> list[FigureHit] | None:
        """On the lookup thread; None when a later keystroke superseded the query."""
        if query != self._started:
            return None
        return self._search(query)

    def _post_results(self, query: str, future: Future) -> None:
        """On the lookup thread, for a search the key handler stopped waiting for
        (posting is thread-safe; widgets are not)."""
        if future.cancelled():
            return
        exc = future.exception()
        if exc is not None:
            self.post_message(self.Results(query, None, str(exc)))
        elif (hits := future.result()) is not None:
            self.post_message(self.Results(query, hits))

    def on_unmount(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

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
        """Every hit (the store returns 200 at most) as text; the list draws only the
        rows on screen, so a keystroke costs one frame of the visible rows."""
        self.query_one("#lookup-results", ResultList).set_rows([result_texts(hit) for hit in self._hits])

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
        results = self.query_one("#lookup-results", ResultList)
        if self._hits and 0 <= results.cursor_row < len(self._hits):
            self.dismiss(self._hits[results.cursor_row])

    @on(ResultList.Selected, "#lookup-results")
    def _row_selected(self, event: ResultList.Selected) -> None:
        event.stop()
        if 0 <= event.row < len(self._hits):
            self.dismiss(self._hits[event.row])

    @on(DataTable.CellSelected, "#lookup-pivot")
    def _cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self._choose_current()

    def action_focus_results(self) -> None:
        target = self.query_one("#lookup-pivot", DataTable) if self.pivoted else self.query_one("#lookup-results", ResultList)
        if isinstance(self.focused, Input):
            target.focus()
        else:
            target.action_cursor_down()

    def action_toggle_view(self) -> None:
        self.toggle_class("-pivot")
        self._apply(self._query, self._hits)  # refresh the status line's hint

    def action_cancel(self) -> None:
        self.dismiss(None)
