"""The banner over the bundled sample archive: says whose articles these are, and how to
leave them for the user's own (empty) archive."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

# Short enough for an 80-column terminal: what this is, how to add yours, how to leave.
SAMPLE_NOTE = "Sample archive (read-only, not yours) · L: leave it · tongket ingest FOLDER adds yours"


class SampleBanner(Static):
    DEFAULT_CSS = """
    SampleBanner {
        dock: top;
        height: 1;
        background: $warning 30%;
        color: $text;
        text-style: bold;
        padding: 0 1;
    }
    """

    def __init__(self) -> None:
        super().__init__(Text(SAMPLE_NOTE), id="sample-banner")
