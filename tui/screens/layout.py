"""The main screen's layout: list pane on the left, article and figures on the right.

Layout only: `MainScreen` (screens/main.py) adds the filters, the data flow and the
actions on top. The list pane's width is a percentage changed from the keyboard
(`<`/`>`, `-`/`+`).
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer

from ..widgets.article_list import ArticleList
from ..widgets.article_view import ArticleView
from ..widgets.filter_bar import FilterBar
from ..widgets.footer import SteadyFooter
from ..widgets.metrics_table import MetricsTable
from ..widgets.scrollbars import use_whole_cell_scrollbars
from ..widgets.search_bar import SearchBar

MIN_LIST_WIDTH = 20
MAX_LIST_WIDTH = 80


class MainLayout(Screen[None]):
    """Composes the panes and exposes them by role."""

    def __init__(self, *, list_width: int = 50) -> None:
        super().__init__()
        self._list_width = list_width

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            with Vertical(id="list-pane"):
                yield FilterBar(id="filter-bar")
                yield SearchBar(id="search-bar")
                yield ArticleList(id="article-list")
            with Vertical(id="right-pane"):
                yield ArticleView(id="article-view")
                yield MetricsTable(id="metrics")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.article_list.border_title = Text("Articles")
        self.article_view.border_title = Text("Article")
        self.metrics.border_title = Text("Figures")
        self.set_list_width(self._list_width)
        use_whole_cell_scrollbars(self.article_list, self.article_view, self.metrics)
        self.article_list.focus()
        self.start()

    def start(self) -> None:
        """Called once the panes exist: the main screen starts loading into them here."""

    def on_resize(self, event: events.Resize) -> None:
        # A compact footer keeps every key (up to "? Help" and "q Quit") on an 80-column line.
        self.query_one(Footer).compact = event.size.width < 110

    @property
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def article_view(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def metrics(self) -> MetricsTable:
        return self.query_one(MetricsTable)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one(SearchBar)

    @property
    def list_width(self) -> int:
        return self._list_width

    def set_list_width(self, percent: int) -> int:
        """Width of the list pane in percent of the screen, clamped; returns the new value."""
        self._list_width = max(MIN_LIST_WIDTH, min(MAX_LIST_WIDTH, percent))
        self.query_one("#list-pane").styles.width = f"{self._list_width}%"
        return self._list_width
