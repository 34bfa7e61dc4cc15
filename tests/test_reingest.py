"""Issue 10: re-ingest never forgets what the archive knew, the sample stays apart, and
scripts can rely on the command line. Everything through `main(argv)` on temporary stores."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from tongket.store.cli.main import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys, store: Path, *filters: str) -> list[dict]:
    code, out, err = run(capsys, "list", "--json", "--store", str(store), *filters)
    assert code == 0, err
    return json.loads(out)


def manifest_rows() -> list[tuple[str, str]]:
    with open(FIXTURES / "manifest.csv", encoding="utf-8-sig") as handle:
        return [(r["file"], r["url"]) for r in csv.DictReader(handle)]


def copy_sample(target: Path) -> Path:
    for name, _url in manifest_rows():
        (target / Path(name).name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / name, target / Path(name).name)
    return target


def counts(out: str) -> dict[str, int]:
    head = out.split("(")[0]
    return {part.split()[0]: int(part.split()[1]) for part in head.split(",")}


def test_province_survives_reingest_from_another_path(capsys, tmp_path: Path) -> None:
    store = tmp_path / "s"
    assert run(capsys, "sample", "--store", str(store))[0] == 0
    unknown = len(listed(capsys, store, "--province", "unknown"))
    hai_duong = listed(capsys, store, "--province", "hai duong")
    assert hai_duong
    code, out, err = run(capsys, "ingest", str(copy_sample(tmp_path / "copy")), "--store", str(store))
    assert code == 0, err
    assert counts(out) == {"added": 0, "updated": 0, "unchanged": 18, "failed": 0}
    assert len(listed(capsys, store, "--province", "unknown")) == unknown
    assert [r["id"] for r in listed(capsys, store, "--province", "hai duong")] == [r["id"] for r in hai_duong]
    shown = json.loads(run(capsys, "show", hai_duong[0]["id"], "--json", "--store", str(store))[1])
    assert shown["province"] == "Hải Dương" and shown["source_url"]
    assert len(shown["source_paths"]) == 2  # the new path is added, the old one kept


def test_province_survives_reingest_of_a_path_without_url(capsys, tmp_path: Path) -> None:
    store = tmp_path / "s"
    name, url = next((n, u) for n, u in manifest_rows() if "baohaiduong" in u)
    file = tmp_path / "page.txt"
    shutil.copy(FIXTURES / name, file)
    assert run(capsys, "ingest", str(file), "--url", url, "--store", str(store))[0] == 0
    before = listed(capsys, store)
    assert before[0]["province"] == "Hải Dương" and before[0]["source_url"] == url
    code, out, _ = run(capsys, "ingest", str(file), "--store", str(store))
    assert code == 0 and counts(out)["unchanged"] == 1
    assert listed(capsys, store) == before


def test_correction_survives_reingest(capsys, tmp_path: Path) -> None:
    store = tmp_path / "s"
    assert run(capsys, "sample", "--store", str(store))[0] == 0
    aid = listed(capsys, store, "--province", "unknown")[0]["id"]
    assert run(capsys, "set", aid, "--province", "Lạng Sơn", "--store", str(store))[0] == 0
    assert run(capsys, "ingest", str(copy_sample(tmp_path / "copy")), "--store", str(store))[0] == 0
    row = next(r for r in listed(capsys, store) if r["id"] == aid)
    assert row["province"] == "Lạng Sơn" and row["corrections"] == {"province": "Lạng Sơn"}


def test_manifest_counts_each_file_once_and_settles(capsys, tmp_path: Path) -> None:
    store = tmp_path / "s"
    args = ("ingest", str(FIXTURES), "--manifest", str(FIXTURES / "manifest.csv"), "--store", str(store))
    code, out, err = run(capsys, *args)
    assert code == 0, err
    first = counts(out)
    files = [p for p in FIXTURES.rglob("*") if p.suffix in (".txt", ".html", ".htm")]  # the manifest's are among them
    assert first["added"] + first["updated"] + first["unchanged"] == len(files)
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert counts(out) == {"added": 0, "updated": 0, "unchanged": len(files), "failed": 0}
    with_url = sum(1 for _name, url in manifest_rows() if url.strip())
    assert sum(1 for r in listed(capsys, store) if r["source_url"]) == with_url


def test_page_without_article_text_is_a_failed_file(capsys, tmp_path: Path) -> None:
    store = tmp_path / "s"
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "empty.html").write_text("<html><body><nav>Trang chủ</nav></body></html>", encoding="utf-8")
    (folder / "blank.txt").write_text("   \n\n", encoding="utf-8")
    code, out, err = run(capsys, "ingest", str(folder), "--store", str(store))
    assert code == 1
    assert counts(out)["failed"] == 2 and counts(out)["added"] == 0
    assert "empty.html" in err and "blank.txt" in err
    assert listed(capsys, store) == []


def test_parser_error_is_a_failed_file(capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tongket.store.parse.article as article

    def broken(*_args, **_kwargs):
        raise OSError(24, "Too many open files")

    monkeypatch.setenv("TONGKET_NO_PARALLEL", "1")
    monkeypatch.setattr(article, "parse_file", broken)
    store = tmp_path / "s"
    code, out, err = run(capsys, "ingest", str(copy_sample(tmp_path / "copy")), "--store", str(store))
    assert code == 1 and counts(out)["failed"] == 18 and counts(out)["added"] == 0
    assert "Too many open files" in err
    assert listed(capsys, store) == []


def test_parser_that_gives_up_yields_failed_files_not_one_empty_article(capsys, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import tongket.store.parse.article as article

    # What a parser error inside parse_text looks like from outside: an empty article,
    # whose id (the hash of empty text) every such file would share.
    monkeypatch.setenv("TONGKET_NO_PARALLEL", "1")
    monkeypatch.setattr(article, "parse_file", lambda *_a, **_k: article.parse_text(""))
    store = tmp_path / "s"
    folder = copy_sample(tmp_path / "copy")
    code, out, err = run(capsys, "ingest", str(folder), "--store", str(store))
    assert code == 1 and counts(out)["failed"] == 18 and counts(out)["added"] == 0
    assert listed(capsys, store) == []
    monkeypatch.undo()  # the error is gone: every file becomes its own article
    code, out, err = run(capsys, "ingest", str(folder), "--store", str(store))
    assert code == 0 and counts(out)["added"] == 18


def test_copies_edited_differently_become_two_articles(capsys, tmp_path: Path) -> None:
    store = tmp_path / "s"
    text = (FIXTURES / manifest_rows()[0][0]).read_text(encoding="utf-8")
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(text, encoding="utf-8")
    b.write_text(text, encoding="utf-8")
    assert counts(run(capsys, "ingest", str(a), str(b), "--store", str(store))[1])["added"] == 1
    aid = listed(capsys, store)[0]["id"]
    assert run(capsys, "set", aid, "--year", "2001", "--store", str(store))[0] == 0
    a.write_text(text + "\n\nĐoạn thêm của bản A.", encoding="utf-8")
    b.write_text(text + "\n\nĐoạn thêm của bản B, khác hẳn.", encoding="utf-8")
    code, out, err = run(capsys, "ingest", str(a), str(b), "--store", str(store))
    assert code == 0, err
    assert "now an article of its own" in out  # the split is reported
    rows = listed(capsys, store)
    assert len(rows) == 2
    assert all(r["report_year"] == 2001 for r in rows)  # the correction follows both
    bodies = {json.loads(run(capsys, "show", r["id"], "--json", "--store", str(store))[1])["body"][-12:] for r in rows}
    assert len(bodies) == 2


def test_remove_and_reingest_round_trip(capsys, tmp_path: Path) -> None:
    store = tmp_path / "s"
    folder = copy_sample(tmp_path / "copy")
    assert run(capsys, "ingest", str(folder), "--store", str(store))[0] == 0
    rows = listed(capsys, store)
    aid = rows[0]["id"]
    assert run(capsys, "set", aid, "--title", "Tiêu đề của tôi", "--store", str(store))[0] == 0
    code, out, err = run(capsys, "remove", aid[:8] + "…", "--store", str(store))
    assert code == 0, err and aid in out
    assert (store / "archive.json.bak").exists()
    assert aid not in {r["id"] for r in listed(capsys, store)}
    assert run(capsys, "ingest", str(folder), "--store", str(store))[0] == 0
    back = {r["id"]: r for r in listed(capsys, store)}
    assert set(back) == {r["id"] for r in rows}
    assert back[aid]["title"] == "Tiêu đề của tôi"  # the correction kept aside came back
    code, out, _ = run(capsys, "remove", "--source", str(folder), "--store", str(store))
    assert code == 0 and listed(capsys, store) == []


def test_remove_sample(capsys, tmp_path: Path) -> None:
    store = tmp_path / "s"
    assert run(capsys, "sample", "--store", str(store))[0] == 0
    own = tmp_path / "own.txt"
    own.write_text("Văn phòng UBND tỉnh Kiên Giang\n\nNăm 2019 Văn phòng tiếp nhận 1.234 văn bản đến.",
                   encoding="utf-8")
    assert run(capsys, "ingest", str(own), "--store", str(store))[0] == 0
    code, out, err = run(capsys, "remove", "--sample", "--store", str(store))
    assert code == 0, err
    assert len(listed(capsys, store)) == 1


def test_scripts_parse_json_keeps_order_and_sources(capsys, tmp_path: Path) -> None:
    good = FIXTURES / manifest_rows()[0][0]
    bad = tmp_path / "missing.txt"
    code, out, _ = run(capsys, "parse", str(bad), str(good), "--json")
    assert code == 1
    records = json.loads(out)
    assert [r["source_path"] for r in records] == [str(bad), str(good)]
    assert "error" in records[0] and records[1]["id"]


def test_scripts_list_ids_paste_back_version_and_export_to_stdout(capsys, tmp_path: Path) -> None:
    store = tmp_path / "s"
    assert run(capsys, "sample", "--store", str(store))[0] == 0
    rows = listed(capsys, store)
    assert all(len(r["id"]) == 16 and "source_url" in r and "corrections" in r for r in rows)
    code, out, _ = run(capsys, "list", "--store", str(store))
    shown_id = out.splitlines()[1].split()[0]
    assert "…" not in shown_id
    assert run(capsys, "show", shown_id, "--store", str(store))[0] == 0
    assert run(capsys, "show", shown_id[:8] + "...", "--store", str(store))[0] == 0
    code, out, _ = run(capsys, "export", rows[0]["id"], "-o", "-", "--store", str(store))
    assert code == 0 and out.startswith("#") and not Path("-").exists()
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("tongket ")


def test_records_written_before_a_field_existed_still_load(capsys, tmp_path: Path) -> None:
    import orjson

    store = tmp_path / "s"
    assert run(capsys, "ingest", str(FIXTURES / manifest_rows()[0][0]), "--store", str(store))[0] == 0
    data = orjson.loads((store / "archive.json").read_bytes())
    for rec in data["articles"].values():  # as an older tongket wrote it
        for name in ("byline", "warnings", "province_evidence", "officials"):
            rec.pop(name, None)
    del data["_checksum"]  # rewritten by hand: no checksum, read unverified
    (store / "archive.json").write_bytes(orjson.dumps(data))
    for body in (store / "bodies").rglob("*.json"):
        doc = orjson.loads(body.read_bytes())
        for fig in doc["figures"]:
            fig.pop("kind", None)
            fig.pop("qualifier", None)
        body.write_bytes(orjson.dumps(doc))
    code, out, err = run(capsys, "show", listed(capsys, store)[0]["id"], "--json", "--store", str(store))
    assert code == 0, err
    shown = json.loads(out)
    assert shown["byline"] is None and shown["officials"] == [] and shown["figures"]
    assert all(f["kind"] == "actual" for f in shown["figures"])
