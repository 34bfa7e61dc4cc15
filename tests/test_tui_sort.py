"""Sorting in the app: the article list, the figures table and the lookup results reorder
by a key (`s` cycles, `S` reverses) and by a header click, and the cursor keeps its item."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import demo_archive, make_app, screen_text, settle
from tongket.store.present.collate import vn_sort_key
from tongket.tui.dialogs.lookup import LookupDialog

SIZE = (120, 36)


async def test_article_list_sort_keys_reorder(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        newest = list(app.article_list.rows)
        app.article_list.focus()
        await pilot.press("down")
        await settle(pilot)
        under_cursor = app.article_list.current
        await pilot.press("s")  # province
        await settle(pilot)
        rows = app.article_list.rows
        assert [m.province for m in rows] == sorted((m.province for m in newest), key=vn_sort_key)
        assert app.article_list.current == under_cursor  # the cursor stays on its article
        assert "by province" in screen_text(app)
        await pilot.press("s")  # report year, newest first
        await settle(pilot)
        assert [m.report_year or 0 for m in app.article_list.rows] == sorted(
            (m.report_year or 0 for m in newest), reverse=True)
        await pilot.press("s")  # figures, most first
        await settle(pilot)
        assert [m.n_figures for m in app.article_list.rows] == sorted((m.n_figures for m in newest), reverse=True)
        await pilot.press("S")  # fewest first
        await settle(pilot)
        assert [m.n_figures for m in app.article_list.rows] == sorted(m.n_figures for m in newest)
        await pilot.press("s")  # back to the archive's order
        await settle(pilot)
        assert list(app.article_list.rows) == newest


async def test_figures_table_sorts_by_key_and_by_header(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.metrics
        figures = table.figures
        assert len(figures) > 1
        table.focus()
        await pilot.press("s")  # label
        await settle(pilot)
        assert [figures[i].label for i in table.order] == sorted((f.label for f in figures), key=vn_sort_key)
        await pilot.press("s")  # value, largest first
        await settle(pilot)
        assert [figures[i].value for i in table.order] == sorted((f.value for f in figures), reverse=True)
        # the highlighted row still names its figure: the detail pane marks that one
        await pilot.press("down")
        await settle(pilot)
        assert app.article_view.figure_index == table.order[1]
        await pilot.click(table, offset=(3, 1))  # the Label header (inside the border)
        await settle(pilot)
        assert table.sort_key == "label" and not table.sort_reverse
        await pilot.click(table, offset=(3, 1))  # again: reversed
        await settle(pilot)
        assert [figures[i].label for i in table.order] == sorted((f.label for f in figures), key=vn_sort_key,
                                                                 reverse=True)


async def test_lookup_results_reverse_and_header_click(tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f", *"van ban")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, LookupDialog)
        best = list(dialog.hits)
        await pilot.press("down", "S")  # worst match first
        await settle(pilot)
        assert list(dialog.hits) == best[::-1]
        await pilot.click("#lookup-results", offset=(2, 0))  # the Province header
        await settle(pilot)
        assert [h.province for h in dialog.hits] == sorted((h.province for h in best), key=vn_sort_key)
        await pilot.click("#lookup-results", offset=(2, 0))  # again: reversed
        await settle(pilot)
        assert [h.province for h in dialog.hits] == sorted((h.province for h in best), key=vn_sort_key, reverse=True)
        assert "sorted by province, reversed" in screen_text(app)
