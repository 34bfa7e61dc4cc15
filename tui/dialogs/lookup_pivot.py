"""The pivot half of the figure lookup: provinces × years of one measure, from every match.

A worker asks the store for the matches of one measure (`ArchiveIndex.measure_figures`:
the measure is chosen on the snapshot's integer columns and its figures come as plain
columns, so no record is made per figure and no article file is read) and groups them
once (`pivots.Comparable`); a period switch then rebuilds the table from that grouping
on the spot. Records are made for a cell's sources when asked for; only Enter on a cell
reads articles: the sentences of that cell's few sources, for the sources dialog. The
worker waits a moment before it starts, so typing on does not group every keystroke.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Sequence

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import DataTable, Input
from textual.worker import Worker, get_current_worker

from tongket.store.errors import TongketError
from tongket.store.lang.text import one_line
from tongket.store.present import pivot as pivots
from tongket.store.record import FigureHit, LookupResult

from ..widgets.pivot_view import PivotView
from .sources import SourcesDialog
from .typeahead import TypeAheadScreen

# (query, measure or None, by label, the table shown: a measure with figures in it is preferred)
Measure = Callable[[str, "str | None", bool, str], "LookupResult | pivots.Columns"]
DEBOUNCE_S = 0.15  # a request this soon after the last one waits this long: typing on replaces its worker
PIVOT_FIRST_S = 2.0  # the longest the lookup's count waits for a pivot to be drawn (a table too small draws nothing)
PREFETCH_AFTER_S = 0.3  # results shown this long with no key typed: their comparison is made ahead (`prefetch_pivot`)
Details = Callable[[Sequence[FigureHit]], Sequence[FigureHit]]
STORE_ERRORS = (TongketError, OSError)


def hits_measure(hits: Sequence[FigureHit]) -> Measure:
    """A `Measure` over hits already in memory (a dialog given a plain search)."""

    def measure(_query: str, _measure: str | None, _by_label: bool, _table: str) -> LookupResult:
        return LookupResult(tuple(hits), len(hits), len({h.article_id for h in hits}))

    return measure


class LookupPivot(TypeAheadScreen[FigureHit | None]):
    """The lookup dialog's pivot: its state, worker and keys (p period, l label/metric)."""

    @dataclass
    class PivotReady(Message):
        """Posted by the pivot worker: the grouped matches of one measure (None: failed)."""

        query: str
        by_label: bool
        period: str  # the table the measure was chosen for
        grouped: pivots.Comparable | None
        error: str | None = None
        ahead: bool = False  # made by `prefetch_pivot`: kept, shown only once the pivot is

    def __init__(self, *, measure: Measure | None, details: Details | None,
                 merged_unit: Callable[[str], str] | None) -> None:
        super().__init__()
        self._measure = measure
        self._details = details or (lambda hits: list(hits))
        self._merged_unit = merged_unit or (lambda name: name)
        self._period = "year"
        self._by_label = False
        self._grouped: tuple[str, bool, str, pivots.Comparable] | None = None  # query, by label, chosen for
        self._asked = float("-inf")  # when the pivot was last asked for (time.monotonic)
        self._ahead: tuple[str, bool, str] | None = None  # what `prefetch_pivot` last asked for
        self._typed = 0  # keys typed into the lookup so far (`on_input_changed`)
        self._wanted = False  # a pivot asked for (not made ahead) is being made or drawn

    # the lookup dialog's side ---------------------------------------------------------

    def pivot_query(self) -> str:
        """The query the pivot is of (the lookup's current one)."""
        raise NotImplementedError

    def pivot_hits(self) -> Sequence[FigureHit]:
        """The lookup's hits, for a dialog given no `measure` function."""
        raise NotImplementedError


    def show_status(self) -> None:
        raise NotImplementedError

    # --------------------------------------------------------------------------------

    @property
    def pivoted(self) -> bool:
        return self.has_class("-pivot")

    @property
    def pivot(self) -> pivots.Pivot | None:
        return self.query_one(PivotView).pivot

    @property
    def pivot_wanted(self) -> bool:
        """A pivot the user asked for shows and is not drawn yet: the lookup's count gives
        way to it (`count_after_pivot`, read in the lookup's worker)."""
        return self._wanted and self.pivoted

    @property
    def period(self) -> str:
        return self._period

    def pivot_status(self) -> str:
        return f" · pivot of {self._period} figures · p period · l label/metric · c chart · Enter sources"

    def start_pivot(self, *, wait: bool = True) -> None:
        """Show the pivot of the current query: at once when its matches are grouped
        already (a period switch), and when their measure has no figures in the new table,
        again once the worker has found one that has; else once the worker has them. `wait`: give typing a moment first, when the last
        request came less than `DEBOUNCE_S` ago (the first keystroke after a pause, or
        ctrl+t, is not kept waiting: a comparison is due within 100 ms of it)."""
        query, by_label, period = self.pivot_query(), self._by_label, self._period
        now, last = time.monotonic(), self._asked
        self._asked = now
        wait = wait and now - last < DEBOUNCE_S
        if not query:
            return
        if self._grouped is not None and self._grouped[:2] == (query, by_label):
            grouped = self._grouped[3]
            measure = grouped.order[0] if grouped.order else ""
            self._show_pivot()  # at once: this measure's table (or why it is empty) in the new period
            if self._grouped[2] == period or pivots.shows(grouped, measure, period):
                return
            shown = self.pivot
            why = f"{one_line(shown.summary())} · " if shown is not None else ""
            self.query_one(PivotView).waiting(Text(f"{why}looking for a measure with {period} figures…", style="dim"))
            measure_of = self._measure or hits_measure(list(self.pivot_hits()))
            # after the repaint: the search reads other keys' rows, and its thread would hold the frame back
            self._wanted = True
            self.call_after_refresh(self._group_matches, measure_of, query, by_label, period, DEBOUNCE_S if wait else 0.0)
            return
        else:
            self.query_one(PivotView).waiting(Text("comparing every match…", style="dim"))
        measure_of = self._measure or hits_measure(list(self.pivot_hits()))
        self._wanted = True
        self._group_matches(measure_of, query, by_label, period, DEBOUNCE_S if wait else 0.0)

    def count_after_pivot(self, count: Callable[[Callable[[], bool]], LookupResult],
                          moved_on: Callable[[], bool]) -> LookupResult | None:
        """`count(stop)` (the lookup's, in its worker) once a pivot asked for is drawn: the
        first count of a wide query costs ~0.3 s of CPU at 100k articles, so it stops at
        its next group when a pivot is asked for (the store keeps what it made) and goes on
        after, and the comparison neither waits for the store lock nor shares the
        interpreter with it. None: `moved_on()` (a newer keystroke) meanwhile."""
        patient = True  # gives way, until a pivot has kept it waiting PIVOT_FIRST_S
        while True:
            deadline = time.monotonic() + PIVOT_FIRST_S
            while patient and self.pivot_wanted:
                patient = time.monotonic() < deadline
                time.sleep(0.01)
                if moved_on():
                    return None
            stopped = False

            def stop() -> bool:
                nonlocal stopped
                stopped = (patient and self.pivot_wanted) or moved_on()
                return stopped

            found = count(stop)
            if not stopped:
                return found
            if moved_on():
                return None

    def on_input_changed(self, _event: Input.Changed) -> None:
        """A key typed (the lookup dialog's own handler runs too): a comparison waiting to be
        made ahead for the results shown is dropped before it takes the store lock."""
        self._typed += 1

    def pivot_results(self) -> None:
        """The lookup applied new results: the pivot of them when it shows, else their
        comparison made ahead."""
        if self.pivoted:
            self.start_pivot()
        else:
            self.prefetch_pivot()

    def prefetch_pivot(self) -> None:
        """The lookup showed new results and the pivot is not on screen: once no key has
        come for `PREFETCH_AFTER_S`, make their comparison ahead in the pivot's worker (the
        measure's columns, its groupings and the shown table's cells, ~100 ms of CPU for a
        key not compared yet at 100k articles), so ctrl+t draws it at once. A key typed
        meanwhile starts a new search, whose results ask again; ctrl+t while it runs
        replaces the worker (the store call it is in finishes, and what it read is kept)."""
        query, by_label, period = self.pivot_query(), self._by_label, self._period
        asked = (query, by_label, period)
        if self._measure is None or not query or self.pivoted or self._ahead == asked or (
                self._grouped is not None and self._grouped[:3] == asked):
            return
        self._ahead = asked
        self._wanted = False  # this worker replaces one the user asked for, if any
        self._group_matches(self._measure, query, by_label, period, PREFETCH_AFTER_S, ahead=True, typed=self._typed)

    @work(thread=True, exclusive=True, group="lookup-pivot")
    def _group_matches(self, measure: Measure, query: str, by_label: bool, period: str, wait: float,
                       ahead: bool = False, typed: int = 0) -> None:
        # exclusive: a newer query cancels this worker; waiting first means a worker
        # cancelled while the user types never takes the store lock at all
        worker = get_current_worker()
        moved_on = (lambda: self._typed != typed or (query, by_label) != (self.pivot_query(), self._by_label)) if ahead else None
        if worker.is_cancelled or self._cancelled_within(worker, wait, moved_on):
            return  # (made ahead: a key typed meanwhile drops it before it takes the store lock)
        try:
            found = measure(query, None, by_label, period)
        except STORE_ERRORS as exc:
            if not ahead:  # made ahead, a failure waits for ctrl+t to ask (and say) again
                self.post_message(self.PivotReady(query, by_label, period, None, str(exc)))
            return
        if worker.is_cancelled:
            return
        grouped = pivots.grouped(found, by_label=by_label)
        if ahead:  # the shown table's cells too (kept in the columns' memo), off the UI thread
            pivots.build_pivot(grouped, period=period, merged_unit=self._merged_unit)
        if not worker.is_cancelled:
            self.post_message(self.PivotReady(query, by_label, period, grouped, ahead=ahead))

    @staticmethod
    def _cancelled_within(worker: Worker[None], seconds: float, moved_on: Callable[[], bool] | None = None) -> bool:
        """Wait `seconds` in small steps; True as soon as the worker is cancelled (or
        `moved_on()` says its query is no longer the one typed)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.01))
            if worker.is_cancelled or (moved_on is not None and moved_on()):
                return True
        return moved_on is not None and moved_on()

    def on_lookup_pivot_pivot_ready(self, message: PivotReady) -> None:
        if (message.query, message.by_label) != (self.pivot_query(), self._by_label):
            return  # the user typed on or switched measure meanwhile
        if message.grouped is None:
            self._wanted = False
            self.query_one(PivotView).waiting(Text(f"Pivot failed: {one_line(message.error or '')}", style="bold red"))
            return
        self._grouped = (message.query, message.by_label, message.period, message.grouped)
        if self.pivoted or not message.ahead:
            self._show_pivot()  # shown, `_wanted` ends when the table is drawn (`on_pivot_view_drawn`)

    def on_pivot_view_drawn(self, _message: PivotView.Drawn) -> None:
        self._wanted = False

    def _show_pivot(self) -> None:
        if self._grouped is None:
            return
        self.query_one(PivotView).show(pivots.build_pivot(self._grouped[3], period=self._period,
                                                          merged_unit=self._merged_unit))
        self.show_status()

    def action_period(self) -> None:
        self._period = pivots.PIVOT_PERIODS[(pivots.PIVOT_PERIODS.index(self._period) + 1) % len(pivots.PIVOT_PERIODS)]
        if self.pivoted:
            self.start_pivot(wait=False)  # at once, unless the measure has nothing in this table

    def action_by_label(self) -> None:
        self._by_label = not self._by_label
        if self.pivoted:
            self.start_pivot()

    def pivot_cell_hit(self) -> FigureHit | None:
        cell = self.query_one(PivotView).current_cell()
        return cell.chosen if cell is not None else None

    def open_sources(self) -> None:
        """Every source figure of the highlighted cell, with its sentence (read now)."""
        view = self.query_one(PivotView)
        cell, row = view.current_cell(), view.current_row()
        if cell is not None and row is not None and view.pivot is not None:
            title = f"{view.pivot.title}: {row.province}, {cell.chosen.report_year}"
            self._read_sources(title, cell.sources)

    @work(thread=True, exclusive=True, group="lookup-sources")
    def _read_sources(self, title: str, sources: tuple[FigureHit, ...]) -> None:
        try:
            detailed = tuple(self._details(sources))
        except STORE_ERRORS:
            detailed = sources  # the values and articles are known; only the sentences are missing
        self.app.call_from_thread(self.app.push_screen, SourcesDialog(title, detailed, pivots.CHOICE_RULE),
                                  self._source_chosen)

    def _source_chosen(self, hit: FigureHit | None) -> None:
        if hit is not None:
            self.dismiss(hit)

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.open_sources()
