"""The headless command line through `tongket.store.cli.main.main(argv)`: output, exit codes, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import figure, make_article
from tongket.store.archive.archive import Archive
from tongket.store.cli.main import main

ARTICLE_FIELDS = {"id", "title", "title_derived", "published", "event_date", "province", "province_evidence",
                  "report_year", "period", "byline", "officials", "body", "figures", "warnings", "source_url",
                  "province_confidence"} | {f"{f}_{k}" for f in ("published", "event_date", "report_year", "period")
                                           for k in ("evidence", "confidence")}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def stocked(archive: Archive) -> Archive:
    archive.ingest_article(make_article(
        "Tổng kết [bold]2019[/bold]", province="Kiên Giang", year=2019, period="year", published="2020-01-20",
        figures=(figure("văn bản đến", 27172, "văn bản"), figure("tỷ lệ đúng hạn", 94.03, "%"))))
    archive.ingest_article(make_article("Sơ kết 6 tháng", province="Bắc Giang", year=2018, period="half-year",
                                        published="2018-08-09"))
    return archive


def test_parse_json_field_names_and_utf8(capsys, fixture_files: list[Path]) -> None:
    code, out, err = run(capsys, "parse", str(fixture_files[0]), "--json", "--url", "https://x.vn/a")
    assert code == 0, err
    records = json.loads(out)
    assert isinstance(records, list) and len(records) == 1
    assert set(records[0]) == ARTICLE_FIELDS | {"source_path"}
    assert records[0]["source_url"] == "https://x.vn/a"
    assert "\\u" not in out  # Vietnamese stays readable


def test_parse_stores_nothing(capsys, fixture_files: list[Path], store_dir: Path) -> None:
    code, out, _ = run(capsys, "parse", str(fixture_files[0]))
    assert code == 0 and out.strip()
    assert not (store_dir / "archive.json").exists()


def test_parse_missing_file_is_one_line_and_exit_1(capsys, tmp_path: Path, fixture_files: list[Path]) -> None:
    code, out, err = run(capsys, "parse", str(tmp_path / "nope.txt"), str(fixture_files[0]), "--json")
    assert code == 1
    records = json.loads(out)  # the failed file keeps its place, as an error object
    assert len(records) == 2 and set(records[0]) == {"source_path", "error"} and records[1]["id"]
    assert err.count("\n") == 1 and "nope.txt" in err and "Traceback" not in err


def test_ingest_summary_and_idempotence(capsys, fixture_files: list[Path]) -> None:
    folder = fixture_files[0].parent.parent
    code, out, err = run(capsys, "ingest", str(folder / "seeds"), str(folder / "corpus"))
    assert code == 0, err
    assert out.startswith(f"added {len(fixture_files)}, updated 0, unchanged 0, failed 0")
    code, out, _ = run(capsys, "ingest", str(folder))
    unseen = len(list((folder / "unseen").glob("*.txt")))  # the held-out set sits beside them
    assert out.startswith(f"added {unseen}, updated 0, unchanged {len(fixture_files)}, failed 0")


def test_ingest_manifest(capsys, fixture_files: list[Path]) -> None:
    manifest = fixture_files[0].parent.parent / "manifest.csv"
    rows = len(manifest.read_text(encoding="utf-8").strip().splitlines()) - 1  # after the header
    code, out, err = run(capsys, "ingest", "--manifest", str(manifest))
    assert code == 0, err
    assert out.startswith(f"added {rows},")
    code, out, _ = run(capsys, "list", "--json")
    assert any(m["title"] for m in json.loads(out))


def test_ingest_reports_failures(capsys, tmp_path: Path, fixture_files: list[Path]) -> None:
    code, out, err = run(capsys, "ingest", str(fixture_files[0]), str(tmp_path / "missing"))
    assert code == 1
    assert "failed 1" in out and "missing" in err and "Traceback" not in err


def test_list_filters_and_json(capsys, stocked: Archive, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = run(capsys, "list", "--json", "--province", "kien giang")
    assert code == 0
    rows = json.loads(out)
    assert [r["province"] for r in rows] == ["Kiên Giang"]
    assert set(rows[0]) >= {"id", "title", "province", "report_year", "period", "n_figures", "corrections", "source_url"}
    _, out, _ = run(capsys, "list", "--json", "--year", "2018")
    assert [r["title"] for r in json.loads(out)] == ["Sơ kết 6 tháng"]
    _, out, _ = run(capsys, "list", "--json", "--period", "year")
    assert len(json.loads(out)) == 1
    code, out, _ = run(capsys, "list")
    assert "[bold]2019[/bold]" in out  # article text is never treated as markup
    assert "2 of 2 articles" in out


def test_lookup(capsys, stocked: Archive, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = run(capsys, "lookup", "van ban den", "--json")
    assert code == 0
    hits = json.loads(out)
    assert hits[0]["value"] == 27172 and hits[0]["province"] == "Kiên Giang"
    assert {"province", "report_year", "period", "value", "unit", "label", "article_id"} <= set(hits[0])
    _, out, _ = run(capsys, "lookup", "ty le dung han")
    assert "94,03" in out and "tỷ lệ đúng hạn" in out
    _, out, _ = run(capsys, "lookup", "van ban den", "--province", "Bắc Giang", "--json")
    assert json.loads(out) == []


def test_show_by_prefix(capsys, stocked: Archive) -> None:
    aid = stocked.query(province="Kiên Giang")[0].id
    code, out, _ = run(capsys, "show", aid[:6], "--json")
    assert code == 0
    data = json.loads(out)
    assert data["id"] == aid and data["figures"][0]["value"] == 27172 and "source_paths" in data
    code, out, _ = run(capsys, "show", aid[:6])
    assert "[bold]2019[/bold]" in out and "27.172" in out


def test_unknown_id_is_exit_1_one_line(capsys, stocked: Archive) -> None:
    code, out, err = run(capsys, "show", "zzzz")
    assert code == 1 and out == "" and err.startswith("tongket: ") and err.count("\n") == 1


def test_export_and_refuse_overwrite(capsys, stocked: Archive, tmp_path: Path) -> None:
    aid = stocked.query(province="Kiên Giang")[0].id
    target = tmp_path / "out.md"
    code, out, _ = run(capsys, "export", aid[:8], "-o", str(target))
    assert code == 0 and out.strip() == str(target)
    assert target.read_text(encoding="utf-8").startswith("# Tổng kết \\[bold\\]2019\\[/bold\\]")
    code, _, err = run(capsys, "export", aid[:8], "-o", str(target))
    assert code == 1 and "already exists" in err
    code, _, _ = run(capsys, "export", aid[:8], "-o", str(target), "--force")
    assert code == 0


def test_export_default_name_in_current_folder(capsys, stocked: Archive, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    aid = stocked.query(province="Kiên Giang")[0].id
    code, out, _ = run(capsys, "export", aid)
    assert code == 0 and Path(out.strip()).exists() and Path(out.strip()).parent == Path(".")


def test_set_and_clear(capsys, stocked: Archive) -> None:
    aid = stocked.query(province="Bắc Giang")[0].id
    code, out, err = run(capsys, "set", aid[:8], "--province", "kien giang", "--year", "2017")
    assert code == 0, err
    _, out, _ = run(capsys, "list", "--json", "--province", "Kiên Giang", "--year", "2017")
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [aid] and set(rows[0]["corrections"]) == {"province", "report_year"}
    code, _, _ = run(capsys, "set", aid, "--clear", "year")
    assert code == 0 and Archive.open(stocked.path).get(aid).article.report_year == 2018


@pytest.mark.parametrize("argv", [["set", "abc"], ["set", "abc", "--period", "decade"], ["frobnicate"],
                                  ["list", "--year", "nineteen"], ["ingest"], ["lookup"]])
def test_usage_errors_exit_2(capsys, argv) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and err and "Traceback" not in err


def test_store_option_before_or_after_command(capsys, tmp_path: Path, fixture_files: list[Path]) -> None:
    other = tmp_path / "other-store"
    code, _, _ = run(capsys, "--store", str(other), "ingest", str(fixture_files[0]))
    assert code == 0 and (other / "archive.json").exists()
    code, out, _ = run(capsys, "list", "--json", "--store", str(other))
    assert len(json.loads(out)) == 1


def test_unreadable_store_is_one_line(capsys, store_dir: Path) -> None:
    store_dir.mkdir(parents=True)
    (store_dir / "archive.json").write_text("garbage{", encoding="utf-8")
    code, _, err = run(capsys, "list")
    assert code == 1 and "archive.json" in err and err.count("\n") == 1


def test_console_script_delegates_headless_commands(capsys, stocked: Archive) -> None:
    from tongket.tui.cli import main as tongket

    assert tongket(["list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    assert tongket(["--help"]) == 0


def test_list_json_rows_agree_with_show(capsys, stocked: Archive) -> None:
    """Each `list --json` row says what `show --json` says of its article: corrected fields,
    source URLs with quotes and backslashes, none, and controls escaped."""
    stocked.ingest_article(make_article("Báo cáo \u202etrái\u0085 phải", province="Kiên Giang", year=2020,
                                        url='https://example.vn/tin?q="a\\\\b"&r=\\'))
    stocked.ingest_article(make_article("Không nguồn", url=None))
    first = next(m for m in stocked.articles() if m.title.startswith("Sơ kết"))
    assert run(capsys, "set", first.id, "--title", "Sơ kết đã sửa", "--province", "An Giang")[0] == 0
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0 and "\\u202e" in out and "\\u0085" in out and "\u202e" not in out
    rows = json.loads(out)
    assert len(rows) == 4
    for row in rows:
        shown = json.loads(run(capsys, "show", row["id"], "--json")[1])
        for name in ("title", "province", "report_year", "period", "published", "event_date", "source_url",
                     "corrections"):
            assert row[name] == shown[name], name
        assert row["n_figures"] == len(shown["figures"])
    by_title = {r["title"]: r for r in rows}
    assert by_title["Sơ kết đã sửa"]["corrections"] == {"title": "Sơ kết đã sửa", "province": "An Giang"}
    assert by_title["Báo cáo \u202etrái\u0085 phải"]["source_url"] == 'https://example.vn/tin?q="a\\\\b"&r=\\'
    assert by_title["Không nguồn"]["source_url"] is None


def test_list_json_few_of_many_rows_agree_with_show(capsys, stocked: Archive) -> None:
    """A filter that picks a few of many articles reads their rows from their stored records,
    not the columns: the same rows as `show --json` (quotes, backslashes, controls, no date,
    no URL, a correction), and a record that fails its checksum is read elsewhere, not believed."""
    for i in range(60):  # 3 rows of 65: few enough to be read from their records
        stocked.ingest_article(make_article(f"Bài {i}", province="Bắc Giang", year=2018,
                                            published=f"2018-03-{i % 28 + 1:02}"))
    stocked.ingest_article(make_article('Báo cáo "trích" \\ \u202etrái', province="Cà Mau", year=2020,
                                        url='https://example.vn/tin?q="a\\\\b"&r=\\'))
    stocked.ingest_article(make_article("Không nguồn Cà Mau", province="Cà Mau", published="2021-02-03"))
    corrected = make_article("Sẽ sửa", province="Bạc Liêu", year=2019)
    stocked.ingest_article(corrected)
    assert run(capsys, "set", corrected.id, "--province", "Cà Mau", "--title", "Đã sửa")[0] == 0
    code, before, _ = run(capsys, "list", "--json", "--province", "ca mau")
    rows = json.loads(before)
    assert code == 0
    assert sorted(r["title"] for r in rows) == ['Báo cáo "trích" \\ \u202etrái', "Không nguồn Cà Mau", "Đã sửa"]
    for row in rows:
        shown = json.loads(run(capsys, "show", row["id"], "--json")[1])
        for name in ("title", "province", "report_year", "period", "published", "event_date", "source_url",
                     "corrections"):
            assert row[name] == shown[name], name
    path = stocked.path / "archive.snapshot"
    raw = path.read_bytes()
    url = b'"source_url":"https://example.vn/tin'
    at = raw.index(url)  # in the stored record only
    path.write_bytes(raw[:at] + url.replace(b"tin", b"tim") + raw[at + len(url):])
    assert run(capsys, "list", "--json", "--province", "ca mau")[1] == before


def test_list_text_finds_title_body_and_corrected_title(capsys, stocked: Archive) -> None:
    stocked.ingest_article(make_article("Hội nghị tổng kết", "Tiếp nhận hồ sơ trực tuyến.", province="Kiên Giang"))
    first = next(m for m in stocked.articles() if m.title.startswith("Sơ kết"))
    run(capsys, "set", first.id, "--title", "Báo cáo chuyển đổi số")

    def titles(text: str) -> list[str]:
        code, out, _ = run(capsys, "list", "--json", "--text", text)
        assert code == 0
        return sorted(r["title"] for r in json.loads(out))

    assert titles("ho so truc tuyen") == ["Hội nghị tổng kết"]  # the body
    assert titles("hoi  nghi") == ["Hội nghị tổng kết"]  # the title, spaces collapsed
    assert titles("chuyen doi so") == ["Báo cáo chuyển đổi số"]  # a corrected title
    assert titles("xyzzy") == []
    code, out, _ = run(capsys, "list", "--text", "tong ket", "--province", "kien giang", "--json")
    assert sorted(r["title"] for r in json.loads(out)) == ["Hội nghị tổng kết", "Tổng kết [bold]2019[/bold]"]


@pytest.mark.parametrize("command", ["parse", "list", "show", "export", "set", "ingest", "sample", "remove",
                                     "lookup", "metrics", "pivot", "figures", "doctor", "compact"])
def test_every_command_parses_on_its_own(capsys, command: str, tmp_path: Path) -> None:
    """A command line loads only its command's module; each still has its own usage."""
    for argv in ([command, "--help"], ["--st", str(tmp_path), command, "--help"]):  # argparse takes --st for --store
        code, out, _ = run(capsys, *argv)
        assert code == 0 and f"usage: tongket {command}" in out
    code, out, _ = run(capsys, "--help")
    assert code == 0 and command in out


def test_lookup_count_line_counts_every_match(capsys, stocked: Archive) -> None:
    stocked.ingest_article(make_article("Báo cáo năm", province="Bắc Giang", year=2019, figures=(
        figure("văn bản đến", 100, "văn bản"), figure("văn bản đến qua mạng", 40, "văn bản"))))
    code, out, _ = run(capsys, "lookup", "van ban den", "--limit", "0", "--json")
    assert code == 0 and len(json.loads(out)) == 3
    _, out, _ = run(capsys, "lookup", "van ban den", "--limit", "1", "--md")
    assert out.startswith("showing 1 of 3 figures in 2 articles")
    _, out, _ = run(capsys, "lookup", "van ban den", "--limit", "1", "--province", "bac giang", "--md")
    assert out.startswith("showing 1 of 2 figures in 1 articles")
