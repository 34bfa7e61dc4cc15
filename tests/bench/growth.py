"""Benchmark rows for growth (issue 12): adding 1k new articles to an empty archive, to the
10k one, to the 100k one, with the adding process's peak memory, against SQLite doing the same
job on the same texts (the same parser, two worker processes; rows, an index on province,
FTS5 over the folded texts and the figure labels).

Peak memory is the child's own VmHWM, read by the child at its end: `ru_maxrss` of a child is
inherited through fork and exec, so read from the runner it reported the runner's size.
Each run works on a fresh copy of the cached store, so every run adds the same 1k.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench import generate as gen
from tests.bench import peers

PY = sys.executable
ADDED = 1000
_PEAK = 'next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024'

_TONGKET = f"""
import json, sys
from tongket.store.cli.main import main
code = main(["ingest", sys.argv[1], "--store", sys.argv[2]])
print(json.dumps({{"code": code, "rss_mb": {_PEAK}}}))
"""

_SQLITE = f"""
import json, sqlite3, sys
from multiprocessing import get_context
from pathlib import Path
from tongket.store.derived.textindex import search_text
from tongket.store.lang.text import fold
from tongket.store.parse.article import parse_file

def one(path):
    a = parse_file(Path(path))
    return (a.id, a.title, a.province, a.report_year, a.period, a.published, a.event_date,
            [(f.label, f.value, f.unit) for f in a.figures], search_text(a.title, a.body))

files = sorted(str(p) for p in Path(sys.argv[1]).glob("*.txt"))
db = sqlite3.connect(sys.argv[2])
with get_context("fork").Pool(2) as pool:
    for aid, title, prov, year, period, pub, event, figs, text in pool.imap(one, files, chunksize=8):
        cur = db.execute("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?)", (aid, title, prov, year, period, pub, event, len(figs)))
        db.execute("INSERT INTO texts(rowid, text) VALUES (?, ?)", (cur.lastrowid, text))
        for label, value, unit in figs:
            cur = db.execute("INSERT INTO figures VALUES (?,?,?,?)", (aid, label, value, unit))
            db.execute("INSERT INTO labels(rowid, label) VALUES (?, ?)", (cur.lastrowid, fold(label)))
db.commit()
print(json.dumps({{"code": 0, "rss_mb": {_PEAK}}}))
"""

# A cached store made before the identity maps were saved as tables (store/archive/identity.py)
# is brought to the current layout before a run (untimed): otherwise every run would time
# the one-off first ingest after an upgrade, not adding 1k to an archive of this tongket.
_CURRENT_LAYOUT = """
import sys
from pathlib import Path
from tongket.store.archive.archive import Archive
from tongket.store.archive.identity import MAGIC
from tongket.store.archive.lock import write_lock
archive = Archive.open(Path(sys.argv[1]))
snap = archive._snapshot
blob = snap.identity() if snap is not None else None
if blob is not None and bytes(blob[: len(MAGIC)]) != MAGIC:
    with write_lock(archive.path):
        archive._save_snapshot(snap, b"".join(archive._identity().encode()))
"""


def _run(code: str, folder: Path, target: Path, repo: Path) -> tuple[float, float] | str:
    t0 = time.perf_counter()
    proc = subprocess.run([PY, "-c", code, str(folder), str(target)], cwd=repo, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        return proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else str(proc.returncode)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return dt, float(result["rss_mb"])


def _copy_store(source: Path, target: Path) -> None:
    """A copy the archive sees as the same state: files only ever replaced (archive.json, the
    snapshot, the article texts) are hard links, so their signatures (inode included) match and
    the copy opens from its snapshot as the original does; files appended to are real copies."""
    target.mkdir()
    for path in source.iterdir():
        if path.is_dir():
            shutil.copytree(path, target / path.name, copy_function=os.link)
        elif path.name in ("archive.json", "archive.snapshot", "archive.json.bak"):
            os.link(path, target / path.name)
        else:
            shutil.copy2(path, target / path.name)


def _note(time_row: Any, memory_row: Any, got: tuple[float, float] | str) -> None:
    """One run's (seconds, peak MB) into its two rows, or why it failed."""
    if isinstance(got, str):
        time_row.note = f"failed: {got}"
    else:
        time_row.samples.append(got[0])
        memory_row.samples.append(got[1])


def growth_rows(size: int, store_dir: Path | None, work: Path, seed: int, runs: int, row_cls: Any, repo: Path) -> list:
    """Rows "add 1k new articles" (s), its peak memory (MB) and the SQLite peer's, for an
    archive of `size` articles (`store_dir` None: an empty archive)."""
    new = gen.ensure_corpus(ADDED, work / "growth", seed + 7919, quiet=True)  # other articles than the stores'
    rows = {name: row_cls(name, size, unit) for name, unit in (
        ("add 1k new articles", "s"), ("add 1k: peak memory", "MB"),
        ("add 1k: SQLite peer", "s"), ("add 1k: SQLite peak memory", "MB"))}
    peer_db = peers.build_sqlite(store_dir) if store_dir is not None else None
    for _ in range(runs):
        scratch = Path(tempfile.mkdtemp(prefix=f"growth-{gen.size_name(size)}-", dir=work))
        try:
            target = scratch / "store"
            if store_dir is not None:
                _copy_store(store_dir, target)
                subprocess.run([PY, "-c", _CURRENT_LAYOUT, str(target)], cwd=repo, check=True, capture_output=True)
                os.sync()  # the copy's ~2 GB written out now, not during the timed ingest's first fsync
            _note(rows["add 1k new articles"], rows["add 1k: peak memory"], _run(_TONGKET, new, target, repo))
            db = scratch / "peer.sqlite"
            if peer_db is not None:
                shutil.copyfile(peer_db, db)
            else:
                with sqlite3.connect(db) as conn:
                    conn.executescript(peers.SCHEMA)
            _note(rows["add 1k: SQLite peer"], rows["add 1k: SQLite peak memory"], _run(_SQLITE, new, db, repo))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    ours, theirs = rows["add 1k new articles"], rows["add 1k: SQLite peer"]
    if ours.samples and theirs.samples:
        ours.note = f"{ours.median / theirs.median:.2f}× SQLite"
    return list(rows.values())
