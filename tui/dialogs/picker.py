"""A modal picker for one filter value (province, year or period) with article counts.

Typing narrows the choices with or without diacritics ("kien" finds "Kiên Giang"). The
province picker also carries a second list grouped by the 2025 merged units; ctrl+t
switches between the two. Option prompts are `Text`, so names are never read as markup.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tongket.store.lang.text import fold, one_line
from tongket.store.present.display import vn_number

from ..state import Choice, Picked
from ..widgets.scrollbars import use_whole_cell_scrollbars
from .typeahead import TypeAheadScreen


class ChoiceOption(Option):
    """An option that carries its `Choice` (frogmouth-style), so no lookup by label is needed."""

    def __init__(self, choice: Choice | None, label_width: int) -> None:
        self.choice = choice
        prompt = Text(no_wrap=True, overflow="ellipsis")
        if choice is None:
            prompt.append("(all — clear this filter)", style="italic")
        else:
            prompt.append(one_line(choice.label).ljust(label_width))
            prompt.append(f" {vn_number(choice.count):>7}", style="dim")
            others = [n for n in choice.also if n != choice.label]
            if others:
                prompt.append("  incl. " + ", ".join(one_line(n) for n in others), style="dim italic")
        super().__init__(prompt)


class PickerDialog(TypeAheadScreen[Picked | None]):
    """Choose a filter value. Enter picks, Escape cancels, ctrl+t toggles the alternative
    grouping when there is one (the 2025 merged provinces)."""

    TYPE_AHEAD_INPUT = "#picker-input"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="picker.up"),
        Binding("pagedown", "move(10)", "Page down", show=False, id="picker.page_down"),
        Binding("pageup", "move(-10)", "Page up", show=False, id="picker.page_up"),
        Binding("ctrl+t", "toggle_grouping", "Merged units (2025)", id="picker.toggle"),
    ]

    DEFAULT_CSS = """
    /* Opaque: a see-through modal redraws the whole main screen under it on every frame. */
    PickerDialog { background: $background; }
    PickerDialog > .dialog-frame { width: 60; max-width: 90%; height: 80%; }
    PickerDialog #picker-title { height: 1; }
    PickerDialog #picker-hint { height: auto; }
    PickerDialog OptionList { height: 1fr; border: none; }
    """

    def __init__(
        self,
        title: str,
        choices: list[Choice],
        *,
        current: Any = None,
        alternative: list[Choice] | None = None,
        alternative_title: str = "",
        use_alternative: bool = False,
        on_pick: Callable[[Picked], bool] | None = None,
    ) -> None:
        """`on_pick` is called with the choice before the dialog closes, so the screen
        below can take the new filter (and its new rows) while it is still hidden: the
        frame that uncovers it then draws it once, already filtered. When it returns
        True, the caller closes the dialog itself (`close`), once its rows are in."""
        super().__init__()
        self._on_pick = on_pick
        self._title = title
        self._alt_title = alternative_title or title
        self._choices = choices
        self._alternative = alternative
        self._use_alt = bool(use_alternative and alternative is not None)
        self._current = current

    def compose(self) -> ComposeResult:
        with self.frame():
            yield Static(id="picker-title", classes="dialog-title")
            yield Input(placeholder="type to narrow (diacritics optional)", id="picker-input")
            yield OptionList(id="picker-options")
            yield Static(id="picker-hint", classes="dialog-hint")

    def on_mount(self) -> None:
        use_whole_cell_scrollbars(self.query_one(OptionList))
        self._refill()
        self.focus_input()

    @property
    def choices(self) -> list[Choice]:
        """The list on show (plain or merged)."""
        if self._use_alt and self._alternative is not None:
            return self._alternative
        return self._choices

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_grouping":
            return self._alternative is not None
        return True

    def _refill(self) -> None:
        title = self._alt_title if self._use_alt else self._title
        self.query_one("#picker-title", Static).update(Text(title))
        needle = " ".join(fold(self.query_one(Input).value).split())
        options = self.query_one(OptionList)
        choices = [c for c in self.choices if not needle or c.matches(needle)]
        # Width from every choice, not the narrowed ones, so counts do not jump as you type.
        width = min(36, max((len(one_line(c.label)) for c in self.choices), default=10))
        options.clear_options()
        items: list[Option] = []
        if not needle:
            items.append(ChoiceOption(None, width))
        items.extend(ChoiceOption(c, width) for c in choices)
        options.add_options(items)
        highlight = 0
        if self._current is not None:
            for i, item in enumerate(items):
                if isinstance(item, ChoiceOption) and item.choice is not None and item.choice.value == self._current:
                    highlight = i
                    break
        if items:
            options.highlighted = highlight
        hint = Text(style="dim")
        if not choices and needle:
            hint.append("Nothing matches. ", style="bold")
            other = self._choices if self._use_alt else self._alternative
            if other and any(c.matches(needle) for c in other):
                hint.append("ctrl+t finds it in the " + ("old provinces" if self._use_alt else "2025 merged units") + ". ",
                            style="bold")
        hint.append("Enter: choose · Esc: cancel")
        if self._alternative is not None:
            hint.append(" · ctrl+t: " + ("old provinces" if self._use_alt else "2025 merged units"))
        self.query_one("#picker-hint", Static).update(hint)

    @on(Input.Changed, "#picker-input")
    def _narrow(self) -> None:
        self._refill()

    @on(Input.Submitted, "#picker-input")
    def _submit(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._pick(options.get_option_at_index(options.highlighted))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option)

    def _pick(self, option: Option) -> None:
        if isinstance(option, ChoiceOption):
            value = None if option.choice is None else option.choice.value
            picked = Picked(value, merged=self._use_alt)
            if self._on_pick is None or not self._on_pick(picked):
                self.dismiss(picked)

    def close(self, picked: Picked) -> None:
        """Close with `picked`, unless the user has closed the dialog already."""
        if self.is_current:
            self.dismiss(picked)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count == 0:
            return
        current = options.highlighted if options.highlighted is not None else -1
        options.highlighted = max(0, min(options.option_count - 1, current + step))

    def action_toggle_grouping(self) -> None:
        if self._alternative is not None:
            self._use_alt = not self._use_alt
            self._refill()
