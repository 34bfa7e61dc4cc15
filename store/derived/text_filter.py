"""The text filter of `ArchiveIndex` (mixed in): the articles whose title or text holds a
needle, with accents optional.

The text is asked of the packed text index (`text_search`, textindex.py), whose records hold
each article's folded title and body; a title is checked here only for the articles that
search did not find (a corrected title, an old record without its title). Titles are folded
in one pass over the joined column (textindex.fold_titles), only those of the articles left,
and kept: a command line question folds a few, the app's questions fold each title once;
when most are needed, all of them are joined into one string searched with `str.find`."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from itertools import accumulate, filterfalse
from typing import Any, Callable, Iterable, Sequence

from tongket.store.derived.snapshot import Snapshot
from tongket.store.derived.snapshot_columns import as_list
from tongket.store.derived.textindex import fold_titles
from tongket.store.lang.text import fold


class TextFilter:
    """Text filter methods of `ArchiveIndex`; the attributes below are set by its constructor."""

    snapshot: Snapshot
    _order: Any  # index.Rows: ArticleMeta by rank (corrected ones among them)
    _override: dict[int, tuple[int, int, int]]  # the corrected ranks
    _title_folded: "FoldedTitles | None"
    _text_search: Callable[[str, set[int] | None], set[int]] | None
    _text_of: Callable[[str], str]

    def _text_ranks(self, text: str, among: set[int] | None) -> set[int]:
        needle = " ".join(fold(text).split())
        ids = self.snapshot.ids
        pool: Iterable[int] = among if among is not None else range(len(ids))
        titles = self._titles()
        if self._text_search is None:
            in_titles = titles.holding(needle)
            return {r for r in pool if r in in_titles or needle in self._text_of(ids[r])}
        found = self._text_search(needle, among)
        if not titles.complete or len(found) * 2 >= (len(ids) if among is None else len(among)):
            # many found: few left to check, one by one (a needle in most texts is in most titles)
            rest = list(filterfalse(found.__contains__, pool))  # only these need their title checked
            if titles.fold_some(rest):
                return found | titles.some_holding(needle, rest)
        in_titles = titles.holding(needle)
        return found | (in_titles if among is None else in_titles & among)

    def _titles(self) -> "FoldedTitles":
        if self._title_folded is None:  # folded on the first text filter, not at open
            self._title_folded = FoldedTitles(self._folded_titles, len(self.snapshot.ids))
        return self._title_folded

    def _folded_titles(self, ranks: Sequence[int] | None = None) -> list[str]:
        """The folded titles (corrected, if they are) of `ranks`, default all."""
        override, order, column = self._override, self._order, self.snapshot.titles
        if ranks is None:
            titles = list(column)
            for rank in override:
                titles[rank] = order[rank].title
        else:
            # many: the column split once, not an item decoded per call
            source = as_list(column) if len(ranks) * 16 > len(column) else column
            titles = list(map(source.__getitem__, ranks))
            for i, rank in enumerate(ranks) if override else ():
                if rank in override:
                    titles[i] = order[rank].title
        return fold_titles(titles)


class FoldedTitles:
    """The folded titles the text filter has needed so far: by rank while they are under
    half of them, then all of them, also in one newline-joined string (a folded title has
    no newline) where the titles holding a needle cost one `str.find` pass: for a question
    that leaves many articles to check, a test per title cost ~10 ms at 100k."""

    def __init__(self, fold_ranks: Callable[[Sequence[int] | None], list[str]], total: int) -> None:
        self._fold, self._total = fold_ranks, total
        self._some: dict[int, str] = {}
        self._all: list[str] | None = None
        self._text = ""
        self._starts = array("q")

    @property
    def complete(self) -> bool:
        """All titles are folded (and joined)."""
        return self._all is not None

    def fold_some(self, ranks: Sequence[int]) -> bool:
        """Fold the titles of `ranks` not yet folded, unless that would make most of them,
        or they are many once all are folded (then False: ask `holding`)."""
        if self._all is not None:
            return len(ranks) * 4 < self._total
        some = self._some
        todo = [r for r in ranks if r not in some]
        if (len(todo) + len(some)) * 2 >= self._total:
            return False
        some.update(zip(todo, self._fold(todo)))
        return True

    def some_holding(self, needle: str, ranks: Iterable[int]) -> set[int]:
        """Of `ranks` (folded by `fold_some`), those whose title contains `needle`."""
        titles: Sequence[str] | dict[int, str] = self._some if self._all is None else self._all
        return {r for r in ranks if needle in titles[r]}

    def holding(self, needle: str) -> set[int]:
        """Ranks whose folded title contains `needle` (no newline in it)."""
        if self._all is None:  # `_all` set last: a query in another thread may be reading
            titles = self._fold(None)
            self._text = "\n".join(titles) + "\n"
            self._starts = array("q", accumulate((len(t) + 1 for t in titles), initial=0))
            self._all = titles
        found, text, starts = set(), self._text, self._starts
        pos = text.find(needle)
        while pos >= 0:
            rank = bisect_right(starts, pos) - 1
            found.add(rank)
            pos = text.find(needle, starts[rank + 1])
        return found
