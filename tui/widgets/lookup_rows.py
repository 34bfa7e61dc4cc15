"""Rows of the figure lookup: results as one-line texts, their orders, and the input.

Kept apart from the dialog so the dialog holds only what it does with them; every part of
a row repeats across hits and keystrokes, so each is formatted once (lru caches).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Sequence

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widgets import Input, Static

from tongket.store.lang.text import one_line
from tongket.store.present.collate import qualifier_mark, short_name, vn_sort_key
from tongket.store.present.display import figure_with_unit, vn_number, year_period
from tongket.store.record import FigureHit, LookupResult

from .pivot_view import PROVINCE_WIDTH
from .result_list import Column
from ..compat import set_virtual_size_quietly

# Columns give way right to left: the metric shrinks first, then the label; the label keeps
# enough cells to tell "văn bản đi" from "văn bản đến" at 80 columns.
# Columns give way from the right when the terminal is narrow: the metric key first, then the
# label down to 18 cells, then the value's unit, the period word and long province names, so at
# 80x24 a row still says what its value is.
RESULT_COLUMNS = (
    Column("Province", shrink=True, min_width=10),
    Column("Year", shrink=True, min_width=9),
    Column("Value", justify="right", style=Style(bold=True), shrink=True, min_width=16),
    Column("Label", shrink=True, min_width=18),
    Column("Metric", style=Style(italic=True), shrink=True),
)
SORTS = ("score", "value", "province", "year")
COLUMN_SORTS = ("province", "year", "value", "score", "score")  # a header click: RESULT_COLUMNS' sort


def counted(found: LookupResult | Sequence[FigureHit]) -> LookupResult:
    """A search's answer as a LookupResult (a plain list counts itself)."""
    if isinstance(found, LookupResult):
        return found
    hits = tuple(found)
    return LookupResult(hits, len(hits), len({h.article_id for h in hits}))


def sort_hits(hits: Sequence[FigureHit], key: str, reverse: bool = False) -> "ShownHits":
    """Results in the order the user asked: best match, value (largest first), province
    (dictionary order), year (newest first), or (`reverse`) the other way round; ties keep
    the best-match order either way. The hits stay as they came (records made when read):
    an order is a list of positions into them."""
    if key == "value":
        return ShownHits(hits, _order(hits, lambda h: h.value, not reverse))
    if key == "province":
        return ShownHits(hits, _order(hits, lambda h: vn_sort_key(h.province), reverse))
    if key == "year":
        return ShownHits(hits, _order(hits, lambda h: h.report_year or 0, not reverse))
    return ShownHits(hits, range(len(hits) - 1, -1, -1) if reverse else None)


def _order(hits: Sequence[FigureHit], key: Callable[[FigureHit], Any], reverse: bool) -> list[int]:
    keys = [key(hit) for hit in hits]
    return sorted(range(len(keys)), key=keys.__getitem__, reverse=reverse)


class ShownHits(Sequence[FigureHit]):
    """The hits in the order shown, read through (`order`: positions, None: as they are);
    equal to any sequence of the same hits, as the list it stands for would be."""

    def __init__(self, hits: Sequence[FigureHit], order: Sequence[int] | None = None) -> None:
        self._hits, self._order = hits, order

    def __len__(self) -> int:
        return len(self._hits) if self._order is None else len(self._order)

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        if isinstance(index, slice):
            return list(map(self.__getitem__, range(len(self))[index]))
        if self._order is None:
            return self._hits[index]
        return self._hits[self._order[index]]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]  # like the list it stands for


_one_line = lru_cache(maxsize=8192)(one_line)
_year_period = lru_cache(maxsize=1024)(year_period)


@lru_cache(maxsize=8192)
def _value_text(value: float, unit: str | None, display: str, qualifier: str | None) -> str:
    """With the qualifier's mark, as the pivot shows it: "≈40 nghìn văn bản" for "gần 40 nghìn"."""
    return qualifier_mark(qualifier) + one_line(figure_with_unit(value, unit, display))


