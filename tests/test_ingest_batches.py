"""Ingest's batches: with workers, the last one is tapered in halves so that its store (which
nothing overlaps) is short; every file is still stored once, in order, and indexed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tongket.store.archive.archive import Archive
from tongket.store.archive.ingest import TAIL_MIN, FileParser
from tongket.store.derived import wordindex
from tongket.store.derived.textindex import read_entries


@pytest.fixture
def two_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TONGKET_NO_PARALLEL", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)


@pytest.mark.parametrize("total", [200, 500, 501, 999, 1000, 1001, 1499, 10_000])
def test_batches_cover_every_file_once_in_order_and_end_small(two_cpus: None, total: int) -> None:
    bounds = FileParser(total).batches(total, 500)
    assert bounds[0][0] == 0 and bounds[-1][1] == total
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    assert all(0 < end - start <= 500 for start, end in bounds)
    if total > 500:
        assert bounds[-1][1] - bounds[-1][0] <= 2 * TAIL_MIN
    else:
        assert len(bounds) == 1  # one batch: nothing to overlap its store with


def test_without_workers_batches_are_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TONGKET_NO_PARALLEL", "1")
    assert [e - s for s, e in FileParser(1200).batches(1200, 500)] == [500, 500, 200]


def test_a_tapered_ingest_stores_and_indexes_every_file(tmp_path: Path, two_cpus: None,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tongket.store.archive.ingest.PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr("tongket.store.archive.ingest.TAIL_MIN", 2)
    monkeypatch.setattr("tongket.store.archive.writing.INGEST_BATCH", 8)
    files = []
    for i in range(20):
        path = tmp_path / "in" / f"{i:02d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"Văn phòng UBND tỉnh Kiên Giang\n\nNăm 2020 tiếp nhận {i + 2}.345 hồ sơ trực tuyến mã {i}x.",
                        encoding="utf-8")
        files.append(path)
    assert [e - s for s, e in FileParser(20).batches(20, 8)] == [8, 6, 3, 3]
    store = tmp_path / "store"
    report = Archive.open(store).ingest_files([(f, None) for f in files])
    assert len(report.added) == 20 and not report.failed
    fresh = Archive.open(store)
    assert len(fresh.query()) == 20
    assert len(fresh.query(text="ho so truc tuyen")) == 20
    assert all(len(fresh.query(text=f"ma {i}x")) == 1 for i in range(20))
    token, refs, starts, ends = read_entries(store)
    data = (store / "search.txt").read_bytes()
    assert len(refs) == 20
    assert wordindex.problem(store, token, [data[s:e] for s, e in zip(starts, ends)]) is None
