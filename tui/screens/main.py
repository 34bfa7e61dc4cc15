"""The main screen: owns the filters, the list-to-article flow and every action of its keys.

The panes come from `MainLayout`; the archive is reached only through the gateway
(`tui.gateway`), whose thread workers answer this screen with messages
(`tui.messages`). The flow: a filter change asks for rows (`RowsReady`), the list's
cursor announces the article under it once (`ArticleList.cursor_listener`), that article is
taken from the gateway's cache of what its workers read ahead, or loaded
(`ArticleLoaded`), and shown with its figures. Answers to filters or rows the user
has already left are dropped (`generation`, the cursor check), so a slow worker never
shows stale results.
"""

from __future__ import annotations

from functools import partial

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.binding import BindingType
from textual.widgets import Input

from tongket.store.lang.text import one_line
from tongket.store.record import ArticleMeta, FigureHit, StoredArticle

from ..actions import blocked_while_typing, main_bindings
from ..dialogs.lookup import FIRST_PAGE, LookupDialog
from ..dialogs.metrics import metric_choices
from ..dialogs.picker import PickerDialog
from ..gateway import ArchiveGateway
from ..messages import (
    ArchiveChanged,
    ArchiveOpened,
    ArticleLoaded,
    ChoicesReady,
    RowsReady,
    StoreFailed,
)
from ..state import Filters, Picked
from ..widgets.article_list import ArticleList
from ..widgets.metrics_table import MetricsTable
from ..widgets.search_bar import SearchBar
from .help import HelpScreen, help_sections
from .article_actions import ArticleActions

EMPTY_ARCHIVE = "The archive is empty. Add articles with: tongket ingest FOLDER"
NO_MATCH = "No article matches these filters; Esc clears them."
PICKER_TITLES = {"province": "Province", "year": "Report year", "period": "Report period"}


