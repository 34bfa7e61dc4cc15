"""Figure lookup: accent-insensitive, ranked best label match first, filters apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import figure, make_article
from tongket.store.archive.archive import Archive
from tongket.store.derived.scoring import label_score


@pytest.fixture
def figures_archive(archive: Archive) -> Archive:
    archive.ingest_article(make_article(
        "Tổng kết 2019", province="Kiên Giang", year=2019, period="year", published="2020-01-20",
        figures=(figure("văn bản đến", 27172, "văn bản", key="docs_in"),
                 figure("hồ sơ tiếp nhận", 500, "hồ sơ"),
                 figure("tỷ lệ giải quyết đúng hạn", 94.03, "%", key="on_time_rate"))))
    archive.ingest_article(make_article(
        "Tổng kết 2023", year=2023, period="year", published="2024-01-10",
        figures=(figure("văn bản đến và đi trong năm", 45268, "văn bản"),
                 figure("văn bản đi", 12000, "văn bản", key="docs_out"),
                 figure("công dân đến", 226, "lượt công dân"))))
    archive.ingest_article(make_article(
        "Sơ kết 6 tháng", province="An Giang", year=2018, period="half-year", published="2018-08-09",
        figures=(figure("tiếp nhận văn bản đến", 11510, "văn bản"),)))
    return archive


def values(hits) -> list[float]:
    return [h.value for h in hits]


def test_with_and_without_diacritics(figures_archive: Archive) -> None:
    plain = figures_archive.lookup("van ban den")
    accented = figures_archive.lookup("Văn bản đến")
    assert values(plain) == values(accented)
    assert values(plain)[0] == 27172  # exact label first
    assert set(values(plain)[:3]) == {27172, 45268, 11510}  # then labels holding the phrase


def test_ranking_levels(figures_archive: Archive) -> None:
    hits = figures_archive.lookup("van ban den")
    assert [round(h.score) for h in hits[:3]] == sorted([round(h.score) for h in hits[:3]], reverse=True)
    labels = [h.label for h in hits]
    assert labels.index("văn bản đi") > labels.index("tiếp nhận văn bản đến")  # partial after phrase
    assert label_score("van ban den", ["van", "ban", "den"], "van ban den") > \
        label_score("van ban den", ["van", "ban", "den"], "tiep nhan van ban den") > \
        label_score("van ban den", ["van", "ban", "den"], "den van ban") > \
        label_score("van ban den", ["van", "ban", "den"], "van ban di")


def test_typing_prefix_matches(figures_archive: Archive) -> None:
    assert 27172 in values(figures_archive.lookup("van ban de"))


def test_filters_apply(figures_archive: Archive) -> None:
    assert values(figures_archive.lookup("van ban den", province="kien giang")) == [27172]
    assert values(figures_archive.lookup("van ban den", year=2018)) == [11510]
    assert values(figures_archive.lookup("van ban den", period="half-year")) == [11510]
    merged = figures_archive.lookup("van ban den", province="An Giang", merged=True)
    assert set(values(merged)) == {27172, 11510}


def test_province_and_year_inside_the_query(figures_archive: Archive) -> None:
    assert values(figures_archive.lookup("van ban den kien giang")) == [27172]
    assert values(figures_archive.lookup("van ban den 2023"))[0] == 45268


def test_hits_carry_article_context(figures_archive: Archive) -> None:
    hit = figures_archive.lookup("ty le giai quyet")[0]
    assert (hit.province, hit.report_year, hit.period, hit.value, hit.unit) == ("Kiên Giang", 2019, "year", 94.03, "%")
    stored = figures_archive.get(hit.article_id)
    assert stored.article.figures[hit.figure_index].label == hit.label


def test_unit_and_limit(figures_archive: Archive) -> None:
    assert 226 in values(figures_archive.lookup("luot cong dan"))
    assert len(figures_archive.lookup("van ban", limit=2)) == 2
    assert figures_archive.lookup("") == []
    assert figures_archive.lookup("khong co gi ca xyz") == []


def test_corrections_show_in_hits(figures_archive: Archive) -> None:
    aid = figures_archive.lookup("cong dan den")[0].article_id
    figures_archive.correct(aid, province="Bắc Giang")
    assert figures_archive.lookup("cong dan den")[0].province == "Bắc Giang"


def test_metric_names_rank_below_labels() -> None:
    """Metric names (from tongket.store.lang.metrics) find figures whose label says it differently."""
    from tongket.store.derived.index import ArchiveIndex
    from tongket.store.record import ArticleMeta

    meta = ArticleMeta(id="a1", title="T", province=None, report_year=2019, period="year", published=None,
                       event_date=None, n_figures=2)
    figs = {"a1": [[100, "văn bản", "tiếp nhận", "docs_in", "100 văn bản"],
                   [200, "văn bản", "văn bản đến", None, "200 văn bản"]]}
    index = ArchiveIndex([meta], figs, text_of=lambda _id: "",
                         metric_names={"docs_in": ("incoming documents", "van ban den")})
    assert values(index.lookup("incoming documents")) == [100]
    assert values(index.lookup("van ban den")) == [200, 100]


# ------------------------------------------------------------ with the real parser


SEED_INCOMING = {27172, 45268, 11510}


@pytest.mark.parametrize("query", ["van ban den", "văn bản đến"])
def test_seed_incoming_documents_come_first(archive: Archive, fixture_files: list[Path], query: str) -> None:
    """Depends on the parser engineers' figure extraction; the archive side is tested above."""
    archive.ingest_files([(p, None) for p in fixture_files if p.parent.name == "seeds"])
    top = archive.lookup(query)[:3]
    assert {h.value for h in top} == SEED_INCOMING, [(h.value, h.label) for h in archive.lookup(query)[:6]]


