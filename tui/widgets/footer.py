"""The key footer, rebuilt only when the keys it shows change.

Textual's `Footer` recomposes (removes and mounts a dozen key widgets, then lays the
screen out again) whenever the screen's bindings *might* have changed: every focus
change, so every time a picker or the lookup closes. The main screen's keys are almost
always the same, and that rebuild was a large part of going back to the list after a
filter change.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    """A `Footer` that skips the rebuild when the shown keys are unchanged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[Any, ...] | None = None

    def _signature(self, screen: Screen[Any]) -> tuple[Any, ...]:
        app = self.app
        return tuple(
            (binding.key, app.get_key_display(binding), binding.action, binding.description, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show
        ) + (self.compact, self.show_command_palette)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if not (screen.app.app_focus and self.is_attached and screen is self.screen):
            super().bindings_changed(screen)
            return
        if screen.app.screen is not screen:
            return  # hidden under a dialog (its focus is parked): compare on the way back
        signature = self._signature(screen)
        if signature == self._shown and self._bindings_ready:
            return
        self._shown = signature
        super().bindings_changed(screen)