class MainScreen(ArticleActions):
    """Browse the archive: filters, the list, the article and its figures."""

    BINDINGS: ClassVar[list[BindingType]] = list(main_bindings())

    def __init__(self, gateway: ArchiveGateway, *, watch_interval: float | None = 3.0,
                 export_folder: Path | None = None) -> None:
        """`watch_interval`: seconds between checks for changes by other processes (None: never)."""
        super().__init__()
        self.gateway = gateway
        self.watch_interval = watch_interval
        self.export_folder = export_folder
        self.filters = Filters()
        self.total: int | None = None
        self.load_error: str | None = None
        self.problems: tuple[str, ...] = ()  # what reading the archive met (Archive.problems)
        self._generation = 0
        self._pending_figure: tuple[str, int] | None = None
        self._shown_meta: ArticleMeta | None = None  # the row whose article the detail pane shows
        self._waiting_picker: tuple[PickerDialog, Picked] | None = None  # a picker waiting for its rows
        self._detail_after_paint = False  # new rows: the list's frame goes out before the detail is built

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The screen's keys are priority bindings (see `tui.actions`): refuse them while
        the user types into an input, so the key reaches it."""
        if blocked_while_typing(action) and isinstance(self.focused, Input):
            return False
        return True

    # -- start-up and failures ----------------------------------------------------------

    def start(self) -> None:
        self.article_list.cursor_listener = self._cursor_moved
        self.article_list.loading = not self.gateway.is_open  # opening takes seconds on a big archive
        self.article_view.show_message("Opening the archive…")
        self._update_header(busy=True)
        self.gateway.open(self)
        if self.watch_interval:
            self.set_interval(self.watch_interval, lambda: self.gateway.check_changes(False, self))

    def on_archive_opened(self, message: ArchiveOpened) -> None:
        self._show_problems(message.problems)
        self._requery()

    def _show_problems(self, problems: tuple[str, ...]) -> None:
        """Say once what reading met (a damaged snapshot rebuilt, corrections set aside);
        the list's title keeps a `!` and the help page (?) lists every line."""
        new = [p for p in problems if p not in self.problems]
        self.problems = problems
        if new:
            shown = "\n".join(one_line(p) for p in new[:3])
            more = f"\n…and {len(new) - 3} more" if len(new) > 3 else ""
            self.notify(f"{shown}{more}\n(? lists them)", title="Reading the archive", severity="warning",
                        markup=False, timeout=12)
        self._update_header()

    def on_store_failed(self, message: StoreFailed) -> None:
        self._close_picker()
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

    def _requery(self, *, keep_id: str | None = None) -> None:
        """Ask for the rows of the current filters, keeping the cursor's article if listed."""
        if not self.gateway.is_open:
            return
        self._generation += 1
        if keep_id is None and (current := self.article_list.current) is not None:
            keep_id = current.id
        if self._waiting_picker is None:  # a picker covering the list closes when the rows are in
            self._update_header(busy=True)
        self.gateway.query(self._generation, self.filters, keep_id, self)

    def on_rows_ready(self, message: RowsReady) -> None:
        if message.generation != self._generation:
            return  # answers filters the user has already changed
        # The picker first: a widget of this screen changed while a dialog still covers it
        # is drawn by a frame of its own, and the frame that uncovers the new rows then
        # waits for the screen's next update slot (up to two frames at 60 fps).
        self._close_picker()
        self.total = message.total
        article_list = self.article_list
        if article_list.loading:
            article_list.loading = False
            if self.focused is None or (self.focused is self.search_bar and not self.search_bar.is_open):
                article_list.focus()  # a loading widget gives its focus away
        article_list.set_empty_message(Text(EMPTY_ARCHIVE if message.total == 0 else NO_MATCH))
        self._detail_after_paint = True  # see _cursor_moved
        article_list.set_rows(message.rows, keep_id=message.keep_id, keep_index=message.keep_index)
        if message.keep_id and self._pending_figure and self._pending_figure[0] == message.keep_id:
            if article_list.current is None or article_list.current.id != message.keep_id:
                self.gateway.load_article(message.keep_id, self, forced=True)
        self._update_header()

    def _update_header(self, *, busy: bool = False) -> None:
        shown = len(self.article_list.rows) if self.total is not None else None
        self.filter_bar.show_state(self.filters, shown, self.total, busy=busy)
        if self.total is not None:
            label = Text("Articles ")
            label.append(f"{shown}/{self.total}", style="dim")
            if order := self.article_list.sort_label:
                label.append(f" · {order}", style="dim")
            if self.problems:
                label.append(f" ! {len(self.problems)} (?)", style="bold yellow")
            self.article_list.border_title = label

    def _cursor_moved(self, meta: ArticleMeta | None) -> None:
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
        around = self._rows_around()
        stored = self.gateway.cached(meta.id)
        if stored is None:
            self.gateway.load_article(meta.id, self, around=around)
        elif after_paint:
            # New rows (a filter change, the start): the frame that shows them (and
            # uncovers the list, when a picker closes) goes out first; building the
            # article view and its figures table in it would hold it back ~10 ms.
            self.call_after_refresh(self._show_cached, stored, around)
        else:
            self._show_cached(stored, around)

    def _show_cached(self, stored: StoredArticle, around: list[str]) -> None:
        """An article read ahead by a worker, shown at once (in the same frame as the cursor,
        on a cursor move). The next rows are read once that frame is drawn: a worker
        reading them meanwhile holds the interpreter for milliseconds at a time (the GIL)
        while the frame is composed."""
        self.on_article_loaded(ArticleLoaded(stored))  # dropped if the cursor has moved on
        self.call_after_refresh(self.gateway.read_ahead, around, self)

    def _rows_around(self) -> list[str]:
        """Ids of the rows the next cursor moves reach (four below, two above): read in one
        worker, so holding `j` starts a worker every few rows, not on every one."""
        rows, cursor = self.article_list.rows, self.article_list.cursor
        return [rows[cursor + step].id for step in (1, 2, 3, 4, -1, -2) if 0 <= cursor + step < len(rows)]

    def on_article_list_opened(self, message: ArticleList.Opened) -> None:
        self.article_view.focus()

    def on_article_list_sorted(self, message: ArticleList.Sorted) -> None:
        self._update_header()

    # -- one article --------------------------------------------------------------------

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

    def set_filters(self, filters: Filters) -> None:
        """Replace the filters and re-query (the one way filters change)."""
        text_changed = filters.text != self.filters.text
        self.filters = filters
        if text_changed:
            self.article_view.set_query(filters.text)
        self._requery()

    def action_clear_filters(self) -> None:
        bar = self.search_bar
        if bar.is_open:
            bar.value = ""
            bar.remove_class("-active")
            self.article_list.focus()
        if not self.filters.is_empty or self.filters.merged:
            self.set_filters(Filters())

    def action_search(self) -> None:
        bar = self.search_bar
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
        self.gateway.load_choices("province", self.filters, self)

    def action_year_filter(self) -> None:
        self.gateway.load_choices("year", self.filters, self)

    def action_period_filter(self) -> None:
        self.gateway.load_choices("period", self.filters, self)

    def on_choices_ready(self, message: ChoicesReady) -> None:
        if self.app.screen is not self:
            return  # another dialog opened meanwhile
        kind = message.kind
        current = {"province": self.filters.province, "year": self.filters.year, "period": self.filters.period}[kind]
        dialog = PickerDialog(
            PICKER_TITLES[kind],
            message.choices,
            current=current,
            alternative=message.alternative,
            alternative_title="Province — 2025 merged units",
            use_alternative=self.filters.merged,
            on_pick=lambda picked: self._apply_pick(dialog, kind, picked),
        )
        self.app.push_screen(dialog)

    def _apply_pick(self, dialog: PickerDialog, kind: str, picked: Picked) -> bool:
        """Called by the picker on Enter: the new rows are asked for while the list is still
        covered, and the picker closes when they are in (`_close_picker`), so uncovering
        the list and drawing its new rows are one frame."""
        if kind == "province":
            filters = self.filters.with_(province=picked.value, merged=bool(picked.value) and picked.merged)
        elif kind == "year":
            filters = self.filters.with_(year=picked.value)
        else:
            filters = self.filters.with_(period=picked.value)
        self._waiting_picker = (dialog, picked)
        self.set_filters(filters)
        if not self.gateway.is_open:
            self._close_picker()
        return True

    def _close_picker(self) -> None:
        if self._waiting_picker is not None:
            dialog, picked = self._waiting_picker
            self._waiting_picker = None
            dialog.close(picked)

    # -- lookup -------------------------------------------------------------------------

    def action_lookup(self) -> None:
        if not self.gateway.is_open:
            self.notify("The archive is still opening.", markup=False)
            return
        scope = " · ".join(f"{k}: {v}" for k, v in self.filters.describe() if k != "text")
        gateway = self.gateway
        dialog = LookupDialog(gateway.lookup_function(self.filters), measure=gateway.measure_function(self.filters),
                              details=gateway.details_function(), scope=scope, merged_unit=gateway.merged_unit,
                              catalogue=partial(metric_choices, gateway.catalogue_function()), first_page=FIRST_PAGE,
                              folder=self.export_folder)
        self.app.push_screen(dialog, self.open_hit)

    def open_hit(self, hit: FigureHit | None) -> None:
        """Show the hit's article with its figure highlighted and its metrics row selected."""
        if hit is None:
            return
        article_list = self.article_list
        current = article_list.current
        shown = self.article_view.stored
        if current is not None and current.id == hit.article_id and shown is not None and shown.article.id == hit.article_id:
            self.article_view.highlight_figure(hit.figure_index)
            self.metrics.select_figure(hit.figure_index)
            self.article_view.focus()
            return
        self._pending_figure = (hit.article_id, hit.figure_index)
        if article_list.select_id(hit.article_id):
            return  # cursor moved -> load -> the pending figure is applied
        # The lookup ignores the text filter: drop it so the article can be listed.
        if self.filters.text:
            self.search_bar.value = ""
            self.filters = self.filters.with_(text="")
            self.article_view.set_query("")
        self._requery(keep_id=hit.article_id)

    # -- changes by other processes -----------------------------------------------------

    def action_reload(self) -> None:
        self.gateway.check_changes(True, self)

    def on_archive_changed(self, message: ArchiveChanged) -> None:
        self._show_problems(message.problems)
        if message.changed:
            self.notify("The archive changed on disk; reloaded.", markup=False)
            self._shown_meta = None
            self._requery()
        elif message.manual:
            self.notify("The archive has not changed.", markup=False)

    # -- layout, help, quit -------------------------------------------------------------

    def action_widen_list(self) -> None:
        self.set_list_width(self.list_width + 5)

    def action_narrow_list(self) -> None:
        self.set_list_width(self.list_width - 5)

    def action_help(self) -> None:
        if not isinstance(self.app.screen, HelpScreen):
            self.app.push_screen(HelpScreen(help_sections(self.BINDINGS), problems=self.problems))

    def action_quit(self) -> None:
        self.app.exit()
