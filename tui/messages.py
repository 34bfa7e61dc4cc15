"""Messages thread workers post to the app with their results.

Workers never touch widgets: they post one of these (posting is thread-safe and never
blocks, unlike `call_from_thread`, which could wait on a loop that is shutting down) and
the app applies the result on the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from tongket.store.record import ArticleMeta, StoredArticle


@dataclass
class ArchiveOpened(Message):
    archive: Any  # tongket.store.archive.archive.Archive


@dataclass
class StoreFailed(Message):
    """A store call failed; `what` says which one ("open", "query", "correct", ...)."""

    what: str
    message: str


@dataclass
class RowsReady(Message):
    """A list query finished. `generation` lets the app drop answers to stale filters."""

    generation: int
    rows: list[ArticleMeta]
    total: int
    keep_id: str | None
    keep_index: int | None = None  # where keep_id is in rows (found off the UI thread)


@dataclass
class ArticleLoaded(Message):
    stored: StoredArticle
    forced: bool = False  # show it even if the list cursor is elsewhere


@dataclass
class ChoicesReady(Message):
    """Counts for a filter picker: `alternative` is the merged-province grouping."""

    kind: str
    choices: list[Any]
    alternative: list[Any] | None = None


@dataclass
class CorrectionSaved(Message):
    stored: StoredArticle


@dataclass
class ArchiveChanged(Message):
    """The reload check ran: `changed` says whether the archive was reloaded."""

    changed: bool
    manual: bool = False
