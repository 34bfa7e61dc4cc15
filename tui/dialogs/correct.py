"""Corrections dialog: fix an article's province, report year, period or title.

The dialog only collects and checks what was typed; the app saves through
`Archive.correct` in a worker (the store validates again and names the problem).
An emptied field means "remove my correction" (the parser's value comes back).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.widgets import Input, Label, Static

from tongket.store.record import PERIODS, StoredArticle
from tongket.store.lang.text import one_line

from .typeahead import TypeAheadScreen

FIELDS = (
    ("province", "Province"),
    ("report_year", "Report year"),
    ("period", "Period"),
    ("title", "Title"),
)


def _shown(value: Any) -> str:
    return "" if value is None else one_line(str(value))


class CorrectDialog(TypeAheadScreen[dict[str, Any] | None]):
    """Dismisses with only the fields that changed ({} if none); None on cancel."""

    TYPE_AHEAD_INPUT = "#correct-province"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="correct.cancel"),
        Binding("ctrl+s", "save", "Save", id="correct.save"),
    ]

    DEFAULT_CSS = """
    CorrectDialog > .dialog-frame { width: 90; max-width: 95%; }
    CorrectDialog Grid { grid-size: 2; grid-columns: 14 1fr; height: auto; grid-rows: 3; }
    CorrectDialog Label { padding: 1 0 0 0; }
    """

    def __init__(self, stored: StoredArticle) -> None:
        super().__init__()
        self.stored = stored
        article = stored.article
        self._original = {
            "province": _shown(article.province),
            "report_year": _shown(article.report_year),
            "period": _shown(article.period),
            "title": _shown(article.title),
        }

    def compose(self) -> ComposeResult:
        with self.frame():
            yield Static(Text("Correct article " + self.stored.article.id[:8], style="bold"))
            with Grid():
                for key, label in FIELDS:
                    yield Label(Text(label))
                    placeholder = " / ".join(PERIODS) if key == "period" else ""
                    yield Input(value=self._original[key], placeholder=placeholder, id=f"correct-{key}")
            yield Static(id="correct-error", classes="dialog-error")
            yield Static(
                Text("Enter or ctrl+s: save · Esc: cancel · an empty field drops your correction"),
                id="correct-hint", classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.focus_input()

    def _values(self) -> dict[str, Any] | str:
        """Changed fields, or an error message."""
        changes: dict[str, Any] = {}
        for key, _label in FIELDS:
            value = self.query_one(f"#correct-{key}", Input).value.strip()
            if value == self._original[key]:
                continue
            if not value:
                changes[key] = None
                continue
            if key == "report_year":
                if not value.isdigit() or not 1900 <= int(value) <= 2100:
                    return f"The year must be a number between 1900 and 2100, not “{one_line(value)}”."
                changes[key] = int(value)
            elif key == "period":
                if value.lower() not in PERIODS:
                    return f"The period must be one of {', '.join(PERIODS)}."
                changes[key] = value.lower()
            else:
                changes[key] = value
        return changes

    def action_save(self) -> None:
        result = self._values()
        if isinstance(result, str):
            self.query_one("#correct-error", Static).update(Text(result))
            return
        self.dismiss(result)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()
