"""The storage layer: atomic replace, backups, UTF-8 on disk, TinyDB compatibility."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tinydb import TinyDB

from tongket.store.archive import storage
from tongket.store.errors import StoreError
from tongket.store.archive.storage import AtomicJSONStorage, atomic_write_bytes


def test_round_trip_keeps_vietnamese_unescaped(tmp_path: Path) -> None:
    s = AtomicJSONStorage(tmp_path / "a.json")
    s.write({"t": {"1": {"province": "Kiên Giang"}}})
    assert "Kiên Giang".encode() in (tmp_path / "a.json").read_bytes()
    assert s.read() == {"t": {"1": {"province": "Kiên Giang"}}}


def test_missing_or_empty_file_reads_as_empty(tmp_path: Path) -> None:
    assert AtomicJSONStorage(tmp_path / "none.json").read() is None
    (tmp_path / "empty.json").write_bytes(b"")
    assert AtomicJSONStorage(tmp_path / "empty.json").read() is None


def test_second_write_keeps_a_backup_of_the_first(tmp_path: Path) -> None:
    s = AtomicJSONStorage(tmp_path / "a.json")
    s.write({"t": {"1": {"n": 1}}})
    s.write({"t": {"1": {"n": 2}}})
    assert AtomicJSONStorage(tmp_path / "a.json.bak").read() == {"t": {"1": {"n": 1}}}
    assert s.read() == {"t": {"1": {"n": 2}}}


def test_failed_replace_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = AtomicJSONStorage(tmp_path / "a.json")
    s.write({"t": {"1": {"n": 1}}})

    def boom(src, dst):  # the machine dies between writing the temp file and renaming it
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.os, "replace", boom)
    with pytest.raises(StoreError, match="No space left"):
        s.write({"t": {"1": {"n": 2}}})
    monkeypatch.undo()
    assert s.read() == {"t": {"1": {"n": 1}}}
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_failed_serialisation_never_touches_the_file(tmp_path: Path) -> None:
    s = AtomicJSONStorage(tmp_path / "a.json")
    s.write({"t": {"1": {"n": 1}}})
    before = (tmp_path / "a.json").read_bytes()
    with pytest.raises(TypeError):
        s.write({"t": {"1": {"n": object()}}})
    assert (tmp_path / "a.json").read_bytes() == before


def test_damaged_file_is_a_clear_store_error(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"t": {"1": ', encoding="utf-8")
    with pytest.raises(StoreError) as err:
        AtomicJSONStorage(tmp_path / "a.json").read()
    assert "a.json" in str(err.value) and ".bak" in str(err.value)


def test_atomic_write_bytes_replaces_content(tmp_path: Path) -> None:
    target = tmp_path / "x.txt"
    atomic_write_bytes(target, b"one")
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(os.listdir(tmp_path)) == ["x.txt"]


def test_tinydb_can_use_the_storage(tmp_path: Path) -> None:
    db = TinyDB(tmp_path / "db.json", storage=AtomicJSONStorage)
    db.table("articles").insert({"title": "Văn bản đến"})
    db.close()
    again = TinyDB(tmp_path / "db.json", storage=AtomicJSONStorage)
    assert again.table("articles").all() == [{"title": "Văn bản đến"}]
