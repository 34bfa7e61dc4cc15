"""The tongket Textual app: owns the archive, the filters and every worker.

Widgets are small and stateless about the store: the app queries in thread workers, the
workers post messages (`tui.messages`) and the app hands results to the widgets. All
archive calls go through one lock, because the store (TinyDB underneath) is not safe
across threads. The one exception to "in a worker" is opening the highlighted article
(`_show_article`): ~0.3 ms, done on the UI thread when the lock is free so the detail is
drawn in the same frame as the list's cursor.
"""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path
from typing import Any, Callable, Sequence

from rich.text import Text
from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.widgets import Input

from tongket.store.record import ArticleMeta, FigureHit, LookupResult, StoredArticle
from tongket.store.lang.text import one_line

from .actions import app_bindings, blocked_while_typing
from .commands import ActionCommands
from .dialogs.correct import CorrectDialog
from .dialogs.export import ExportDialog
from .dialogs.lookup import FIRST_PAGE, LookupDialog
from .dialogs.metrics import metric_choices
from .dialogs.picker import Choice, Picked, PickerDialog, merged_members
from tongket.store.present.display import period_label
from .messages import (
    ArchiveChanged,
    ArchiveOpened,
    ArticleLoaded,
    ChoicesReady,
    CorrectionSaved,
    RowsReady,
    StoreFailed,
)
from .screens.help import HelpScreen
from .screens.main import MainScreen
from .state import Filters
from .widgets.article_list import ArticleList
from .widgets.article_view import ArticleView
from .widgets.metrics_table import MetricsTable
from .widgets.search_bar import SearchBar

UNKNOWN = "unknown"  # the store's UNKNOWN_PROVINCE; also accepted for year and period
EMPTY_ARCHIVE = "The archive is empty. Add articles with: tongket ingest FOLDER"
NO_MATCH = "No article matches these filters; Esc clears them."
NO_ARTICLE = "No article to show."


