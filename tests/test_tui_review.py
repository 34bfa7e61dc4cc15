"""Pilot tests for what a review in a real terminal found: keys typed ahead of a dialog,
the publish-date column, the metrics table's numbers and widths, the merged-province
picker, and the scrollbar glyphs that showed up as a stray "▅▅" in the article."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual import events

from tongket.store.archive.archive import Archive
from tongket.tui.dialogs.correct import CorrectDialog
from tongket.tui.dialogs.lookup import LookupDialog
from tongket.tui.dialogs.sources import TableExportDialog
from tongket.tui.dialogs.picker import PickerDialog
from tongket.tui.widgets.metrics_table import column_widths, figure_texts
from tongket.tui.widgets.scrollbars import WholeCellScrollBarRender

from tui_helpers import KG_2019_BODY, demo_archive, demo_articles, make_app, make_figure, screen_text, settle

SIZE = (120, 36)


def _type_at_once(app, keys: str) -> None:
    """Post keys the way a terminal delivers a fast typist's burst: all before any is handled."""
    names = {" ": "space", "/": "slash"}
    for ch in keys:
        app.post_message(events.Key(names.get(ch, ch), ch))


async def test_keys_typed_right_after_f_reach_the_lookup(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _type_at_once(app, "fvan ban den")
        await settle(pilot)
        assert isinstance(app.screen, LookupDialog)
        assert app.screen.query_one("#lookup-input").value == "van ban den"
        assert app.screen.hits


async def test_keys_typed_right_after_slash_reach_the_search_bar_not_the_bindings(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _type_at_once(app, "/van ban den")  # "n" and "e" are keys of the main screen
        await settle(pilot)
        assert app.screen is app.main  # no export dialog opened by the "e"
        assert app.filters.text == "van ban den"
        await pilot.press("q")  # q inside an input is a letter, not quit
        await settle(pilot)
        assert app.is_running and app.filters.text == "van ban denq"


async def test_main_keys_do_not_fire_inside_a_dialog(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f", *"ho so")
        await settle(pilot)
        await pilot.press("down")  # focus the results table
        await pilot.press("e")  # the lookup's own export (of its results), not the article's
        await settle(pilot)
        assert isinstance(app.screen, TableExportDialog)
        await pilot.press("escape")
        await pilot.press("q")  # the quit key of the main screen: a letter for the input
        await settle(pilot)
        assert isinstance(app.screen, LookupDialog)
        assert app.screen.query_one("#lookup-input").value == "ho soq"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.main and app.focused is app.article_list


async def test_list_shows_publish_date_falling_back_to_event_date(tmp_path: Path):
    archive = Archive.open(tmp_path / "store")
    articles = demo_articles()
    articles[3] = replace(articles[3], published=None, event_date="2024-01-04")
    for article in articles:
        archive.ingest_article(article)
    app = make_app(archive, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "2024-01-11" in text  # An Giang's publish date, in the list pane at 120 columns
        assert "2024-01-04" in text  # Tuyên Quang has only an event date


async def test_metrics_show_plain_numbers_and_whole_metric_keys(tmp_path: Path):
    body = KG_2019_BODY + " Còn 03 hồ sơ chưa đến hạn."
    base = demo_articles()[0]
    figs = base.figures + (make_figure(body, "03 hồ sơ", "hồ sơ chưa đến hạn", 3, "hồ sơ", key="dossiers_pending"),)
    archive = Archive.open(tmp_path / "store")
    archive.ingest_article(replace(base, body=body, figures=figs, id="padded"))
    app = make_app(archive, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "27.172" in text and "94,03%" in text
        assert "incoming_documents" in text and "dossiers_pending" in text
        assert " 03 " not in text.split("Figures")[-1]
        assert figure_texts(figs[-1])[1] == "3"


def test_metric_columns_fit_and_keep_the_key_readable():
    figs = demo_articles()[0].figures
    widths = column_widths(figs, 58)  # the figures pane of a 120-column terminal
    assert sum(widths) + 4 + 1 <= 58
    assert widths[4] >= len("incoming_documents") or widths[4] >= 12


async def test_merged_picker_finds_old_province_names(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, PickerDialog)
        await pilot.press(*"tuyen")  # counts column does not move while narrowing
        await settle(pilot)
        await pilot.press("ctrl+u", "ctrl+t", *"kien giang")
        await settle(pilot)
        options = picker.query_one("OptionList")
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any(label.startswith("An Giang") and "Kiên Giang" in label for label in labels)
        await pilot.press("enter")
        await settle(pilot)
        assert app.filters.province == "An Giang" and app.filters.merged
        assert len(app.article_list.rows) == 3


async def test_picker_hints_at_the_other_grouping_when_nothing_matches(tmp_path: Path):
    archive = Archive.open(tmp_path / "store")
    for article in demo_articles()[:2]:  # Kiên Giang only
        archive.ingest_article(article)
    app = make_app(archive, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p", *"an giang")
        await settle(pilot)
        hint = str(app.screen.query_one("#picker-hint").render())
        assert "Nothing matches" in hint and "ctrl+t" in hint


async def test_no_partial_block_scrollbar_glyphs_in_the_article(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")  # the long Kiên Giang 2019 article scrolls
        await settle(pilot)
        assert app.article_view.vertical_scrollbar.renderer is WholeCellScrollBarRender
        assert not set("▁▂▃▄▅▆▇") & set(screen_text(app))


async def test_correction_rejects_a_bad_year_inside_the_dialog(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CorrectDialog)
        year = app.screen.query_one("#correct-report_year")
        year.value = "20x9"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CorrectDialog)
        assert "between 1900 and 2100" in str(app.screen.query_one("#correct-error").render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.main and app.focused is app.article_list
