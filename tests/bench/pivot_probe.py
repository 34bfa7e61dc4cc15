"""The pivot's UI path in the real app (issue 9): from a key to the first frame that draws
the repainted pivot, headless, as app_probe.py times the lookup.

    python -m tests.bench.pivot_probe STORE [--runs 3]

One fresh process per call (the first comparison is a cold one). The lookup (f) is given
"van ban den" and its results are waited for; then, each timed from just before the key
to the end of the first frame that drew the pivot table after `PivotView.show`:

* `first`: ctrl+t, the first comparison of the session, once the lookup's results have
  rested (its comparison made ahead); with `--at-once`, as soon as they are applied;
* `period`: p, the next period's table (year → half-year → quarter → other → year);
* `keystroke`: the input holds "van ban de" (its pivot drawn, then a 0.2 s pause), then
  "n" is typed: the lookup's results, then the pivot of the new query. (Keys typed less
  than `lookup_pivot.DEBOUNCE_S` after the last request wait that long first.)

Prints one JSON line (milliseconds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

from . import app_driver
from .app_probe import Frames, wait_until, wrap_method

QUERY = "van ban den"


async def probe(store: Path, runs: int, notes: list[str], at_once: bool = False) -> dict[str, Any]:
    from textual.widgets import Input

    from tongket.tui.dialogs.lookup import LookupDialog
    from tongket.tui.widgets.article_list import ArticleList
    from tongket.tui.widgets.pivot_view import PivotView

    frames = Frames()
    frames.install()
    shown: dict[str, Any] = {"t": 0.0, "title": "", "times": []}

    def on_show(view: Any, args: tuple, kwargs: dict) -> None:
        shown["t"], shown["title"] = time.perf_counter(), args[0].title
        shown["times"].append(shown["t"])

    wrap_method(PivotView, "show", on_show)
    app = app_driver.make_app(store, notes)
    out: dict[str, Any] = {}
    async with app.run_test(size=(120, 36)) as pilot:
        listed = lambda: bool(app.screen.query(ArticleList)) and len(app.screen.query_one(ArticleList).rows) > 0  # noqa: E731
        if not await wait_until(pilot, listed, 120):
            notes.append("the list never showed rows")
            return out
        await app_driver.settle(app, pilot)
        await pilot.press("f")
        if not await wait_until(pilot, lambda: isinstance(app.screen, LookupDialog), 30):
            notes.append("lookup dialog did not open")
            return out
        dialog = app.screen
        box = dialog.query_one("#lookup-input", Input)

        async def typed(text: str, rest: bool = True) -> bool:
            box.value = text
            box.cursor_position = len(text)
            ok = await wait_until(pilot, lambda: app_driver.marks.get("lookup_applied", (0, None))[1] == text, 120)
            if rest:  # also lets the comparison made ahead (`prefetch_pivot`) finish
                await app_driver.settle(app, pilot)
            return ok

        async def timed(key: str) -> float | None:
            t0 = time.perf_counter()
            await pilot.press(key)
            def first_drawn() -> float | None:  # the first table shown after the key (a later one may follow)
                after = [t for t in shown["times"] if t >= t0]
                return frames.first_after(after[0], ("#lookup-pivot",)) if after else None

            if not await wait_until(pilot, lambda: first_drawn() is not None, 60):
                return None
            t1 = first_drawn()
            await app_driver.settle(app, pilot)
            return None if t1 is None else (t1 - t0) * 1000

        if not await typed(QUERY, rest=not at_once):
            notes.append("lookup results never applied")
            return out
        first = await timed("ctrl+t")
        if first is None:
            notes.append("the first pivot was never drawn")
            return out
        out["first"] = first
        out["first_title"] = shown["title"]
        out["period"] = [t for _ in range(runs) for _p in range(4) if (t := await timed("p")) is not None]
        keys = []
        for _ in range(runs):
            dialog.focus_input()
            await typed(QUERY[:-1])
            await asyncio.sleep(0.2)  # a pause in typing: keys within DEBOUNCE_S of the last wait it out
            if (t := await timed(QUERY[-1])) is not None:
                keys.append(t)
        out["keystroke"] = keys
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("store", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--at-once", action="store_true",
                    help="ctrl+t as soon as the lookup's results are applied (nothing made ahead)")
    args = ap.parse_args()
    notes: list[str] = []
    result = asyncio.run(probe(args.store, args.runs, notes, args.at_once))
    for name in ("period", "keystroke"):
        if result.get(name):
            result[f"{name}_median"] = statistics.median(result[name])
    result["notes"] = notes
    print(json.dumps(result, ensure_ascii=False))
    return 0 if "first" in result else 1


if __name__ == "__main__":
    raise SystemExit(main())
