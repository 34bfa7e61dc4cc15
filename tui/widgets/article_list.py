"""The article list: a virtual list that draws only the rows on screen.

`DataTable.add_rows` costs 6–13 s at 100,000 rows and `ListView` mounts a widget per row,
so the list is a `ScrollView` whose `render_line` formats just the visible rows from a
plain Python list (as toolong's LogLines does). Refilling it is an O(1) assignment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from tongket.store.record import ArticleMeta
from tongket.store.lang.text import one_line

from tongket.store.present.collate import vn_sort_key
from tongket.store.present.display import list_date, year_period
from .row_view import RowView
from ..compat import set_virtual_size_quietly

PROVINCE_WIDTH = 14
REPORT_WIDTH = 9
DATE_WIDTH = 10


SORT_KEYS = ("date", "province", "year", "figures")


def sort_rows(rows: list[ArticleMeta], key: str, reverse: bool = False) -> list[ArticleMeta]:
    """Rows in a chosen order; ties keep the archive's (newest first). "date" is the
    archive's own order, so it costs nothing; province is dictionary order, year newest
    first, figures most first; `reverse` turns each round."""
    if key == "date":
        return rows[::-1] if reverse else rows
    if key == "province":
        return sorted(rows, key=lambda m: vn_sort_key(m.province), reverse=reverse)
    if key == "year":
        return sorted(rows, key=lambda m: m.report_year or 0, reverse=not reverse)
    return sorted(rows, key=lambda m: m.n_figures, reverse=not reverse)


class ArticleList(RowView, can_focus=True):
    """One row per article: province, report year and period, publish date (else the
    event date, in italics), title."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g,home", "first", "First article", show=False, id="list.first"),
        Binding("G,end", "last", "Last article", show=False, id="list.last"),
        Binding("pagedown,ctrl+f,space", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("enter", "open", "Read article", show=False, id="list.open"),
        Binding("s", "cycle_sort", "Sort: date, province, year, figures", show=False, id="list.sort"),
        Binding("S", "reverse_sort", "Reverse the order", show=False, id="list.reverse"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-list--cursor",
        "article-list--province",
        "article-list--report",
        "article-list--date",
        "article-list--corrected",
        "article-list--empty",
    }

    DEFAULT_CSS = """
    ArticleList {
        background: $surface;
        overflow-x: hidden;
    }
    ArticleList > .article-list--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    ArticleList:focus > .article-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    ArticleList > .article-list--province { color: $text-accent; }
    ArticleList > .article-list--report { color: $text-secondary; }
    ArticleList > .article-list--date { color: $text-muted; }
    ArticleList > .article-list--corrected { color: $text-warning; }
    ArticleList > .article-list--empty { color: $text-muted; text-style: italic; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    @dataclass
    class Sorted(Message):
        """The order changed (the screen says so in the list's title)."""

        article_list: "ArticleList"

    @dataclass
    class Opened(Message):
        """Enter on a row: the app moves focus to the article."""

        article_list: "ArticleList"
        meta: ArticleMeta

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(cache_size=512, name=name, id=id, classes=classes)
        self._queried: list[ArticleMeta] = []  # as the archive lists them: newest first
        self._rows: list[ArticleMeta] = []  # as shown: `_queried` in the chosen order
        self.sort_key = "date"
        self.sort_reverse = False
        self._index: dict[str, int] | None = {}  # id -> row, built on first use
        self._empty_message: Text = Text("")
        self._last_posted: str | None | object = object()
        # Told of each new cursor row (None: the list emptied), once, while the key that
        # moved it is handled. Not a message: a message reaches the screen only after the
        # list's frame is drawn, so the article would follow a frame later (cursor-down
        # measured 40 ms with a call, 70-90 ms with a message, 1k articles, busy 2 cores).
        self.cursor_listener: Callable[[ArticleMeta | None], None] | None = None

    # -- data ---------------------------------------------------------------------------

    @property
    def rows(self) -> list[ArticleMeta]:
        return self._rows

    @property
    def current(self) -> ArticleMeta | None:
        """The article under the cursor."""
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

    def set_rows(self, rows: list[ArticleMeta], *, keep_id: str | None = None, keep_index: int | None = None) -> None:
        """Replace every row; keep the cursor on `keep_id` if it is still listed.

        Nothing here is proportional to the number of rows (100,000 at most): rows are
        formatted when drawn, the id index is built on first use, and a caller that
        already knows where `keep_id` is (the query worker does) passes `keep_index`.
        """
        self._queried = rows if isinstance(rows, list) else list(rows)
        self._rows = sort_rows(self._queried, self.sort_key, self.sort_reverse)
        if self._rows is not self._queried:
            keep_index = None  # the worker found it in the archive's order
        self._index = None
        self._strips.clear()
        set_virtual_size_quietly(self, Size(self.size.width, len(self._rows)))
        target: int | None
        if keep_index is not None and 0 <= keep_index < len(self._rows) and self._rows[keep_index].id == keep_id:
            target = keep_index
        else:
            target = self.index_of(keep_id) if keep_id is not None else None
        self._set_cursor(target or 0, force_post=True)
        self.refresh()

    def index_of(self, article_id: str | None) -> int | None:
        """Row of an article, or None if it is not listed."""
        if self._index is None:
            self._index = {meta.id: i for i, meta in enumerate(self._rows)}
        return self._index.get(article_id) if article_id is not None else None

    def select_id(self, article_id: str) -> bool:
        """Move the cursor to an article; False if it is not in the list."""
        index = self.index_of(article_id)
        if index is None:
            return False
        self._set_cursor(index, force_post=True)
        return True

    @property
    def sort_label(self) -> str:
        """"" for the archive's order (newest first), else "by province" / "by year, reversed"."""
        if self.sort_key == "date" and not self.sort_reverse:
            return ""
        return f"by {self.sort_key}{', reversed' if self.sort_reverse else ''}"

    def sort_by(self, key: str, reverse: bool = False) -> None:
        """Show the rows in another order (a sort of the row list, not of widgets: about
        0.1 s at 100,000 rows); the cursor stays on its article."""
        if key not in SORT_KEYS:
            raise ValueError(f"sort key must be one of {', '.join(SORT_KEYS)}, not {key!r}")
        current = self.current
        self.sort_key, self.sort_reverse = key, reverse
        self._rows = sort_rows(self._queried, key, reverse)
        self._index = None
        self._strips.clear()
        target = self.index_of(current.id) if current is not None else None
        self._set_cursor(target or 0)
        self.refresh()
        self.post_message(self.Sorted(self))

    def action_cycle_sort(self) -> None:
        self.sort_by(SORT_KEYS[(SORT_KEYS.index(self.sort_key) + 1) % len(SORT_KEYS)])

    def action_reverse_sort(self) -> None:
        self.sort_by(self.sort_key, not self.sort_reverse)

    def set_empty_message(self, message: Text | str) -> None:
        """What to show when there are no rows (empty archive, no match, load error)."""
        self._empty_message = Text(message) if isinstance(message, str) else message
        self.refresh()

    # -- cursor -------------------------------------------------------------------------

    def _set_cursor(self, index: int, *, force_post: bool = False) -> None:
        index = max(0, min(index, len(self._rows) - 1)) if self._rows else 0
        old = self.cursor
        self.set_reactive(ArticleList.cursor, index)
        # Only the rows whose cursor state changed are redrawn; scrolling (below) redraws
        # the whole list by itself.
        self.refresh_line(old)
        self.refresh_line(index)
        self._scroll_cursor_into_view()
        self._post_highlight(force=force_post)

    def _post_highlight(self, *, force: bool = False) -> None:
        meta = self.current
        key = meta.id if meta else None
        if force or key != self._last_posted:
            self._last_posted = key
            if self.cursor_listener is not None:
                self.cursor_listener(meta)

    def _scroll_cursor_into_view(self) -> None:
        if self._rows and self.size.height:
            self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, force=True, immediate=True)

    def watch_cursor(self) -> None:
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._strips.clear()
        self.virtual_size = Size(event.size.width, len(self._rows))
        self._scroll_cursor_into_view()

    def _cursor_row(self) -> int:
        return self.cursor

    def _go_to_row(self, index: int) -> None:
        self._set_cursor(index)

    def _row_count(self) -> int:
        return len(self._rows)

    def _page_rows(self) -> int:
        return self.scrollable_content_region.height - 1

    def action_open(self) -> None:
        if (meta := self.current) is not None:
            self.post_message(self.Opened(self, meta))

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_offset.y) + event.y
        if 0 <= index < len(self._rows):
            if index == self.cursor and event.chain > 1:
                self.action_open()
            self._set_cursor(index)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- rendering ----------------------------------------------------------------------

    def _columns(self, width: int) -> tuple[int, int, int, int]:
        """Column widths (province, report, date, title) for a given line width.

        The date (publish date, else event date) shows from 50 cells up, which is the
        list pane of a 100-column terminal; the province narrows first, and below 50
        cells the date goes so the title keeps room to be read.
        """
        province, report, date = PROVINCE_WIDTH, REPORT_WIDTH, DATE_WIDTH
        if width < 70:
            province = 12
        if width < 50:
            province, date = 10, 0
        gaps = 3 if date else 2
        title = max(0, width - province - report - date - gaps)
        return province, report, date, title

    def render_line(self, y: int) -> Strip:
        width, base, top = self._line_frame()
        index = top + y
        if self._rows and index < len(self._rows):
            row_key = (index, index == self.cursor)
            cached = self._strips.get(row_key)
            if cached is None:
                cached = self._strips[row_key] = self._render_row(index, width, base)
            return cached
        if not self._rows:
            if y == 1:
                style = base + self.get_component_rich_style("article-list--empty")
                text = self._empty_message.copy()
                text.truncate(max(0, width - 2), overflow="ellipsis")
                line = Strip([Segment("  ", base)] + list(text.render(self.app.console)))
                return line.apply_style(style).crop_extend(0, width, base)
            return Strip.blank(width, base)
        return Strip.blank(width, base)


    def _render_row(self, index: int, width: int, base: Style) -> Strip:
        meta = self._rows[index]
        is_cursor = index == self.cursor
        province_w, report_w, date_w, title_w = self._columns(width)

        cursor_style = self._component("article-list--cursor") if is_cursor else Style()

        def cell(value: str, size: int, component: str | None, extra: Style | None = None) -> Segment:
            style = base + self._component(component) if component else base
            if extra is not None:
                style += extra
            if cell_len(value) > size > 1:
                value = set_cell_size(value, size - 1) + "…"
            return Segment(set_cell_size(value, size), style + cursor_style)

        gap = Segment(" ", base + cursor_style)

        corrected = bool(meta.corrected)
        province = one_line(meta.province) if meta.province else "unknown"
        report = year_period(meta.report_year, meta.period, short=True)
        segments: list[Segment] = [
            cell(province, province_w, "article-list--corrected" if "province" in meta.corrected else "article-list--province"),
            gap,
            cell(report, report_w, "article-list--corrected" if {"report_year", "period"} & set(meta.corrected) else "article-list--report"),
            gap,
        ]
        if date_w:
            date, fallback = list_date(meta.published, meta.event_date)
            extra = Style(italic=True, dim=True) if fallback else None
            segments += [cell(date, date_w, "article-list--date", extra), gap]
        title = one_line(meta.title) or "(untitled)"
        if corrected:
            title = "✎ " + title
        segments.append(cell(title, title_w, None))
        return Strip(segments).crop_extend(0, width, base + cursor_style)
