"""Confirmation before an article leaves the archive: says what happens and how to undo it
(ingesting its file again brings it back, with the corrections kept aside)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tongket.store.lang.text import one_line
from tongket.store.record import StoredArticle


class ConfirmRemove(ModalScreen[bool]):
    """Dismisses with True to remove, False to keep."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Remove", id="remove.yes"),
        Binding("n,escape", "answer(False)", "Keep", id="remove.no"),
    ]

    DEFAULT_CSS = """
    ConfirmRemove { align: center middle; }
    ConfirmRemove > Vertical {
        width: 80;
        max-width: 95%;
        height: auto;
        border: thick $error;
        background: $surface;
        padding: 0 1;
    }
    ConfirmRemove #remove-hint { color: $text-muted; }
    """

    def __init__(self, stored: StoredArticle) -> None:
        super().__init__()
        self.stored = stored

    def compose(self) -> ComposeResult:
        article = self.stored.article
        with Vertical():
            title = Text("Remove from the archive: ", style="bold")
            title.append(one_line(article.title) or "(untitled)", style="")
            title.append(f"  ({article.id})", style="dim")
            yield Static(title)
            yield Static(Text("Ingesting its file again brings it back, with your corrections (kept aside)."))
            yield Static(Text("y: remove · n or Esc: keep"), id="remove-hint")

    def action_answer(self, remove: bool) -> None:
        self.dismiss(remove)
