"""Keys typed faster than a dialog opens still land in its input.

A terminal delivers "fvan ban den" in one read. The app opens the dialog on "f", but
the dialog's input only takes focus once the dialog has mounted, so Textual hands the
keys that arrive meanwhile to the screen itself, which drops them. Dialogs built on
`TypeAheadScreen` focus their input synchronously on mount and put any printable key
that reaches the screen into the input (or the focused one), in order.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual import events
from textual.widgets import Input

from .base import Dialog

ResultType = TypeVar("ResultType")


class TypeAheadScreen(Dialog[ResultType]):
    """A modal dialog whose main input (`TYPE_AHEAD_INPUT`, a CSS selector) receives
    typed-ahead keys, and any printable key no widget used."""

    TYPE_AHEAD_INPUT: ClassVar[str] = "Input"

    def focus_input(self) -> Input:
        """Focus the main input now (not on the next idle, as `Widget.focus` does)."""
        target = self.query_one(self.TYPE_AHEAD_INPUT, Input)
        # Selecting everything on focus would make the next typed key replace the query.
        target.select_on_focus = False
        self.set_focus(target)
        return target

    def on_key(self, event: events.Key) -> None:
        # An Input consumes the printable keys it receives, so one reaching the screen
        # either arrived before any input had focus or was typed on a table or a list
        # that has no use for it: either way the user meant it for the input.
        if not event.is_printable or not event.character:
            return
        focused = self.focused
        target = focused if isinstance(focused, Input) else self.focus_input()
        target.action_end()
        target.insert_text_at_cursor(event.character)
        event.stop()
        event.prevent_default()
