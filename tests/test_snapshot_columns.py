"""Snapshot columns are checked against their own CRC when first read, after the open: a
damaged column is never believed (the reading command drops the file and runs again, which
rebuilds it; `tongket doctor` names it), and a string column read in place answers as its list."""

from __future__ import annotations

import json
from pathlib import Path

from tongket.store.cli.main import main
from tongket.store.derived import snapshot as snapshots
from tongket.store.derived import snapshot_file

from tests.test_integrity import filled, run  # noqa: F401 - the fixture

__all__ = ["filled"]


def test_a_damaged_title_column_is_found_when_listed_and_rebuilt(capsys, filled: Path) -> None:  # noqa: F811
    code, before, _ = run(capsys, "list", "--json")
    assert code == 0
    title = json.loads(before)[-1]["title"].encode("utf-8")
    snap = filled / "archive.snapshot"
    raw = snap.read_bytes()
    at = raw.index(title)  # the titles column (the stored records, after it, hold it too)
    assert at < raw.index(b"content_id")
    snap.write_bytes(raw[:at] + title[::-1] + raw[at + len(title):])  # same length: only the column's CRC tells
    code, out, _ = run(capsys, "doctor")
    assert code == 1 and "archive.snapshot: DAMAGED" in out and "titles" in out
    code, after, err = run(capsys, "list", "--json")
    assert code == 0 and after == before  # rebuilt from archive.json, not read wrong
    assert err.count("archive.snapshot") == 1 and "titles column" in err and "rebuilt it" in err
    assert run(capsys, "doctor")[0] == 0


def test_strings_read_in_place_answer_as_their_list() -> None:
    from array import array
    from itertools import accumulate

    values = ["a", "", "văn bản", "x" * 50] * 25
    encoded = [v.encode("utf-8") for v in values]
    blob = memoryview(b"\x00".join(encoded))
    starts = memoryview(array("q", accumulate((len(e) + 1 for e in encoded), initial=0)))
    whole: list[list[object]] = []
    col = snapshot_file.Strings(blob, starts, len(values), True, whole.append)
    assert col[2] == "văn bản" and col[1] is None and col[-1] == "x" * 50 and len(col) == 100
    assert not whole  # a few items asked: not split
    want = [v or None for v in values]
    assert list(col) == want and whole == [want]  # split once, and handed over
    assert col[1:3] == [None, "văn bản"] and col == want


def test_damage_in_any_column_is_never_believed(capsys, filled: Path) -> None:  # noqa: F811
    """Each section in turn gets one byte changed: doctor names the file, and a listing and a
    lookup answer as before (the file dropped and rebuilt), never with an internal error."""
    from tongket.store.derived.snapshot_file import _read_header

    listing, lookup = run(capsys, "list", "--json")[1], run(capsys, "lookup", "văn bản", "--json")[1]
    path = filled / snapshots.SNAPSHOT_FILE
    with open(path, "rb") as handle:
        header, data_start = _read_header(handle)
    for name, (off, length, _kind) in header["sections"].items():
        if name == "records" or not length:
            continue  # each record has its own CRC (tests/test_snapshot.py)
        raw = bytearray(path.read_bytes())
        raw[data_start + off + length // 2] ^= 0x20
        path.write_bytes(bytes(raw))
        code, out, err = run(capsys, "doctor")
        assert code == 1 and "archive.snapshot: DAMAGED" in out and "internal error" not in err, name
        path.write_bytes(bytes(raw))  # doctor may have dropped it: damaged again for the reads
        for argv, want in ((("list", "--json"), listing), (("lookup", "văn bản", "--json"), lookup)):
            code, out, err = run(capsys, *argv)
            assert code == 0 and out == want and "internal error" not in err, (name, argv, err)



def test_list_json_takes_a_url_from_archive_json_when_its_stored_record_is_damaged(capsys, store_dir: Path) -> None:
    from conftest import make_article
    from tongket.store.archive.archive import Archive

    archive = Archive.open(store_dir)
    urls = ["https://a.gov.vn/1", 'https://b.gov.vn/?q="x\\\\y"', None, "https://d.gov.vn/đ"]
    for i, url in enumerate(urls * 5):
        archive.ingest_article(make_article(f"Bài {i}", f"Văn bản số {i}.", url=url and f"{url}/{i}"))
    code, before, _ = run(capsys, "list", "--json", "--store", str(store_dir))
    rows = json.loads(before)
    assert sorted(map(str, (r["source_url"] for r in rows))) == sorted(str(u and f"{u}/{i}") for i, u in enumerate(urls * 5))
    snap = store_dir / "archive.snapshot"
    raw = snap.read_bytes()
    for url in (b'"source_url":"https://a.gov.vn/1/4"', b'"source_url":"https://d.gov.vn/'):
        at = raw.index(url) + 14  # in a stored record: the URL, not its key
        raw = raw[:at] + raw[at : at + 8][::-1] + raw[at + 8 :]  # same length: only the record's CRC tells
    snap.write_bytes(raw)
    for argv in (["list", "--json"], ["list", "--json", "--text", "van ban"], ["list", "--json", "--text", "so 1"]):
        code, out, _ = run(capsys, *argv, "--store", str(store_dir))
        got = json.loads(out)
        assert code == 0 and got and all(row in rows for row in got), argv
