"""Damaged or missing files never pass as healthy: checksums on the archive and its
derived files, missing files detected while their backups or article texts remain, and
what `tongket doctor` reports and repairs. Generated stores in temporary folders."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tongket.store.cli.main import main

SEEDS = sorted((Path(__file__).parent.parent / "fixtures" / "seeds").glob("*.txt"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def filled(capsys, store_dir: Path) -> Path:
    """Seeds ingested in two writes (so backups exist) and one correction."""
    assert main(["ingest", *map(str, SEEDS[:3])]) == 0
    assert main(["ingest", *map(str, SEEDS[3:])]) == 0
    capsys.readouterr()
    aid = json.loads(run(capsys, "list", "--json")[1])[0]["id"]
    assert main(["set", aid, "--year", "2001"]) == 0
    assert main(["set", aid, "--province", "An Giang"]) == 0  # two writes: corrections.json.bak exists
    capsys.readouterr()
    return store_dir


def listing(capsys) -> tuple[int, str, str]:
    return run(capsys, "list", "--json")


# ---------------------------------------------------------------- archive.json checksum


def test_no_single_bit_flip_in_archive_json_changes_data_silently(capsys, filled: Path) -> None:
    path = filled / "archive.json"
    raw = path.read_bytes()
    code, reference, _ = listing(capsys)
    assert code == 0
    positions = [len(raw) * i // 41 for i in range(1, 41)]
    for pos in positions:
        flipped = bytearray(raw)
        flipped[pos] ^= 1 << (pos % 8)
        path.write_bytes(bytes(flipped))
        code, out, err = listing(capsys)
        assert (code == 1 and "damaged" in err and "tongket doctor" in err) or out == reference, pos
    path.write_bytes(raw)
    assert listing(capsys)[1] == reference
