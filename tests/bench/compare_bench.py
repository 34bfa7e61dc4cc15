"""Benchmark of the comparison (issue 9): the pivot over every match and the tidy export.

    python -m tests.bench.compare_bench --sizes 10k            # print the rows
    python -m tests.bench.compare_bench --sizes 10k,100k --record
    python -m tests.bench.compare_bench --sizes 100k --store /tmp/copy-of-100k --only pivot --record
    python -m tests.bench.compare_bench --sizes 100k --store /tmp/copy-of-100k --only pivot --app 3  # and in the app

Rows, on the ground-truth stores of `stores.py` (built once under `--work`):

* `pivot: keystroke → table`: `ArchiveIndex.measure_figures` (every match counted, the
  chosen measure's figures as columns), `pivot.grouped`, `build_pivot` and the cell texts
  the pivot view draws (`pivot.table`); `pivot: period switch`: the table again from the same
  grouping, as the lookup dialog does on `p`. Median of `--runs`. The first comparison after
  open reads the figure counts the write path saved (figures.counts; a store written by an
  older tongket gets them from `tongket doctor --repair` or its next ingest); the note says
  whether it did.
* `pivot (app): …` (with `--app`): the same in the real app, headless, one fresh process
  per run (`pivot_probe.py`): from the key (ctrl+t: the first comparison of the session,
  once the lookup's results have rested and again, in another process, as soon as they are applied;
  p: a period switch; the last letter of "van ban den" typed after a pause) to the end
  of the first frame that draws the repainted pivot: what the user waits for (the
  `pivot:` rows above leave out the table's paint, ~35 ms at 100k, and the thread the
  worker shares with the UI). An app may rebuild a stale derived file: give `--app` a
  private copy of a shared store (`growth._copy_store`) unless it is known sound.
* `figures --csv` / `--jsonl`: `tongket --store S figures --csv > /dev/null` in a fresh
  process; figures per second from spawn to exit (the row count is the output's lines).

`--record` writes the rows to tests/bench/COMPARE_RESULTS.md (the runner, run.py, keeps
RESULTS.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "tests.bench"

from . import generate as gen  # noqa: E402
from . import stores  # noqa: E402

RESULTS = Path(__file__).with_name("COMPARE_RESULTS.md")
QUERIES = ("van ban den", "ty le dung han", "ho so")  # the query; a rate; a wide query
TARGET_PIVOT_MS = 100.0
TARGET_FIGURES_PER_S = 200_000.0


def truth_store(size: int, work: Path) -> Path:
    """The ground-truth store of `stores.py`, written here through the batch path (one
    archive.json write per 500 articles, one snapshot): `stores.write_batch` falls back to
    one write per article once its private API is gone, which is quadratic at 100k."""
    from tongket.store.archive.archive import Archive
    from tongket.store.archive.ingest import INGEST_BATCH, prepare

    folder = work / f"compare-truth-{gen.size_name(size)}-s0-v{gen.GEN_VERSION}-{stores.store_format()}"
    marker = folder / ".complete"
    if marker.exists():
        return folder
    t0 = time.perf_counter()
    archive = Archive.open(folder)
    batch: list = []
    with archive._one_snapshot(True):
        for i, (article, _src) in enumerate(stores.truth_articles(size, seed=0)):
            source = f"/bench/{i:06d}.txt"
            batch.append((prepare(article, source), source))
            if len(batch) >= INGEST_BATCH:
                archive._store_batch(batch, [])
                batch = []
        if batch:
            archive._store_batch(batch, [])
    Archive.open(folder).query(text="van ban den")  # the packed search text, outside the timed runs
    marker.write_text(f"{size}\n")
    print(f"built {folder} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return folder


def pivot_rows(store_dir: Path, runs: int) -> list[tuple[str, float, float, float, int, str, str]]:
    """The app's two paths: a keystroke (`measure_figures`: the matches of one measure as
    columns, grouped, then the year table) and a period switch (the table from the same
    grouping). Both end with the cell texts the pivot view draws. The first comparison
    after open is timed on its own: it makes what later keystrokes reuse."""
    from tongket.store.archive.archive import Archive
    from tongket.store.present import pivot as pivots

    archive = Archive.open(store_dir)
    merged = archive.index.provinces.merged_unit
    archive.lookup_counted("van ban den", limit=1)  # builds the lookup groups (its own row in run.py)

    def keystroke(query: str):
        """What the dialog's worker and its message handler do for a query (the year table)."""
        grouped = pivots.grouped(archive.index.measure_figures(query, table_period="year"))
        pivot = pivots.build_pivot(grouped, period="year", merged_unit=merged)
        pivots.table(pivot)
        return grouped, pivot

    t0 = time.perf_counter()
    keystroke(QUERIES[0])  # the per-figure counts, the key's columns and its groupings: once per open
    first = (time.perf_counter() - t0) * 1000
    counted = "read from figures.counts" if _saved_counts(archive) else "over every figure (no figures.counts for this snapshot)"
    out = [(f"pivot: first comparison after open (“{QUERIES[0]}”, cold)", first, first, first, 1, "ms",
            f"counts of (label, unit, key) {counted}; the key's columns; its cell groupings")]
    for query in QUERIES:
        key_times, period_times = [], []
        pivot = None
        total = chosen = 0
        for _ in range(runs):
            t0 = time.perf_counter()
            grouped, pivot = keystroke(query)
            key_times.append((time.perf_counter() - t0) * 1000)
            total, chosen = grouped.total, grouped.count(pivot.measure)
            for period in pivots.PIVOT_PERIODS[1:]:
                t0 = time.perf_counter()
                pivots.table(pivots.build_pivot(grouped, period=period, merged_unit=merged))
                period_times.append((time.perf_counter() - t0) * 1000)
        assert pivot is not None
        note = (f"{total:,} matches, {chosen:,} of measure {pivot.measure}; "
                f"{len(pivot.rows)} rows × {len(pivot.years)} years")
        for name, times in ((f"pivot: keystroke → table “{query}”", key_times),
                            (f"pivot: period switch “{query}”", period_times)):
            out.append((name, statistics.median(times), min(times), max(times), len(times), "ms", note))
    return out


