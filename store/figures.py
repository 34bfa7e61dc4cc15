"""Find every quantity an article reports (stub: replaced by the figure reader)."""

from __future__ import annotations

from .record import Figure


def extract_figures(body: str) -> tuple[list[Figure], list[str]]:
    """Return the figures found in `body` (spans index into `body`) and warnings."""
    return [], []
