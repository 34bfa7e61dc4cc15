"""How the probe drives `tui.app.TongketApp`: the app-specific half of app_probe.py.

Everything goes through what a user does: `tongket` started the way `tui.cli.launch_app`
starts it, keys pressed with `pilot.press`, dialogs filled by typing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

PROVINCES = ("Kiên Giang", "Hà Nội", "Cà Mau", "Lào Cai", "Nghệ An", "Đắk Lắk")
YEARS = ("2019", "2024", "2016", "2021", "2023", "2017")
# (text already in the lookup input, the key then pressed)
LOOKUPS = (("van ban de", "n"), ("ho s", "o"), ("ty le ho so dung ha", "n"), ("cuoc ho", "p"), ("van ban d", "i"),
           ("tiep cong da", "n"))

marks: dict[str, Any] = {}
DEBUG = bool(__import__("os").environ.get("TONGKET_BENCH_DEBUG"))


class _TTY:
    """stdin/stdout stand-in that says it is a terminal, so launch_app starts the app."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def isatty(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def make_app(store: Path, notes: list[str]) -> Any:
    """The app exactly as `tongket --store STORE` builds it (tui.cli.launch_app, which may
    open the archive before the app does), with App.run replaced by a capture."""
    from tongket.tui import app as tapp
    from tongket.tui import cli as tcli

    captured: dict[str, Any] = {}
    _instrument(tapp)
    extra_css = __import__("os").environ.get("TONGKET_BENCH_EXTRA_CSS")
    if extra_css:  # experiments: e.g. "PickerDialog, LookupDialog { background: $background; }"
        tapp.TongketApp.CSS = (getattr(tapp.TongketApp, "CSS", "") or "") + "\n" + extra_css
        notes.append(f"extra CSS: {extra_css}")
    orig_run = tapp.TongketApp.run
    tapp.TongketApp.run = lambda self, *a, **k: captured.setdefault("app", self)  # type: ignore[method-assign]
    real_in, real_out = sys.stdin, sys.stdout
    sys.stdin, sys.stdout = _TTY(real_in), _TTY(real_out)  # type: ignore[assignment]
    t0 = time.perf_counter()
    try:
        tcli.launch_app(str(store))
    finally:
        sys.stdin, sys.stdout = real_in, real_out
        tapp.TongketApp.run = orig_run  # type: ignore[method-assign]
    marks["launch_app_s"] = time.perf_counter() - t0
    app = captured.get("app")
    if app is None:
        raise RuntimeError("tui.cli.launch_app did not start TongketApp")
    return app


def _instrument(tapp: Any) -> None:
    from tongket.tui.dialogs.lookup import LookupDialog

    from .app_probe import wrap_method

    def loaded(app, args, kwargs):  # type: ignore[no-untyped-def]
        marks["article_loaded"] = (time.perf_counter(), args[0].stored.article.id)

    from tongket.tui.screens.main import MainScreen  # the screen handles the gateway's answers

    wrap_method(MainScreen, "on_article_loaded", loaded)

    def applied(dialog, args, kwargs):  # type: ignore[no-untyped-def]
        query = args[0] if args else kwargs.get("query")
        if query == dialog.query_one("#lookup-input").value.strip():
            now = (time.perf_counter(), query)
            marks["lookup_applied"] = now
            if marks.get("lookup_first_applied", (0, None))[1] != query:
                marks["lookup_first_applied"] = now  # the first page; its count follows in a later message

    wrap_method(LookupDialog, "_apply", applied)


async def settle(app: Any, pilot: Any) -> None:
    await pilot.pause()
    try:
        await app.workers.wait_for_complete()
    except Exception:
        pass
    await pilot.pause()


async def cursor_down(app: Any, pilot: Any, frames: Any) -> float | None:
    from .app_probe import wait_until

    if app.focused is not app.article_list:
        app.article_list.focus()
        await settle(app, pilot)
    before = app.article_list.current.id if app.article_list.current else None
    c0 = time.process_time()
    t0 = time.perf_counter()
    await pilot.press("down")
    marks["press_returned"] = time.perf_counter() - t0
    target = app.article_list.current.id if app.article_list.current else None
    if target == before:
        return None

    def done() -> bool:
        m = marks.get("article_loaded")
        return bool(m and m[1] == target and m[0] >= t0 and frames.first_after(m[0], ("ArticleView", "MetricsTable")))

    if not await wait_until(pilot, done, 30):
        return None
    marks.setdefault("cursor_cpu", []).append(time.process_time() - c0)
    t1 = frames.first_after(marks["article_loaded"][0], ("ArticleView", "MetricsTable"))
    if DEBUG:
        print(f"cursor: press returned {marks['press_returned']*1000:.1f} ms, loaded "
              f"{(marks['article_loaded'][0]-t0)*1000:.1f} ms, frames " +
              ", ".join(f"{(ts-t0)*1000:.1f}:{sorted(d)}" for ts, d in frames.frames if ts >= t0)[:600], file=sys.stderr)
    await settle(app, pilot)
    return t1 - t0


