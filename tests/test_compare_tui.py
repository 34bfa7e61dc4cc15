"""The comparison in the app: counted results, sort, copy, export, the pivot's sources, and
labels at 80x24."""

from __future__ import annotations

import csv
from pathlib import Path

from textual.widgets import DataTable

from tui_helpers import demo_archive, make_app, screen_text, settle
from tongket.store.present.collate import vn_sort_key
from tongket.tui.dialogs.lookup import LookupDialog
from tongket.tui.dialogs.sources import SourcesDialog, TableExportDialog
from tongket.tui.widgets.result_list import ResultList

SIZE = (120, 36)


async def _lookup(pilot, query: str) -> LookupDialog:
    await settle(pilot)
    await pilot.press("f", *query)
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, LookupDialog)
    return dialog


async def test_header_counts_every_match(tmp_path: Path):
    archive = demo_archive(tmp_path)
    want = archive.lookup_counted("van ban")
    app = make_app(archive, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _lookup(pilot, "van ban")
        assert len(dialog.hits) == want.total
        assert f"{want.total} figures in {want.articles} articles" in screen_text(app)


async def test_sort_keys_reorder_and_copy_sends_the_row(tmp_path: Path, monkeypatch):
    copied: list[str] = []
    app = make_app(demo_archive(tmp_path), tmp_path)
    monkeypatch.setattr(type(app), "copy_to_clipboard", lambda self, text: copied.append(text))
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _lookup(pilot, "van ban")
        best = list(dialog.hits)
        await pilot.press("down", "s")  # focus the results, sort by value
        await settle(pilot)
        assert [h.value for h in dialog.hits] == sorted((h.value for h in best), reverse=True)
        await pilot.press("s")  # by province
        await settle(pilot)
        assert [h.province for h in dialog.hits] == sorted((h.province for h in best), key=vn_sort_key)
        await pilot.press("s")  # by year, newest first
        await settle(pilot)
        assert [h.report_year or 0 for h in dialog.hits] == sorted((h.report_year or 0 for h in best), reverse=True)
        await pilot.press("home", "y")
        await settle(pilot)
        first = dialog.hits[0]
        assert copied and copied[-1].startswith(f"{first.province}\t") and first.article_id in copied[-1]


async def test_export_of_results_writes_csv(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _lookup(pilot, "van ban den")
        await pilot.press("down", "e")
        await settle(pilot)
        assert isinstance(app.screen, TableExportDialog)
        await pilot.press("enter")
        await settle(pilot)
        written = next((tmp_path / "exports").glob("lookup-*.csv"))  # the app's export folder
        rows = list(csv.DictReader(written.open(encoding="utf-8")))
        assert len(rows) == len(dialog.hits) and {"sentence", "source_url", "qualifier"} <= set(rows[0])


async def test_enter_on_a_pivot_cell_lists_its_sources(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _lookup(pilot, "van ban den")
        await pilot.press("ctrl+t")
        await settle(pilot)
        table = dialog.query_one("#lookup-pivot", DataTable)
        row = next(i for i, r in enumerate(dialog.pivot.rows) if r.cells)
        col = 1 + dialog.pivot.years.index(min(dialog.pivot.rows[row].cells))
        table.focus()
        table.move_cursor(row=row, column=col)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SourcesDialog)
        cell = dialog.pivot.rows[row].cells[dialog.pivot.years[col - 1]]
        which = [(h.article_id, h.figure_index) for h in app.screen.sources]
        assert which == [(h.article_id, h.figure_index) for h in cell.sources]
        # the sentences are read from the articles when the cell is opened, not before
        assert app.screen.sources[0].sentence and app.screen.sources[0].sentence[:20] in screen_text(app)


async def test_at_80x24_the_lookup_shows_labels(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await _lookup(pilot, "van ban")
        results = dialog.query_one("#lookup-results", ResultList)
        assert results.row_count > 2
        text = screen_text(app)
        assert "Label" in text and "văn bản đến" in text and "văn bản phát hành" in text


async def test_metric_picker_lists_the_catalogue_and_looks_up_the_pick(tmp_path: Path):
    from tongket.tui.dialogs.picker import PickerDialog

    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _lookup(pilot, "")
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, PickerDialog)
        assert "incoming_documents" in screen_text(app)
        await pilot.press(*"incoming", "enter")
        await settle(pilot)
        assert app.screen is dialog
        assert dialog.query_one("#lookup-input").value == "incoming_documents"
        assert dialog.hits and {h.key for h in dialog.hits} == {"incoming_documents"}


def _paged_search(asked: list[int | None]):
    """A lookup search over 25 figures that notes each limit it is asked for in `asked`."""
    from tongket.store.record import FigureHit, LookupResult

    hits = tuple(FigureHit(f"id{i}", 0, "Kiên Giang", 2000 + i, "year", float(i), "hồ sơ", "hồ sơ", None, f"{i}", 1.0)
                 for i in range(25))

    def search(query: str, limit: int | None, count: bool = True, stop=None) -> LookupResult:
        asked.append(limit)
        return LookupResult(hits[:limit] if limit else hits, len(hits), len(hits))

    return search


async def test_first_hits_then_every_hit(tmp_path: Path):
    asked: list[int | None] = []
    search = _paged_search(asked)
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(LookupDialog(search, first_page=10))
        await settle(pilot)
        await pilot.press(*"ho so")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert len(app.screen.hits) == 25 and asked[-2:] == [10, None]
        assert "25 figures in 25 articles" in screen_text(app)


async def test_under_the_pivot_every_hit_waits_until_the_results_are_back(tmp_path: Path):
    """ctrl+t before typing rests: the pivot asks for its own figures, so the search stops
    at its counted page (every hit as a record would only compete with the comparison);
    back on the results, every hit comes."""
    asked: list[int | None] = []
    search = _paged_search(asked)
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(LookupDialog(search, first_page=10, measure=_recording(_five_records_hits(), [])))
        await settle(pilot)
        await pilot.press(*"ho so", "ctrl+t")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert None not in asked and len(app.screen.hits) == 10
        # the count gave way to the comparison (waited, or stopped part way), then came
        assert not app.screen.pivot_wanted and "25 figures in 25 articles" in screen_text(app)
        await pilot.press("ctrl+t")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert asked[-1] is None and len(app.screen.hits) == 25


def _five_records_hits() -> tuple:
    """Five year figures of one measure ("records"), one per year from 2000."""
    from tongket.store.record import FigureHit

    return tuple(FigureHit(f"id{i}", 0, "Kiên Giang", 2000 + i, "year", float(i), "hồ sơ", "hồ sơ", "records",
                           f"{i}", 1.0) for i in range(5))


def _answering(hits: tuple):
    """A lookup search that answers every query with `hits`."""
    from tongket.store.record import LookupResult

    def search(query: str, limit: int | None = None) -> LookupResult:
        return LookupResult(hits, len(hits), len(hits))

    return search


def _recording(hits: tuple, measured: list[str]):
    """A measure that answers with `hits` and notes each query it is asked for in `measured`."""
    from tongket.store.record import LookupResult

    def measure(query: str, name: str | None, by_label: bool, table: str) -> LookupResult:
        measured.append(query)
        return LookupResult(hits, len(hits), len(hits))

    return measure


async def _ask_pivot_of_ho(app, pilot, search, measure) -> None:
    """The lookup on `search`, "ho" typed, then ctrl+t (the pivot asked for, not waited for)."""
    await settle(pilot)
    app.push_screen(LookupDialog(search, measure=measure))
    await settle(pilot)
    await pilot.press(*"ho")
    await settle(pilot)
    await pilot.press("ctrl+t")


async def test_typing_on_in_the_pivot_groups_the_last_query_not_every_keystroke(tmp_path: Path):
    hits = _five_records_hits()
    measured: list[str] = []
    search, measure = _answering(hits), _recording(hits, measured)

    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _ask_pivot_of_ho(app, pilot, search, measure)
        await settle(pilot)
        assert measured == ["ho"]
        await pilot.press(*"xaxa")  # letters the pivot table has no key for go to the query
        await settle(pilot)
        assert measured[-1] == "hoxaxa" and len(measured) < 1 + len("xaxa")
        assert app.screen.pivot is not None and app.screen.pivot.measure == "records"


def _dossiers_archive(tmp_path: Path):
    from conftest import ingest_dossiers
    from tongket.store.archive.archive import Archive

    archive = Archive.open(tmp_path / "dossiers")
    ingest_dossiers(archive)
    return archive


async def test_the_pivot_shows_a_measure_with_figures_in_the_shown_period(tmp_path: Path):
    app = make_app(_dossiers_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _lookup(pilot, "ho so")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert dialog.pivot is not None and dialog.pivot.measure == "dossiers_resolved"
        assert "950" in screen_text(app)
        await pilot.press("down", "p")  # half-year: the resolved count has none, the received has three
        await settle(pilot)
        assert dialog.pivot.period == "half-year" and dialog.pivot.measure == "dossiers_received"
        assert len(dialog.pivot.rows) == 3 and "Cà Mau" in screen_text(app)


async def test_an_empty_pivot_says_why_in_plain_words(tmp_path: Path):
    from tui_helpers import sample_archive

    app = make_app(sample_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _lookup(pilot, "ho so")
        await pilot.press("ctrl+t")
        await settle(pilot)
        pivot = dialog.pivot
        assert pivot is not None
        text = " ".join(screen_text(app).split())
        if pivot.rows:  # a measure with year figures was found: the table shows them
            assert pivot.period == "year" and any(str(y) in text for y in pivot.years)
        else:
            assert f"No year figures of {pivot.measure}" in text and "figures matched" in text
            assert any(f"{p} (" in text for p in ("half-year", "quarter", "other"))


async def test_a_pivot_asked_for_after_a_pause_is_not_held_back(tmp_path: Path, monkeypatch):
    """Only a request soon after the last one waits for typing to stop (DEBOUNCE_S): ctrl+t,
    or a key after a pause, is compared at once."""
    import asyncio

    from tongket.tui.dialogs import lookup_pivot

    monkeypatch.setattr(lookup_pivot, "DEBOUNCE_S", 30.0)  # a wait would outlast the test's timeout
    hits = _five_records_hits()
    measured: list[str] = []
    search, measure = _answering(hits), _recording(hits, measured)

    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _ask_pivot_of_ho(app, pilot, search, measure)
        await asyncio.wait_for(settle(pilot), 10)
        assert measured == ["ho"]
        assert app.screen.pivot is not None and app.screen.pivot.measure == "records"


async def test_a_period_switch_draws_at_once_while_a_better_measure_is_sought(tmp_path: Path):
    """p with a measure that has no figures in the next table: that table (saying why it is
    empty) is drawn at once; the worker's choice replaces it when it comes."""
    import threading

    from tongket.store.record import LookupResult

    hits = _five_records_hits()
    release = threading.Event()

    search = _answering(hits)

    def measure(query: str, name: str | None, by_label: bool, table: str) -> LookupResult:
        if table != "year":
            release.wait(10)
        return LookupResult(hits, len(hits), len(hits))

    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _ask_pivot_of_ho(app, pilot, search, measure)
        await settle(pilot)
        assert app.screen.pivot is not None and app.screen.pivot.period == "year"
        await pilot.press("p")
        await pilot.pause()
        shown = app.screen.pivot
        assert shown is not None and shown.period == "half-year" and not shown.rows
        await pilot.pause()
        assert "looking for a measure with half-year figures" in str(app.screen.query_one("#pivot-title").render())
        release.set()
        await settle(pilot)
        assert app.screen.pivot is not None and app.screen.pivot.period == "half-year"


async def test_results_at_rest_are_compared_ahead_and_ctrl_t_shows_them(tmp_path: Path):
    """Results left on screen (no key for PREFETCH_AFTER_S) get their comparison made in
    the pivot's worker: ctrl+t then shows it without asking the store again."""
    hits = _five_records_hits()
    measured: list[str] = []
    search, measure = _answering(hits), _recording(hits, measured)

    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(LookupDialog(search, measure=measure))
        await settle(pilot)
        await pilot.press(*"ho")
        await settle(pilot)  # the worker's wait is part of it
        assert measured == ["ho"] and app.screen.pivot is None  # made, not shown: the results stay on screen
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.screen.pivot is not None and app.screen.pivot.measure == "records"
        assert "Kiên Giang" in screen_text(app)
        await settle(pilot)
        assert measured == ["ho"]


async def test_a_key_typed_while_a_comparison_waits_to_be_made_ahead_drops_it(tmp_path: Path, monkeypatch):
    """The key drops it at once, before the new query's results come (so it never takes
    the store lock the new search needs)."""
    import asyncio
    import threading

    from tongket.store.record import LookupResult
    from tongket.tui.dialogs import lookup_pivot

    monkeypatch.setattr(lookup_pivot, "PREFETCH_AFTER_S", 30.0)  # the key always comes within the wait
    hits = _five_records_hits()
    measured: list[str] = []
    release = threading.Event()

    def search(query: str, limit: int | None = None) -> LookupResult:
        if query == "hox":
            release.wait(10)  # the new results are still to come
        return LookupResult(hits, len(hits), len(hits))

    def comparing() -> bool:
        return any(w.group == "lookup-pivot" and w.is_running for w in app.workers)

    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(LookupDialog(search, measure=_recording(hits, measured)))
        await settle(pilot)
        await pilot.press(*"ho")
        for _ in range(100):
            await pilot.pause(0.02)
            if comparing():
                break
        assert comparing()  # "ho" waits to be compared ahead
        await pilot.press("x")
        for _ in range(100):
            await pilot.pause(0.02)
            if not comparing():
                break
        assert not comparing() and measured == []
        release.set()
        await pilot.pause()
        await pilot.press("ctrl+t")  # replaces the comparison waiting for "hox"
        await asyncio.wait_for(settle(pilot), 10)
        assert measured == ["hox"]
        assert app.screen.pivot is not None and app.screen.pivot.measure == "records"
