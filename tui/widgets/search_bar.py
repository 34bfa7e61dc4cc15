"""The `/` text filter input: hidden until asked for, live as you type.

It only reports what was typed (`Changed` comes from `Input`); the app owns the filter
and runs the query in a worker, so typing never waits on the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class SearchBar(Input):
    """Input for the live title/body filter; Enter keeps the filter, Escape drops it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Clear text filter", show=False, id="search.cancel"),
    ]

    DEFAULT_CSS = """
    SearchBar {
        display: none;
        height: 3;
        border: tall $accent;
    }
    SearchBar.-active {
        display: block;
    }
    """

    @dataclass
    class Closed(Message):
        """The bar closed: `keep` is False when the user pressed Escape."""

        search_bar: "SearchBar"
        keep: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="filter titles and bodies (accents optional)", id=id)

    def open(self) -> None:
        self.add_class("-active")
        # Focus now, not on the next idle (`Widget.focus`): keys typed right after "/"
        # are already queued and must reach the input, not the list's bindings.
        self.screen.set_focus(self)

    def close(self, *, keep: bool) -> None:
        self.remove_class("-active")
        self.post_message(self.Closed(self, keep))

    @property
    def is_open(self) -> bool:
        return self.has_class("-active")

    def action_cancel(self) -> None:
        self.value = ""
        self.close(keep=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.close(keep=True)
