"""A crash at any moment of an ingest leaves a usable archive: a real `tongket ingest`
subprocess is killed with SIGKILL at random moments, again and again, and after every kill
the archive loads, still holds every article it held before, and every stored article's
text file exists.

The subprocess writes archive.json every 20 articles (INGEST_BATCH lowered for the test)
and each round edits files spread across the folder, so every run writes many times and
the kills land in parsing, in body writes and in archive writes alike. The figures are
printed (run with -s to see them).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from tongket.store.archive import doctor, segments
from tongket.store.archive.archive import Archive

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent
N_FILES = 300
TARGET_KILLS = 30
TIME_BUDGET = 32.0  # seconds for the kill rounds; the test stops early rather than run long
# The subprocess: the real command line, with archive.json written every 20 articles and
# the rename that publishes it delayed 30 ms, so that a good share of random kills land
# while a complete temp file waits to replace archive.json (the riskiest moment).
RUNNER = """
import os, sys, time
import tongket.store.archive.writing as a
import tongket.store.archive.segments as s
a.INGEST_BATCH = 20
if os.environ.get("KILL_TEST_SEGMENTS"):
    s.MIN_BASE_BYTES = 0  # every batch after the first is a segment, as in a big archive
_replace = os.replace
def slow_replace(src, dst):
    if str(dst).endswith("archive.json"):
        time.sleep(0.03)
    _replace(src, dst)
os.replace = slow_replace
from tongket.store.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def _write_article(folder: Path, i: int, version: int, seeds: list[str]) -> None:
    text = seeds[i % len(seeds)]
    cut = text[: 700 + (i * 37) % 900]  # small files keep the subprocess cheap
    extra = f"\n\nNăm 2019 tiếp nhận {1000 + i} văn bản đến; bản {version} của bài {i}.\n"
    (folder / f"a{i:03d}.txt").write_text(cut + extra, encoding="utf-8")


def _stored(store: Path) -> tuple[set[str], list[dict]]:
    """Ids and records straight from archive.json and its committed segments (each must be
    valid and sealed after every kill)."""
    path = store / "archive.json"
    if not path.exists():
        return set(), []
    data = orjson.loads(path.read_bytes())
    records = {r["id"]: r for r in (data.get("articles") or {}).values()}
    for segment in segments.committed(store, segments.base_key(path)):
        records.update({r["id"]: r for r in segments.read(segment, keep_copy=False)})
    return set(records), list(records.values())


def _archive_temps(store: Path) -> list[str]:
    return [p.name for p in store.iterdir() if p.name.startswith(".archive.json.") and p.name.endswith(".tmp")]


def _ingest(folder: Path, store: Path, layout: str) -> subprocess.Popen:
    env = {**os.environ, "TONGKET_NO_PARALLEL": "1", "PYTHONPATH": str(ROOT)}
    if layout == "segments":
        env["KILL_TEST_SEGMENTS"] = "1"
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, "ingest", str(folder), "--store", str(store)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
    )


@pytest.mark.parametrize("layout", ["base", "segments"])
def test_sigkill_during_ingest_never_loses_or_tears_anything(tmp_path: Path, layout: str) -> None:
    rng = random.Random(20240617)
    seeds = [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "seeds").glob("*.txt"))]
    folder, store = tmp_path / "articles", tmp_path / "store"
    folder.mkdir()
    for i in range(N_FILES):
        _write_article(folder, i, 0, seeds)

    started = time.monotonic()
    first = _ingest(folder, store, layout)
    _, err = first.communicate(timeout=60)
    full_run = time.monotonic() - started
    assert first.returncode == 0, err.decode()
    before, _ = _stored(store)
    assert len(before) == N_FILES

    kills = finished = during_write = rounds = 0
    version = 0
    loop_start = time.monotonic()
    while kills < TARGET_KILLS and time.monotonic() - loop_start < TIME_BUDGET:
        rounds += 1
        version += 1
        step = rng.randrange(5, 9)  # edit every 5th-8th file: updates in every batch
        for i in range(rng.randrange(step), N_FILES, step):
            _write_article(folder, i, version, seeds)
        proc = _ingest(folder, store, layout)
        time.sleep(rng.uniform(0.05, max(0.2, 0.6 * full_run)))  # most runs die young
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            kills += 1
        else:
            proc.wait()
            finished += 1
            assert proc.returncode == 0, proc.stderr.read().decode()
        proc.stderr.close()

        # The archive is the old one or a newer one: valid, nothing lost, no dangling texts.
        during_write += bool(_archive_temps(store))
        after, records = _stored(store)
        missing = before - after
        assert not missing, f"round {rounds}: {len(missing)} articles lost after a kill"
        diagnosis = doctor.diagnose(store)
        assert diagnosis.archive.status == "ok", diagnosis.archive.line()
        assert not diagnosis.missing_bodies, f"round {rounds}: texts missing for {diagnosis.missing_bodies[:3]}"
        assert len(Archive.open(store)) == len(after)
        before = after

    # A run that is left alone finishes the job and clears the leftovers of killed writers.
    version += 1
    for i in range(0, N_FILES, 7):
        _write_article(folder, i, version, seeds)
    final = _ingest(folder, store, layout)
    _, err = final.communicate(timeout=60)
    assert final.returncode == 0, err.decode()
    after, _ = _stored(store)
    assert len(after) == N_FILES and before <= after
    assert _archive_temps(store) == []
    assert doctor.inspect_file(store / "archive.json.bak")[0].status == "ok"

    elapsed = time.monotonic() - started
    print(f"\nsurvived {kills} SIGKILLs in {rounds} rounds ({finished} runs finished first; "
          f"{during_write} kills left an archive.json temp file, i.e. hit the write itself); "
          f"full ingest {full_run:.2f} s, test {elapsed:.1f} s")
    assert kills >= 10, f"only {kills} kills landed in {TIME_BUDGET:.0f} s: the machine is too slow for this test"
