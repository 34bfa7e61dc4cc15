"""The text filter of `ArchiveIndex` (mixed in): the articles whose title or text holds a
needle, with accents optional.

The text is asked of the packed text index (`text_search`, textindex.py), whose records hold
each article's folded title and body; a title is checked here only for the articles that
search did not find (a corrected title, an old record without its title). Titles are folded
in one pass over the joined column (textindex.fold_titles): for one question (a command
line call) only those of the articles left; the first time most are left, all of them,
kept for the next question (the app)."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from tongket.store.derived.snapshot import Snapshot
from tongket.store.derived.textindex import fold_titles
from tongket.store.lang.text import fold


class TextFilter:
    """Text filter methods of `ArchiveIndex`; the attributes below are set by its constructor."""

    snapshot: Snapshot
    _order: Any  # index.Rows: ArticleMeta by rank (corrected ones among them)
    _override: dict[int, tuple[int, int, int]]  # the corrected ranks
    _title_folded: list[str] | None
    _text_search: Callable[[str, set[int] | None], set[int]] | None
    _text_of: Callable[[str], str]

    def _text_ranks(self, text: str, among: set[int] | None) -> set[int]:
        needle = " ".join(fold(text).split())
        ids = self.snapshot.ids
        pool: Iterable[int] = among if among is not None else range(len(ids))
        if self._text_search is None:
            titles = self._all_titles()
            return {r for r in pool if needle in titles[r] or needle in self._text_of(ids[r])}
        found = self._text_search(needle, among)
        rest = [r for r in pool if r not in found]  # only these need their title checked
        if self._title_folded is None and len(rest) * 2 < len(ids):  # fold just those
            return found | {r for r, t in zip(rest, self._folded_titles(rest)) if needle in t}
        titles = self._all_titles()
        return found | {r for r in rest if needle in titles[r]}

    def _all_titles(self) -> list[str]:
        if self._title_folded is None:  # folded on the first text filter, not at open
            self._title_folded = self._folded_titles()
        return self._title_folded

    def _folded_titles(self, ranks: Sequence[int] | None = None) -> list[str]:
        """The folded titles (corrected, if they are) of `ranks`, default all."""
        override, order, column = self._override, self._order, self.snapshot.titles
        if ranks is None:
            titles = list(column)
            for rank in override:
                titles[rank] = order[rank].title
        else:
            titles = [order[r].title if r in override else column[r] for r in ranks]
        return fold_titles(titles)
