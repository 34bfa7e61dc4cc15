"""What the two virtual lists (articles, lookup results) share.

Only visible rows are drawn; each drawn row is cached as a `Strip` until the width, the
focus or the styles change, so a cursor move redraws two rows, not the whole list. The
cursor keys are written once; each list says where its cursor is, how to move it and how
many rows a page holds.
"""

from __future__ import annotations

from rich.style import Style
from textual.cache import LRUCache
from textual.geometry import Region
from textual.scroll_view import ScrollView
from textual.strip import Strip


class RowView(ScrollView):
    """Base of a virtual row list."""

    def __init__(self, *, cache_size: int, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        # Drawn rows by (row, is the cursor row).
        self._strips: LRUCache[tuple[int, bool], Strip] = LRUCache(cache_size)
        self._strips_key: tuple[int, bool, Style] | None = None
        self._frame: tuple[int, Style, int] | None = None
        self._components: dict[str, Style] = {}

    # -- drawing ------------------------------------------------------------------------

    def _clear_drawn(self) -> None:
        """Forget every cached drawing (a list with more style caches extends this)."""
        self._strips.clear()
        self._components.clear()

    def _line_frame(self) -> tuple[int, Style, int]:
        """Width, base style and top row of this draw; the caches reset when the width,
        the focus or the base style changed since the last draw."""
        frame = self._frame or (self.scrollable_content_region.width, self.rich_style, int(self.scroll_offset.y))
        key = (frame[0], self.has_focus, frame[1])
        if key != self._strips_key:
            self._clear_drawn()
            self._strips_key = key
        return frame

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every row depends on, looked up once per draw instead of once per row.
        self._frame = (self.scrollable_content_region.width, self.rich_style, int(self.scroll_offset.y))
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def _component(self, name: str) -> Style:
        """A component class's style, kept until the styles or the focus change."""
        style = self._components.get(name)
        if style is None:
            style = self._components[name] = self.get_component_rich_style(name)
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._clear_drawn()
        self.refresh()

    # -- cursor keys ----------------------------------------------------------------------

    def _cursor_row(self) -> int:
        raise NotImplementedError

    def _go_to_row(self, index: int) -> None:
        raise NotImplementedError

    def _row_count(self) -> int:
        raise NotImplementedError

    def _page_rows(self) -> int:
        raise NotImplementedError

    def action_cursor_down(self) -> None:
        self._go_to_row(self._cursor_row() + 1)

    def action_cursor_up(self) -> None:
        self._go_to_row(self._cursor_row() - 1)

    def action_first(self) -> None:
        self._go_to_row(0)

    def action_last(self) -> None:
        self._go_to_row(self._row_count() - 1)

    def action_page_down(self) -> None:
        self._go_to_row(self._cursor_row() + max(1, self._page_rows()))

    def action_page_up(self) -> None:
        self._go_to_row(self._cursor_row() - max(1, self._page_rows()))