def app_rows(store_dir: Path, runs: int) -> list[tuple[str, float, float, float, int, str, str]]:
    """`pivot_probe.py` in `runs` fresh processes: the pivot's keys to repainted frames."""
    import json

    samples: dict[str, list[float]] = {"first": [], "at_once": [], "period": [], "keystroke": []}
    for _ in range(runs):
        for at_once in (False, True):  # alternated: the two cold firsts share the machine's minutes
            proc = subprocess.run([sys.executable, "-m", "tests.bench.pivot_probe", str(store_dir), "--runs", "2",
                                   *(["--at-once"] if at_once else [])],
                                  capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
            lines = proc.stdout.strip().splitlines()
            found = json.loads(lines[-1]) if lines else {}
            if "first" not in found:
                raise SystemExit(f"pivot_probe failed: {found.get('notes') or proc.stderr[-2000:]}")
            samples["at_once" if at_once else "first"].append(found["first"])
            samples["period"] += found["period"]
            samples["keystroke"] += found["keystroke"]
    names = {"first": "pivot (app): ctrl+t → first pivot drawn (cold)",
             "at_once": "pivot (app): ctrl+t at once → first pivot drawn (cold, nothing made ahead)",
             "period": "pivot (app): p → repainted pivot", "keystroke": "pivot (app): keystroke → repainted pivot"}
    notes = {"first": f"one per fresh process; the lookup of “{QUERIES[0]}” shown first and rested (made ahead)",
             "at_once": f"one per fresh process; ctrl+t as soon as the lookup of “{QUERIES[0]}” is applied",
             "period": "year → half-year → quarter → other → year, twice a process",
             "keystroke": "“van ban de” drawn, a 0.2 s pause, then “n”"}
    return [(names[k], statistics.median(v), min(v), max(v), len(v), "ms", notes[k]) for k, v in samples.items() if v]


def _saved_counts(archive) -> bool:
    """Whether the write path (or `tongket doctor --repair`) saved the figure counts this
    archive's snapshot is read with (a store built by an older tongket has none)."""
    try:
        from tongket.store.derived import figure_counts
    except ImportError:  # a tongket from before figures.counts
        return False
    return figure_counts.read(archive.index.snapshot) is not None


def export_rows(store_dir: Path, runs: int) -> list[tuple[str, float, float, float, int, str, str]]:
    from tongket.store.archive.archive import Archive

    exe = Path(sys.executable).with_name("tongket")
    figures = sum(m.n_figures for m in Archive.open(store_dir).articles())  # CSV rows may span lines (sentences)
    out = []
    for fmt in ("--csv", "--jsonl"):
        rates, secs, cpus, count = [], [], [], 0
        for _ in range(runs):
            t0 = time.perf_counter()
            proc = subprocess.Popen([str(exe), "--store", str(store_dir), "figures", fmt], stdout=subprocess.PIPE)
            assert proc.stdout is not None
            lines = 0
            while chunk := proc.stdout.read(1 << 20):
                lines += chunk.count(b"\n")
            proc.wait()
            dt = time.perf_counter() - t0
            count = figures
            if fmt == "--jsonl" and lines != figures:
                raise SystemExit(f"figures --jsonl wrote {lines} lines for {figures} figures")
            secs.append(dt)
            cpus.append(_child_cpu())
            rates.append(count / dt)
        out.append((f"figures {fmt} (whole process)", statistics.median(rates), min(rates), max(rates), runs,
                    "fig/s", f"{count:,} figures in {statistics.median(secs):.2f} s (CPU: {statistics.median(cpus):.2f} s; "
                    f"peak RSS of the largest child so far {_children_peak_mb():.0f} MB)"))
    return out


_cpu_seen = [0.0]


def _children_peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _child_cpu() -> float:
    """CPU seconds of the last waited-for child (the machine is shared: wall time includes
    waiting for a core)."""
    usage = os.times()
    total = usage.children_user + usage.children_system
    spent, _cpu_seen[0] = total - _cpu_seen[0], total
    return spent


def verdict(name: str, median: float) -> str:
    if name.startswith("pivot"):
        return "" if median <= TARGET_PIVOT_MS else "MISS"
    return "" if median >= TARGET_FIGURES_PER_S else "MISS"


def fmt(x: float) -> str:
    return f"{x:,.0f}" if x >= 1000 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def _recorded_rows(*, measured: set[tuple[str, str]]) -> dict[str, list[str]]:
    """The table rows of the (measurement, size) pairs not measured now (a run with `--only`
    or without `--app` keeps the others' rows), the date/command lines they came with, and
    the notes below the table."""
    if not RESULTS.exists():
        return {"rows": [], "head": [], "sections": []}
    text = RESULTS.read_text(encoding="utf-8").splitlines()
    first = next((i for i, line in enumerate(text) if line.startswith("## ")), len(text))
    sections = text[first:]  # the hand-written notes below the table stay
    text = text[:first]
    rows = [line for line in text if line.startswith("| ") and not line.startswith("| measurement")
            and len(line.split(" | ")) >= 9  # a row of this table, not of a note's
            and (line[2:].split(" | ")[0], line.split(" | ")[1]) not in measured]
    head = [line[2:] for line in text if line.startswith(("- date:", "- command:"))] if rows else []
    return {"rows": rows, "head": head, "sections": sections}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10k")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--export-runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "tongket-bench")
    ap.add_argument("--record", action="store_true")
    ap.add_argument("--note", default="")
    ap.add_argument("--store", type=Path, help="an existing store to measure (one size: the size it holds)")
    ap.add_argument("--only", choices=("pivot", "figures"), help="only these rows (the others recorded stay)")
    ap.add_argument("--app", type=int, default=0, metavar="N", help="also the pivot in the app, N fresh processes")
    args = ap.parse_args(argv)
    if args.store is not None and "," in args.sizes:
        ap.error("--store measures one size")
    lines = ["| measurement | size | median | min | max | n | unit | target |  | note |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for size_text in args.sizes.split(","):
        size = gen.parse_size(size_text)
        store_dir = args.store if args.store is not None else truth_store(size, args.work)
        rows = [] if args.only == "figures" else pivot_rows(store_dir, args.runs)
        rows += app_rows(store_dir, args.app) if args.app and args.only != "figures" else []
        rows += [] if args.only == "pivot" else export_rows(store_dir, args.export_runs)
        for name, med, lo, hi, n, unit, note in rows:
            target = f"≤ {TARGET_PIVOT_MS:.0f}" if unit == "ms" else f"≥ {TARGET_FIGURES_PER_S:,.0f}"
            line = (f"| {name} | {gen.size_name(size)} | {fmt(med)} | {fmt(lo)} | {fmt(hi)} | {n} | {unit} | "
                    f"{target} | {verdict(name, med)} | {note} |")
            print(line, flush=True)
            lines.append(line)
    if args.record:
        measured = {(line[2:].split(" | ")[0], line.split(" | ")[1]) for line in lines[2:]}
        kept = _recorded_rows(measured=measured)  # the other rows stay, with their own header lines
        lines[2:2] = kept["rows"]
        load = os.getloadavg()[0]
        head = [
            "# Comparison benchmark (issue 9): last recorded results", "",
            f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
            f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            f"load average at the end: {load:.2f} (other processes share the cores)",
            f"- command: `python -m tests.bench.compare_bench {' '.join(argv if argv is not None else sys.argv[1:])}`",
            "- stores: the ground-truth stores of tests/bench/stores.py (seed 0)",
        ]
        if args.note:
            head.append(f"- note: {args.note}")
        head += [f"- earlier run, kept: {line}" for line in kept["head"]]
        sections = ["", *kept["sections"]] if kept["sections"] else []
        RESULTS.write_text("\n".join(head + ["", *lines, *sections, ""]), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