@lru_cache(maxsize=1024)
def _province(name: str) -> str:
    return short_name(one_line(name), PROVINCE_WIDTH, cut=False)


def result_texts(hit: FigureHit) -> tuple[str, str, str, str, str]:
    """Province, year and period, value, label and metric of a result row, as one-line
    text. The parts repeat across hits and keystrokes, so each is formatted once."""
    return (
        _province(hit.province or "unknown"),
        _year_period(hit.report_year, hit.period),
        _value_text(hit.value, hit.unit, hit.display, hit.qualifier),
        _one_line(hit.label),
        _one_line(hit.key or ""),
    )


class ResultRows(Sequence[tuple[str, str, str, str, str]]):
    """The result rows of `hits`, each made when first asked for (drawn, or measured to fit
    the columns): tens of thousands of hits are not all formatted on the UI thread."""

    def __init__(self, hits: Sequence[FigureHit]) -> None:
        self._hits = hits
        self._made: dict[int, tuple[str, str, str, str, str]] = {}

    def __len__(self) -> int:
        return len(self._hits)

    def __getitem__(self, index):  # type: ignore[no-untyped-def]  # ints only: what ResultList asks
        row = self._made.get(index)
        if row is None:
            row = self._made[index] = result_texts(self._hits[index])
        return row


def hit_text(hit: FigureHit) -> str:
    """One result as a line of text for the clipboard."""
    parts = [hit.province or "unknown", _year_period(hit.report_year, hit.period),
             _value_text(hit.value, hit.unit, hit.display, hit.qualifier), one_line(hit.label), hit.key or "", hit.article_id]
    return "\t".join(parts)


class LookupInput(Input):
    """An Input whose keystrokes do not lay out the whole dialog.

    Input sets its `virtual_size` (a layout reactive) to the text's width on every change,
    so each keystroke arranges and redraws every widget of the screen. Its size is fixed
    by CSS, so only its own scrolling needs the new virtual size."""

    # Called with the new value as soon as it changes (before `Changed` goes round the
    # message queues, by which time the typed letter has been drawn in a frame of its own).
    value_hook: Callable[[str], None] | None = None

    def _watch_value(self, value: str) -> None:
        set_virtual_size_quietly(self, Size(self.content_width, 1))  # then Input's is a no-op
        super()._watch_value(value)
        if self.value_hook is not None and self.is_mounted:
            self.value_hook(value)


class LookupStatus(Static):
    """The lookup's status line: laid out again only when a new text takes another number
    of lines (it wraps); otherwise a keystroke's status is a repaint of this line alone."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        self._text: Text | None = None

    def show(self, text: Text) -> None:
        if text == self._text:
            return
        width = self.content_region.width
        layout = True
        if self._text is not None and width > 0:
            console = self.app.console
            layout = len(text.wrap(console, width)) != len(self._text.wrap(console, width))
        self._text = text
        self.update(text, layout=layout)


def status_text(query: str, result: LookupResult, counting: bool, tail: str = "") -> Text:
    """The lookup's status line: a hint, no match, a first page being counted, or
    "N figures in M articles" (then `tail`: the order or the pivot's state)."""
    if not query:
        return Text("Type a metric name, key or label: “van ban den”, “incoming_documents”, “hồ sơ”.")
    quoted = (f"“{one_line(query)}”", "bold")
    if not result.total:
        return Text.assemble("No figure matches ", quoted, ". Try fewer words, no diacritics, or clear the filters (x) first.")
    if counting:
        return Text.assemble(f"first {vn_number(len(result.hits))} figures for ", quoted, (" · counting…", "dim"))
    shown = "" if len(result.hits) >= result.total else f"showing {vn_number(len(result.hits))} of "
    return Text.assemble(f"{shown}{vn_number(result.total)} figure{'s' if result.total != 1 else ''} in "
                         f"{vn_number(result.articles)} article{'s' if result.articles != 1 else ''} for ", quoted, tail)
