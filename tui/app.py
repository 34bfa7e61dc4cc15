"""The tongket Textual app: a thin shell around the main screen.

The app makes the gateway (the one way to the archive, `tui.gateway`) and the main
screen, which owns the filters, the data flow and the actions of its keys
(`tui.screens.main`). What is left here is the top level: the stylesheet, the command
palette, and the handler that turns a worker's unexpected failure into a message for
the user instead of a crash.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.worker import Worker, WorkerState

from .commands import ActionCommands
from .gateway import ArchiveGateway
from .messages import StoreFailed
from .screens.main import MainScreen
from .state import Filters
from .widgets.article_list import ArticleList
from .widgets.article_view import ArticleView
from .widgets.metrics_table import MetricsTable

if TYPE_CHECKING:  # the archive itself is reached only through the gateway
    from tongket.store.archive.archive import Archive


class TongketApp(App[None]):
    """Browse and question an archive of provincial-office review articles."""

    TITLE = "tongket"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ActionCommands}

    def __init__(
        self,
        store_path: str | Path | None = None,
        archive: Archive | None = None,
        *,
        watch_interval: float | None = 3.0,
        export_folder: str | Path | None = None,
    ) -> None:
        """`archive`: an already-open archive (tests pass one); otherwise the archive at
        `store_path` (None: the default location) is opened in a worker.
        `watch_interval`: seconds between checks for changes by other processes.
        `export_folder`: where exports go by default (None: the current folder)."""
        super().__init__()
        self.gateway = ArchiveGateway(self, store_path, archive)
        self._main = MainScreen(
            self.gateway,
            watch_interval=watch_interval,
            export_folder=Path(export_folder) if export_folder is not None else None,
        )

    def get_default_screen(self) -> MainScreen:
        return self._main

    # -- what tests and the palette read ------------------------------------------------

    @property
    def main(self) -> MainScreen:
        return self._main

    @property
    def filters(self) -> Filters:
        return self._main.filters

    @property
    def load_error(self) -> str | None:
        return self._main.load_error

    @property
    def article_list(self) -> ArticleList:
        return self._main.article_list

    @property
    def article_view(self) -> ArticleView:
        return self._main.article_view

    @property
    def metrics(self) -> MetricsTable:
        return self._main.metrics

    # -- the top level ------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed in a way the store does not report (a bug): tell the
        user which operation failed, keep the app running."""
        if event.state == WorkerState.ERROR:
            self._main.post_message(StoreFailed(event.worker.name or "work", str(event.worker.error)))


def run_app(store_path: str | None) -> None:
    """Entry point used by `tui.cli`: run the app on the archive at `store_path`."""
    TongketApp(store_path=store_path).run()
