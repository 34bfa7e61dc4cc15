"""Peer columns: the same questions asked of SQLite and ripgrep on the same data, in the
same run, so RESULTS.md records ratios instead of figures measured once on another day.

Every command is timed as a whole process (spawn to exit, output to a pipe), as a user of
the command line pays it:

* `tongket list --province "kien giang" --json` vs SQLite, a table with an index on province
* `tongket lookup "van ban den" --json` vs SQLite FTS5 over the folded figure labels
* `tongket list --text "van ban den" --json` vs SQLite FTS5 over the folded texts, and
  `rg -l "văn bản đến"` over the text files (ripgrep cannot fold accents: it gets the
  accented needle, the fairest form for it)
* the app's `/` filter, in process: `Archive.query(text=...)` after the first query

The SQLite database is built once per store (not timed) next to it.

Every process, ours and the peers', runs with compiled bytecode (a `PYTHONPYCACHEPREFIX`
folder next to the store, filled by the warm-up run), as after `pip install`: with
PYTHONDONTWRITEBYTECODE=1 and an editable checkout, each tongket command would compile all
its modules from source (~150 ms) while the peers' modules (stdlib, orjson) are compiled.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

PY = sys.executable
PROVINCE = ("kien giang", "Kiên Giang")  # as typed for tongket, as stored for SQLite
QUERY = ("van ban den", "văn bản đến")

_SQL_LIST = r"""
import sqlite3, sys, orjson
db = sqlite3.connect(sys.argv[1])
cols = ("id", "title", "province", "report_year", "period", "published", "event_date", "n_figures")
rows = db.execute("SELECT " + ",".join(cols) + " FROM articles WHERE province = ? ORDER BY published DESC", (sys.argv[2],))
sys.stdout.buffer.write(orjson.dumps([dict(zip(cols, r)) for r in rows], option=orjson.OPT_INDENT_2))
"""

_SQL_TEXT = r"""
import sqlite3, sys, orjson
db = sqlite3.connect(sys.argv[1])
cols = ("id", "title", "province", "report_year", "period", "published", "event_date", "n_figures")
rows = db.execute("SELECT " + ",".join("a." + c for c in cols) + " FROM texts JOIN articles a ON a.rowid = texts.rowid"
                  " WHERE texts MATCH ? ORDER BY a.published DESC", ('"' + sys.argv[2] + '"',))
sys.stdout.buffer.write(orjson.dumps([dict(zip(cols, r)) for r in rows], option=orjson.OPT_INDENT_2))
"""

_SQL_LOOKUP = r"""
import sqlite3, sys, orjson
db = sqlite3.connect(sys.argv[1])
cols = ("article", "label", "value", "unit")
rows = db.execute("SELECT f.article, f.label, f.value, f.unit FROM labels JOIN figures f ON f.rowid = labels.rowid"
                  " WHERE labels MATCH ? ORDER BY rank", ('"' + sys.argv[2] + '"',))
sys.stdout.buffer.write(orjson.dumps([dict(zip(cols, r)) for r in rows], option=orjson.OPT_INDENT_2))
"""

_APP_FILTER = r"""
import json, sys, time
from tongket.store.archive.archive import Archive
a = Archive.open(sys.argv[1])
t = time.perf_counter(); n = len(a.query(text=sys.argv[2])); first = time.perf_counter() - t
times = []
for q in ("van ban den", "ho so", "tiep nhan", "ty le", "giai quyet dung han", "xyzzy"):
    t = time.perf_counter(); a.query(text=q); times.append(time.perf_counter() - t)
