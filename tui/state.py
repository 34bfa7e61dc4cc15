"""The filter state the app owns, as one immutable value.

Widgets never hold filters of their own: the app replaces its `Filters` and re-queries,
so the header line, the list and the lookup always agree on what is active.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from tongket.store.present.display import period_label


@dataclass(frozen=True, slots=True)
class Filters:
    """Active filters. `province` may be the store's UNKNOWN_PROVINCE ("unknown");
    `merged` means `province` names a 2025 merged unit that includes its old provinces."""

    province: str | None = None
    year: int | None = None
    period: str | None = None
    text: str = ""
    merged: bool = False

    @property
    def is_empty(self) -> bool:
        return self.province is None and self.year is None and self.period is None and not self.text

    def with_(self, **changes: Any) -> "Filters":
        return replace(self, **changes)

    def query_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `Archive.query`."""
        return {
            "province": self.province,
            "year": self.year,
            "period": self.period,
            "text": self.text or None,
            "merged": self.merged,
        }

    def lookup_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `Archive.lookup` (it takes no text filter)."""
        return {
            "province": self.province,
            "year": self.year,
            "period": self.period,
            "merged": self.merged,
        }

    def describe(self) -> list[tuple[str, str]]:
        """(label, value) pairs for the header line, in a fixed order."""
        parts: list[tuple[str, str]] = []
        if self.province is not None:
            parts.append(("province", self.province + (" (2025 unit)" if self.merged else "")))
        if self.year is not None:
            parts.append(("year", str(self.year)))
        if self.period is not None:
            parts.append(("period", period_label(self.period)))
        if self.text:
            parts.append(("text", f"“{self.text}”"))
        return parts
