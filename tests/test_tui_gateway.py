"""The gateway: every archive call runs in a worker the app can see, and answers with a message."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.message import Message

from tongket.tui.gateway import ArchiveGateway
from tongket.tui.messages import ExportDone, FiguresFound, StoreFailed
from tongket.tui.state import Filters

from tui_helpers import demo_archive, settle


class Listener(App[None]):
    """An app that records the gateway's answers."""

    def __init__(self, gateway_args: dict) -> None:
        super().__init__()
        self.gateway = ArchiveGateway(self, **gateway_args)
        self.answers: list[Message] = []

    def on_figures_found(self, message: FiguresFound) -> None:
        self.answers.append(message)

    def on_export_done(self, message: ExportDone) -> None:
        self.answers.append(message)

    def on_store_failed(self, message: StoreFailed) -> None:
        self.answers.append(message)


async def test_lookup_answers_with_its_query_and_the_hits_within_the_filters(tmp_path: Path):
    app = Listener({"archive": demo_archive(tmp_path)})
    async with app.run_test() as pilot:
        app.gateway.lookup("van ban den", Filters(province="Kiên Giang"), app)
        await settle(pilot)
        (found,) = app.answers
        assert isinstance(found, FiguresFound) and found.query == "van ban den"
        assert found.hits and {hit.province for hit in found.hits} == {"Kiên Giang"}


async def test_export_refuses_to_overwrite_and_says_why(tmp_path: Path):
    archive = demo_archive(tmp_path)
    stored = archive.get(archive.query()[0].id)
    target = tmp_path / "out.md"
    target.write_text("mine", encoding="utf-8")
    app = Listener({"archive": archive})
    async with app.run_test() as pilot:
        app.gateway.export(stored, target, force=False, base=tmp_path, reply_to=app)
        await settle(pilot)
        (done,) = app.answers
        assert isinstance(done, ExportDone) and done.path is None and "exists" in (done.error or "")
        assert target.read_text(encoding="utf-8") == "mine"


async def test_an_archive_that_cannot_open_is_a_message_not_a_crash(tmp_path: Path):
    (tmp_path / "store").write_text("a file where the archive folder should be", encoding="utf-8")
    app = Listener({"store_path": tmp_path / "store"})
    async with app.run_test() as pilot:
        app.gateway.open(app)
        await settle(pilot)
        (failed,) = app.answers
        assert isinstance(failed, StoreFailed) and failed.what == "open"
        assert not app.gateway.is_open


async def test_an_unexpected_failure_in_a_worker_is_reported_and_the_app_goes_on(tmp_path: Path):
    from tongket.tui.app import TongketApp

    archive = demo_archive(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug, not a store error")

    archive.correct = broken  # saving a correction fails in its worker
    app = TongketApp(archive=archive, watch_interval=None, export_folder=tmp_path)
    told: list[tuple[str, str]] = []
    notify = app.notify

    def recording_notify(message, *, title="", **kwargs):
        told.append((title, message))
        notify(message, title=title, **kwargs)

    app.notify = recording_notify  # what the user is told
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.article_list.rows
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("x", "ctrl+s")  # a changed province, saved
        await settle(pilot)
        assert ("correct failed", "a bug, not a store error") in told
        assert app.is_running and app.screen is app.main
        await pilot.press("j")  # the app still answers
        await settle(pilot)
        assert app.article_list.cursor == 1


class RowsListener(Listener):
    """Also records the rows the gateway answers with."""

    def on_rows_ready(self, message: Message) -> None:
        self.answers.append(message)

    def on_archive_opened(self, message: Message) -> None:
        self.answers.append(message)


async def test_the_first_query_after_a_load_keeps_what_it_loaded_out_of_full_collections(tmp_path: Path):
    """The archive and its list rows live as long as the session: a full collection of
    the cyclic GC would walk them all in the middle of a frame, so the first query after
    the load freezes them (gc.freeze); later queries make nothing that lives as long."""
    import gc

    from tongket.tui.messages import RowsReady

    app = RowsListener({"archive": demo_archive(tmp_path)})
    async with app.run_test() as pilot:
        app.gateway.open(app)
        await settle(pilot)
        before = gc.get_freeze_count()
        app.gateway.query(1, Filters(), None, app)
        await settle(pilot)
        after_first = gc.get_freeze_count()
        app.gateway.query(2, Filters(province="Kiên Giang"), None, app)
        await settle(pilot)
        assert [type(m) for m in app.answers][-2:] == [RowsReady, RowsReady]
        assert after_first > before
        assert gc.get_freeze_count() <= after_first  # no second freeze (frozen objects freed by refcount leave it)
