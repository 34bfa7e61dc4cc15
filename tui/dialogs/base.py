"""The one base for tongket's dialogs: a framed box in the middle of the screen.

Every dialog composes its content inside `self.frame()` (or gives its own container the
`dialog-frame` class), so the border, the background and the padding are drawn the same
way everywhere, and styles its parts with the shared classes (`dialog-title`,
`dialog-error`, `dialog-hint`). A dialog sets only its frame's size, with a
`<DialogClass> > .dialog-frame` rule (a subclass's rule wins a tie with the base's).
Dialogs with an input build on `TypeAheadScreen`, so keys typed ahead land in it. Work a
dialog needs from the archive or the disk goes through the gateway it is given
(`tui.gateway`), which answers the dialog with a message.
"""

from __future__ import annotations

from typing import TypeVar

from textual.containers import Vertical
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    """A modal dialog in the house frame; `action_cancel` closes it with None."""

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > .dialog-frame {
        height: auto;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    Dialog .dialog-title { text-style: bold; }
    Dialog .dialog-error { color: $text-error; height: auto; }
    Dialog .dialog-hint { color: $text-muted; }
    """

    @staticmethod
    def frame() -> Vertical:
        """The dialog's box: compose the content inside it (`with self.frame(): ...`)."""
        return Vertical(classes="dialog-frame")

    def action_cancel(self) -> None:
        self.dismiss(None)
