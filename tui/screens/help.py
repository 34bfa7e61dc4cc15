"""Help: every key, generated from the bindings themselves (the app's action registry
and each widget's and dialog's BINDINGS), so it can never go stale."""

from __future__ import annotations

from typing import ClassVar, Iterable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from tongket.store.lang.text import one_line

from ..dialogs.base import Dialog
from ..dialogs.correct import CorrectDialog
from ..dialogs.export import ExportDialog
from ..dialogs.lookup import LookupDialog
from ..dialogs.picker import PickerDialog
from ..widgets.article_list import ArticleList
from ..widgets.article_view import ArticleView
from ..widgets.metrics_table import MetricsTable
from ..widgets.scrollbars import use_whole_cell_scrollbars
from ..widgets.search_bar import SearchBar

GLOBAL_KEYS = (
    ("tab / shift+tab", "Move between the list, the article and the figures"),
    ("ctrl+p", "Command palette: every action by name"),
    ("ctrl+q", "Quit from anywhere"),
)


def _bindings(items: Iterable[BindingType]) -> list[Binding]:
    out = []
    for item in items:
        if isinstance(item, Binding):
            out.append(item)
        else:  # tuple form
            out.append(Binding(*item))
    return out


def key_label(keys: str) -> str:
    """"question_mark,f1" -> "? / f1"."""
    names = {
        "question_mark": "?",
        "slash": "/",
        "plus": "+",
        "minus": "-",
        "greater_than_sign": ">",
        "less_than_sign": "<",
        "space": "space",
    }
    return " / ".join(names.get(k.strip(), k.strip()) for k in keys.split(","))


def help_sections(main_bindings: Iterable[BindingType]) -> list[tuple[str, list[BindingType]]]:
    """Help text sections, straight from the bindings in use."""
    return [
        ("Main screen", list(main_bindings)),
        ("Article list", list(ArticleList.BINDINGS)),
        ("Article", list(ArticleView.BINDINGS)),
        ("Figures table", [*MetricsTable.BINDINGS, Binding("enter", "", "Highlight the figure in the article")]),
        ("Text filter (/)", [Binding("enter", "", "Keep the filter and go back to the list"), *SearchBar.BINDINGS]),
        ("Filter pickers (p, y, t)", list(PickerDialog.BINDINGS)),
        ("Figure lookup (f)", list(LookupDialog.BINDINGS)),
        ("Export (e)", list(ExportDialog.BINDINGS)),
        ("Corrections (c)", list(CorrectDialog.BINDINGS)),
    ]


def help_text(sections: Sequence[tuple[str, Iterable[BindingType]]], *, tooltips: bool = True,
              problems: Sequence[str] = ()) -> Text:
    """The help page as one `Text` (descriptions are ours, but keep data out of markup anyway);
    `problems` (what reading the archive met) come first, as plain text."""
    text = Text()
    if problems:
        text.append("! What reading the archive met\n", style="bold")
        for line in problems:
            text.append(f"  {one_line(line)}\n")
        text.append("  (`tongket doctor` checks the archive)\n\n", style="dim")
    text.append("tongket — keys\n", style="bold")
    for title, bindings in sections:
        text.append(f"\n{title}\n", style="bold underline")
        for binding in _bindings(bindings):
            text.append(f"  {key_label(binding.key):<22}", style="bold")
            text.append(binding.tooltip if (tooltips and binding.tooltip) else binding.description)
            text.append("\n")
    text.append("\nEverywhere\n", style="bold underline")
    for keys, description in GLOBAL_KEYS:
        text.append(f"  {keys:<22}", style="bold")
        text.append(description + "\n")
    return text


class HelpScreen(Dialog[None]):
    """A scrollable page of keys; Escape, q, ? or F1 close it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close", id="help.close"),
    ]

    DEFAULT_CSS = """
    HelpScreen > .dialog-frame { width: 90; max-width: 95%; height: 90%; }
    """

    def __init__(self, sections: Sequence[tuple[str, Iterable[BindingType]]], *, problems: Sequence[str] = ()) -> None:
        super().__init__()
        self._sections = sections
        self._problems = problems

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-frame"):
            yield Static(help_text(self._sections, problems=self._problems), id="help-text")

    def on_mount(self) -> None:
        use_whole_cell_scrollbars(self.query_one(VerticalScroll))
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
