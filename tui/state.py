"""The values the main screen and the gateway pass around: filters and picker choices.

Widgets never hold filters of their own: the main screen replaces its `Filters` and
re-queries, so the header line, the list and the lookup always agree on what is active.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable

from tongket.store.lang.provinces import load_provinces
from tongket.store.lang.text import fold
from tongket.store.present.display import period_label

UNKNOWN = "unknown"  # the store's UNKNOWN_PROVINCE; also accepted for year and period


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


@dataclass(frozen=True, slots=True)
class Choice:
    """One value a filter can take. `value` is what the store expects ("unknown" for
    articles without one); `label` is what the user reads."""

    value: Any
    label: str
    count: int
    also: tuple[str, ...] = ()  # other names it answers to (a merged unit's old provinces)

    def matches(self, needle: str) -> bool:
        """`needle` is folded: "kien giang" matches "Kiên Giang" and the merged "An Giang"."""
        return any(needle in " ".join(fold(name).split()) for name in (self.label, *self.also))


@dataclass(frozen=True, slots=True)
class Picked:
    """A picker's result: `value` None clears the filter; `merged` says which list it came from."""

    value: Any
    merged: bool = False


def merged_members(provinces: Iterable[str | None]) -> dict[str, list[str]]:
    """2025 merged unit -> the archive's old provinces inside it (An Giang -> An Giang,
    Kiên Giang), so the merged picker can show and match the old names. Names the
    catalogue does not know (a correction can hold any text) belong to no unit."""
    table = load_provinces()
    members: dict[str, list[str]] = {}
    for name in provinces:
        if not name or table.get(name) is None:
            continue
        members.setdefault(table.merged_unit(name), []).append(name)
    return {unit: sorted(names) for unit, names in members.items()}
