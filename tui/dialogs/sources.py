"""Dialogs of the comparison: the source figures behind one pivot cell, and where to write
an exported table.

A pivot cell shows one value; when several articles give the province and year a figure,
the user must be able to see them all (article, sentence, qualifier) and judge. Exports
are written only to a new file unless the user asks to overwrite (ctrl+o), like the
article export.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, ClassVar, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tongket.store.lang.text import one_line
from tongket.store.present import pivot as pivots
from tongket.store.present import tables
from tongket.store.present.collate import qualifier_mark
from tongket.store.present.display import date_label, figure_with_unit
from tongket.store.record import FigureHit

from .typeahead import TypeAheadScreen


def source_text(hit: FigureHit, *, chosen: bool) -> Text:
    """One source figure: value with its qualifier, article, date, and the sentence."""
    text = Text("▶ " if chosen else "  ", style="bold")
    value = figure_with_unit(hit.value, hit.unit, hit.display)
    text.append(f"{qualifier_mark(hit.qualifier)}{one_line(value)}", style="bold")
    if hit.qualifier:
        text.append(f" ({one_line(hit.qualifier)})", style="italic")
    text.append(f"  {one_line(hit.title or hit.article_id)}")
    if hit.published:
        text.append(f"  {date_label(hit.published)}", style="dim")
    if hit.sentence:
        text.append(f"\n    “{one_line(hit.sentence)}”", style="dim")
    return text


class SourcesDialog(ModalScreen[FigureHit | None]):
    """Every figure of one pivot cell, the shown one first; Enter opens that article."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Close", id="sources.cancel")]

    DEFAULT_CSS = """
    SourcesDialog { align: center middle; }
    SourcesDialog > Vertical {
        width: 90%; height: auto; max-height: 80%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    SourcesDialog #sources-title { text-style: bold; }
    SourcesDialog OptionList { height: auto; max-height: 20; }
    SourcesDialog #sources-hint { color: $text-muted; }
    """

    def __init__(self, title: str, sources: tuple[FigureHit, ...], rule: str) -> None:
        super().__init__()
        self._heading = title
        self.sources = sources
        self._choice_rule = rule

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(one_line(self._heading)), id="sources-title")
            yield OptionList(*(Option(source_text(h, chosen=i == 0), id=str(i)) for i, h in enumerate(self.sources)))
            hint = f"{len(self.sources)} source figure{'s' if len(self.sources) != 1 else ''}; ▶ shown in the pivot ({self._choice_rule}) · Enter: open the article · Esc: back"
            yield Static(Text(hint), id="sources-hint")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.sources[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)


class TableExportDialog(TypeAheadScreen[Path | None]):
    """Ask where to write a table; `.csv` writes CSV, anything else Markdown."""

    TYPE_AHEAD_INPUT = "#table-export-path"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="table_export.cancel"),
        Binding("ctrl+o", "overwrite", "Overwrite", id="table_export.overwrite"),
    ]

    DEFAULT_CSS = """
    TableExportDialog { align: center middle; }
    TableExportDialog > Vertical {
        width: 80; max-width: 95%; height: auto;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    TableExportDialog #table-export-title { text-style: bold; }
    TableExportDialog #table-export-error { color: $text-error; height: auto; }
    TableExportDialog #table-export-hint { color: $text-muted; }
    """

    def __init__(self, what: str, default: Path, render: Callable[[str], str]) -> None:
        """`render(fmt)` gives the file's text for "csv" or "md"."""
        super().__init__()
        self._export_what = what
        self._export_default = default
        self._export_render = render

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Export {one_line(self._export_what)}"), id="table-export-title")
            yield Input(value=str(self._export_default), id="table-export-path")
            yield Static(id="table-export-error")
            yield Static(Text("name.csv: CSV (UTF-8) · name.md: Markdown · Enter: write · ctrl+o: overwrite · Esc: cancel"),
                         id="table-export-hint")

    def on_mount(self) -> None:
        self.focus_input()

    def _write(self, *, force: bool) -> None:
        raw = self.query_one(Input).value.strip()
        if not raw:
            self._error("Type a file name.")
            return
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = self._export_default.parent / path
        text = self._export_render("csv" if path.suffix.lower() == ".csv" else "md")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)  # the export folder, on first use
            with open(path, "w" if force else "x", encoding="utf-8", newline="") as out:
                out.write(text)
        except FileExistsError:
            self._error(f"{path} exists; ctrl+o overwrites it, or change the name")
            return
        except OSError as exc:
            self._error(f"{path}: {exc.strerror or exc}")
            return
        self.dismiss(path)

    def _error(self, message: str) -> None:
        self.query_one("#table-export-error", Static).update(Text(one_line(message)))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._write(force=False)

    def action_overwrite(self) -> None:
        self._write(force=True)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _stem(query: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in query).strip("-") or "lookup"


def pivot_export(pivot: pivots.Pivot, query: str, folder: Path) -> TableExportDialog:
    """Where to write a pivot (CSV or Markdown, from the table already built)."""

    def render(fmt: str) -> str:
        return tables.pivot_csv(pivot) if fmt == "csv" else tables.pivot_markdown(pivot)

    return TableExportDialog("the pivot", folder / f"pivot-{_stem(query)}.csv", render)


def hits_export(hits: Sequence[FigureHit], details: Callable[[Sequence[FigureHit]], Sequence[FigureHit]],
                heading: str, query: str, folder: Path) -> TableExportDialog:
    """Where to write lookup results; their sentences and sources are read when written."""

    def render(fmt: str) -> str:
        detailed = list(details(hits))
        return tables.hits_csv(detailed) if fmt == "csv" else tables.hits_markdown(detailed, heading=heading)

    return TableExportDialog(f"{len(hits)} results", folder / f"lookup-{_stem(query)}.csv", render)
