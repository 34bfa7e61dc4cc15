"""`python -m tongket.store.cli.main` as a process: a reading command leaves without the
interpreter's teardown (`exit_after`), which must not lose output, change the exit code or
skip the normal exit of a command that writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import make_article
from tongket.store.archive.archive import Archive
from tongket.store.cli.main import main


def _tongket(store: Path, *argv: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "tongket.store.cli.main", *argv, "--store", str(store)],
                          capture_output=True, env=env, timeout=120, check=False)


def test_a_reading_command_writes_all_its_output_and_its_exit_code(capsys, archive: Archive) -> None:
    """Many rows with awkward titles (quotes, backslashes, controls, bidi), no date and no
    URL: the process prints the bytes `main` prints in process; a failure keeps its code and
    its one line on stderr."""
    titles = ['Báo cáo "trích" \\ \u202etrái\u0085', "Tab\tand\nnewline \x1b[31m", "Không nguồn"]
    for i in range(40):
        archive.ingest_article(make_article(f"{titles[i % 3]} {i}", province="Cà Mau" if i % 2 else "An Giang",
                                            year=2019 + i % 3, published=None if i % 4 else f"2020-01-{i % 28 + 1:02}",
                                            url=None if i % 5 else f'https://example.vn/tin?q="{i}"&r=\\'))
    store = archive.path
    assert main(["list", "--json", "--store", str(store)]) == 0
    in_process = capsys.readouterr().out.encode()
    done = _tongket(store, "list", "--json")
    assert (done.returncode, done.stdout, done.stderr) == (0, in_process, b"")
    assert len(json.loads(done.stdout)) == 40
    table = _tongket(store, "list")  # Rich writes through sys.stdout's buffer: flushed before leaving
    assert table.returncode == 0 and table.stdout.count("Không nguồn".encode()) == 13
    missing = _tongket(store, "show", "0000000000000000")
    assert missing.returncode == 1 and missing.stdout == b"" and len(missing.stderr.splitlines()) == 1


def test_a_writing_command_still_leaves_through_the_normal_exit(archive: Archive) -> None:
    archive.ingest_article(make_article("Sẽ sửa", province="Cà Mau", year=2019))
    store = archive.path
    aid = json.loads(_tongket(store, "list", "--json").stdout)[0]["id"]
    assert _tongket(store, "set", aid, "--title", "Đã sửa").returncode == 0
    shown = _tongket(store, "show", aid, "--json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["title"] == "Đã sửa"
