"""Export dialog: a path filled in with the default name in the current folder.

The write runs in a gateway worker (`ArchiveGateway.export`, which refuses to overwrite);
its error is shown inside the dialog so the user can change the name (or press ctrl+o to
overwrite on purpose) without losing what they typed.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from tongket.store.lang.text import one_line
from tongket.store.present.export import default_export_name
from tongket.store.record import StoredArticle

from ..gateway import ArchiveGateway
from ..messages import ExportDone
from .typeahead import TypeAheadScreen


class ExportDialog(TypeAheadScreen[Path | None]):
    """Ask where to write the Markdown file; dismisses with the path written."""

    TYPE_AHEAD_INPUT = "#export-path"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+o", "overwrite", "Overwrite", id="export.overwrite"),
    ]

    DEFAULT_CSS = """
    ExportDialog > .dialog-frame { width: 80; max-width: 95%; }
    """

    def __init__(self, stored: StoredArticle, gateway: ArchiveGateway, *, folder: Path | None = None) -> None:
        super().__init__()
        self.stored = stored
        self._gateway = gateway
        self.folder = Path(folder) if folder is not None else Path.cwd()

    def compose(self) -> ComposeResult:
        with self.frame():
            title = Text("Export to Markdown: ", style="bold")
            title.append(one_line(self.stored.article.title), style="")
            yield Static(title, id="export-title", classes="dialog-title")
            yield Input(value=str(self.folder / default_export_name(self.stored)), id="export-path")
            yield Static(id="export-error", classes="dialog-error")
            yield Static(Text("Enter: write · ctrl+o: overwrite an existing file · Esc: cancel"),
                         id="export-hint", classes="dialog-hint")

    def on_mount(self) -> None:
        self.focus_input()

    @property
    def error(self) -> str:
        """The error on show (for tests)."""
        return str(self.query_one("#export-error", Static).render())

    def _write(self, *, force: bool) -> None:
        raw = self.query_one(Input).value.strip()
        if not raw:
            self._show_error("Type a file name.")
            return
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = self.folder / path
        self._gateway.export(self.stored, path, force=force, base=self.folder, reply_to=self)

    def on_export_done(self, message: ExportDone) -> None:
        if message.path is None:
            self._show_error(message.error or "")
        else:
            self.dismiss(message.path)

    def _show_error(self, message: str) -> None:
        self.query_one("#export-error", Static).update(Text(one_line(message)))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._write(force=False)

    def action_overwrite(self) -> None:
        self._write(force=True)
