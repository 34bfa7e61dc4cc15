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


# ---------------------------------------------------------------- missing files


def test_a_deleted_archive_json_is_damage_not_a_new_archive(capsys, filled: Path) -> None:
    code, reference, _ = listing(capsys)
    (filled / "archive.json").unlink()
    for argv in (["list"], ["ingest", str(SEEDS[0])], ["sample"]):
        code, out, err = run(capsys, *argv)
        assert code == 1, argv
        assert "archive.json" in err and "missing" in err and "tongket doctor" in err and err.count("\n") == 1
    assert not (filled / "archive.json").exists()  # nothing was written in its place
    code, out, _ = run(capsys, "doctor")
    assert code == 1 and "archive.json: DAMAGED - it is missing" in out and "--restore" in out
    assert run(capsys, "doctor", "--restore")[0] == 0
    restored = {m["id"] for m in json.loads(listing(capsys)[1])}  # the previous version: the last ingest may be lost
    assert len(restored) >= 3 and restored <= {m["id"] for m in json.loads(reference)}


def test_a_deleted_archive_json_with_only_article_texts_left_is_salvaged(capsys, filled: Path) -> None:
    code, reference, _ = listing(capsys)
    (filled / "archive.json").unlink()
    (filled / "archive.json.bak").unlink()
    code, out, _ = run(capsys, "doctor")
    assert code == 1 and "article texts remain" in out and "--salvage" in out
    assert run(capsys, "doctor", "--salvage")[0] == 0
    got = json.loads(listing(capsys)[1])
    assert sorted(m["id"] for m in got) == sorted(m["id"] for m in json.loads(reference))
    assert any(m["corrections"] for m in got)  # corrections.json was untouched


def test_a_deleted_corrections_json_is_damage_while_its_backup_holds_corrections(capsys, filled: Path) -> None:
    code, reference, _ = listing(capsys)
    (filled / "corrections.json").unlink()
    code, _, err = listing(capsys)
    assert code == 1 and "corrections.json" in err and "missing" in err
    code, out, _ = run(capsys, "doctor")
    assert code == 1 and "corrections.json: DAMAGED - it is missing while its backup holds" in out
    assert "--restore" in out
    code, out, _ = run(capsys, "doctor", "--restore")
    assert code == 0 and "everything is fine" in out
    restored = json.loads(listing(capsys)[1])
    assert any(m["corrections"] for m in restored)  # the backup's corrections (the last one may be lost)


def test_a_new_folder_is_still_a_new_archive(capsys, store_dir: Path) -> None:
    code, out, err = run(capsys, "list")
    assert code == 0 and "0 of 0" in out
    code, out, _ = run(capsys, "doctor")
    assert code == 0


# ---------------------------------------------------------------- derived files


def test_a_damaged_snapshot_is_never_a_wrong_answer_and_doctor_names_it(capsys, filled: Path) -> None:
    import struct

    code, before, _ = run(capsys, "lookup", "văn bản", "--json")
    assert code == 0
    value = next(f["value"] for f in json.loads(before) if f["value"] > 10)
    snap = filled / "archive.snapshot"
    raw = snap.read_bytes()
    packed = struct.pack("<d", value)
    assert packed in raw
    snap.write_bytes(raw.replace(packed, struct.pack("<d", value * 10)))  # the value column times 10
    code, out, _ = run(capsys, "doctor")
    assert code == 1 and "archive.snapshot: DAMAGED" in out and "--repair" in out
    code, after, err = run(capsys, "lookup", "văn bản", "--json")
    assert code == 0 and after == before  # rebuilt from archive.json, not read wrong
    assert err.count("archive.snapshot") == 1 and "damaged" in err and "rebuilt it" in err  # said once
    assert run(capsys, "doctor")[0] == 0  # the open rebuilt it
    assert "archive.snapshot" not in run(capsys, "lookup", "văn bản", "--json")[2]  # and says so no more


def test_an_edited_search_text_is_named_by_doctor_and_repaired(capsys, filled: Path) -> None:
    code, before, _ = run(capsys, "list", "--text", "van ban", "--json")
    assert code == 0 and json.loads(before)
    path = filled / "search.txt"
    path.write_bytes(path.read_bytes().replace(b"van ban", b"van bxn"))
    code, out, _ = run(capsys, "doctor")
    assert code == 1 and "search.txt, search.idx: DAMAGED" in out and "records differ" in out
    code, out, _ = run(capsys, "doctor", "--repair")
    assert code == 0 and "rebuilt" in out and "everything is fine" in out
    assert run(capsys, "list", "--text", "van ban", "--json")[1] == before


def test_garbage_in_search_idx_does_not_break_text_search(capsys, filled: Path) -> None:
    code, before, _ = run(capsys, "list", "--text", "van ban", "--json")
    path = filled / "search.idx"
    raw = path.read_bytes()
    path.write_bytes(raw[:40] + b"\xff" * 64 + raw[104:])
    code, out, err = run(capsys, "list", "--text", "van ban", "--json")
    assert code == 0 and "internal error" not in err
    assert out == before


