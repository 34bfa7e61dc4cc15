"""A damaged, truncated or newer archive, a full disk, a serializer failure, a read-only or
missing store folder: tongket says what is wrong and where in one line, never writes over
what it cannot read, keeps a copy, and `tongket doctor` brings the articles back."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import orjson
import pytest

from conftest import make_article
from tongket.store.archive import storage
from tongket.store.archive.archive import Archive
from tongket.store.cli.main import main
from tongket.store.errors import StoreError

SEEDS = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "seeds").glob("*.txt"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def filled(capsys, store_dir: Path) -> Path:
    """A store with the five seeds ingested in two writes (so a backup exists) and a correction."""
    assert main(["ingest", *map(str, SEEDS[:3]), "--store", str(store_dir)]) == 0
    assert main(["ingest", *map(str, SEEDS[3:]), "--store", str(store_dir)]) == 0
    aid = Archive.open(store_dir).articles()[0].id
    assert main(["set", aid, "--year", "2001", "--store", str(store_dir)]) == 0
    capsys.readouterr()
    return store_dir


def _ids(store: Path) -> set[str]:
    data = orjson.loads((store / "archive.json").read_bytes())
    return {r["id"] for r in data["articles"].values()}


def _one_line_error(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


# ---------------------------------------------------------------- damaged archive.json

DAMAGE = {
    "not-json": (lambda raw: b"this is not json at all", "invalid JSON at line 1"),
    "truncated": (lambda raw: raw[: len(raw) * 2 // 3], "truncated"),
    "cut-in-a-letter": (lambda raw: raw[: raw.index("ư".encode()) + 1], "truncated"),
    "empty": (lambda raw: b"", "empty"),
    "garbage-inside": (lambda raw: raw[:200] + b"\x00\x00\x00" + raw[203:], "invalid JSON"),
    "wrong-shape": (lambda raw: b'{"articles": [1, 2, 3]}', "'articles' table is a list"),
    # edited by hand without a checksum, so the record check itself is what refuses it
    "record-without-id": (lambda raw: _unsealed(raw).replace(b'"id":', b'"xx":', 1), "has no id"),
    # one bit of a digit inside a value: still valid JSON (a flip at a fixed offset could hit a
    # quote, as the temp folder's name moves the offsets), so only the checksum can tell
    "bit-flip": (lambda raw: _flip_digit(raw), "checksum does not match"),
    "title-edited": (lambda raw: raw.replace("Văn".encode(), "Vân".encode(), 1), "checksum does not match"),
}


def _flip_digit(raw: bytes) -> bytes:
    at = raw.index(b'"ingested_at":"') + len(b'"ingested_at":"') + 2  # a year digit: 2 ^ 0x02 is 0
    return raw[:at] + bytes([raw[at] ^ 0x02]) + raw[at + 1:]


def _unsealed(raw: bytes) -> bytes:
    """The file as an older tongket (or a hand edit) writes it: no checksum."""
    data = orjson.loads(raw)
    del data["_checksum"]
    return orjson.dumps(data)


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_damaged_archive_is_refused_kept_and_explained(capsys, filled: Path, damage: str) -> None:
    make, words = DAMAGE[damage]
    path = filled / "archive.json"
    broken = make(path.read_bytes())
    path.write_bytes(broken)
    for argv in (["list"], ["ingest", str(SEEDS[0])], ["set", "abc", "--year", "2000"]):
        code, _, err = run(capsys, *argv, "--store", str(filled))
        assert code == 1
        err = _one_line_error(err)
        assert str(path) in err and words in err and "tongket doctor" in err
        assert path.read_bytes() == broken  # never written over
    copies = sorted(filled.glob("archive.json.corrupt-*"))
    assert len(copies) == 1 and copies[0].read_bytes() == broken  # one copy, however often opened


def test_doctor_reports_and_restores_the_backup(capsys, filled: Path) -> None:
    backup_ids = {r["id"] for r in orjson.loads((filled / "archive.json.bak").read_bytes())["articles"].values()}
    (filled / "archive.json").write_bytes(b'{"_meta": {"1": {"schema": 1}}, "articles": {"1": {"id": "x", "ti')
    code, out, _ = run(capsys, "doctor", "--store", str(filled))
    assert code == 1 and "archive.json: DAMAGED - it is cut off (truncated)" in out
    assert "archive.json.bak: ok" in out and "--restore" in out
    code, out, err = run(capsys, "doctor", "--restore", "--store", str(filled))
    assert code == 0, err
    assert out.startswith("restored archive.json from archive.json.bak") and "everything is fine" in out
    assert _ids(filled) == backup_ids
    code, out, err = run(capsys, "list", "--json", "--store", str(filled))
    assert code == 0, err
    code, _, err = run(capsys, "doctor", "--restore", "--store", str(filled))  # nothing to restore now
    assert code == 1 and "nothing to restore" in err


def test_doctor_salvage_keeps_every_readable_article_and_correction(capsys, filled: Path) -> None:
    before = _ids(filled)
    corrected = [m.id for m in Archive.open(filled).articles() if m.corrected]
    raw = (filled / "archive.json").read_bytes()
    half = len(raw) // 2
    (filled / "archive.json").write_bytes(raw[:half] + b"#garbage#" + raw[half + 400 :])  # a hole mid-file
    (filled / "archive.json.bak").unlink()  # and no backup: what the hole ate comes from the texts
    code, out, err = run(capsys, "doctor", "--salvage", "--store", str(filled))
    assert code == 0, err + out
    assert out.startswith("salvaged 5 articles") and "from article texts" in out
    assert _ids(filled) == before
    archive = Archive.open(filled)
    for meta in archive.articles():
        stored = archive.get(meta.id)
        assert stored.article.body and stored.article.title
    assert [m.id for m in archive.articles() if m.corrected] == corrected  # the corrections table survived
    # the archive works again: a re-ingest adds nothing new
    code, out, _ = run(capsys, "ingest", *map(str, SEEDS), "--store", str(filled))
    assert code == 0 and out.startswith("added 0,")


def test_salvage_from_texts_alone(capsys, filled: Path) -> None:
    before = _ids(filled)
    (filled / "archive.json").write_bytes(b"\x00" * 100)
    (filled / "archive.json.bak").write_bytes(b"{")
    code, out, err = run(capsys, "doctor", "--salvage", "--store", str(filled))
    assert code == 0, err
    assert _ids(filled) == before
    titles = {m.title for m in Archive.open(filled).articles()}
    assert all(titles)


def test_newer_schema_is_read_but_never_written(capsys, filled: Path) -> None:
    path = filled / "archive.json"
    data = orjson.loads(path.read_bytes())
    data["_meta"]["1"]["schema"] = 99
    del data["_checksum"]  # rewritten by hand: no checksum, read unverified
    path.write_bytes(orjson.dumps(data))
    before = path.read_bytes()
    code, out, _ = run(capsys, "list", "--json", "--store", str(filled))
    assert code == 0 and len(orjson.loads(out)) == 5
    code, _, err = run(capsys, "ingest", str(SEEDS[0]), "--store", str(filled))
    assert code == 1 and "newer tongket" in _one_line_error(err) and str(path) in err
    assert path.read_bytes() == before
    code, out, _ = run(capsys, "doctor", "--store", str(filled))
    assert "written by a newer tongket (format 99" in out and "upgrade" in out
    code, _, err = run(capsys, "doctor", "--salvage", "--store", str(filled))
    assert code == 1 and "newer" in err and path.read_bytes() == before


def test_doctor_on_a_healthy_store_changes_nothing(capsys, filled: Path) -> None:
    before = (filled / "archive.json").read_bytes()
    code, out, _ = run(capsys, "doctor", "--store", str(filled))
    assert code == 0 and "archive.json: ok - 5 articles, 1 corrections" in out and "everything is fine" in out
    assert (filled / "archive.json").read_bytes() == before


def test_doctor_names_missing_article_texts(capsys, filled: Path) -> None:
    victim = next((filled / "bodies").rglob("*.json"))
    victim.unlink()
    code, out, _ = run(capsys, "doctor", "--store", str(filled))
    assert code == 1 and "MISSING article texts for 1 articles" in out and victim.stem in out


# ---------------------------------------------------------------- full disk, serializer


class _FullDisk:
    """`open` for tongket.store.archive.storage whose files take half the data, then raise ENOSPC."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, path, mode="r", *args, **kwargs):
        handle = open(path, mode, *args, **kwargs)
        if "w" not in mode:
            return handle
        self.calls += 1
        real_write = handle.write

        class Full:
            def __enter__(self_inner):
                return self_inner

            def __exit__(self_inner, *exc):
                handle.close()

            def write(self_inner, data):
                real_write(data[: len(data) // 2])
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            def __getattr__(self_inner, name):
                return getattr(handle, name)

        return Full()


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def test_full_disk_during_ingest(capsys, filled: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    before = (filled / "archive.json").read_bytes()
    new = tmp_path / "new.txt"
    new.write_text(SEEDS[0].read_text(encoding="utf-8") + "\n\nNăm 2019 có 12 văn bản mới.", encoding="utf-8")
    full = _FullDisk()
    monkeypatch.setattr(storage, "open", full, raising=False)
    code, _, err = run(capsys, "ingest", str(new), "--store", str(filled))
    monkeypatch.undo()
    assert full.calls and code == 1
    assert "No space left on device" in err and "nothing was changed" in err and "Traceback" not in err
    assert (filled / "archive.json").read_bytes() == before
    assert _leftovers(filled) == []
    code, out, _ = run(capsys, "list", "--json", "--store", str(filled))
    assert code == 0 and len(orjson.loads(out)) == 5


def test_full_disk_while_writing_archive_json(capsys, filled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = Archive.open(filled)
    before = (filled / "archive.json").read_bytes()
    real_open = open

    def full_for_archive(path, mode="r", *args, **kwargs):
        if ("archive.json" in str(path) or "corrections.json" in str(path)) and "w" in mode:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(storage, "open", full_for_archive, raising=False)
    with pytest.raises(StoreError, match="No space left on device.*nothing was changed"):
        archive.ingest_article(make_article("Bài mới trên đĩa đầy"))
    with pytest.raises(StoreError, match="No space left"):
        archive.correct(archive.articles()[0].id, report_year=1999)
    monkeypatch.undo()
    assert (filled / "archive.json").read_bytes() == before
    assert _leftovers(filled) == []
    assert len(archive) == 5  # memory rolled back to what is on disk
    assert archive.ingest_article(make_article("Bài mới trên đĩa đầy")) == "added"  # space again: works
    assert len(Archive.open(filled)) == 6


def test_full_disk_on_fsync(capsys, filled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = (filled / "archive.json").read_bytes()

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(storage.os, "fsync", no_space)
    code, _, err = run(capsys, "set", Archive.open(filled).articles()[0].id, "--year", "1999", "--store", str(filled))
    monkeypatch.undo()
    assert code == 1 and "No space left" in _one_line_error(err)
    assert (filled / "archive.json").read_bytes() == before and _leftovers(filled) == []


def test_serializer_failure_is_one_line_and_changes_nothing(capsys, filled: Path, monkeypatch) -> None:
    before = (filled / "archive.json").read_bytes()

    def broken(data):
        raise TypeError("Type is not JSON serializable: Decimal")

    monkeypatch.setattr(storage, "dumps", broken)
    code, _, err = run(capsys, "set", Archive.open(filled).articles()[0].id, "--year", "1999", "--store", str(filled))
    monkeypatch.undo()
    assert code == 1 and "cannot be written as JSON" in _one_line_error(err) and "nothing was changed" in err
    assert (filled / "archive.json").read_bytes() == before and _leftovers(filled) == []


def test_stale_temp_files_of_killed_writers_are_cleared(filled: Path) -> None:
    dead = filled / ".archive.json.999999999.1.tmp"  # no such process
    dead.write_bytes(b'{"half": ')
    Archive.open(filled).ingest_article(make_article("Một bài nữa"))
    assert not dead.exists()


# ---------------------------------------------------------------- read-only and missing folders


def test_read_only_store_folder(capsys, filled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = (filled / "archive.json").read_bytes()
    real_open = open

    def read_only(path, mode="r", *args, **kwargs):
        if "w" in mode:
            raise PermissionError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(storage, "open", read_only, raising=False)
    code, _, err = run(capsys, "set", Archive.open(filled).articles()[0].id, "--year", "1999", "--store", str(filled))
    monkeypatch.undo()
    assert code == 1 and "read-only" in _one_line_error(err) and str(filled) in err
    assert (filled / "archive.json").read_bytes() == before and _leftovers(filled) == []
    code, out, _ = run(capsys, "list", "--json", "--store", str(filled))  # reading still works
    assert code == 0 and len(orjson.loads(out)) == 5


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores permission bits")
def test_really_read_only_store_folder(capsys, filled: Path) -> None:
    before = (filled / "archive.json").read_bytes()
    (filled / "archive.lock").unlink()
    filled.chmod(0o555)
    try:
        code, _, err = run(capsys, "set", Archive.open(filled).articles()[0].id, "--year", "1999",
                           "--store", str(filled))
        assert code == 1 and "Permission denied" in _one_line_error(err)
        code, out, _ = run(capsys, "list", "--json", "--store", str(filled))
        assert code == 0 and len(orjson.loads(out)) == 5
    finally:
        filled.chmod(0o755)
    assert (filled / "archive.json").read_bytes() == before and _leftovers(filled) == []


def test_store_folder_that_cannot_be_created(capsys, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "ingest", str(SEEDS[0]), "--store", str(blocker / "store"))
    assert code == 1 and "cannot create the archive folder" in _one_line_error(err) and str(blocker) in err
    code, _, err = run(capsys, "list", "--store", str(blocker))
    assert code == 1 and "not a folder" in _one_line_error(err)


def test_missing_store_folder_is_created(capsys, tmp_path: Path) -> None:
    store = tmp_path / "deep" / "new" / "store"
    code, out, err = run(capsys, "ingest", str(SEEDS[0]), "--store", str(store))
    assert code == 0, err
    assert (store / "archive.json").exists()


def test_doctor_without_a_store(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "doctor", "--store", str(tmp_path / "nothing"))
    assert code == 1 and "no archive folder" in _one_line_error(err)
