"""The action registry: one table feeds the key bindings, the footer, the help screen and
the command palette, so the three can never disagree (harlequin and posting do the same).

Binding ids ("tongket.province", ...) make every key remappable with `App.set_keymap`.
Keys that open something ("/", "f", "p", ...) are `priority=True` so the app acts on
them before it routes the keys typed right after ("fvan ban den" arrives in one read): a
non-priority binding only runs once the key has bubbled up from the focused widget, by
which time the following keys have already gone to the list and are lost. So that a
priority letter never steals from a text input, `MainScreen.check_action` refuses these
actions while an input has focus (`TYPING_SAFE` lists the others). The bindings belong to
the main screen, so a dialog on top never sees them.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One user-facing action of the main screen."""

    id: str  # binding id, for keymaps
    keys: str  # Textual key names, comma separated
    action: str  # main screen action name (without "action_")
    description: str  # short label for the footer
    help: str  # one sentence for the help screen and the palette
    show: bool = True  # in the footer
    palette: bool = True  # offered by ctrl+p
    priority: bool = True  # acted on before later keys are routed (see the module docstring)


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("tongket.province", "p", "province_filter", "Province", "Filter by province (with counts); ctrl+t groups by the 2025 merged units."),
    ActionSpec("tongket.year", "y", "year_filter", "Year", "Filter by report year (with counts)."),
    ActionSpec("tongket.period", "t,P", "period_filter", "Period", "Filter by report period: year, half-year, quarter, term."),
    ActionSpec("tongket.search", "slash", "search", "Search", "Live filter over titles and bodies, with or without diacritics."),
    ActionSpec("tongket.clear", "x,escape", "clear_filters", "Clear", "Clear every filter and show all articles.", show=False, priority=False),
    ActionSpec("tongket.next_match", "n", "next_match", "Next match", "Jump to the next match of the text filter in the article.", show=False),
    ActionSpec("tongket.prev_match", "N", "prev_match", "Prev match", "Jump to the previous match of the text filter in the article.", show=False),
    ActionSpec("tongket.lookup", "f", "lookup", "Lookup", "Look up a figure (e.g. “van ban den”) across the archive, by province and year."),
    ActionSpec("tongket.export", "e", "export", "Export", "Export the selected article to a Markdown file."),
    ActionSpec("tongket.correct", "c", "correct", "Correct", "Correct the selected article's province, year, period or title."),
    ActionSpec("tongket.remove", "delete", "remove", "Remove", "Remove the selected article (ingesting its file again brings it back).", show=False),
    ActionSpec("tongket.widen", "plus,greater_than_sign", "widen_list", "Wider list", "Make the list pane wider.", show=False),
    ActionSpec("tongket.narrow", "minus,less_than_sign", "narrow_list", "Narrower list", "Make the list pane narrower.", show=False),
    ActionSpec("tongket.reload", "ctrl+r", "reload", "Reload", "Reload the archive from disk now.", show=False),
    ActionSpec("tongket.help", "question_mark,f1", "help", "Help", "Show every key."),
    ActionSpec("tongket.quit", "q", "quit", "Quit", "Quit tongket (ctrl+q works everywhere)."),
)


def main_bindings() -> list[Binding]:
    """Bindings for the main screen, in registry order."""
    return [
        Binding(spec.keys, spec.action, spec.description, show=spec.show, id=spec.id, tooltip=spec.help,
                priority=spec.priority)
        for spec in ACTIONS
    ]


TYPING_SAFE = frozenset({"reload", "help_quit"})  # never typed into an input


def blocked_while_typing(action: str) -> bool:
    """Actions of the main screen that must not fire while an input or a dialog has the keys."""
    return action in {spec.action for spec in ACTIONS if spec.priority} - TYPING_SAFE


def palette_actions() -> list[ActionSpec]:
    return [spec for spec in ACTIONS if spec.palette]
