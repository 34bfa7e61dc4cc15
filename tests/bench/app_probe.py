"""One headless run of the tongket app on a store, timing what the user waits for.

    python -m tests.bench.app_probe STORE --spawned <time.time() at spawn> --out result.json

Run by `tests/bench/run.py` in a fresh process per run, so the start time is a cold start
of the process (interpreter, imports, archive load, first frame) and the peak memory
(VmHWM) is the app's alone.

"Painted" means a frame was composed and handed to the driver with the widget in it: the
probe wraps `Widget.render_lines` (which widgets were drawn) and `App._display` (a frame
is done). Headless Textual skips turning a frame into terminal escape codes, so the
probe does that work itself in `_display` (`render_segments`), as a real terminal would
cost it; only the write to the tty is missing.

Interactions go through the app's own key bindings (`pilot.press`), and each timing runs
from just before the key is sent to the end of the first frame that shows the new state.
"""

from __future__ import annotations

import time

T_IMPORT = time.time()  # before anything heavy is imported

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable  # noqa: E402


def vm_hwm_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Frames:
    """Frame log: time each frame was displayed and the widgets drawn in it."""

    def __init__(self) -> None:
        self.drawn: set[str] = set()
        self.frames: list[tuple[float, frozenset[str]]] = []
        self.marks: dict[str, float] = {}

    def install(self) -> None:
        from textual.app import App
        from textual.widget import Widget

        frames = self
        orig_render_lines = Widget.render_lines

        def render_lines(widget, crop):  # type: ignore[no-untyped-def]
            frames.drawn.add(type(widget).__name__)
            if widget.id:
                frames.drawn.add("#" + widget.id)
            return orig_render_lines(widget, crop)

        Widget.render_lines = render_lines  # type: ignore[method-assign]

        orig_display = App._display

        def _display(app, screen, renderable):  # type: ignore[no-untyped-def]
            orig_display(app, screen, renderable)
            if renderable is None or app._batch_count:
                return
            if app.is_headless:
                try:
                    from textual._compositor import CompositorUpdate

                    if isinstance(renderable, CompositorUpdate):
                        renderable.render_segments(app.console)  # the terminal encoding cost
                except Exception:
                    pass
            if frames.drawn:
                frames.frames.append((time.perf_counter(), frozenset(frames.drawn)))
                frames.drawn = set()

        App._display = _display  # type: ignore[method-assign]

    def first_after(self, t: float, widgets: tuple[str, ...] = ()) -> float | None:
        """End of the first frame after `t` that drew every one of `widgets`
        (across frames: the time when the last of them had been drawn)."""
        need = set(widgets)
        for ts, drawn in self.frames:
            if ts < t:
                continue
            need -= drawn
            if not need:
                return ts
        return None

    def mark(self, name: str) -> None:
        self.marks[name] = time.perf_counter()


class PhaseProfiler:
    """`TONGKET_BENCH_PROFILE=start|cursor|filter|filter_enter|lookup`: pyinstrument over
    that phase, printed to stderr (`filter_enter`: only the timed part of each filter
    change, Enter to the repainted list). `TONGKET_BENCH_PROFILE_ALL=1` shows every frame."""

    def __init__(self) -> None:
        self.phase = os.environ.get("TONGKET_BENCH_PROFILE", "")
        self.profiler: Any = None

    def start(self, phase: str) -> None:
        if phase != self.phase:
            return
        from pyinstrument import Profiler

        self.profiler = Profiler(interval=0.0005, async_mode="disabled")
        self.profiler.start()

    def stop(self, phase: str) -> None:
        if phase != self.phase or self.profiler is None:
            return
        self.profiler.stop()
        print(self.profiler.output_text(unicode=False, color=False, show_all=bool(os.environ.get("TONGKET_BENCH_PROFILE_ALL"))), file=sys.stderr)
        self.profiler = None


PROFILE = PhaseProfiler()


