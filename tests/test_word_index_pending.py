"""search.words when its block is built elsewhere (a parser worker, for the last batch of an
ingest) or never comes (a writer killed before it indexed its batch): the text queries stay
exact, and the records it lacks are indexed by the next append, not by a rebuild."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import pytest

from conftest import make_article
from tongket.store.archive.archive import Archive
from tongket.store.derived import textindex_write, wordindex, wordindex_block
from tongket.store.derived.textindex import read_entries
from tongket.store.lang.text import fold


def _blocks(folder: Path) -> list[tuple[int, int]]:
    token = read_entries(folder)[0]
    index = wordindex.WordIndex.load(folder, token)
    assert index is not None
    return [(b.first, b.count) for b in index.blocks]


def _folder_with_texts(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "s"
    folder.mkdir()
    textindex_write.rewrite(folder, [(f"r{i}", f"van ban so {i} cua tinh") for i in range(n)])
    return folder


def _done(value: object) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


def test_a_block_built_elsewhere_is_appended_by_finish(tmp_path: Path) -> None:
    folder = _folder_with_texts(tmp_path, 3)
    asked: list[int] = []

    def builder(folder: Path, token: bytes, first: int, texts: list[bytes], plan: object) -> Future:
        asked.append(first)
        return _done(wordindex.blocks_for(folder, token, first, texts, None))

    pending = textindex_write.append(folder, [("r3", "ho so truc tuyen"), ("r4", "ho so moi")], words=builder)
    assert asked == [3] and pending is not None
    assert _blocks(folder) == [(0, 3)]  # not yet: those records are scanned meanwhile
    pending.finish()
    assert _blocks(folder) == [(0, 3), (3, 2)]
    assert wordindex.problem(folder, read_entries(folder)[0], [t.encode() for t in
                             ["van ban so 0 cua tinh", "van ban so 1 cua tinh", "van ban so 2 cua tinh",
                              "ho so truc tuyen", "ho so moi"]]) is None


def test_a_failed_worker_means_the_block_is_built_here(tmp_path: Path) -> None:
    folder = _folder_with_texts(tmp_path, 2)
    future: Future = Future()
    future.set_exception(RuntimeError("worker gone"))
    pending = textindex_write.append(folder, [("r2", "ho so")], words=lambda *_args: future)
    assert pending is not None
    pending.finish()
    assert _blocks(folder) == [(0, 2), (2, 1)]


def test_records_a_killed_writer_did_not_index_go_into_the_next_block(tmp_path: Path) -> None:
    folder = _folder_with_texts(tmp_path, 4)
    textindex_write.append(folder, [("r4", "ho so a"), ("r5", "ho so b")], words=lambda *_args: _done((b"", None)))
    # the writer died before finish(): search.words lags two records behind search.txt
    textindex_write.append(folder, [("r6", "ho so c")])
    assert _blocks(folder) == [(0, 4), (4, 3)]  # appended, not rebuilt as one block


def _eight_blocks(tmp_path: Path) -> Path:
    tmp_path.mkdir()
    folder = _folder_with_texts(tmp_path, 20)
    for i in range(7):
        textindex_write.append(folder, [(f"a{i}", f"ho so so {i} truc tuyen"), (f"b{i}", "van ban den")])
    assert len(_blocks(folder)) == 8
    return folder


def _texts(folder: Path) -> list[bytes]:
    data = (folder / "search.txt").read_bytes()
    _t, _refs, starts, ends = read_entries(folder)
    return [data[s:e] for s, e in zip(starts, ends)]


def test_the_merge_made_elsewhere_is_the_merge_made_here(tmp_path: Path) -> None:
    here, elsewhere = _eight_blocks(tmp_path / "here"), _eight_blocks(tmp_path / "elsewhere")
    textindex_write.append(here, [("c", "ho so moi nhat")])
    plans: list[object] = []

    def builder(folder: Path, token: bytes, first: int, texts: list[bytes], plan: object) -> Future:
        plans.append(plan)
        return _done(wordindex.blocks_for(folder, token, first, texts, plan))  # type: ignore[arg-type]

    pending = textindex_write.append(elsewhere, [("c", "ho so moi nhat")], words=builder)
    assert pending is not None and plans[0] is not None
    assert len(list(elsewhere.glob(".search.words.*.tmp"))) == 1  # the worker's file, not yet in place
    pending.finish()
    assert not list(elsewhere.glob(".search.words.*.tmp"))
    assert _blocks(elsewhere) == _blocks(here) == [(0, 20), (20, 14), (34, 1)]
    assert (elsewhere / "search.words").read_bytes()[60:] == (here / "search.words").read_bytes()[60:]
    assert wordindex.problem(elsewhere, read_entries(elsewhere)[0], _texts(elsewhere)) is None


def test_a_merge_planned_on_a_file_since_replaced_is_made_here(tmp_path: Path) -> None:
    folder = _eight_blocks(tmp_path / "s")
    junk = folder / ".search.words.1.1.tmp"
    junk.write_bytes(b"junk")
    pending = textindex_write.append(folder, [("c", "ho so moi nhat")],
                                     words=lambda *_a: _done((wordindex_block.build(34, [b"ho so moi nhat"]), junk)))
    assert pending is not None
    words = folder / "search.words"
    copy = folder / "copy"
    copy.write_bytes(words.read_bytes())
    copy.replace(words)  # another writer replaced the file meanwhile: not the file the merge was planned on
    pending.finish()
    assert wordindex.problem(folder, read_entries(folder)[0], _texts(folder)) is None
    assert _blocks(folder) == [(0, 20), (20, 14), (34, 1)]
    assert not junk.exists()


def test_ingest_with_workers_indexes_its_last_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TONGKET_NO_PARALLEL", raising=False)
    monkeypatch.setattr("tongket.store.archive.ingest.PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr("tongket.store.archive.writing.INGEST_BATCH", 4)
    store = tmp_path / "store"
    archive = Archive.open(store)
    archive.ingest_article(make_article("Bài đầu", "Văn phòng tiếp nhận 1.000 văn bản đến."))
    files = []
    for i in range(10):
        path = tmp_path / "in" / f"{i}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"Văn phòng UBND tỉnh Kiên Giang\n\nNăm 2020 tiếp nhận {i + 2}.345 hồ sơ trực tuyến số {i}.",
                        encoding="utf-8")
        files.append(path)
    archive.ingest_files([(f, None) for f in files])
    fresh = Archive.open(store)
    assert sum(c for _f, c in _blocks(store)) == len(read_entries(store)[1])
    assert len(fresh.query(text="ho so truc tuyen")) == 10
    assert len(fresh.query(text=fold("9.345 hồ sơ"))) == 1
    token = read_entries(store)[0]
    data = (store / "search.txt").read_bytes()
    _t, _refs, starts, ends = read_entries(store)
    assert wordindex.problem(store, token, [data[s:e] for s, e in zip(starts, ends)]) is None
