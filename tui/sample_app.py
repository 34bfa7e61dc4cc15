"""The app over the bundled sample archive, kept apart from the user's own: the same app
with a banner and one key (L) that leaves the sample for the user's archive. A subclass, so
the main app carries no sample logic."""

from __future__ import annotations

from pathlib import Path

from textual.binding import Binding

from .app import TongketApp
from .widgets.sample_banner import SampleBanner

LEAVE_SAMPLE = "leave-sample"


class SampleApp(TongketApp):
    BINDINGS = [Binding("L", "leave_sample", "Leave the sample")]

    def on_mount(self) -> None:
        self.main.mount(SampleBanner())

    def action_leave_sample(self) -> None:
        self.exit(LEAVE_SAMPLE)  # type: ignore[arg-type]


def run_sample_app(sample_path: str | Path) -> object:
    """Run the app on the sample; LEAVE_SAMPLE when the user asked for their own archive."""
    return SampleApp(store_path=str(sample_path)).run()
