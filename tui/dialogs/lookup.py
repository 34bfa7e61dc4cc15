"""Figure lookup: type a metric ("van ban den", "văn bản đến", "incoming_documents", "hồ sơ") and see
every matching figure, best first, counted ("7.338 figures in 2.101 articles"); ctrl+t pivots all
of them into provinces × years of one measure, period kind by period kind.

An exclusive thread worker posts the first page, its count, then every match once typing pauses;
results apply only if the input still holds their query. The pivot (`lookup_pivot`, this dialog's
base) asks for one measure's matches in its own worker (store.present.pivot draws)."""

from __future__ import annotations

import time
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ClassVar, Sequence

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from tongket.store.lang.text import one_line
from tongket.store.record import FigureHit, LookupResult

from ..compat import FrameHold
from ..widgets.lookup_rows import (COLUMN_SORTS, RESULT_COLUMNS, SORTS, LookupInput, LookupStatus, ResultRows, counted,
                                   hit_text, sort_hits, status_text)
from ..widgets.pivot_view import PivotView
from ..widgets.result_list import ResultList
from ..widgets.scrollbars import use_whole_cell_scrollbars
from .lookup_pivot import STORE_ERRORS, Details, LookupPivot, Measure
from .picker import Choice, Picked, PickerDialog
from .sources import hits_export, pivot_export

REST_AFTER_MS = 300  # a pause in typing before every match becomes a record: not per keystroke
COUNT_AFTER_MS = 20  # the first page is drawn before its count takes the GIL; a quick next key skips the count
SEARCHING_DELAY, ECHO_HOLD = 0.15, 0.02  # seconds before "searching…" shows; the typed letter waits for its first page
LETTER_ACTIONS = {"s": "sort", "S": "reverse_sort", "p": "period", "l": "by_label", "e": "export", "y": "copy", "o": "open_source"}
Search = Callable[..., "LookupResult | Sequence[FigureHit]"]  # (query) or, with first_page, (query, limit, count=True)
FIRST_PAGE = 200  # hits the app shows at once while the rest are made into records