def test_temp_leftovers_of_killed_writers_are_named_and_swept(capsys, filled: Path) -> None:
    sub = next(p for p in (filled / "bodies").iterdir() if p.is_dir())
    leftover = sub / f".{next(sub.iterdir()).name}.99999999.1.tmp"  # no such process
    leftover.write_bytes(b'{"half": ')
    code, out, _ = run(capsys, "doctor")
    assert "1 temporary files left by interrupted writes" in out
    assert leftover.name in out  # named, so the user knows which file the doctor means
    code, out, _ = run(capsys, "doctor", "--repair")
    assert code == 0 and "removed 1 temporary files" in out
    assert not leftover.exists()


def test_salvage_from_article_texts_alone_keeps_the_corrections_of_an_edited_article(capsys, tmp_path: Path,
                                                                                   store_dir: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text(SEEDS[0].read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["ingest", str(src)]) == 0
    capsys.readouterr()
    (aid,) = [m["id"] for m in json.loads(listing(capsys)[1])]
    assert main(["set", aid, "--year", "2003"]) == 0
    os.utime(store_dir / "bodies" / aid[:2] / f"{aid}.json", (1_000_000_000, 1_000_000_000))  # clearly older
    src.write_text(src.read_text(encoding="utf-8") + "\n\nNăm 2019 có 12 văn bản mới.\n", encoding="utf-8")
    assert main(["ingest", str(src)]) == 0
    capsys.readouterr()
    for name in ("archive.json", "archive.json.bak", "archive.snapshot"):
        (store_dir / name).unlink(missing_ok=True)
    code, out, _ = run(capsys, "doctor", "--salvage")
    assert code == 0, out
    code, out, _ = run(capsys, "show", aid, "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["report_year"] == 2003 and shown["corrections"] == {"report_year": 2003}
    assert "12 văn bản mới" in shown["body"]


# ---------------------------------------------------------------- corrections read with `set`'s rules


def _write_corrections(folder: Path, fields: dict[str, object], aid: str) -> None:
    path = folder / "corrections.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["corrections"] = {"1": {"id": aid, "fields": fields}}
    del data["_checksum"]  # a hand edit: no checksum, read unverified
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("field, value", [
    ("province", 5), ("province", "Atlantis"), ("report_year", "abc"), ("report_year", 99999),
    ("report_year", True), ("period", "forever"), ("title", ""), ("title", ["x"]), ("colour", "red"),
])
def test_a_correction_set_would_refuse_is_reported_and_set_aside(capsys, filled: Path, field: str,
                                                                  value: object) -> None:
    before = json.loads(listing(capsys)[1])
    aid = before[0]["id"]
    good = ("period", "quarter") if field == "report_year" else ("report_year", 2003)
    _write_corrections(filled, {field: value, good[0]: good[1]}, aid)
    code, out, err = listing(capsys)
    assert code == 0, err
    assert "internal error" not in err
    assert err.count("set aside") == 1
    assert "corrections.json" in err and aid in err
    rows = {row["id"]: row for row in json.loads(out)}
    shown = rows[aid]
    assert shown[good[0]] == good[1]  # the good value of the same article still applies
    assert shown.get(field) != value  # never shown as it is
    code, out, err = run(capsys, "show", aid)
    assert code == 0 and "internal error" not in err
    # doctor names it; the next write keeps the refused value in the file's `rejected` table
    code, out, _ = run(capsys, "doctor")
    assert "set aside" in out and "everything is fine" not in out
    other = before[1]["id"]
    assert run(capsys, "set", other, "--year", "2010")[0] == 0
    data = json.loads((filled / "corrections.json").read_text(encoding="utf-8"))
    assert [d["fields"] for d in data["rejected"].values()] == [{field: value}]
    assert all(field not in d["fields"] or d["fields"][field] != value for d in data["corrections"].values())


def test_set_title_drops_bidi_and_control_characters(capsys, filled: Path) -> None:
    aid = json.loads(listing(capsys)[1])[0]["id"]
    assert run(capsys, "set", aid, "--title", "Ti\u2066êu\u202e đề\x1b[31m mới\x07\u2069")[0] == 0
    rows = {row["id"]: row for row in json.loads(listing(capsys)[1])}
    assert rows[aid]["title"] == "Tiêu đề mới"


# ---------------------------------------------------------------- damaged article texts


@pytest.mark.parametrize("damage", ["deleted", "garbled", "wrong shape", "wrong figures"])
def test_ingesting_the_source_again_repairs_a_damaged_article_text(capsys, tmp_path: Path, store_dir: Path,
                                                                    damage: str) -> None:
    src = tmp_path / "a.txt"
    src.write_text(SEEDS[0].read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["ingest", str(src)]) == 0
    capsys.readouterr()
    (aid,) = [m["id"] for m in json.loads(listing(capsys)[1])]
    body = json.loads(run(capsys, "show", aid, "--json")[1])["body"]
    path = store_dir / "bodies" / aid[:2] / f"{aid}.json"
    if damage == "deleted":
        path.unlink()
    else:
        path.write_bytes({"garbled": b"\xff" * 64, "wrong shape": b'{"body": 5}',
                          "wrong figures": b'{"body": "x", "figures": [5]}'}[damage])
    code, out, err = run(capsys, "show", aid)
    assert code == 0 and "internal error" not in err and "missing or damaged" in out
    code, out, err = run(capsys, "show", aid, "--json")
    assert code == 0 and any("missing or damaged" in w and str(path) in w for w in json.loads(out)["warnings"])
    code, out, _ = run(capsys, "doctor")
    assert "ingest the affected files again" in out
    code, out, err = run(capsys, "ingest", str(src))
    assert code == 0 and "internal error" not in err
    assert json.loads(run(capsys, "show", aid, "--json")[1])["body"] == body
    code, out, _ = run(capsys, "doctor")
    assert "everything is fine" in out, out


# ---------------------------------------------------------------- leftovers of failed and killed writes


def _texts(folder: Path) -> set[str]:
    return {p.name for p in (folder / "bodies").rglob("*") if p.is_file()}


def test_a_failed_batch_removes_the_texts_it_wrote_and_salvage_finds_none(capsys, tmp_path: Path, store_dir: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from tongket.store.archive import storage

    assert main(["ingest", str(SEEDS[0])]) == 0
    capsys.readouterr()
    before_texts, before = _texts(store_dir), json.loads(listing(capsys)[1])
    real_open = open

    def full_for_archive(path, mode="r", *args, **kwargs):
        if "archive.json" in str(path) and "w" in mode:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_open(path, mode, *args, **kwargs)

    with monkeypatch.context() as patch:  # the store_dir fixture's own patches stay
        patch.setattr(storage, "open", full_for_archive, raising=False)
        code, _, err = run(capsys, "ingest", *map(str, SEEDS[1:]))
    assert code != 0 and "No space left" in err and "internal error" not in err
    assert _texts(store_dir) == before_texts  # nothing was changed, the texts included
    code, out, _ = run(capsys, "doctor", "--salvage")
    assert code == 0
    assert json.loads(listing(capsys)[1]) == before


def test_salvage_leaves_out_texts_written_after_the_archive(capsys, store_dir: Path) -> None:
    """A killed batch leaves texts archive.json never pointed to: they are not articles."""
    assert main(["ingest", str(SEEDS[0])]) == 0
    capsys.readouterr()
    before = json.loads(listing(capsys)[1])
    aid = before[0]["id"]
    text = store_dir / "bodies" / aid[:2] / f"{aid}.json"
    orphan = store_dir / "bodies" / "ff" / "ffffffffffffffff.json"
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(text.read_bytes())  # a newer text with no record: what a killed ingest leaves
    assert run(capsys, "doctor", "--salvage")[0] == 0
    assert [m["id"] for m in json.loads(listing(capsys)[1])] == [aid]


def test_the_next_write_sweeps_temp_files_of_killed_writers(capsys, filled: Path) -> None:
    sub = next(p for p in (filled / "bodies").iterdir() if p.is_dir())
    leftover = sub / f".{next(sub.iterdir()).name}.99999999.1.tmp"  # its writer (no such process) is gone
    leftover.write_bytes(b'{"half": ')
    top = filled / ".archive.json.99999999.1.tmp"
    top.write_bytes(b"{")
    assert main(["ingest", str(Path(__file__).parent.parent / "fixtures" / "seeds" / SEEDS[0].name)]) == 0
    assert leftover.exists()  # an unchanged ingest writes nothing, so it sweeps nothing
    extra = filled.parent / "extra.txt"
    extra.write_text(SEEDS[0].read_text(encoding="utf-8") + "\nNăm 2019 có 3 văn bản mới.\n", encoding="utf-8")
    assert main(["ingest", str(extra)]) == 0
    assert not leftover.exists() and not top.exists()


def test_a_garbled_snapshot_is_announced_once_a_missing_one_is_not(capsys, filled: Path) -> None:
    code, before, _ = listing(capsys)
    snap = filled / "archive.snapshot"
    snap.write_bytes(b"\xff" * 64)
    code, out, err = listing(capsys)
    assert code == 0 and out == before
    assert err.count("\n") == 1 and "archive.snapshot" in err and "rebuilt it" in err
    snap.unlink()
    code, out, err = listing(capsys)
    assert code == 0 and out == before and err == ""  # a missing snapshot is routine: rebuilt silently


def test_a_correction_is_a_write_and_sweeps_temp_files_too(capsys, filled: Path) -> None:
    sub = next(p for p in (filled / "bodies").iterdir() if p.is_dir())
    leftover = sub / f".{next(sub.iterdir()).name}.99999999.1.tmp"  # its writer is gone
    leftover.write_bytes(b'{"half": ')
    aid = json.loads(listing(capsys)[1])[0]["id"]
    assert run(capsys, "set", aid, "--year", "2019")[0] == 0
    assert not leftover.exists()
