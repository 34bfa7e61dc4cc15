"""figures.counts: the per-(label, unit, key) figure counts the write path saves so the first
comparison of a session does not count every figure. Whatever state the file is in (saved,
missing, stale, damaged), a comparison shows what counting in memory shows."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from conftest import figure, make_article
from tongket.store.archive import segments
from tongket.store.archive.archive import Archive
from tongket.store.cli.main import main
from tongket.store.derived import figure_counts
from tongket.store.present import pivot as pivots

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.bench.generate import write_corpus  # noqa: E402

QUERIES = ("van ban den", "ho so", "ty le")


def _facts(archive: Archive) -> list[tuple]:
    """What the comparisons of `QUERIES` show, every period."""
    out = []
    for query in QUERIES:
        grouped = pivots.grouped(archive.index.measure_figures(query, table_period="year"))
        for period in pivots.PIVOT_PERIODS:
            pivot = pivots.build_pivot(grouped, period=period)
            out.append((query, pivot.title, pivot.summary(), pivots.table(pivot), list(pivot.left_out.items())))
    return out


def _doctor(capsys, store: Path) -> str:
    main(["--store", str(store), "doctor"])
    out = capsys.readouterr().out
    return next(line for line in out.splitlines() if line.startswith(figure_counts.COUNTS_FILE))


@pytest.fixture
def store(tmp_path: Path, monkeypatch) -> Path:
    """A generated archive of 120 articles, ingested in two runs as a big archive is (the
    second run's batches as segments, its snapshot merged from the last one)."""
    monkeypatch.setattr(segments, "MIN_BASE_BYTES", 0)
    write_corpus(120, tmp_path / "corpus")
    files = sorted((tmp_path / "corpus").rglob("*.txt"))
    folder = tmp_path / "store"
    Archive.open(folder).ingest_files([(p, None) for p in files[:80]])
    Archive.open(folder).ingest_files([(p, None) for p in files[80:]])
    return folder


def test_the_write_path_saves_counts_that_match_a_recount(capsys, store: Path) -> None:
    archive = Archive.open(store)
    snap = archive.index.snapshot
    assert figure_counts.read(snap) == figure_counts.count(snap) and sum(figure_counts.count(snap).values()) > 1000
    assert _doctor(capsys, store) == f"{figure_counts.COUNTS_FILE}: ok"


def test_a_comparison_reads_the_saved_counts(store: Path, monkeypatch) -> None:
    want = _facts(Archive.open(store))

    def recount(*_args, **_kw):
        raise AssertionError("counted every figure although the counts were saved")

    monkeypatch.setattr(figure_counts, "count_ids", recount)
    assert _facts(Archive.open(store)) == want


def _stale(path: Path, previous: bytes) -> None:
    path.write_bytes(previous)


@pytest.mark.parametrize("damage", ["missing", "flipped", "cut", "stale"])
def test_missing_damaged_or_stale_counts_give_the_same_comparisons(capsys, store: Path, damage: str) -> None:
    path = store / figure_counts.COUNTS_FILE
    want = _facts(Archive.open(store))
    raw = path.read_bytes()
    if damage == "missing":
        path.unlink()
    elif damage == "flipped":
        at = raw.index(b'"counts":') + 20
        path.write_bytes(raw[:at] + bytes([raw[at] ^ 1]) + raw[at + 1:])
    elif damage == "cut":
        path.write_bytes(raw[: len(raw) // 2])
    else:  # the counts of an earlier state: one article less
        archive = Archive.open(store)
        shutil.copy(path, store / "kept")
        archive.ingest_article(make_article("Báo cáo thêm", "Đã tiếp nhận 12 văn bản đến.", province="Kiên Giang",
                                            year=2021, figures=(figure("văn bản đến", 12, "văn bản", key="van_ban_den"),)))
        want = _facts(Archive.open(store))
        shutil.copy(store / "kept", path)
    assert figure_counts.read(Archive.open(store).index.snapshot) is None
    assert _facts(Archive.open(store)) == want
    status = {"missing": "missing", "flipped": "DAMAGED", "cut": "DAMAGED", "stale": "stale"}[damage]
    assert _doctor(capsys, store).startswith(f"{figure_counts.COUNTS_FILE}: {status}")
    assert not path.exists() or path.read_bytes() != raw or damage == "stale"  # a reader never writes it
    main(["--store", str(store), "doctor", "--repair"])
    assert "rebuilt" in capsys.readouterr().out
    assert _doctor(capsys, store) == f"{figure_counts.COUNTS_FILE}: ok"
    assert _facts(Archive.open(store)) == want


def test_doctor_recounts_counts_that_pass_their_checksum(capsys, store: Path) -> None:
    """Counts written for this snapshot but wrong (two entries swapped) are named damaged."""
    snap = Archive.open(store).index.snapshot
    counts = figure_counts.count(snap)
    (a, n), (b, m) = [(t, n) for t, n in counts.items() if n > 1][:2]
    counts[a], counts[b] = m, n
    (store / figure_counts.COUNTS_FILE).write_bytes(figure_counts._encode(snap, counts))
    assert _doctor(capsys, store).startswith(f"{figure_counts.COUNTS_FILE}: DAMAGED - its counts differ")


def _report(value: int, figures: tuple) -> object:
    return make_article("Báo cáo mới", f"Đã tiếp nhận {value} văn bản đến.", province="Bạc Liêu", year=2024, period="year",
                        figures=figures)


def test_new_and_edited_articles_add_to_the_counts_without_a_recount(store: Path, monkeypatch) -> None:
    full: list[bool] = []
    real = figure_counts.count_ids
    monkeypatch.setattr(figure_counts, "count_ids", lambda snap, ranks=None: full.append(ranks is None) or real(snap, ranks))
    docs = "incoming_documents"
    Archive.open(store).ingest_article(_report(77, (figure("văn bản đến", 77, "văn bản", key=docs),
                                                    figure("hồ sơ mới", 3, "hồ sơ"))), source_path="/new.txt")
    Archive.open(store).ingest_article(_report(78, (figure("văn bản đến", 78, "văn bản", key=docs),)),
                                       source_path="/new.txt")  # the same file, edited
    assert full and not any(full)  # only the changed articles were counted
    snap = Archive.open(store).index.snapshot
    assert figure_counts.read(snap) == figure_counts.count(snap)
    pivot = pivots.build_pivot(pivots.grouped(Archive.open(store).index.measure_figures(docs)))
    assert pivot.measure == docs and next(r for r in pivot.rows if r.province == "Bạc Liêu").cells[2024].value == 78


def test_a_removal_and_a_correction_change_the_comparison_as_counting_does(store: Path) -> None:
    archive = Archive.open(store)
    first = archive.index.measure_hits("van ban den").hits[0]
    archive.correct(first.article_id, province="Cà Mau", report_year=2031)
    archive = Archive.open(store)
    pivot = pivots.build_pivot(pivots.grouped(archive.index.measure_figures("van ban den")))
    want = pivots.build_pivot(pivots.grouped(archive.index.measure_hits("van ban den")))
    assert pivot.years == want.years and 2031 in pivot.years
    assert pivots.table(pivot) == pivots.table(want)
    archive.remove([first.article_id])
    archive = Archive.open(store)
    snap = archive.index.snapshot
    assert figure_counts.read(snap) == figure_counts.count(snap)
    assert 2031 not in pivots.build_pivot(pivots.grouped(archive.index.measure_figures("van ban den"))).years
