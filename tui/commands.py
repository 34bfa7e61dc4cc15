"""Command palette provider built from the action registry (`tui.actions`)."""

from __future__ import annotations

from functools import partial
from typing import Awaitable, Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .actions import ActionSpec, palette_actions


class ActionCommands(Provider):
    """Offers every registered action in ctrl+p, matched fuzzily on its label and help."""

    def _run(self, spec: ActionSpec) -> Callable[[], Awaitable[object]]:
        """The actions belong to the main screen: run on the screen the palette opened from."""
        return partial(self.screen.run_action, spec.action)

    async def discover(self) -> Hits:
        for spec in palette_actions():
            yield DiscoveryHit(spec.description, self._run(spec), help=spec.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for spec in palette_actions():
            score = max(matcher.match(spec.description), matcher.match(spec.help) * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(spec.description), self._run(spec), help=spec.help)