print(json.dumps({"first": first, "times": times, "n": n}))
"""

# The peer's tables: what a user would build in SQLite for the same questions (growth.py too).
SCHEMA = (
    "CREATE TABLE articles (id TEXT, title TEXT, province TEXT, report_year INT, period TEXT, published TEXT,"
    " event_date TEXT, n_figures INT);"
    "CREATE INDEX by_province ON articles(province);"
    "CREATE VIRTUAL TABLE texts USING fts5(text, tokenize='unicode61');"
    "CREATE TABLE figures (article TEXT, label TEXT, value REAL, unit TEXT);"
    "CREATE VIRTUAL TABLE labels USING fts5(label, tokenize='unicode61');"
)


def build_sqlite(store_dir: Path) -> Path:
    """articles (index on province), FTS5 over folded texts and over folded figure labels."""
    db_path = store_dir.parent / (store_dir.name + ".peer.sqlite")
    if db_path.exists():
        return db_path
    from tongket.store.archive.archive import Archive
    from tongket.store.derived.textindex import search_text
    from tongket.store.lang.text import fold

    archive = Archive.open(store_dir)
    tmp = db_path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    db.executescript(SCHEMA)
    for meta in archive.articles():
        stored = archive.get(meta.id).article
        cur = db.execute("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?)",
                         (meta.id, meta.title, meta.province, meta.report_year, meta.period, meta.published,
                          meta.event_date, meta.n_figures))
        db.execute("INSERT INTO texts(rowid, text) VALUES (?, ?)", (cur.lastrowid, search_text(stored.title, stored.body)))
        for f in stored.figures:
            cur = db.execute("INSERT INTO figures VALUES (?,?,?,?)", (meta.id, f.label, f.value, f.unit))
            db.execute("INSERT INTO labels(rowid, label) VALUES (?, ?)", (cur.lastrowid, fold(f.label)))
    db.commit()
    db.close()
    tmp.rename(db_path)
    return db_path


def bytecode_env(work: Path) -> dict[str, str]:
    """The environment of every timed process: bytecode cached in `work`/pycache."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def _timed(cmd: list[str], runs: int, cwd: Path, env: dict[str, str] | None = None) -> tuple[list[float], int]:
    """Wall times in ms of `runs` runs (after one warm-up), and the output size of the last."""
    out_len, times = 0, []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, env=env)
        dt = time.perf_counter() - t0
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"{cmd[:3]} failed: {proc.stderr[-400:]!r}")
        out_len = len(proc.stdout)
        if i:
            times.append(dt * 1000)
    return times, out_len


def peer_rows(size: int, store_dir: Path, folder: Path, runs: int, row_cls, repo: Path) -> list:
    db = build_sqlite(store_dir)
    tk = [PY, "-m", "tongket.store.cli.main"]
    rows = []
    env = bytecode_env(store_dir.parent)

    def pair(name: str, ours: list[str], peers: list[tuple[str, list[str]]]) -> None:
        mine, _ = _timed(ours, runs, repo, env)
        row = row_cls(name, size, "ms", mine)
        rows.append(row)
        ratios = []
        for label, cmd in peers:
            theirs, _ = _timed(cmd, runs, repo, env)
            rows.append(row_cls(f"  peer: {label}", size, "ms", theirs))
            ratios.append(f"{statistics.median(mine) / statistics.median(theirs):.2f}× {label.split(',')[0].split(' ')[0]}")
        row.note = "tongket / peer: " + ", ".join(ratios)

    pair(f'list --province "{PROVINCE[0]}" --json', tk + ["list", "--province", PROVINCE[0], "--json", "--store", str(store_dir)],
         [("SQLite, index on province", [PY, "-c", _SQL_LIST, str(db), PROVINCE[1]])])
    pair(f'lookup "{QUERY[0]}" --json', tk + ["lookup", QUERY[0], "--json", "--store", str(store_dir)],
         [("SQLite FTS5 over folded labels", [PY, "-c", _SQL_LOOKUP, str(db), QUERY[0]])])
    text_peers = [("SQLite FTS5 over folded texts", [PY, "-c", _SQL_TEXT, str(db), QUERY[0]])]
    rg = shutil.which("rg")
    if rg is not None:
        text_peers.append((f'rg -l "{QUERY[1]}" over the .txt files', [rg, "-l", QUERY[1], str(folder)]))
    pair(f'list --text "{QUERY[0]}" --json', tk + ["list", "--text", QUERY[0], "--json", "--store", str(store_dir)],
         text_peers)
    app = row_cls("store: Archive.query(text=…) (the / filter)", size, "ms")
    first = row_cls("  first text query of a session", size, "ms")
    for _ in range(runs):
        proc = subprocess.run([PY, "-c", _APP_FILTER, str(store_dir), QUERY[0]], cwd=repo, capture_output=True, text=True,
                              env=env)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr[-400:])
        import json

        data = json.loads(proc.stdout.strip().splitlines()[-1])
        app.samples += [t * 1000 for t in data["times"]]
        first.samples.append(data["first"] * 1000)
    app.note = "6 queries per run, after the first"
    return rows + [app, first]