class TongketApp(App[None]):
    """Browse and question an archive of provincial-office review articles."""

    TITLE = "tongket"
    CSS_PATH = "app.tcss"
    BINDINGS = app_bindings()
    COMMANDS = App.COMMANDS | {ActionCommands}

    def __init__(
        self,
        store_path: str | Path | None = None,
        archive: Any | None = None,
        *,
        watch_interval: float | None = 3.0,
        export_folder: str | Path | None = None,
    ) -> None:
        """`archive`: an already-open `tongket.store.archive.archive.Archive` (tests pass one); otherwise
        the archive at `store_path` (None: the default location) is opened in a worker.
        `watch_interval`: seconds between checks for changes by other processes."""
        super().__init__()
        self.store_path = store_path
        self.archive = archive
        self.filters = Filters()
        self.total: int | None = None
        self.watch_interval = watch_interval
        self.export_folder = Path(export_folder) if export_folder is not None else None
        self.load_error: str | None = None
        self._lock = threading.Lock()
        self._generation = 0
        self._pending_figure: tuple[str, int] | None = None
        self._shown_meta: Any = None  # the list row whose article the detail pane shows
        self._detail_after_paint = False
        self._main = MainScreen()

    def get_default_screen(self) -> MainScreen:
        return self._main

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The main screen's keys are priority bindings (see `tui.actions`): refuse them
        while the user types into an input or a dialog is open, so the key reaches it."""
        if blocked_while_typing(action):
            if self.screen is not self._main or isinstance(self.focused, Input):
                return False
        return True

    # -- widgets ------------------------------------------------------------------------

    @property
    def main(self) -> MainScreen:
        return self._main

    @property
    def article_list(self) -> ArticleList:
        return self._main.article_list

    @property
    def article_view(self) -> ArticleView:
        return self._main.article_view

    @property
    def metrics(self) -> MetricsTable:
        return self._main.metrics

    # -- start-up -----------------------------------------------------------------------

    def on_main_screen_ready(self) -> None:
        self.article_list.highlight_hook = self._highlighted
        self.article_list.loading = True
        self.article_view.show_message("Opening the archive…")
        self._update_header(busy=True)
        if self.archive is None:
            self._open_archive()
        else:
            self._requery()
        if self.watch_interval:
            self.set_interval(self.watch_interval, self._poll_changes)

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open_archive(self) -> None:
        """Archive.open parses the whole store: seconds on a big archive, so off the UI thread."""
        from tongket.store.archive.archive import Archive

        try:
            archive = Archive.open(self.store_path)
        except Exception as exc:
            self.post_message(StoreFailed("open", str(exc)))
            return
        self.post_message(ArchiveOpened(archive))

    def on_archive_opened(self, message: ArchiveOpened) -> None:
        self.archive = message.archive
        self._requery()

    def on_store_failed(self, message: StoreFailed) -> None:
        text = one_line(message.message)
        if message.what == "open article":
            self._shown_meta = None  # so moving back to the row tries again
        if message.what == "open":
            self.load_error = text
            self.article_list.loading = False
            self.article_list.set_empty_message(Text(f"Cannot open the archive: {text}"))
            self.article_list.set_rows([])
            self.article_view.show_message(f"Cannot open the archive:\n\n{text}")
        self.notify(text, title=f"{message.what} failed", severity="error", markup=False)

    # -- the list -----------------------------------------------------------------------

    def _requery(self, *, keep_id: str | None = None, now: bool = False) -> None:
        """Re-run the list query for the current filters, keeping the cursor if possible.

        `now`: query on the UI thread when that is quick, i.e. no text filter (a province
        or year query is an index lookup, well under a millisecond) and no worker holding
        the store; otherwise in the query worker."""
        if self.archive is None:
            return
        self._generation += 1
        if keep_id is None and (current := self.article_list.current) is not None:
            keep_id = current.id
        if now and not self.filters.text and self._lock.acquire(blocking=False):
            try:
                rows = self.archive.query(**self.filters.query_kwargs())
                total = len(self.archive)
            except Exception as exc:
                self.post_message(StoreFailed("query", str(exc)))
                return
            finally:
                self._lock.release()
            keep_index = next((i for i, meta in enumerate(rows) if meta.id == keep_id), None) if keep_id else None
            self.on_rows_ready(RowsReady(self._generation, rows, total, keep_id, keep_index))
            return
        self._update_header(busy=True)
        self._run_query(self._generation, self.filters, keep_id)

    @work(thread=True, exclusive=True, group="query", exit_on_error=False)
    def _run_query(self, generation: int, filters: Filters, keep_id: str | None) -> None:
        try:
            with self._lock:
                rows = self.archive.query(**filters.query_kwargs())
                total = len(self.archive)
        except Exception as exc:
            self.post_message(StoreFailed("query", str(exc)))
            return
        # Found here, not on the UI thread: a scan of up to 100,000 rows.
        keep_index = next((i for i, meta in enumerate(rows) if meta.id == keep_id), None) if keep_id else None
        self.post_message(RowsReady(generation, rows, total, keep_id, keep_index))

    def on_rows_ready(self, message: RowsReady) -> None:
        if message.generation != self._generation:
            return  # answers filters the user has already changed
        self.total = message.total
        article_list = self.article_list
        article_list.loading = False
        if message.total == 0:
            article_list.set_empty_message(Text(EMPTY_ARCHIVE))
        else:
            article_list.set_empty_message(Text(NO_MATCH))
        self._detail_after_paint = True  # the list first: see on_article_list_highlighted
        article_list.set_rows(message.rows, keep_id=message.keep_id, keep_index=message.keep_index)
        if message.keep_id and self._pending_figure and self._pending_figure[0] == message.keep_id:
            if article_list.current is None or article_list.current.id != message.keep_id:
                self._load_article(message.keep_id, forced=True)
        self._update_header()

    def _update_header(self, *, busy: bool = False) -> None:
        shown = len(self.article_list.rows) if self.total is not None else None
        self._main.filter_bar.show_state(self.filters, shown, self.total, busy=busy)
        if self.total is not None:
            label = Text("Articles ")
            label.append(f"{shown}/{self.total}", style="dim")
            self.article_list.border_title = label

    def on_article_list_highlighted(self, message: ArticleList.Highlighted) -> None:
        self._highlighted(message.meta)  # usually already done through the list's hook

    def _highlighted(self, meta: ArticleMeta | None) -> None:
        """The list cursor is on `meta` (None: the list is empty): show its article."""
        after_paint, self._detail_after_paint = self._detail_after_paint, False
        if meta is None:
            text = EMPTY_ARCHIVE if not self.total else NO_MATCH
            if self.load_error:
                text = f"Cannot open the archive: {self.load_error}"
            self.article_view.show_message(text)
            self.metrics.show_figures((), message="No article selected.")
            self._shown_meta = None
            return
        if meta == self._shown_meta:
            return  # already shown or loading, or a re-query kept the cursor on this row
        self._shown_meta = meta
        if after_paint:
            # New rows (start, a filter change): paint the list before building the
            # article, so the detail pane's work does not hold back the list's frame.
            self.call_after_refresh(self._show_article, meta.id)
        else:
            self._show_article(meta.id)

    def _show_article(self, article_id: str) -> None:
        """Load and show an article, here if the store is free, else in a worker.

        `Archive.get` reads one small file (~0.3 ms): done here, the detail is drawn in
        the same frame as the list's cursor, where a worker's round trip would cost a
        frame (1/60 s) more. If a worker holds the store (a slow query or a reload),
        the worker path is taken so the UI never waits on the lock.
        """
        if self.archive is None or not self._lock.acquire(blocking=False):
            self._load_article(article_id)
            return
        try:
            stored = self.archive.get(article_id)
        except Exception as exc:
            self.post_message(StoreFailed("open article", str(exc)))
            return
        finally:
            self._lock.release()
        self.on_article_loaded(ArticleLoaded(stored))

    def on_article_list_opened(self, message: ArticleList.Opened) -> None:
        self.article_view.focus()

    # -- one article --------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def _load_article(self, article_id: str, forced: bool = False) -> None:
        try:
            with self._lock:
                stored = self.archive.get(article_id)
        except Exception as exc:
            self.post_message(StoreFailed("open article", str(exc)))
            return
        self.post_message(ArticleLoaded(stored, forced))

    def on_article_loaded(self, message: ArticleLoaded) -> None:
        stored = message.stored
        current = self.article_list.current
        if not message.forced and (current is None or current.id != stored.article.id):
            return  # the cursor moved on while this loaded
        figure_index = None
        if self._pending_figure and self._pending_figure[0] == stored.article.id:
            figure_index = self._pending_figure[1]
            self._pending_figure = None
        self.article_view.show(stored, figure_index=figure_index)
        self.metrics.show_figures(stored.article.figures)
        if figure_index is not None:
            self.metrics.select_figure(figure_index)
            self.article_view.focus()

    def on_metrics_table_figure_chosen(self, message: MetricsTable.FigureChosen) -> None:
        self.article_view.highlight_figure(message.index)

    # -- filters ------------------------------------------------------------------------

    def set_filters(self, filters: Filters, *, now: bool = False) -> None:
        """Replace the filters and re-query (the one way filters change); `now`: on this
        thread if that is quick (see `_requery`)."""
        text_changed = filters.text != self.filters.text
        self.filters = filters
        if text_changed:
            self.article_view.set_query(filters.text)
        self._requery(now=now)

    def action_clear_filters(self) -> None:
        bar = self._main.search_bar
        if bar.is_open:
            bar.value = ""
            bar.remove_class("-active")
            self.article_list.focus()
        if not self.filters.is_empty or self.filters.merged:
            self.set_filters(Filters())

    def action_search(self) -> None:
        bar = self._main.search_bar
        bar.value = self.filters.text
        bar.open()

    @on(Input.Changed, "#search-bar")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value.strip() != self.filters.text:
            self.set_filters(self.filters.with_(text=event.value.strip()))

    def on_search_bar_closed(self, message: SearchBar.Closed) -> None:
        if not message.keep and self.filters.text:
            self.set_filters(self.filters.with_(text=""))
        self.article_list.focus()

    def _step_match(self, step: int) -> None:
        if not self.filters.text:
            self.notify("No text filter: press / and type what to find.", markup=False)
            return
        if self.article_view.step_match(step) is None:
            self.notify("No match in this article.", markup=False)

    def action_next_match(self) -> None:
        self._step_match(1)

    def action_prev_match(self) -> None:
        self._step_match(-1)

    def action_province_filter(self) -> None:
        self._load_choices("province", self.filters)

    def action_year_filter(self) -> None:
        self._load_choices("year", self.filters)

    def action_period_filter(self) -> None:
        self._load_choices("period", self.filters)

    @work(thread=True, exclusive=True, group="choices", exit_on_error=False)
    def _load_choices(self, kind: str, filters: Filters) -> None:
        """Counts for a picker, with the other filters applied (not the one being chosen)."""
        if self.archive is None:
            return
        text = filters.text or None
        alternative = None
        try:
            with self._lock:
                if kind == "province":
                    counts = self.archive.province_counts(year=filters.year, period=filters.period, text=text)
                    merged = self.archive.province_counts(merged=True, year=filters.year, period=filters.period, text=text)
                    members = merged_members(p for p, _n in counts)
                    alternative = [
                        Choice(p or UNKNOWN, p or "unknown (no province found)", n, tuple(members.get(p, ())))
                        for p, n in merged
                    ]
                    choices = [Choice(p or UNKNOWN, p or "unknown (no province found)", n) for p, n in counts]
                elif kind == "year":
                    counts = self.archive.year_counts(
                        province=filters.province, period=filters.period, text=text, merged=filters.merged
                    )
                    choices = [Choice(y if y is not None else UNKNOWN, str(y) if y is not None else "unknown year", n) for y, n in counts]
                else:
                    counts = self.archive.period_counts(
                        province=filters.province, year=filters.year, text=text, merged=filters.merged
                    )
                    choices = [Choice(p or UNKNOWN, period_label(p) if p else "unknown period", n) for p, n in counts]
        except Exception as exc:
            self.post_message(StoreFailed("count", str(exc)))
            return
        self.post_message(ChoicesReady(kind, choices, alternative))

    def on_choices_ready(self, message: ChoicesReady) -> None:
        if self.screen is not self._main:
            return  # another dialog opened meanwhile
        kind = message.kind
        titles = {
            "province": "Province",
            "year": "Report year",
            "period": "Report period",
        }
        current = {"province": self.filters.province, "year": self.filters.year, "period": self.filters.period}[kind]
        dialog = PickerDialog(
            titles[kind],
            message.choices,
            current=current,
            alternative=message.alternative,
            alternative_title="Province — 2025 merged units",
            use_alternative=self.filters.merged,
            on_pick=lambda picked: self._apply_pick(kind, picked),
        )
        self.push_screen(dialog)

    def _apply_pick(self, kind: str, picked: Picked | None) -> None:
        """Called by the picker before it closes: the list is re-queried and refilled
        while still covered, so uncovering the main screen and drawing the new rows are
        one frame (not a full-screen frame of the old rows, then the list again)."""
        if picked is None:
            return
        if kind == "province":
            self.set_filters(self.filters.with_(province=picked.value, merged=bool(picked.value) and picked.merged), now=True)
        elif kind == "year":
            self.set_filters(self.filters.with_(year=picked.value), now=True)
        else:
            self.set_filters(self.filters.with_(period=picked.value), now=True)

    # -- lookup -------------------------------------------------------------------------

    def lookup_function(self) -> Callable[..., LookupResult]:
        """A search bound to the current filters, safe to call from the dialog's worker."""
        archive = self.archive
        kwargs = self.filters.lookup_kwargs()
        lock = self._lock

        def search(query: str, limit: int | None = None) -> LookupResult:
            with lock:
                return archive.lookup_counted(query, limit=limit, **kwargs)

        return search

    def details_function(self) -> Callable[[Sequence[FigureHit]], list[FigureHit]]:
        """Qualifier, kind, sentence and source of hits, read from their articles (worker-safe)."""
        archive, lock = self.archive, self._lock

        def details(hits: Sequence[FigureHit]) -> list[FigureHit]:
            with lock:
                return archive.with_details(hits)

        return details

    def action_lookup(self) -> None:
        if self.archive is None:
            self.notify("The archive is still opening.", markup=False)
            return
        scope = " · ".join(f"{k}: {v}" for k, v in self.filters.describe() if k != "text")
        dialog = LookupDialog(self.lookup_function(), details=self.details_function(), scope=scope,
                              merged_unit=self.archive.index.provinces.merged_unit,
                              catalogue=partial(metric_choices, self.archive), first_page=FIRST_PAGE)
        self.push_screen(dialog, self.open_hit)

    def open_hit(self, hit: FigureHit | None) -> None:
        """Show the hit's article with its figure highlighted and its metrics row selected."""
        if hit is None:
            return
        article_list = self.article_list
        current = article_list.current
        if current is not None and current.id == hit.article_id and self.article_view.stored is not None:
            if self.article_view.stored.article.id == hit.article_id:
                self.article_view.highlight_figure(hit.figure_index)
                self.metrics.select_figure(hit.figure_index)
                self.article_view.focus()
                return
        self._pending_figure = (hit.article_id, hit.figure_index)
        if article_list.select_id(hit.article_id):
            return  # Highlighted -> load -> the pending figure is applied
        # The lookup ignores the text filter: drop it so the article can be listed.
        if self.filters.text:
            self._main.search_bar.value = ""
            self.filters = self.filters.with_(text="")
            self.article_view.set_query("")
        self._requery(keep_id=hit.article_id)

    # -- export and corrections ---------------------------------------------------------

    def _selected_article(self) -> StoredArticle | None:
        stored = self.article_view.stored
        if stored is None:
            self.notify("Select an article first.", markup=False)
        return stored

    def action_export(self) -> None:
        stored = self._selected_article()
        if stored is None:
            return
        folder = self.export_folder or Path.cwd()

        def done(path: Path | None) -> None:
            if path is not None:
                self.notify(f"Exported to {path}", title="Export", markup=False)

        self.push_screen(ExportDialog(stored, folder=folder), done)

    def action_correct(self) -> None:
        stored = self._selected_article()
        if stored is None:
            return

        def done(changes: dict[str, Any] | None) -> None:
            if changes is None:
                return
            if not changes:
                self.notify("Nothing changed.", markup=False)
                return
            self._save_correction(stored.article.id, changes)

        self.push_screen(CorrectDialog(stored), done)

    @work(thread=True, exclusive=True, group="correct", exit_on_error=False)
    def _save_correction(self, article_id: str, changes: dict[str, Any]) -> None:
        try:
            with self._lock:
                stored = self.archive.correct(article_id, **changes)
        except Exception as exc:
            self.post_message(StoreFailed("correction", str(exc)))
            return
        self.post_message(CorrectionSaved(stored))

    def on_correction_saved(self, message: CorrectionSaved) -> None:
        self.notify("Correction saved.", markup=False)
        self._shown_meta = None  # reload the corrected article
        self._requery(keep_id=message.stored.article.id)

    # -- changes by other processes -----------------------------------------------------

    def _poll_changes(self) -> None:
        if self.archive is not None and not any(w.group == "poll" and w.is_running for w in self.workers):
            self._check_changes(False)

    def action_reload(self) -> None:
        if self.archive is not None:
            self._check_changes(True)

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _check_changes(self, manual: bool) -> None:
        try:
            with self._lock:
                changed = self.archive.reload_if_changed()
        except Exception as exc:
            self.post_message(StoreFailed("reload", str(exc)))
            return
        if changed or manual:
            self.post_message(ArchiveChanged(changed, manual))

    def on_archive_changed(self, message: ArchiveChanged) -> None:
        if message.changed:
            self.notify("The archive changed on disk; reloaded.", markup=False)
            self._shown_meta = None
            self._requery()
        elif message.manual:
            self.notify("The archive has not changed.", markup=False)

    # -- layout and help ----------------------------------------------------------------

    def action_widen_list(self) -> None:
        self._main.set_list_width(self._main.list_width + 5)

    def action_narrow_list(self) -> None:
        self._main.set_list_width(self._main.list_width - 5)

    def help_sections(self) -> list[tuple[str, list[Binding]]]:
        """Help text sections, straight from the bindings in use."""
        from .dialogs.lookup import LookupDialog as _Lookup
        from .dialogs.picker import PickerDialog as _Picker

        return [
            ("Main screen", list(self.BINDINGS)),
            ("Article list", list(ArticleList.BINDINGS)),
            ("Article", list(ArticleView.BINDINGS)),
            ("Figures table", list(MetricsTable.BINDINGS) + [Binding("enter", "", "Highlight the figure in the article")]),
            ("Text filter (/)", [Binding("enter", "", "Keep the filter and go back to the list")] + list(SearchBar.BINDINGS)),
            ("Filter pickers (p, y, t)", list(_Picker.BINDINGS)),
            ("Figure lookup (f)", list(_Lookup.BINDINGS)),
            ("Export (e)", list(ExportDialog.BINDINGS)),
            ("Corrections (c)", list(CorrectDialog.BINDINGS)),
        ]

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_sections()))


def run_app(store_path: str | None) -> None:
    """Entry point used by `tui.cli`: run the app on the archive at `store_path`."""
    TongketApp(store_path=store_path).run()
