"""A few SVG snapshots at 120x36 (pytest-textual-snapshot). Regenerate after a deliberate
visual change with `pytest tests/test_tui_snapshots.py --snapshot-update` and review the
SVGs; Textual is pinned exactly because snapshots change with every release."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from tui_helpers import demo_archive, make_app, settle

SIZE = (120, 36)


async def _steady(pilot) -> None:
    await settle(pilot)
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def test_main_screen(snap_compare, tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("j", "j")
        await _steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_lookup_dialog(snap_compare, tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("f", *"van ban den")
        await _steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_lookup_pivot(snap_compare, tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("f", *"van ban den")
        await settle(pilot)
        await pilot.press("ctrl+t")
        await _steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_lookup_pivot_with_legend_80x24(snap_compare, tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("f", *"van ban den")
        await settle(pilot)
        await pilot.press("ctrl+t")
        await _steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_help_screen(snap_compare, tmp_path: Path):
    app = make_app(demo_archive(tmp_path), tmp_path)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await _steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