def test_hits_carry_qualifier_and_kind_without_reading_bodies(archive: Archive) -> None:
    """A comparison marks "gần 40 nghìn" as approximate and keeps targets apart: both come
    with the hit itself (from the archive's compact figures), even when the article's body
    file is gone, so a pivot over every match never opens a body file."""
    from dataclasses import replace

    target = replace(figure("hồ sơ giải quyết đúng hạn", 100, "%", key="on_time_rate"), kind="target")
    approx = replace(figure("văn bản đến", 40000, "văn bản", key="docs_in"), qualifier="gần")
    article = make_article("Tổng kết 2020", province="Lạng Sơn", year=2020, period="year", figures=(target, approx))
    archive.ingest_article(article)
    for body in (archive.path / "bodies").rglob("*.json"):
        body.unlink()
    reopened = Archive.open(archive.path)
    hits = {h.label: h for h in reopened.lookup("van ban den") + reopened.lookup("ho so giai quyet dung han")}
    assert hits["văn bản đến"].qualifier == "gần" and hits["văn bản đến"].kind == "actual"
    assert hits["hồ sơ giải quyết đúng hạn"].kind == "target"
    assert {h.article_id for h in hits.values()} == {article.id}


@pytest.mark.parametrize("query", ["van ban", "van ban den", "ho so", "cong dan", "den", "v"])
def test_count_of_a_page_is_that_of_every_match(figures_archive: Archive, query: str) -> None:
    """The count shown with a first page (made per group, not per figure) is exactly the
    number of figures and articles the whole list holds, labels, units and keys overlapping."""
    every = figures_archive.lookup_counted(query, limit=None)
    page = figures_archive.lookup_counted(query, limit=1)
    assert (page.total, page.articles) == (len(every.hits), len({h.article_id for h in every.hits}))
    assert (page.total, page.articles) == (every.total, every.articles)
    assert len(page.hits) == min(1, every.total)


def test_match_scores_slice_as_the_list_they_stand_for() -> None:
    """Lookup results are sliced into pages and sorted views; the scores kept as runs must
    read as the plain list of one score per match would, for every slice."""
    from tongket.store.derived.figure_hits import ScoreRuns

    runs = ScoreRuns()
    plain: list[float] = []
    for score, n in ((3.0, 5), (2.0, 5), (1.5, 1), (1.0, 5)):
        runs.add(score, n)
        plain += [score] * n
    assert list(runs) == plain
    for start in range(-3, len(plain) + 2):
        for stop in range(-3, len(plain) + 2):
            for step in (1, 2):
                assert list(runs[start:stop:step]) == plain[start:stop:step], (start, stop, step)
