"""Messages the gateway's thread workers post with their results (`tui.gateway`).

Workers never touch widgets: they post one of these (posting is thread-safe and never
blocks, unlike `call_from_thread`, which could wait on a loop that is shutting down) and
the node that asked (the main screen, a dialog) applies the result on the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message

from tongket.store.record import ArticleMeta, FigureHit, StoredArticle

from .state import Choice


@dataclass
class ArchiveOpened(Message):
    """The gateway has an open archive: queries may start. `problems`: what reading met
    and dealt with (`Archive.problems`: a damaged snapshot rebuilt, corrections set aside)."""

    problems: tuple[str, ...] = ()


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
    choices: list[Choice]
    alternative: list[Choice] | None = None


@dataclass
class CorrectionSaved(Message):
    stored: StoredArticle


@dataclass
class ArticleRemoved(Message):
    article_id: str


@dataclass
class ArchiveChanged(Message):
    """The reload check ran: `changed` says whether the archive was reloaded."""

    changed: bool
    manual: bool = False
    problems: tuple[str, ...] = ()  # as in ArchiveOpened, after the reload


@dataclass
class ExportDone(Message):
    """An export finished: `path` is the file written, or None and `error` says why not."""

    path: Path | None
    error: str | None = None


@dataclass
class FiguresFound(Message):
    """A figure lookup finished: the hits for `query`, best first."""

    query: str
    hits: list[FigureHit]
