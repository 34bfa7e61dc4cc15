"""A fresh store: the app opens on the read-only sample, apart from the user's own archive,
with a banner and one key to leave it."""

from __future__ import annotations

from pathlib import Path

from tongket.store.archive.archive import Archive
from tongket.store.archive.sample import app_store
from tongket.tui.sample_app import LEAVE_SAMPLE, SampleApp

from tui_helpers import screen_text, settle


async def test_fresh_store_opens_on_the_sample_with_a_banner_and_a_key_to_leave(store_dir: Path) -> None:
    path, is_sample = app_store(store_dir)
    assert is_sample
    app = SampleApp(store_path=str(path), watch_interval=None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert len(app.article_list.rows) == len(Archive.open(path)) > 0
        assert "Sample archive (read-only" in screen_text(app)
        await pilot.press("L")
        await settle(pilot)
    assert app.return_value == LEAVE_SAMPLE
    assert not (store_dir / "archive.json").exists()  # nothing went into the user's archive


async def test_delete_removes_the_selected_article_after_confirmation(tmp_path: Path) -> None:
    from tongket.tui.dialogs.confirm_remove import ConfirmRemove

    from tui_helpers import demo_archive, make_app

    archive = demo_archive(tmp_path)
    total = len(archive)
    app = make_app(archive, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        first = app.article_list.current.id
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmRemove)
        await pilot.press("n")  # keep
        await settle(pilot)
        assert len(app.article_list.rows) == total
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert len(app.article_list.rows) == total - 1
        assert first not in {m.id for m in app.article_list.rows}
    assert first not in {m.id for m in Archive.open(archive.path).articles()}
