"""The pivot's columns path when a query matches only part of a key's figures (some of its
labels), with conflicting cells, qualifiers, undated sources and corrections: the table and
every cell's sources are those of the records path."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from conftest import figure, make_article
from tongket.store.archive.archive import Archive
from tongket.store.present import pivot as pivots
from tongket.store.record import Figure

KEY = "so_lieu_thu"  # a key no metric name matches, so a query reaches it through its labels only


def _fig(label: str, value: float, qualifier: str | None = None) -> Figure:
    base = figure(label, value, "hồ sơ" if label == "hồ sơ lạ" else "văn bản", key=KEY)
    return Figure(**{**{f: getattr(base, f) for f in base.__slots__}, "qualifier": qualifier})


@pytest.fixture
def archive(store_dir: Path) -> Archive:
    archive = Archive.open(store_dir)
    reports = [  # (title, province, year, published, figures)
        ("A", "Kiên Giang", 2019, "2020-01-20", (_fig("văn bản đến", 100), _fig("hồ sơ lạ", 7))),
        ("B", "Kiên Giang", 2019, "2020-01-20", (_fig("văn bản đến", 120, "gần"),)),  # same date: by article id
        ("C", "Kiên Giang", 2019, None, (_fig("văn bản đến", 90),)),  # undated: last
        ("D", "Kiên Giang", 2019, "2020-03-02", (_fig("hồ sơ lạ", 9),)),  # newest, but of the other label
        ("E", "Bạc Liêu", 2020, "2021-01-05", (_fig("văn bản đến", 40000, "khoảng"), _fig("văn bản đến", 41000))),
        ("F", None, 2020, "2021-02-01", (_fig("văn bản đến", 5),)),
    ]
    for title, province, year, published, figures in reports:
        archive.ingest_article(make_article(f"Báo cáo {title}", province=province, year=year, period="year",
                                            published=published, figures=figures))
    return Archive.open(store_dir)


def _facts(pivot: pivots.Pivot) -> tuple:
    return (pivot.measure, pivot.summary(), list(pivot.left_out.items()), pivots.table(pivot),
            [[(y, c.text(), c.conflict, [(s.article_id, s.figure_index, s.value) for s in c.sources])
              for y, c in r.cells.items()] for r in pivot.rows])


@pytest.mark.parametrize(("query", "matched"), [("văn bản đến", 6), ("ho so la", 2)])
def test_part_of_a_key_pivots_as_its_records_do(archive: Archive, query: str, matched: int) -> None:
    columns = archive.index.measure_figures(query)
    records = archive.index.measure_hits(query)
    assert not isinstance(columns, type(records)) and len(columns.value) == matched  # of the key's 8
    got = pivots.build_pivot(pivots.grouped(columns))
    want = pivots.build_pivot(pivots.grouped(records))
    assert got.measure == KEY and _facts(got) == _facts(want)


def test_a_cell_shows_the_latest_source_of_the_matched_figures(archive: Archive) -> None:
    pivot = pivots.build_pivot(pivots.grouped(archive.index.measure_figures("văn bản đến")))
    kien_giang = next(r for r in pivot.rows if r.province == "Kiên Giang").cells[2019]
    assert [s.value for s in kien_giang.sources][-1] == 90  # undated last
    assert kien_giang.size == 3 and kien_giang.conflict == 3 and 9 not in [s.value for s in kien_giang.sources]
    first = min((s for s in kien_giang.sources if s.published == "2020-01-20"), key=lambda s: s.article_id)
    assert kien_giang.chosen == first and kien_giang.value == first.value
    bac_lieu = next(r for r in pivot.rows if r.province == "Bạc Liêu").cells[2020]
    assert bac_lieu.text() == "≈40.000*2" and pivot.left_out.get("without province") == 1


def test_a_correction_moves_part_of_a_key_between_cells(archive: Archive) -> None:
    hit = next(h for h in archive.index.measure_hits("văn bản đến").hits if h.value == 5)
    archive.correct(hit.article_id, province="Cà Mau")
    archive = Archive.open(archive.path)
    got = pivots.build_pivot(pivots.grouped(archive.index.measure_figures("văn bản đến")))
    want = pivots.build_pivot(pivots.grouped(archive.index.measure_hits("văn bản đến")))
    assert _facts(got) == _facts(want)
    assert next(r for r in got.rows if r.province == "Cà Mau").cells[2020].value == 5
    assert "without province" not in got.left_out


def test_the_shown_source_among_same_day_and_event_dated_articles(store_dir: Path) -> None:
    """Ranks sort by published date, else event date: articles with only an event date sit
    among the dated ones, before and between those of the latest day; the shown source is
    still the least article of that day, as the records path picks it."""
    archive = Archive.open(store_dir)
    reports = [("P", "2024-02-01", None, 10), ("Q", "2024-02-01", None, 11), ("R", None, "2024-02-01", 12),
               ("S", None, "2024-03-01", 13), ("T", "2024-01-01", None, 14), ("U", "2024-02-01", None, 15)]
    for title, published, event_date, value in reports:
        article = make_article(f"Báo cáo {title}", province="Kiên Giang", year=2023, period="year",
                               published=published, figures=(_fig("văn bản đến", value),))
        archive.ingest_article(replace(article, event_date=event_date))
    archive = Archive.open(store_dir)
    got = pivots.build_pivot(pivots.grouped(archive.index.measure_figures("văn bản đến")))
    want = pivots.build_pivot(pivots.grouped(archive.index.measure_hits("văn bản đến")))
    assert _facts(got) == _facts(want)
    cell = got.rows[0].cells[2023]
    same_day = [s for s in cell.sources if s.published == "2024-02-01"]
    assert len(same_day) == 3 and cell.chosen == min(same_day, key=lambda s: (s.article_id, s.figure_index))
