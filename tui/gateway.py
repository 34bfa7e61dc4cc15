"""The app's one way to the archive and the disk (harlequin's rule: all I/O in workers).

Every call starts a Textual thread worker (so `app.workers` sees it and tests can wait
for it) that runs one store call and posts its answer as a message (`tui.messages`) to
the node that asked; widgets are never touched from a worker. The store (TinyDB
underneath) is not safe across threads, so the workers take turns on one lock, which
lives here and nowhere else. Failures the store reports (`TongketError`, `OSError`)
come back as `StoreFailed`; anything else fails the worker and reaches the app's
top-level handler (`TongketApp.on_worker_state_changed`).

Articles the workers have read are kept in a small cache (`cached`), and each load also
reads the rows around it, as a query reads the row its cursor lands on: the article
under a moving cursor is then usually in memory, and the screen draws it in the same
frame as the cursor, without a worker round trip (a frame or more on a busy machine).
The cache is emptied whenever the archive changes (a correction, a reload).

The store's public API, as far as the app is concerned: `Archive` (opened only here),
`tongket.store.record`, `tongket.store.errors`, `tongket.store.present`; see the
import contracts in pyproject.toml.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Sequence

from textual.app import App
from textual.message_pump import MessagePump

from tongket.store.archive.archive import Archive
from tongket.store.errors import TongketError
from tongket.store.present.display import period_label
from tongket.store.present.export import write_markdown
from tongket.store.present.pivot import Columns
from tongket.store.record import ArticleMeta, FigureHit, LookupResult, StoredArticle

from .messages import (
    ArchiveChanged,
    ArchiveOpened,
    ArticleLoaded,
    ChoicesReady,
    ArticleRemoved,
    CorrectionSaved,
    ExportDone,
    FiguresFound,
    RowsReady,
    StoreFailed,
)
from .state import UNKNOWN, Choice, Filters, merged_members

STORE_ERRORS = (TongketError, OSError)  # what the store reports as a message for the user
CACHED_ARTICLES = 256  # about 2 MB of article text


class ArchiveGateway:
    """Runs store calls in thread workers of `app`; each answer goes to the node that
    asked (`reply_to`: the main screen, a dialog)."""

    def __init__(self, app: App[Any], store_path: str | Path | None = None, archive: Archive | None = None) -> None:
        self._app = app
        self._store_path = store_path
        self._archive = archive
        self._lock = threading.Lock()  # the store's: workers take turns
        self._cache: OrderedDict[str, StoredArticle] = OrderedDict()
        self._cache_lock = threading.Lock()  # held for dictionary steps only, never across a store call
        self._fresh = False  # the archive was (re)loaded and has not been queried since

    @property
    def is_open(self) -> bool:
        return self._archive is not None

    def _start(self, group: str, work: Callable[[], None]) -> None:
        """One worker per group at a time: a newer request cancels the older one."""
        self._app.run_worker(work, name=group, group=group, thread=True, exclusive=True, exit_on_error=False)

    def _call(self, what: str, reply_to: MessagePump, call: Callable[[Archive], Any]) -> tuple[bool, Any]:
        """Run `call(archive)` under the lock; a store failure is posted as `StoreFailed`."""
        archive = self._archive
        if archive is None:
            return False, None
        try:
            with self._lock:
                return True, call(archive)
        except STORE_ERRORS as exc:
            reply_to.post_message(StoreFailed(what, str(exc)))
            return False, None

    # -- opening and watching -----------------------------------------------------------

    def open(self, reply_to: MessagePump) -> None:
        """Open the archive (seconds on a big one), or use the one given; posts `ArchiveOpened`."""

        def work() -> None:
            if self._archive is None:
                try:
                    self._archive = Archive.open(self._store_path)
                except STORE_ERRORS as exc:
                    reply_to.post_message(StoreFailed("open", str(exc)))
                    return
            self._fresh = True
            reply_to.post_message(ArchiveOpened(self._problems()))

        self._start("open", work)

    def check_changes(self, manual: bool, reply_to: MessagePump) -> None:
        """Reload if another process changed the archive; posts `ArchiveChanged` when it
        did, or always when the user asked (`manual`)."""

        def work() -> None:
            done, changed = self._call("reload", reply_to, lambda archive: archive.reload_if_changed())
            if done and changed:
                self._forget_all()
                self._fresh = True
            if done and (changed or manual):
                reply_to.post_message(ArchiveChanged(changed, manual, self._problems()))

        if self.is_open and (manual or not self.busy("poll")):
            self._start("poll", work)

    def _problems(self) -> tuple[str, ...]:
        """What reading the archive met and dealt with (read from memory, no store call)."""
        with self._lock:
            return tuple(self._archive.problems) if self._archive is not None else ()

    def cached(self, article_id: str) -> StoredArticle | None:
        """An article a worker has already read, if it is still cached (UI thread: no store call)."""
        with self._cache_lock:
            stored = self._cache.get(article_id)
            if stored is not None:
                self._cache.move_to_end(article_id)
            return stored

    def _remember(self, stored: StoredArticle) -> None:
        with self._cache_lock:
            self._cache[stored.article.id] = stored
            self._cache.move_to_end(stored.article.id)
            while len(self._cache) > CACHED_ARTICLES:
                self._cache.popitem(last=False)

    def _forget_all(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def _read_ahead(self, archive: Archive, article_ids: list[str]) -> None:
        """Read these articles into the cache (under the store lock, which the caller holds)."""
        for article_id in article_ids:
            if self.cached(article_id) is None:
                self._remember(archive.get(article_id))

    def busy(self, group: str) -> bool:
        return any(worker.group == group and worker.is_running for worker in self._app.workers)

    # -- reading ------------------------------------------------------------------------

    def query(self, generation: int, filters: Filters, keep_id: str | None, reply_to: MessagePump) -> None:
        """The list for `filters`; posts `RowsReady` with where `keep_id` landed, once the
        article the cursor will land on is cached."""

        def read(archive: Archive) -> tuple[list[ArticleMeta], int, int | None]:
            rows = archive.query(**filters.query_kwargs())
            if self._fresh:
                # What a load and its first query made (the list rows: 100k objects at 100k
                # articles) lives as long as the archive: kept out of the cyclic collector's
                # full collections, which walked it all (~25 ms at 100k) in whatever frame
                # was being drawn.
                self._fresh = False
                gc.freeze()
            # Found here, not on the UI thread: a scan of up to 100,000 rows.
            keep_index = next((i for i, meta in enumerate(rows) if meta.id == keep_id), None) if keep_id else None
            if rows:
                self._read_ahead(archive, [rows[keep_index or 0].id])
            return rows, len(archive), keep_index

        def work() -> None:
            done, answer = self._call("query", reply_to, read)
            if done:
                rows, total, keep_index = answer
                reply_to.post_message(RowsReady(generation, rows, total, keep_id, keep_index))

        self._start("query", work)

    def load_article(self, article_id: str, reply_to: MessagePump, *, forced: bool = False,
                     around: list[str] | None = None) -> None:
        """One article with its figures and text; posts `ArticleLoaded`, then reads the
        articles `around` it (the neighbouring rows) into the cache."""

        def work() -> None:
            done, stored = self._call("open article", reply_to, lambda archive: archive.get(article_id))
            if not done:
                return
            self._remember(stored)
            reply_to.post_message(ArticleLoaded(stored, forced))
            if around:
                self._call("open article", reply_to, lambda archive: self._read_ahead(archive, around))

        self._start("article", work)

    def read_ahead(self, article_ids: list[str], reply_to: MessagePump) -> None:
        """Read these articles into the cache (the rows around the cursor); no worker
        starts when all of them are cached already."""
        with self._cache_lock:
            missing = [article_id for article_id in article_ids if article_id not in self._cache]

        def work() -> None:
            self._call("open article", reply_to, lambda archive: self._read_ahead(archive, missing))

        if self.is_open and missing:
            self._start("read ahead", work)

    def load_choices(self, kind: str, filters: Filters, reply_to: MessagePump) -> None:
        """Counts for a filter picker ("province", "year" or "period"), with the other
        filters applied (not the one being chosen); posts `ChoicesReady`."""

        def work() -> None:
            done, answer = self._call("count", reply_to, lambda archive: _choices(archive, kind, filters))
            if done:
                choices, alternative = answer
                reply_to.post_message(ChoicesReady(kind, choices, alternative))

        self._start("choices", work)

    def lookup(self, query: str, filters: Filters, reply_to: MessagePump) -> None:
        """Figures matching `query` within `filters`, best first; posts `FiguresFound`.
        A newer lookup cancels an older one (one worker group), and the answer names its
        query, so a dialog can drop answers to what the user has already typed past."""

        def work() -> None:
            done, hits = self._call("lookup", reply_to, lambda a: a.lookup(query, **filters.lookup_kwargs()))
            if done:
                reply_to.post_message(FiguresFound(query, hits))

        self._start("lookup", work)

    def lookup_function(self, filters: Filters) -> Callable[..., LookupResult]:
        """A counted figure search bound to `filters`, for the lookup dialog's own workers
        (never the UI thread); store failures raise, the dialog shows them. `stop`: a count
        that gives way (`ArchiveIndex.lookup_counted`), so the store lock is let go soon."""
        archive, lock, kwargs = self._archive, self._lock, filters.lookup_kwargs()

        def search(query: str, limit: int | None = None, count: bool = True,
                   stop: Callable[[], bool] | None = None) -> LookupResult:
            if archive is None:
                return LookupResult((), 0, 0)
            with lock:
                return archive.lookup_counted(query, limit=limit, lazy=True, count=count, stop=stop, **kwargs)

        return search

    def measure_function(self, filters: Filters) -> Callable[[str, str | None, bool, str], LookupResult | Columns]:
        """The matches of one measure bound to `filters` (`ArchiveIndex.measure_hits`), for
        the pivot's worker (preferring a measure with figures in the table shown); store
        failures raise, the dialog shows them."""
        archive, lock, kwargs = self._archive, self._lock, filters.lookup_kwargs()

        def measure(query: str, name: str | None, by_label: bool, table_period: str) -> LookupResult | Columns:
            if archive is None:
                return LookupResult((), 0, 0)
            with lock:
                return archive.index.measure_figures(query, measure=name, by_label=by_label,
                                                     table_period=table_period, **kwargs)

        return measure

    def details_function(self) -> Callable[[Sequence[FigureHit]], list[FigureHit]]:
        """Sentence, change and source of hits, read from their articles (for workers): the
        few sources of one pivot cell, an export of results."""
        archive, lock = self._archive, self._lock

        def details(hits: Sequence[FigureHit]) -> list[FigureHit]:
            if archive is None:
                return list(hits)
            with lock:
                return archive.with_details(hits)

        return details

    def catalogue_function(self) -> Callable[[], tuple[dict[str, tuple[int, int]], list[tuple[str, int]]]]:
        """The metric catalogue's counts and the frequent unmatched labels (for workers)."""
        archive, lock = self._archive, self._lock

        def catalogue() -> tuple[dict[str, tuple[int, int]], list[tuple[str, int]]]:
            if archive is None:
                return {}, []
            with lock:
                return archive.index.metric_counts(), archive.index.unmatched_labels(50)

        return catalogue

    def merged_unit(self, province: str) -> str:
        """The 2025 merged unit a province belongs to (a lookup in data already in memory)."""
        return province if self._archive is None else self._archive.index.provinces.merged_unit(province)

    # -- writing ------------------------------------------------------------------------

    def correct(self, article_id: str, changes: dict[str, Any], reply_to: MessagePump) -> None:
        """Save a correction; posts `CorrectionSaved`."""

        def work() -> None:
            done, stored = self._call("correction", reply_to, lambda archive: archive.correct(article_id, **changes))
            if done:
                self._forget_all()
                reply_to.post_message(CorrectionSaved(stored))

        self._start("correct", work)

    def remove(self, article_id: str, reply_to: MessagePump) -> None:
        """Take an article out of the archive (re-ingesting its file brings it back); posts
        `ArticleRemoved`."""

        def work() -> None:
            done, _ = self._call("remove", reply_to, lambda archive: archive.remove([article_id]))
            if done:
                self._forget_all()
                reply_to.post_message(ArticleRemoved(article_id))

        self._start("remove", work)

    def export(self, stored: StoredArticle, path: Path, *, force: bool, base: Path, reply_to: MessagePump) -> None:
        """Write the article as Markdown (never over a file unless `force`); posts
        `ExportDone` with the path written or the reason it was not."""

        def work() -> None:
            try:
                written = write_markdown(stored, path, force=force, base=base)
            except STORE_ERRORS as exc:
                reply_to.post_message(ExportDone(None, str(exc)))
                return
            reply_to.post_message(ExportDone(written))

        self._start("export", work)


def _choices(archive: Archive, kind: str, filters: Filters) -> tuple[list[Choice], list[Choice] | None]:
    text = filters.text or None
    if kind == "province":
        counts = archive.province_counts(year=filters.year, period=filters.period, text=text)
        merged = archive.province_counts(merged=True, year=filters.year, period=filters.period, text=text)
        members = merged_members(p for p, _n in counts)
        alternative = [
            Choice(p or UNKNOWN, p or "unknown (no province found)", n, tuple(members.get(p or "", ()))) for p, n in merged
        ]
        return [Choice(p or UNKNOWN, p or "unknown (no province found)", n) for p, n in counts], alternative
    if kind == "year":
        years = archive.year_counts(province=filters.province, period=filters.period, text=text, merged=filters.merged)
        return [Choice(y if y is not None else UNKNOWN, str(y) if y is not None else "unknown year", n) for y, n in years], None
    periods = archive.period_counts(province=filters.province, year=filters.year, text=text, merged=filters.merged)
    return [Choice(p or UNKNOWN, period_label(p) if p else "unknown period", n) for p, n in periods], None
