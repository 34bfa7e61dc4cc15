"""The cursor keys both virtual lists share (articles, lookup results).

Each list says where its cursor is, how to move it and how many rows a page holds; the
keys themselves are written once.
"""

from __future__ import annotations


class CursorKeys:
    """Mixin for a row list: up/down, first/last, page up/down."""

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
