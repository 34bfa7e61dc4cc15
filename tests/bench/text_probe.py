"""Probe of the text filter on one store, each figure the median of several fresh processes:
the bench row's `Archive.query(text=…)` (the first query of a session, then the six queries
peers.py asks), `tongket list --text … --json` as a whole process, and `rg -l` over the
article folder the store was made from (the peer the command line is held to).

    python -m tests.bench.text_probe STORE [--corpus FOLDER] [--runs 3] [--pycache FOLDER]

It only reads the store; a store whose search.words is of an older format is rebuilt by
the first query (run it once before timing).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.peers import _APP_FILTER, QUERY, bytecode_env

REPO = Path(__file__).resolve().parents[2]


def _app(store: Path, runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    firsts, times = [], []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-c", _APP_FILTER, str(store), QUERY[0]], cwd=REPO, capture_output=True,
                              text=True, env=env, check=True)
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        firsts.append(data["first"] * 1000)
        times.append(statistics.median(data["times"]) * 1000)
    return firsts, times


def _wall(cmd: list[str], runs: int, env: dict[str, str]) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=REPO, capture_output=True, env=env, check=False)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pycache", type=Path, help="folder for the bytecode cache (default: next to the store)")
    args = ap.parse_args(argv)
    env = bytecode_env(args.pycache or args.store.parent)
    firsts, medians = _app(args.store, args.runs, env)
    cli = _wall([sys.executable, "-m", "tongket.store.cli.main", "list", "--text", QUERY[0], "--json",
                 "--store", str(args.store)], args.runs, env)
    row = {"first query ms": statistics.median(firsts), "query ms (median of 6, median of runs)": statistics.median(medians),
           "list --text ms": statistics.median(cli)}
    rg = shutil.which("rg")
    if rg and args.corpus:
        row["rg -l ms"] = statistics.median(_wall([rg, "-l", QUERY[1], str(args.corpus)], args.runs, env))
    print(json.dumps({k: round(v, 1) for k, v in row.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