class LookupDialog(LookupPivot):
    """Search figures; Enter opens the article with the chosen figure highlighted."""

    TYPE_AHEAD_INPUT = "#lookup-input"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="lookup.cancel"),
        Binding("ctrl+t", "toggle_view", "Pivot by year", id="lookup.toggle"),
        Binding("down", "focus_results", "Results", show=False, id="lookup.results"),
        Binding("f2", "metrics", "Metric catalogue", id="lookup.metrics"),
        Binding("s", "sort", "Sort results: score, value, province, year (or click a header)", id="lookup.sort"),
        Binding("S", "reverse_sort", "Reverse the order", id="lookup.reverse"),
        Binding("p", "period", "Pivot period", id="lookup.period"),
        Binding("l", "by_label", "Pivot by label / metric", id="lookup.label"),
        Binding("e", "export", "Export", id="lookup.export"),
        Binding("y", "copy", "Copy", id="lookup.copy"),
        Binding("o", "open_source", "Open source URL", id="lookup.open"),
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
    LookupDialog ResultList { height: 1fr; }
    LookupDialog #lookup-pivot-view { display: none; }
    LookupDialog.-pivot #lookup-pivot-view { display: block; }
    LookupDialog.-pivot #lookup-results { display: none; }
    """

    @dataclass
    class Results(Message):
        """Posted by the search worker (posting is thread-safe; widgets are not)."""

        query: str
        result: LookupResult | None
        error: str | None = None
        counting: bool = False  # the first page only: the count follows

    def __init__(
        self,
        search: Search,
        *,
        measure: Measure | None = None,
        details: Details | None = None,
        merged_unit: Callable[[str], str] | None = None,
        catalogue: Callable[[], tuple[list[Choice], list[Choice]]] | None = None,
        first_page: int | None = None,
        scope: str = "",
        initial: str = "",
        folder: Path | None = None,
    ) -> None:
        super().__init__(measure=measure, details=details, merged_unit=merged_unit)
        self._search = search
        self._catalogue = catalogue
        self._first_page = first_page  # `search(query, limit)` takes a limit: first hits first
        self._scope = scope
        self._initial = initial
        self._folder = Path(folder) if folder is not None else Path.cwd()
        self._result = LookupResult((), 0, 0)
        self._hits: Sequence[FigureHit] = sort_hits((), "score")  # shown, in the chosen order
        self._query = ""
        self._sort = "score"
        self._reverse = False
        self._searching: Timer | None = None
        self._started: str | None = None  # the last query searched for
        self._counting = False  # the results shown are a first page, not yet counted
        self._echo: FrameHold | None = None  # the typed letter's frame, held for its first page (on mount)

    def compose(self) -> ComposeResult:
        with Vertical():
            title = Text("Figure lookup", style="bold")
            if self._scope:
                title.append(f"  ({one_line(self._scope)})", style="dim")
            yield Static(title, id="lookup-title")
            box = LookupInput(value=self._initial, placeholder="metric or label, e.g. van ban den", id="lookup-input")
            box.value_hook = self._start
            yield box
            yield LookupStatus(id="lookup-status")
            yield ResultList(RESULT_COLUMNS, id="lookup-results")
            yield PivotView(id="lookup-pivot-view")

    def on_key(self, event: events.Key) -> None:
        """On the results or the pivot, the letter keys are commands (`TypeAheadScreen`
        would otherwise send every printable key to the input); in the input they type."""
        if isinstance(self.focused, Input) or not event.character:
            return
        action = LETTER_ACTIONS.get(event.character)
        view = self.query_one(PivotView)
        if action is None and event.character in ("c", " ") and self.pivoted:
            action = "toggle_chart" if event.character == "c" else "mark"
            getattr(view, f"action_{action}")()
        elif action is not None:
            getattr(self, f"action_{action}")()
        else:
            return
        event.stop()
        event.prevent_default()

    def on_mount(self) -> None:
        self._echo = FrameHold(self.app)
        use_whole_cell_scrollbars(*self.query(DataTable), self.query_one(ResultList))
        self.focus_input()
        self._start(self.query_one(Input).value)

    # -- searching ----------------------------------------------------------------------

    @property
    def hits(self) -> Sequence[FigureHit]:
        return self._hits

    @property
    def result(self) -> LookupResult:
        return self._result

    @on(Input.Changed, "#lookup-input")
    def _changed(self, event: Input.Changed) -> None:
        self._start(event.value)

    def _start(self, query: str) -> None:
        query = query.strip()
        if query == self._started:  # the value hook already started it
            return
        self._started = query
        if self._searching is not None:
            self._searching.stop()  # a stopped timer stays, harmless
        if not query:
            self._apply("", LookupResult((), 0, 0))
            return
        # Only a slow search says so: a status change per keystroke costs a frame.
        self._searching = self.set_timer(SEARCHING_DELAY, lambda: self._set_status(Text("searching…", style="dim")))
        if self._echo is not None and self.is_current:
            self._echo.hold(ECHO_HOLD)  # released by the first page (or after ECHO_HOLD): one frame, not two
        self._run_search(query, every=not (self.pivoted and self._measure is not None))

    @work(thread=True, exclusive=True, group="lookup-search")
    def _run_search(self, query: str, every: bool = True) -> None:
        """With `first_page`, the first hits come at once (uncounted), then their counts, and
        the rest after (making every hit a record costs far more than counting them), unless the pivot
        shows (`every` False: it asks for its own); a newer keystroke cancels the rest."""
        worker = get_current_worker()
        try:
            if self._first_page:
                page = counted(self._search(query, self._first_page, count=False))
                if query != self._started or worker.is_cancelled:
                    return
                pending = len(page.hits) >= self._first_page  # a full page: there may be more
                self.post_message(self.Results(query, page, counting=pending))
                if not pending or not self._rested(query, COUNT_AFTER_MS):
                    return
                found = self.count_after_pivot(lambda stop: counted(self._search(query, self._first_page, stop=stop)),
                                               lambda: worker.is_cancelled or query != self._started)
                if found is None or query != self._started or worker.is_cancelled:
                    return
                self.post_message(self.Results(query, found))
                if found.total <= len(found.hits) or not every or not self._rested(query, REST_AFTER_MS) or self.pivoted:
                    return  # tens of thousands of records come only once typing pauses, and not under the pivot
            found = counted(self._search(query, None) if self._first_page else self._search(query))
        except STORE_ERRORS as exc:  # the store's errors are the user's to read, not a crash
            self.post_message(self.Results(query, None, str(exc)))
            return
        if query == self._started and not worker.is_cancelled:
            self.post_message(self.Results(query, found))

    def _rested(self, query: str, ms: int) -> bool:
        """Wait `ms` in the search worker; False when a newer keystroke came meanwhile."""
        for _ in range(ms // 10):
            time.sleep(0.01)
            if get_current_worker().is_cancelled or query != self._started:
                return False
        return True

    def on_lookup_dialog_results(self, message: Results) -> None:
        if self._searching is not None and message.query == self.query_one(Input).value.strip():
            self._searching.stop()
            if self._echo is not None:
                self._echo.release()
        if message.result is not None:
            self._counting = message.counting
            self._apply(message.query, message.result)
        elif message.query == self.query_one(Input).value.strip():
            self._set_status(Text(f"Lookup failed: {one_line(message.error or '')}", style="bold red"))

    def _apply(self, query: str, result: LookupResult) -> None:
        """Show results, unless the input moved on while the worker ran."""
        if query != self.query_one(Input).value.strip():
            return
        counted_page = (query == self._query and result.hits is not self._result.hits
                        and len(result.hits) == len(self._result.hits) and self._sort == "score" and not self._reverse)
        self._query = query
        if counted_page and result.total > len(result.hits):  # the count of the page shown: the same rows
            self._result = result
        elif result is not self._result:  # not a mere refresh of the status line
            self._result = result
            self._hits = sort_hits(result.hits, self._sort, self._reverse)
            self._fill_results()
            self.pivot_results()  # the pivot's of them, or (not shown) made ahead for ctrl+t
        self.show_status()

    def pivot_query(self) -> str:
        return self._query

    def pivot_hits(self) -> Sequence[FigureHit]:
        return self._result.hits

    def show_status(self) -> None:
        tail = self.pivot_status() if self.pivoted else (
            f" · sorted by {self._sort}{', reversed' if self._reverse else ''} (s, S) · Enter opens the article · ctrl+t pivot · F2 metrics")
        self._set_status(status_text(self._query, self._result, self._counting, tail))

    def _set_status(self, text: Text) -> None:
        self.query_one("#lookup-status", LookupStatus).show(text)

    def _fill_results(self) -> None:
        """Every hit as text; the list draws only the rows on screen, so a keystroke costs
        one frame of the visible rows."""
        self.query_one("#lookup-results", ResultList).set_rows(ResultRows(self._hits))

    # -- choosing -----------------------------------------------------------------------

    @on(Input.Submitted, "#lookup-input")
    def _submit(self) -> None:
        self._choose_current()

    def _current_hit(self) -> FigureHit | None:
        if self.pivoted:
            return self.pivot_cell_hit()
        results = self.query_one("#lookup-results", ResultList)
        if self._hits and 0 <= results.cursor_row < len(self._hits):
            return self._hits[results.cursor_row]
        return None

    def _choose_current(self) -> None:
        if self.pivoted:
            self.open_sources()
            return
        hit = self._current_hit()
        if hit is not None:
            self.dismiss(hit)

    @on(ResultList.Selected, "#lookup-results")
    def _row_selected(self, event: ResultList.Selected) -> None:
        event.stop()
        if 0 <= event.row < len(self._hits):
            self.dismiss(self._hits[event.row])

    def action_focus_results(self) -> None:
        target = self.query_one("#lookup-pivot", DataTable) if self.pivoted else self.query_one("#lookup-results", ResultList)
        if isinstance(self.focused, Input):
            target.focus()
        else:
            target.action_cursor_down()

    def action_toggle_view(self) -> None:
        """The pivot takes the focus, so its letter keys (c, p, l, y, e) work at once;
        back on the results, the input has it again for typing."""
        self.toggle_class("-pivot")
        if self.pivoted:
            self.start_pivot()
            self.query_one("#lookup-pivot", DataTable).focus()
        else:
            self.focus_input()
            if len(self._result.hits) < self._result.total:  # the pivot stopped the results at a page
                self._started = None
                self._start(self.query_one(Input).value)
        self.show_status()

    def action_sort(self) -> None:
        self._sort_by(SORTS[(SORTS.index(self._sort) + 1) % len(SORTS)], False)

    def action_reverse_sort(self) -> None:
        self._sort_by(self._sort, not self._reverse)

    @on(ResultList.HeaderClicked, "#lookup-results")
    def _header_clicked(self, event: ResultList.HeaderClicked) -> None:
        """A header sorts by its column; the same header again reverses."""
        key = COLUMN_SORTS[event.column]
        self._sort_by(key, not self._reverse if key == self._sort else False)

    def _sort_by(self, key: str, reverse: bool) -> None:
        """Sort the results (a list of hits: the list draws only the rows on screen)."""
        self._sort, self._reverse = key, reverse
        self._hits = sort_hits(self._result.hits, key, reverse)
        self._fill_results()
        self.show_status()

    # -- taking it away -----------------------------------------------------------------

    def action_copy(self) -> None:
        text = self.query_one(PivotView).row_text() if self.pivoted else ""
        if not self.pivoted and (hit := self._current_hit()) is not None:
            text = hit_text(hit) + "\n"
        if text:
            self.app.copy_to_clipboard(text)
            self.notify("Copied to the clipboard.", markup=False)

    def action_export(self) -> None:
        if not self._query:
            return
        pivot = self.pivot if self.pivoted else None
        if pivot is not None:
            dialog = pivot_export(pivot, self._query, self._folder)
        else:
            heading = f"{self._result.total} figures in {self._result.articles} articles for “{self._query}”"
            dialog = hits_export(self._hits, self._details, heading, self._query, self._folder)
        self.app.push_screen(dialog, self._exported)

    def _exported(self, path: Path | None) -> None:
        if path is not None:
            self.notify(f"Written to {path}", markup=False)

    def action_open_source(self) -> None:
        hit = self._current_hit()
        if hit is not None:
            self._open_source(hit)

    @work(thread=True, group="lookup-open")
    def _open_source(self, hit: FigureHit) -> None:
        detailed = hit if hit.source_url else next(iter(self._details([hit])), hit)
        if detailed.source_url:
            webbrowser.open(detailed.source_url)
        else:
            self.app.call_from_thread(self.notify, "This figure's article has no source URL.", markup=False)

    def action_metrics(self) -> None:
        """The metric catalogue with figure counts (and, ctrl+t, the labels it misses): a way in."""
        if self._catalogue is None:
            return
        metrics, unmatched = self._catalogue()
        self.app.push_screen(
            PickerDialog("Metric", metrics, alternative=unmatched, alternative_title="Labels filed under no metric"),
            self._metric_picked,
        )

    def _metric_picked(self, picked: Picked | None) -> None:
        if picked is not None and picked.value:
            box = self.focus_input()
            box.value = str(picked.value)
            box.action_end()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_unmount(self) -> None:
        if self._echo is not None:
            self._echo.release()