async def filter_change(app: Any, pilot: Any, frames: Any, state: dict[str, Any], i: int) -> float | None:
    """Even i: pick a province (typed into the picker), odd i: a year. Timed from Enter in
    the picker to the first frame that draws the re-queried list."""
    from tongket.tui.dialogs.picker import PickerDialog

    from .app_probe import wait_until

    if i % 2 == 0 and not app.filters.is_empty:
        await pilot.press("x")  # clear, so the province pick starts from the whole archive
        await settle(app, pilot)
    key, text = ("p", PROVINCES[(i // 2) % len(PROVINCES)]) if i % 2 == 0 else ("y", YEARS[(i // 2) % len(YEARS)])
    t_open = time.perf_counter()
    await pilot.press(key)
    if not await wait_until(pilot, lambda: isinstance(app.screen, PickerDialog), 60):
        return None
    marks.setdefault("picker_open", []).append(time.perf_counter() - t_open)
    for ch in text:
        await pilot.press(ch if ch != " " else "space")
    await settle(app, pilot)
    rows_before = state["rows_set"]
    from .app_probe import PROFILE

    PROFILE.start("filter_enter")  # only the timed part: Enter to the repainted list
    c0 = time.process_time()
    t0 = time.perf_counter()
    await pilot.press("enter")

    def done() -> bool:
        return (state["rows_set"] > rows_before and app.screen is app.main
                and frames.first_after(state["rows_set"], ("ArticleList",)) is not None)

    if not await wait_until(pilot, done, 60):
        if app.screen is not app.main:
            await pilot.press("escape")
            await settle(app, pilot)
        return None
    marks.setdefault("filter_cpu", []).append(time.process_time() - c0)
    PROFILE.stop("filter_enter")
    t1 = frames.first_after(state["rows_set"], ("ArticleList",))
    if DEBUG:
        print(f"filter {key}: rows set {(state['rows_set']-t0)*1000:.1f} ms, frames " +
              ", ".join(f"{(ts-t0)*1000:.1f}:{sorted(d)}" for ts, d in frames.frames if ts >= t0)[:900], file=sys.stderr)
    await settle(app, pilot)
    return t1 - t0


async def clear_filters(app: Any, pilot: Any) -> None:
    if not app.filters.is_empty:
        await pilot.press("x")
    await settle(app, pilot)


async def lookup_keystrokes(app: Any, pilot: Any, frames: Any, repeats: int, notes: list[str]) -> list[float]:
    """Open the lookup (f), then for each query: put all but its last letter in the input,
    wait for those results, and time the last keystroke to the first frame drawing its
    results (the first page: the dialog shows it before the exact count, which a later
    message adds to the status line). The very first keystroke of the session (which may build the lookup's
    indexes) is reported apart, as `lookup_first`."""
    from textual.widgets import Input

    from tongket.tui.dialogs.lookup import LookupDialog

    from .app_probe import wait_until

    await pilot.press("f")
    if not await wait_until(pilot, lambda: isinstance(app.screen, LookupDialog), 30):
        notes.append("lookup dialog did not open")
        return []
    dialog = app.screen
    box = dialog.query_one("#lookup-input", Input)
    await settle(app, pilot)

    async def keystroke(prefix: str, key: str) -> float | None:
        if box.value != prefix:
            box.value = prefix
            box.cursor_position = len(prefix)
            if prefix:
                ok = await wait_until(pilot, lambda: marks.get("lookup_applied", (0, None))[1] == prefix, 120)
                if not ok:
                    return None
            await settle(app, pilot)
        want = prefix + key
        c0 = time.process_time()
        t0 = time.perf_counter()
        marks.pop("lookup_first_applied", None)
        await pilot.press(key)

        def done() -> bool:
            m = marks.get("lookup_first_applied")
            return bool(m and m[1] == want.strip() and m[0] >= t0 and frames.first_after(m[0], ("#lookup-results",)))

        if not await wait_until(pilot, done, 120):
            return None
        if prefix:
            marks.setdefault("lookup_cpu", []).append(time.process_time() - c0)
        t1 = frames.first_after(marks["lookup_first_applied"][0], ("#lookup-results",))
        if DEBUG:
            print(f"lookup {want!r}: applied {(marks['lookup_applied'][0]-t0)*1000:.1f} ms, frames " +
                  ", ".join(f"{(ts-t0)*1000:.1f}:{sorted(d)}" for ts, d in frames.frames if ts >= t0)[:700], file=sys.stderr)
        await settle(app, pilot)
        return t1 - t0

    first = await keystroke("", "v")
    if first is not None:
        marks["lookup_first"] = first
    samples: list[float] = []
    for i in range(repeats):
        prefix, key = LOOKUPS[i % len(LOOKUPS)]
        t = await keystroke(prefix, key)
        if t is None:
            notes.append(f"lookup: results for {prefix + key!r} never drawn")
            break
        samples.append(t)
    hits = len(getattr(dialog, "hits", []))
    marks["lookup_hits"] = hits
    await pilot.press("escape")
    await settle(app, pilot)
    return samples