async def wait_until(pilot: Any, cond: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if cond():
            return True
        await asyncio.sleep(0.001)
    return False


def wrap_method(cls: type, name: str, after: Callable[[Any, tuple, dict], None]) -> None:
    """Call `after(self, args, kwargs)` after each call of cls.name (state-change marks)."""
    orig = getattr(cls, name)

    def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = orig(self, *args, **kwargs)
        after(self, args, kwargs)
        return result

    wrapper.__name__ = orig.__name__
    wrapper.__doc__ = orig.__doc__
    setattr(cls, name, wrapper)


async def probe(store: Path, spawned: float, repeats: int, notes: list[str]) -> dict[str, Any]:
    frames = Frames()
    frames.install()
    PROFILE.start("start")
    from tongket.tui.widgets.article_list import ArticleList

    state: dict[str, Any] = {"rows_set": 0.0, "rows": 0}

    def rows_set(widget, args, kwargs):  # type: ignore[no-untyped-def]
        state["rows_set"] = time.perf_counter()
        state["rows"] = len(widget.rows)

    wrap_method(ArticleList, "set_rows", rows_set)

    from . import app_driver

    result: dict[str, Any] = {}
    app = app_driver.make_app(store, notes)
    t_spawn_perf = time.perf_counter() - (time.time() - spawned)  # spawn time on the perf clock
    result["import_s"] = T_IMPORT - spawned
    async with app.run_test(size=(120, 36)) as pilot:
        # ---- start: first frame that drew the list with rows in it
        ok = await wait_until(pilot, lambda: state["rows"] > 0 and frames.first_after(state["rows_set"], ("ArticleList",)) is not None, 120)
        if not ok:
            notes.append("the list never showed rows")
            return result
        result["start"] = frames.first_after(state["rows_set"], ("ArticleList",)) - t_spawn_perf
        result["start_cpu"] = time.process_time()  # CPU of every thread of the process so far
        result["peak_after_start_mb"] = vm_hwm_mb()  # where the peak memory is reached, phase by phase
        PROFILE.stop("start")
        await app_driver.settle(app, pilot)
        result["rows"] = state["rows"]

        # ---- cursor down: detail and metrics drawn for the new article
        samples = []
        PROFILE.start("cursor")
        for _ in range(repeats):
            t = await app_driver.cursor_down(app, pilot, frames)
            if t is None:
                notes.append("cursor down: detail/metrics never repainted")
                break
            samples.append(t)
        PROFILE.stop("cursor")
        if samples:
            result["cursor"] = samples
        result["peak_after_cursor_mb"] = vm_hwm_mb()

        # ---- filter change: province / year picked, list repainted
        samples = []
        PROFILE.start("filter")
        for i in range(repeats):
            t = await app_driver.filter_change(app, pilot, frames, state, i)
            if t is None:
                notes.append("filter change: list never repainted")
                break
            samples.append(t)
        PROFILE.stop("filter")
        if samples:
            result["filter"] = samples
        await app_driver.clear_filters(app, pilot)
        result["peak_after_filter_mb"] = vm_hwm_mb()

        # ---- lookup: one keystroke in the lookup dialog to results drawn
        PROFILE.start("lookup")
        samples = await app_driver.lookup_keystrokes(app, pilot, frames, repeats, notes)
        PROFILE.stop("lookup")
        if samples:
            result["lookup"] = samples
    result["peak_rss_mb"] = vm_hwm_mb()
    for key in ("picker_open", "lookup_first", "launch_app_s", "lookup_hits", "cursor_cpu", "filter_cpu", "lookup_cpu"):
        if key in app_driver.marks:
            result[key] = app_driver.marks[key]
    return result


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("store", type=Path)
    ap.add_argument("--spawned", type=float, default=None, help="time.time() when the parent spawned us")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    spawned = args.spawned if args.spawned is not None else T_IMPORT
    notes: list[str] = []
    try:
        result = asyncio.run(probe(args.store, spawned, args.repeats, notes))
    except Exception as exc:
        import traceback

        traceback.print_exc()
        notes.append(f"{type(exc).__name__}: {exc}")
        result = {}
    result["notes"] = notes
    args.out.write_text(json.dumps(result))
    return 0 if "start" in result else 1


if __name__ == "__main__":
    raise SystemExit(main())
