"""Comparing a figure across provinces and years: complete lookups, honest pivots, exports
that read back to the same numbers."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path

import pytest

from conftest import figure, ingest_dossiers, make_article
from tongket.store.archive.archive import Archive
from tongket.store.cli.main import main
from tongket.store.derived.details import FIGURE_COLUMNS
from tongket.store.derived.names import load_metric_names
from tongket.store.derived.scoring import label_score, metric_score, unit_score
from tongket.store.lang.text import fold_words
from tongket.store.present import pivot as pivots
from tongket.store.present import tables
from tongket.store.present.collate import vn_sort_key
from tongket.store.record import Figure

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.bench.generate import write_corpus  # noqa: E402


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def qualified(label: str, value: float, unit: str, *, key: str, qualifier: str | None = None,
              kind: str = "actual") -> Figure:
    base = figure(label, value, unit, key=key)
    return Figure(**{**{f: getattr(base, f) for f in base.__slots__}, "qualifier": qualifier, "kind": kind})


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Archive:
    """A generated archive of 200 articles: 63 provinces, report years 2015-2025."""
    root = tmp_path_factory.mktemp("generated")
    write_corpus(200, root / "corpus")
    archive = Archive.open(root / "store")
    archive.ingest_files([(p, None) for p in sorted((root / "corpus").rglob("*.txt"))])
    return archive


@pytest.fixture
def compared(archive: Archive, store_dir: Path, monkeypatch) -> Archive:
    """Two reports of Kiên Giang 2019 that disagree, a half-year of the same, a target, and
    a qualified value for another province."""
    monkeypatch.setenv("TONGKET_STORE", str(store_dir))
    docs = "incoming_documents"
    archive.ingest_article(make_article(
        "Tổng kết 2019", province="Kiên Giang", year=2019, period="year", published="2020-01-20",
        url="https://kiengiang.gov.vn/a", figures=(qualified("văn bản đến", 27172, "văn bản", key=docs),)))
    archive.ingest_article(make_article(
        "Báo cáo bổ sung 2019", province="Kiên Giang", year=2019, period="year", published="2020-03-02",
        figures=(qualified("văn bản đến", 27500, "văn bản", key=docs),
                 qualified("văn bản đến", 30000, "văn bản", key=docs, kind="target"))))
    archive.ingest_article(make_article(
        "Sơ kết 6 tháng 2019", province="Kiên Giang", year=2019, period="half-year", published="2019-07-10",
        figures=(qualified("văn bản đến", 13000, "văn bản", key=docs),)))
    archive.ingest_article(make_article(
        "Tổng kết 2020", province="Bạc Liêu", year=2020, period="year", published="2021-01-05",
        figures=(qualified("văn bản đến", 40000, "văn bản", key=docs, qualifier="gần"),)))
    archive.ingest_article(make_article(
        "Tổng kết 2020 | Bình Thuận", province="Bình Thuận", year=2020, period="year", published="2021-01-06",
        figures=(qualified("văn bản đến", 1234567.5, "văn bản", key=docs),)))
    return Archive.open(store_dir)


# ---------------------------------------------------------------- lookup


def test_lookup_count_is_the_brute_force_count(generated: Archive) -> None:
    names = load_metric_names()
    for query in ("van ban den", "ho so", "ty le", "cong dan"):
        q = fold_words(query)
        words = q.split()
        want = 0
        articles = set()
        for row in generated.figure_rows():
            rec = dict(zip(FIGURE_COLUMNS, row))
            if (label_score(q, words, fold_words(rec["label"])) > 0
                    or (rec["unit"] and unit_score(q, words, fold_words(rec["unit"])) > 0)
                    or (rec["metric_key"] and metric_score(q, words, names.get(rec["metric_key"], ())) > 0)):
                want += 1
                articles.add(rec["article_id"])
        result = generated.lookup_counted(query)
        assert result.total == want == len(result.hits) > 200  # complete: the old cap was 200
        assert result.articles == len(articles)
        assert generated.lookup(query, limit=None) == list(result.hits)


def test_a_stopped_count_gives_the_page_and_the_next_count_is_whole(generated: Archive) -> None:
    """A count stopped part way (an app's comparison goes first) answers with the page
    alone, as an uncounted one; asked again, the count is the whole one."""
    whole = Archive.open(generated.path).lookup_counted("van ban den", limit=10)
    archive = Archive.open(generated.path)
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 2

    stopped = archive.lookup_counted("van ban den", limit=10, stop=stop)
    page = archive.lookup_counted("van ban den", limit=10, count=False)
    assert len(asked) == 3 and (stopped.total, stopped.articles) == (page.total, page.articles) == (10, 10)
    assert list(stopped.hits) == list(page.hits) == list(whole.hits)
    again = archive.lookup_counted("van ban den", limit=10, stop=lambda: False)
    assert (again.total, again.articles) == (whole.total, whole.articles) and whole.total > 200


def test_cli_lookup_says_what_it_leaves_out(capsys, generated: Archive) -> None:
    total = generated.lookup_counted("van ban den").total
    code, out, _ = run(capsys, "lookup", "van ban den", "--store", str(generated.path))
    assert code == 0 and re.search(rf"showing 50 of {total:,} figures in [\d,]+ articles", out)
    _, out, _ = run(capsys, "lookup", "van ban den", "--limit", "0", "--json", "--store", str(generated.path))
    assert len(json.loads(out)) == total
    code, out, err = run(capsys, "lookup", "van ban den", "--limit", "-5", "--store", str(generated.path))
    assert code == 2 and out == "" and "--limit" in err


def test_metric_key_and_name_find_figures(capsys, compared: Archive) -> None:
    for query in ("incoming_documents", "incoming documents", "Văn bản đến"):
        hits = compared.lookup(query, limit=None)
        assert len([h for h in hits if h.key == "incoming_documents"]) == 6, query
    code, out, _ = run(capsys, "metrics", "--json")
    data = json.loads(out)
    row = next(m for m in data["metrics"] if m["key"] == "incoming_documents")
    assert code == 0 and (row["figures"], row["provinces"]) == (6, 3)


def test_lookup_json_carries_the_context(capsys, compared: Archive) -> None:
    _, out, _ = run(capsys, "lookup", "incoming_documents", "--province", "Bạc Liêu", "--json")
    (hit,) = json.loads(out)
    assert hit["qualifier"] == "gần" and hit["kind"] == "actual" and hit["title"] == "Tổng kết 2020"
    assert hit["sentence"].startswith("văn bản đến") and hit["span"] == [0, len("40000 văn bản")]
    _, out, _ = run(capsys, "lookup", "incoming_documents", "--province", "Kiên Giang", "--year", "2019", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["source_url"] for r in rows} >= {"https://kiengiang.gov.vn/a"}
    assert {r["kind"] for r in rows} == {"actual", "target"}


# ---------------------------------------------------------------- pivot


def test_pivot_of_a_generated_archive_has_every_year(generated: Archive) -> None:
    hits = generated.with_details(generated.lookup_counted("incoming_documents").hits)
    pivot = pivots.build_pivot(hits, measure="incoming_documents")
    assert pivot.years == tuple(range(2015, 2026))
    header, _rows = pivots.table(pivot)
    assert header[2:] == [str(y) for y in range(2015, 2026)]
    assert [r.province for r in pivot.rows] == sorted((r.province for r in pivot.rows), key=vn_sort_key)


def test_mixed_periods_never_share_a_row(generated: Archive) -> None:
    hits = generated.with_details(generated.lookup_counted("on_time_rate").hits)
    for period in pivots.PIVOT_PERIODS:
        pivot = pivots.build_pivot(hits, measure="on_time_rate", period=period)
        for row in pivot.rows:
            for c in row.cells.values():
                assert {pivots.period_class(s.period) for s in c.sources} == {period}


def test_a_conflicting_cell_lists_both_sources(compared: Archive) -> None:
    hits = compared.with_details(compared.lookup_counted("van ban den").hits)
    pivot = pivots.build_pivot(hits)
    assert pivot.measure == "incoming_documents" and pivot.unit == "văn bản"
    kien_giang = next(r for r in pivot.rows if r.province == "Kiên Giang")
    c = kien_giang.cells[2019]
    assert sorted(s.value for s in c.sources) == [27172, 27500]  # the target and the half-year are apart
    assert c.chosen.value == 27500 and c.text() == "27.500*2"  # the most recently published
    assert {s.title for s in c.sources} == {"Tổng kết 2019", "Báo cáo bổ sung 2019"}
    assert pivot.left_out == {"targets": 1, "half-year figures": 1}
    assert pivot.summary().endswith("set apart: 1 target, 1 half-year figure")  # one is not "1 targets"
    bac_lieu = next(r for r in pivot.rows if r.province == "Bạc Liêu")
    assert bac_lieu.cells[2020].text() == "≈40.000"
    assert [r.province for r in pivot.rows] == ["Bạc Liêu", "Bình Thuận", "Kiên Giang"]
    half = pivots.build_pivot(hits, period="half-year")
    assert [c.chosen.value for r in half.rows for c in r.cells.values()] == [13000]
    targets = pivots.build_pivot(hits, kind="target")
    assert [c.chosen.value for r in targets.rows for c in r.cells.values()] == [30000]


def test_pivot_csv_and_markdown_read_back_to_the_same_numbers(capsys, compared: Archive) -> None:
    hits = compared.with_details(compared.lookup_counted("incoming_documents").hits)
    pivot = pivots.build_pivot(hits)
    want = {(r.province, str(y)): c.chosen.value for r in pivot.rows for y, c in r.cells.items()}
    code, out, _ = run(capsys, "pivot", "incoming_documents", "--csv")
    assert code == 0
    got = {(row["province"], y): float(row[y]) for row in csv.DictReader(io.StringIO(out))
           for y in ("2019", "2020") if row[y]}
    assert got == want
    assert "gần" in out and "2 sources" in out  # the marks, in words, in the notes column
    code, out, _ = run(capsys, "pivot", "incoming_documents", "--md")
    lines = [line for line in out.splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split(" | ")]
    assert re.fullmatch(r"\|(---:?\|)+", lines[1])
    got = {}
    for line in lines[2:]:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        assert len(cells) == len(header)
        for y, text in zip(header[2:], cells[2:]):
            if text:
                number = re.sub(r"^[≈<>]|\*\d+$", "", text).replace(".", "").replace(",", ".")
                got[(cells[0], y)] = float(number)
    assert got == want
    assert pivots.LEGEND in out
    _, out, _ = run(capsys, "pivot", "incoming_documents", "--json")
    data = json.loads(out)
    cell = data["rows"][2]["cells"]["2019"]
    assert cell["conflict"] == 2 and len(cell["sources"]) == 2


def test_markdown_cells_escape_pipes_and_newlines() -> None:
    text = tables.markdown_table(["a", "b"], [["x | y", "line\nbreak"]])
    assert text.splitlines()[2] == "| x \\| y | line break |"


def test_vietnamese_alphabetical_order() -> None:
    names = ["Bình Thuận", "Bạc Liêu", "Bắc Giang", "Bình Định", "Đà Nẵng", "Cao Bằng", "Cà Mau", "An Giang",
             "Lâm Đồng", "Lào Cai", "Hải Dương", "Hà Tĩnh", "Bà Rịa - Vũng Tàu", "Bình Dương"]
    assert sorted(names, key=vn_sort_key) == [
        "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bình Dương", "Bình Định", "Bình Thuận", "Cà Mau",
        "Cao Bằng", "Đà Nẵng", "Hà Tĩnh", "Hải Dương", "Lào Cai", "Lâm Đồng"]


# ---------------------------------------------------------------- the tidy table


def test_figures_table_has_one_row_per_figure(capsys, compared: Archive) -> None:
    code, out, _ = run(capsys, "figures", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 6 and tuple(rows[0]) == FIGURE_COLUMNS
    kg = [r for r in rows if r["province"] == "Kiên Giang" and r["kind"] == "target"]
    assert float(kg[0]["value"]) == 30000 and kg[0]["merged_unit"] == "An Giang"
    _, out, _ = run(capsys, "figures", "--jsonl", "--province", "bac lieu")
    (line,) = out.splitlines()
    assert json.loads(line)["qualifier"] == "gần"
    _, out, _ = run(capsys, "figures", "--csv", "--bom")
    assert out.startswith("\ufeffarticle_id,")


def _pivot_facts(pivot: pivots.Pivot) -> tuple:
    """Everything a pivot shows or exports: cells, marks, sources in order, set-apart counts in order."""
    return (pivot.title, pivot.summary(), list(pivot.left_out.items()), pivots.table(pivot),
            pivots.table(pivot, numbers=True), [pivots.notes(pivot, r) for r in pivot.rows],
            [[(y, c.text(), c.mark, c.conflict, c.sources) for y, c in r.cells.items()] for r in pivot.rows])


@pytest.mark.parametrize("query", ["van ban den", "ho so", "ty le", "cong dan", "incoming_documents"])
def test_pivot_from_columns_is_the_pivot_of_every_record(generated: Archive, query: str) -> None:
    """The pivot's fast path (one measure's figures as columns, records only for opened
    cells) shows exactly what the pivot of the records does, in every period and kind."""
    columns = generated.index.measure_figures(query)
    records = generated.index.measure_hits(query)
    assert not isinstance(columns, type(records))  # the columns path, not the fallback
    fast, slow = pivots.grouped(columns), pivots.grouped(records)
    assert fast.total == slow.total == records.total and fast.order == slow.order
    for period in pivots.PIVOT_PERIODS:
        for kind in ("actual", "target"):
            for order in pivots.ORDERS:
                want = pivots.build_pivot(slow, period=period, kind=kind, order=order)
                got = pivots.build_pivot(fast, period=period, kind=kind, order=order)
                assert _pivot_facts(got) == _pivot_facts(want)


def test_pivot_from_columns_follows_corrections(generated: Archive) -> None:
    first = generated.index.measure_hits("van ban den").hits[0]
    generated.correct(first.article_id, province="Cà Mau", report_year=2030)
    try:
        columns = generated.index.measure_figures("van ban den")
        pivot = pivots.build_pivot(pivots.grouped(columns))
        want = pivots.build_pivot(pivots.grouped(generated.index.measure_hits("van ban den")))
        assert _pivot_facts(pivot) == _pivot_facts(want)
        assert 2030 in pivot.years and any(r.province == "Cà Mau" and 2030 in r.cells for r in pivot.rows)
    finally:
        generated.correct(first.article_id, province=first.province, report_year=first.report_year)


# ---------------------------------------------------------------- the choice of measure


@pytest.fixture
def dossiers(archive: Archive, store_dir: Path, monkeypatch) -> Archive:
    """"hồ sơ": three half-year figures of dossiers_received, one year figure of dossiers_resolved."""
    monkeypatch.setenv("TONGKET_STORE", str(store_dir))
    ingest_dossiers(archive)
    return Archive.open(store_dir)


def test_pivot_prefers_a_measure_with_figures_in_the_shown_table(capsys, dossiers: Archive) -> None:
    """The key most matches share has no year figure: the year table is of the one that has."""
    for found in (dossiers.index.measure_figures("ho so", table_period="year"),
                  dossiers.index.measure_hits("ho so", table_period="year")):
        pivot = pivots.build_pivot(pivots.grouped(found), period="year")
        assert pivot.measure == "dossiers_resolved" and pivot.rows[0].cells[2021].value == 950
    half = pivots.build_pivot(pivots.grouped(dossiers.index.measure_figures("ho so", table_period="half-year")),
                              period="half-year")
    assert half.measure == "dossiers_received" and len(half.rows) == 3
    every = dossiers.lookup_counted("ho so").hits  # the records of every match: the same choice
    assert pivots.build_pivot(every, period="year").measure == "dossiers_resolved"
    code, out, _ = run(capsys, "pivot", "ho so")
    assert code == 0 and "dossiers_resolved" in out and "950" in out
    _, out, _ = run(capsys, "pivot", "ho so", "--period", "half-year", "--json")
    assert json.loads(out)["measure"] == "dossiers_received"
    _, out, _ = run(capsys, "pivot", "ho so", "--province", "Kiên Giang", "--json")  # the filtered path
    assert json.loads(out)["measure"] == "dossiers_resolved"


def test_an_empty_table_says_what_matched_and_which_periods_have_figures(capsys, dossiers: Archive) -> None:
    code, out, _ = run(capsys, "pivot", "dossiers_received")  # a key names itself: no other choice
    text = " ".join(out.split())
    assert code == 0 and "No year figures of dossiers_received (hồ sơ): 3 figures matched; it has half-year (3) figures." in text
    _, out, _ = run(capsys, "pivot", "xyzzy")
    assert "Nothing to compare: no figure matched." in out


@pytest.mark.parametrize("query", ["ho so", "van ban den", "ty le", "cong dan"])
def test_the_chosen_measure_is_the_largest_with_a_placeable_figure(tmp_path: Path, generated: Archive,
                                                                    query: str) -> None:
    """Brute force over every match, on the bundled sample archive and the generated one:
    the year table is of the key with the most matches among those with a year result that
    has a province and a report year (else the most matches), and if it is empty it says why."""
    from tongket.store.archive.sample import load_sample

    sample = Archive.open(tmp_path / "sample")
    load_sample(sample)
    for archive in (sample, generated):
        hits = archive.lookup_counted(query).hits
        counts: dict[str, int] = {}
        placeable = set()
        for h in hits:
            if h.key:
                counts[h.key] = counts.get(h.key, 0) + 1
                if h.kind == "actual" and h.province and h.report_year and pivots.period_class(h.period) == "year":
                    placeable.add(h.key)
        pivot = pivots.build_pivot(pivots.grouped(archive.index.measure_figures(query, table_period="year")))
        if not counts:
            assert pivot.measure == "" and pivot.summary().startswith("Nothing to compare")
            continue
        pool = placeable or set(counts)
        assert pivot.measure in pool and counts[pivot.measure] == max(counts[k] for k in pool)
        assert bool(pivot.rows) == bool(placeable)
        if not pivot.rows:
            assert pivot.summary().startswith(f"No year figures of {pivot.measure}") and "figures matched" in pivot.summary()
