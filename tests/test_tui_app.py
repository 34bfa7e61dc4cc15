"""Pilot tests of the whole app on hand-made articles ingested into a tmp archive.

The articles (`tui_helpers.demo_articles`) carry exact figures, so these tests pin the
app's behaviour whatever the parser does; `test_tui_sample.py` runs on the real fixtures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input

from tongket.store.archive.archive import Archive
from tongket.store.record import FigureHit
from tongket.store.present.export import default_export_name
from tongket.tui import app as tui_app
from tongket.tui.app import TongketApp
from tongket.tui.screens.main import EMPTY_ARCHIVE, NO_MATCH
from tongket.tui.dialogs.correct import CorrectDialog
from tongket.tui.dialogs.export import ExportDialog
from tongket.tui.dialogs.lookup import LookupDialog
from tongket.tui.dialogs.picker import PickerDialog
from tongket.tui.screens.help import HelpScreen

from tui_helpers import (
    MARKUP_TITLE,
    demo_archive,
    list_provinces,
    make_app,
    make_article,
    screen_text,
    settle,
)

SIZE = (120, 36)


async def test_start_lists_articles_newest_first_and_shows_the_first(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.article_list.rows) == 5
        assert app.article_list.rows[0].province == "An Giang"
        text = screen_text(app)
        assert "5 of 5 articles" in text
        assert "Văn phòng UBND tỉnh An Giang tổng kết năm 2023" in text
        assert "45.268" in text  # metrics table, Vietnamese formatting
        assert app.article_view.stored.article.province == "An Giang"


async def test_cursor_keys_update_detail_and_metrics(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        await settle(pilot)
        assert app.article_view.stored.article.report_year == 2019
        assert len(app.metrics.figures) == 3
        assert "27.172" in screen_text(app)
        await pilot.press("G")
        await settle(pilot)
        assert app.article_view.stored.article.title == MARKUP_TITLE
        await pilot.press("g")
        await settle(pilot)
        assert app.article_view.stored.article.province == "An Giang"


async def test_markup_and_escapes_in_article_text_show_literally(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("G")
        await settle(pilot)
        text = screen_text(app)
        assert "[bold]x[/] Báo cáo [số 12/BC-VP]" in text
        assert "[link=http://x]liên" in text and "kết[/link]" in text
        assert "\x1b" not in text and "[31m" not in text
        assert "mã màu" in text


async def test_province_filter_with_and_without_diacritics(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PickerDialog)
        labels = {c.label: c.count for c in dialog.choices}
        assert labels["Kiên Giang"] == 2 and labels["An Giang"] == 1
        assert any(c.value == "unknown" for c in dialog.choices)
        await pilot.press(*"kien")
        await pilot.press("enter")
        await settle(pilot)
        assert list_provinces(app) == ["Kiên Giang", "Kiên Giang"]
        assert "province: Kiên Giang" in screen_text(app)
        assert "2 of 5 articles" in screen_text(app)
        # Year picker counts respect the province filter.
        await pilot.press("y")
        await settle(pilot)
        assert {c.value for c in app.screen.choices} == {2019, 2018}
        await pilot.press(*"2019", "enter")
        await settle(pilot)
        assert len(app.article_list.rows) == 1
        assert "1 of 5 articles" in screen_text(app)
        await pilot.press("x")
        await settle(pilot)
        assert len(app.article_list.rows) == 5


async def test_province_filter_by_2025_merged_unit(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("ctrl+t")
        merged = {c.label: c.count for c in app.screen.choices}
        assert merged["An Giang"] == 3  # An Giang + Kiên Giang (merged 2025)
        await pilot.press(*"an giang", "enter")
        await settle(pilot)
        assert sorted(list_provinces(app)) == ["An Giang", "Kiên Giang", "Kiên Giang"]
        assert app.filters.merged
        assert "2025 unit" in screen_text(app)


async def test_unknown_province_and_period_filters(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"unknown", "enter")
        await settle(pilot)
        assert list_provinces(app) == [None]
        await pilot.press("escape")  # clears filters on the main screen
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press(*"half", "enter")
        await settle(pilot)
        assert [m.period for m in app.article_list.rows] == ["half-year"]


async def test_text_filter_is_accent_insensitive_and_n_steps_matches(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"van ban den")
        await settle(pilot)
        assert {m.province for m in app.article_list.rows} == {"Kiên Giang", "An Giang"}
        assert len(app.article_list.rows) == 3
        assert "text: “van ban den”" in screen_text(app)
        await pilot.press("enter")  # keep the filter, back to the list
        await settle(pilot)
        assert app.focused is app.article_list
        await pilot.press("n")
        view = app.article_view
        assert view.match_index == 0
        start, end = view.matches[0]
        assert view.plain[start:end] == "văn bản đến"
        assert "match 1 of 1" in screen_text(app)
        # With diacritics: same result.
        await pilot.press("slash", "ctrl+u", *"văn bản đến", "enter")
        await settle(pilot)
        assert len(app.article_list.rows) == 3


async def test_empty_filter_result_shows_a_message(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"khong co chu nay", "enter")
        await settle(pilot)
        assert app.article_list.rows == []
        text = screen_text(app)
        assert NO_MATCH in text
        assert "0 of 5 articles" in text
        await pilot.press("x")
        await settle(pilot)
        assert len(app.article_list.rows) == 5


async def test_empty_archive_shows_a_message(tmp_path: Path):
    app = make_app(Archive.open(tmp_path / "empty"), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "The archive is empty" in text
        assert EMPTY_ARCHIVE in app.article_view.plain
        assert "No article selected." in text  # the figures pane says so too
        assert "0 of 0 articles" in text
        await pilot.press("e")  # nothing selected: a notification, no crash
        await settle(pilot)
        assert not isinstance(app.screen, ExportDialog)


async def test_lookup_lists_figures_and_enter_opens_the_article_with_it_highlighted(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f", *"van ban den")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, LookupDialog)
        found = {(h.province, h.report_year, h.period, h.value) for h in dialog.hits}
        assert ("Kiên Giang", 2019, "year", 27172) in found
        assert ("Kiên Giang", 2018, "half-year", 11510) in found
        assert ("An Giang", 2023, "year", 45268) in found
        assert "27.172 văn bản" in screen_text(app)
        # Move to the Kiên Giang 2019 row and open it.
        target = next(i for i, h in enumerate(dialog.hits) if h.value == 27172)
        await pilot.press("down", *(["down"] * target), "enter")
        await settle(pilot)
        assert app.screen is app.main
        hit = dialog.hits[target]
        assert app.article_list.current.id == hit.article_id
        assert app.article_view.figure_index == hit.figure_index
        assert app.metrics.cursor_row == hit.figure_index
        assert "27.172 văn bản" in app.article_view.visible_text()


async def test_lookup_respects_filters_and_says_when_nothing_matches(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"kien", "enter")
        await settle(pilot)
        await pilot.press("f", *"văn bản đến")
        await settle(pilot)
        assert {h.province for h in app.screen.hits} == {"Kiên Giang"}
        await pilot.press("ctrl+u", *"xyzzy")
        await settle(pilot)
        assert app.screen.hits == []
        assert "No figure matches" in screen_text(app)
        await pilot.press("escape")
        assert app.screen is app.main


async def test_lookup_pivot_view(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f", *"van ban den")
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        dialog = app.screen
        assert dialog.pivoted
        table = dialog.query_one("#lookup-pivot", DataTable)
        text = screen_text(app)
        # one measure and one period kind: the half-year figure is set apart, not mixed in
        assert "2019" in text and "27.172" in text and "11.510" not in text
        assert "1 half-year figure" in text and "sources disagree" in text  # summary and legend on show
        assert {c.period for r in dialog.pivot.rows for c in (s for cell in r.cells.values() for s in cell.sources)} == {"year"}
        await pilot.press("down", "p")  # the table, then the next period kind
        await settle(pilot)
        assert dialog.pivot.period == "half-year" and "11.510" in screen_text(app)
        assert table.row_count == 1
        await pilot.press("ctrl+t")
        assert not dialog.pivoted


async def test_lookup_opens_article_hidden_by_the_text_filter(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"tuyen quang", "enter")
        await settle(pilot)
        assert len(app.article_list.rows) == 1
        await pilot.press("f", *"giai ngan", "enter")
        await settle(pilot)
        assert app.filters.text == ""
        assert app.article_view.stored.article.province == "An Giang"
        assert app.article_view.figure_index == 1


async def test_metrics_row_highlights_the_figure_in_the_detail(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "tab", "tab")
        await settle(pilot)
        assert app.focused is app.metrics
        await pilot.press("down", "down")
        await settle(pilot)
        assert app.article_view.figure_index == 2
        assert "94,03%" in app.article_view.visible_text()


class RecordingApp(TongketApp):
    """The app, keeping every message it shows the user (`notify`), to assert on."""

    CSS_PATH = str(Path(tui_app.__file__).with_name("app.tcss"))  # relative paths resolve from this file

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.notified: list[str] = []

    def notify(self, message: str, **kwargs: Any) -> None:  # type: ignore[override]
        self.notified.append(str(message))
        super().notify(message, **kwargs)


def recording_app(archive: Archive, tmp_path: Path) -> RecordingApp:
    return RecordingApp(archive=archive, watch_interval=None, export_folder=tmp_path / "exports")


async def test_export_writes_markdown_and_refuses_to_overwrite(tmp_path: Path):
    app = recording_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        expected = tmp_path / "exports" / default_export_name(app.article_view.stored)
        assert app.screen.query_one(Input).value == str(expected)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is app.main
        assert expected.exists()
        assert "45.268" in expected.read_text(encoding="utf-8")
        assert any(str(expected) in message for message in app.notified)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        assert "exists" in app.screen.error
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.screen is app.main


async def test_correction_updates_the_list_row(tmp_path: Path):
    archive = demo_archive(tmp_path)
    app = make_app(archive, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("G")  # the article without a province
        await settle(pilot)
        aid = app.article_list.current.id
        await pilot.press("c")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CorrectDialog)
        dialog.query_one("#correct-province", Input).value = "Bình Dương"
        dialog.query_one("#correct-report_year", Input).value = "20x5"
        await pilot.press("enter")
        await pilot.pause()
        assert "year must be a number" in str(dialog.query_one("#correct-error").render())
        dialog.query_one("#correct-report_year", Input).value = "2015"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.main
        row = app.article_list.current
        assert row.id == aid
        assert row.province == "Bình Dương" and row.report_year == 2015
        assert "province" in row.corrected
        assert archive.get(aid).corrections["province"] == "Bình Dương"
        text = screen_text(app)
        assert "Bình Dương" in text and "✎" in text


async def test_help_lists_keys_from_bindings_and_palette_runs_actions(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for expected in ("Filter by province", "Look up a figure", "Export", "ctrl+t", "next match"):
            assert expected in text
        await pilot.press("escape")
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Lookup")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LookupDialog)


async def test_list_pane_resizes_from_the_keyboard(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.article_list.size.width
        await pilot.press("greater_than_sign", "plus")
        await pilot.pause()
        assert app.main.list_width == 60
        assert app.article_list.size.width > before
        await pilot.press("less_than_sign", "minus", "minus")
        await pilot.pause()
        assert app.main.list_width == 45


async def test_changes_by_another_process_are_picked_up(tmp_path: Path):
    archive = demo_archive(tmp_path)
    app = make_app(archive, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        other = Archive.open(archive.path)
        other.ingest_article(make_article("Bài mới từ tiến trình khác", "Nội dung mới.", province="Cà Mau",
                                          year=2024, published="2025-01-02"))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert len(app.article_list.rows) == 6
        assert app.article_list.rows[0].province == "Cà Mau"


async def test_opens_the_store_path_in_a_worker(tmp_path: Path):
    demo_archive(tmp_path)
    app = TongketApp(store_path=str(tmp_path / "store"), watch_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.article_list.rows) == 5


async def test_a_bad_store_path_is_reported_not_raised(tmp_path: Path):
    bad = tmp_path / "a-file"
    bad.write_text("not a folder")
    app = TongketApp(store_path=str(bad), watch_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.load_error
        assert "Cannot open the archive" in screen_text(app)


async def test_small_terminal(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "5 of 5 articles" in text
        assert "Province" in text and "Lookup" in text
        await pilot.press("f", *"van ban den")
        await settle(pilot)
        assert "27.172" in screen_text(app)


def _cells_match_datatable(table) -> int:
    """Every cell of a FastTable, drawn by its fast path and by DataTable itself (with
    and without the cursor), gives the same characters in the same styles."""
    from rich.segment import Segment

    checked = 0
    for row in range(-1, table.row_count):
        for column in range(len(table.ordered_columns)):
            for cursor in (False, True):
                fast, slow = table.both_renderings(row, column, cursor=cursor)
                assert [list(Segment.simplify(line)) for line in fast] == [list(Segment.simplify(line)) for line in slow]
                checked += 1
    return checked


async def test_fast_table_cells_look_like_datatable_cells(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        await settle(pilot)
        assert _cells_match_datatable(app.metrics) > 10  # no cell padding
        await pilot.press("f", *"van ban den")
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert _cells_match_datatable(app.screen.query_one("#lookup-pivot", DataTable)) > 4


async def test_lookup_results_scroll_to_the_last_hit_and_open_it(tmp_path: Path):
    from tongket.tui.widgets.result_list import ResultList

    hits = [
        FigureHit(f"id{i}", 0, "Kiên Giang", 2000 + i % 20, "year", float(i), "văn bản", "văn bản đến",
                  "incoming_documents", f"{i} văn bản", 1.0)
        for i in range(205)
    ]
    chosen = []
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(LookupDialog(lambda query: hits), chosen.append)
        await settle(pilot)
        await pilot.press(*"van")
        await settle(pilot)
        dialog = app.screen
        results = dialog.query_one("#lookup-results", ResultList)
        assert len(dialog.hits) == len(hits) and results.row_count == len(hits)
        assert "Province" in screen_text(app) and "văn bản đến" in screen_text(app)
        await pilot.press("down", "end")  # focus the list, then its last row
        await settle(pilot)
        assert results.cursor_row == len(hits) - 1
        assert "204 văn bản" in screen_text(app)  # scrolled into view
        await pilot.press("up", "up")
        await settle(pilot)
        assert results.cursor_row == len(hits) - 3
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert dialog.query_one("#lookup-pivot", DataTable).row_count == 1
        await pilot.press("ctrl+t")
        await settle(pilot)
        results.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert chosen == [hits[-3]]


async def test_lookup_results_never_read_markup_from_data(tmp_path: Path):
    from tongket.tui.widgets.result_list import ResultList

    hits = [FigureHit("id0", 0, "[bold]X[/bold]", 2020, "year", 1.0, "[red]u", "[b]label[/b]", None, "1", 1.0)]
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(LookupDialog(lambda query: hits))
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert "[b]label[/b]" in screen_text(app) and "[bold]X[/bold]" in screen_text(app)
        assert app.screen.query_one("#lookup-results", ResultList).row_count == 1


async def test_lookup_slower_than_a_keystroke_still_shows_its_results(tmp_path: Path):
    import time as _time

    from tongket.tui.dialogs import lookup

    hit = FigureHit("id0", 0, "Kiên Giang", 2019, "year", 5.0, "hồ sơ", "hồ sơ", None, "5 hồ sơ", 1.0)

    def slow(query: str) -> list[FigureHit]:
        _time.sleep(lookup.SEARCHING_DELAY * 2)  # slower than "searching…" takes to show
        return [hit] if query == "ho so" else []

    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(LookupDialog(slow))
        await settle(pilot)
        await pilot.press(*"ho so")
        for _ in range(50):
            await pilot.pause(0.05)
            if app.screen.hits:
                break
        assert app.screen.hits == [hit]
        assert "5 hồ sơ" in screen_text(app)


async def test_what_reading_met_is_shown_at_open_and_in_help(tmp_path: Path):
    import json

    archive = demo_archive(tmp_path)
    aid = archive.articles()[0].id
    archive.correct(aid, report_year=2003)
    path = tmp_path / "store" / "corrections.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["corrections"] = {"1": {"id": aid, "fields": {"province": "Atlantis"}}}  # a hand edit `set` would refuse
    del data["_checksum"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    reopened = Archive.open(tmp_path / "store")
    assert reopened.problems
    app = recording_app(reopened, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert any("set aside" in message for message in app.notified)
        assert "! 1 (?)" in screen_text(app)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "What reading the archive met" in screen_text(app)
