"""The detail pane: one article's title, metadata and body, with figures marked.

It is a line-API `ScrollView` over our own word wrap (`tui.wrap`) because the pane must
scroll to a figure's sentence and to search matches given as character offsets, which a
`Static` cannot map to screen lines. Text is styled with spans on a `rich.text.Text`,
never with markup, so brackets in titles and bodies show literally.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tongket.store.record import Article, StoredArticle
from tongket.store.lang.text import fold

from ..compat import set_virtual_size_quietly
from ..wrap import line_of_offset, wrap_offsets
from .article_page import article_page
from .article_text import Span, line_segments, match_pattern, safe_same_length, style_runs

class ArticleView(ScrollView, can_focus=True):
    """Shows one `StoredArticle`; figures are marked, one figure and one match can be current."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "scroll_down", "Scroll down", show=False, id="detail.down"),
        Binding("up,k", "scroll_up", "Scroll up", show=False, id="detail.up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="detail.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="detail.bottom"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="detail.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="detail.page_up"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-view--title",
        "article-view--label",
        "article-view--muted",
        "article-view--corrected",
        "article-view--figure",
        "article-view--figure-current",
        "article-view--sentence",
        "article-view--match",
        "article-view--match-current",
        "article-view--rule",
    }

    DEFAULT_CSS = """
    ArticleView {
        background: $surface;
        overflow-x: hidden;
        scrollbar-gutter: stable;
        padding: 0 1;
    }
    ArticleView > .article-view--title { text-style: bold; color: $text; }
    ArticleView > .article-view--label { color: $text-muted; }
    ArticleView > .article-view--muted { color: $text-muted; text-style: italic; }
    ArticleView > .article-view--corrected { color: $text-warning; text-style: bold; }
    ArticleView > .article-view--figure { color: $text-accent; text-style: bold underline; }
    ArticleView > .article-view--sentence { background: $primary 25%; }
    ArticleView > .article-view--figure-current { background: $accent; color: $text; text-style: bold; }
    ArticleView > .article-view--match { background: $warning 30%; }
    ArticleView > .article-view--match-current { background: $warning; color: $background; text-style: bold; }
    ArticleView > .article-view--rule { color: $text-muted; }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.stored: StoredArticle | None = None
        self._plain = ""
        self._spans: list[Span] = []
        self._body_start = 0
        self._lines: list[tuple[int, int]] = []
        self._wrap_width = 0
        self._run_starts: list[int] = [0]
        self._run_styles: list[Style] = [Style()]
        self._cache: LRUCache[tuple[int, int], Strip] = LRUCache(1024)
        self._cache_base: Style | None = None
        self._frame: tuple[int, Style, int] | None = None
        self._figure_index: int | None = None
        self._query = ""
        self._matches: list[tuple[int, int]] = []
        self._match_index: int | None = None

    # -- public API ---------------------------------------------------------------------

    @property
    def article(self) -> Article | None:
        return self.stored.article if self.stored else None

    @property
    def plain(self) -> str:
        """The whole pane as plain text (title, metadata, body)."""
        return self._plain

    @property
    def figure_index(self) -> int | None:
        return self._figure_index

    @property
    def matches(self) -> list[tuple[int, int]]:
        return self._matches

    @property
    def match_index(self) -> int | None:
        return self._match_index

    def show(self, stored: StoredArticle | None, *, figure_index: int | None = None) -> None:
        """Display an article (None: the placeholder). Keeps the search query active."""
        self.stored = stored
        self._figure_index = None
        if stored is None:
            self.show_message("No article selected.")
            return
        self._build(stored)
        self._find_matches()
        self._new_text()
        self.scroll_to(y=0, animate=False, immediate=True)
        if figure_index is not None:
            self.highlight_figure(figure_index)
        self._update_subtitle()

    def show_message(self, message: str) -> None:
        """A placeholder text instead of an article (empty archive, nothing selected)."""
        self.stored = None
        self._figure_index = None
        self._plain = safe_same_length(message)
        self._spans = [Span(0, len(self._plain), "article-view--muted")]
        self._body_start = len(self._plain)
        self._matches, self._match_index = [], None
        self._new_text()
        self.scroll_to(y=0, animate=False, immediate=True)
        self._update_subtitle()

    def highlight_figure(self, index: int | None) -> None:
        """Mark one figure and its sentence, and scroll the sentence into view."""
        article = self.article
        if article is None or index is None or not (0 <= index < len(article.figures)):
            self._figure_index = None
            self._restyle()
            return
        self._figure_index = index
        fig = article.figures[index]
        self._restyle()
        start = self._body_start + min(fig.sentence_span[0], fig.span[0])
        self._scroll_to_offset(start, self._body_start + fig.span[0])

    def set_query(self, query: str) -> int:
        """Highlight every accent-insensitive match of `query`; returns how many."""
        self._query = query
        self._find_matches()
        self._restyle()
        self._update_subtitle()
        return len(self._matches)

    def step_match(self, step: int) -> tuple[int, int] | None:
        """Make the next (+1) or previous (-1) match current and scroll to it.

        Returns (position from 1, count), or None when there is nothing to step through.
        """
        if not self._matches:
            return None
        if self._match_index is None:
            # Start from the first match below the top of the view.
            top_line = int(self.scroll_offset.y)
            top = self._lines[top_line][0] if self._lines and top_line < len(self._lines) else 0
            after = [i for i, (s, _e) in enumerate(self._matches) if s >= top]
            if step > 0:
                self._match_index = after[0] if after else 0
            else:
                self._match_index = (after[0] - 1) % len(self._matches) if after else len(self._matches) - 1
        else:
            self._match_index = (self._match_index + step) % len(self._matches)
        self._restyle()
        start, end = self._matches[self._match_index]
        self._scroll_to_offset(start, end)
        self._update_subtitle()
        return self._match_index + 1, len(self._matches)

    def line_of(self, offset: int) -> int:
        """Screen line (in the pane's virtual space) holding a character offset of `plain`."""
        return line_of_offset(self._lines, offset)

    def visible_text(self) -> str:
        """Plain text of the lines currently on screen (for tests)."""
        top = int(self.scroll_offset.y)
        rows = self._lines[top : top + self.scrollable_content_region.height]
        return "\n".join(self._plain[s:e] for s, e in rows)

    # -- building -----------------------------------------------------------------------

    def _build(self, stored: StoredArticle) -> None:
        page = article_page(stored)
        self._plain, self._spans, self._body_start = page.plain, page.spans, page.body_start

    def _find_matches(self) -> None:
        self._matches = []
        self._match_index = None
        pattern = match_pattern(self._query) if self._query else None
        if pattern is None or self.stored is None:
            return
        self._matches = [(m.start(), m.end()) for m in pattern.finditer(fold(self._plain)) if m.end() > m.start()]

    def _style(self, component: str) -> Style:
        try:
            return self.get_component_rich_style(component, partial=True)
        except KeyError:  # before the stylesheet is applied the component has no styles yet
            return Style()

    def _restyle(self) -> None:
        """Recompute the style runs from the spans and the current marks.

        Only styles change here (a figure or a match becomes current): the wrap is kept,
        and screen lines are rebuilt lazily from the runs when they are drawn.
        """
        styles: dict[str, Style] = {}

        def style(component: str) -> Style:
            if component not in styles:
                styles[component] = self._style(component)
            return styles[component]

        marks: list[tuple[int, int, Style]] = [(s.start, s.end, style(s.component)) for s in self._spans]
        article = self.article
        if article is not None and self._figure_index is not None:
            fig = article.figures[self._figure_index]
            s0, s1 = fig.sentence_span
            if s1 > s0:
                marks.append((self._body_start + s0, self._body_start + s1, style("article-view--sentence")))
            marks.append(
                (self._body_start + fig.span[0], self._body_start + fig.span[1], style("article-view--figure-current"))
            )
        for i, (start, end) in enumerate(self._matches):
            component = "article-view--match-current" if i == self._match_index else "article-view--match"
            marks.append((start, end, style(component)))
        self._run_starts, self._run_styles = style_runs(marks, len(self._plain))
        self._cache.clear()
        self.refresh()

    def _new_text(self) -> None:
        """The plain text changed: wrap it again, then style it."""
        self._rewrap(force=True)
        self._restyle()

    def _rewrap(self, *, force: bool = False) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            width = 80
        if force or width != self._wrap_width:
            self._wrap_width = width
            self._lines = wrap_offsets(self._plain, width)
            self._cache.clear()
            set_virtual_size_quietly(self, Size(width, len(self._lines)))
            self.refresh()

    def _scroll_to_offset(self, start: int, focus: int | None = None) -> None:
        """Scroll so the line holding `start` sits near the top third of the pane."""
        line = self.line_of(start)
        height = max(1, self.scrollable_content_region.height)
        target = max(0, line - max(1, height // 4))
        if focus is not None:
            # Never scroll the focused offset itself out of view on a short pane.
            focus_line = self.line_of(focus)
            if focus_line - target >= height:
                target = focus_line - height // 2
        self.scroll_to(y=max(0, target), animate=False, immediate=True)

    def _update_subtitle(self) -> None:
        if self._query and self.stored is not None:
            n = len(self._matches)
            if n == 0:
                label = "no match"
            elif self._match_index is None:
                label = f"{n} match{'es' if n != 1 else ''} · n/N"
            else:
                label = f"match {self._match_index + 1} of {n} · n/N"
            self.border_subtitle = Text(label)
        else:
            self.border_subtitle = None

    # -- rendering ----------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._rewrap()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._restyle()

    def render_lines(self, crop: Region) -> list[Strip]:
        # Width, base style and scroll offset once per draw, not once per line.
        self._frame = (self.scrollable_content_region.width, self.rich_style, int(self.scroll_offset.y))
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        """One screen line, built once per (line, width) from the style runs and cached:
        no rich `Text` is sliced or rendered while drawing."""
        if self._frame is not None:
            width, base, top = self._frame
        else:
            width, base, top = self.scrollable_content_region.width, self.rich_style, int(self.scroll_offset.y)
        index = top + y
        if index >= len(self._lines):
            return Strip.blank(width, base)
        key = (index, width)
        strip = self._cache.get(key)
        if strip is None or self._cache_base != base:
            if self._cache_base != base:
                self._cache.clear()
                self._cache_base = base
            start, end = self._lines[index]
            segments = line_segments(self._plain, start, end, self._run_starts, self._run_styles, base)
            strip = Strip(segments).crop_extend(0, width, base)
            self._cache[key] = strip
        return strip
