"""`python -m tongket.store.cli.main` and the `tongket` console script as processes: a
reading command leaves without the interpreter's teardown (`exit_after`), which must not
lose output, change the exit code or skip the normal exit of a command that writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_article
from tongket.store.archive.archive import Archive
from tongket.store.cli.main import main


# how a user starts a command: `python -m tongket.store.cli.main …`, or `tongket …` (the
# console script, which calls `tongket.tui.cli:main()` with no arguments and exits with its code)
ENTRY_POINTS = {
    "module": ["-m", "tongket.store.cli.main"],
    "console script": ["-c", "import sys; from tongket.tui.cli import main; sys.exit(main())"],
}


@pytest.fixture(params=sorted(ENTRY_POINTS))
def entry(request: pytest.FixtureRequest) -> list[str]:
    return ENTRY_POINTS[request.param]


def _run(entry: list[str], store: Path, *argv: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run([sys.executable, *entry, *argv, "--store", str(store)],
                          capture_output=True, env=env, timeout=120, check=False)


def test_a_reading_command_writes_all_its_output_and_its_exit_code(capsys, archive: Archive, entry: list[str]) -> None:
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
    done = _run(entry, store, "list", "--json")
    assert (done.returncode, done.stdout, done.stderr) == (0, in_process, b"")
    assert len(json.loads(done.stdout)) == 40
    table = _run(entry, store, "list")  # Rich writes through sys.stdout's buffer: flushed before leaving
    assert table.returncode == 0 and table.stdout.count("Không nguồn".encode()) == 13
    missing = _run(entry, store, "show", "0000000000000000")
    assert missing.returncode == 1 and missing.stdout == b"" and len(missing.stderr.splitlines()) == 1


def test_a_writing_command_still_leaves_through_the_normal_exit(archive: Archive, entry: list[str]) -> None:
    archive.ingest_article(make_article("Sẽ sửa", province="Cà Mau", year=2019))
    store = archive.path
    aid = json.loads(_run(entry, store, "list", "--json").stdout)[0]["id"]
    assert _run(entry, store, "set", aid, "--title", "Đã sửa").returncode == 0
    shown = _run(entry, store, "show", aid, "--json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["title"] == "Đã sửa"
