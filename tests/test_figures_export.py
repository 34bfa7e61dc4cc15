"""`tongket figures --csv/--jsonl` from the pre-encoded rows (figures.rows): the same bytes
as the rows read from the body files, whatever state the derived file is in."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import orjson
import pytest

from tongket.store.archive.archive import Archive
from tongket.store.archive.storage import dumps
from tongket.store.cli.main import main
from tongket.store.derived.details import FIGURE_COLUMNS
from tongket.store.present import tables

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.bench.generate import write_corpus  # noqa: E402

ROWS, INDEX = "figures.rows", "figures.idx"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A generated archive of 60 articles, ingested (which writes the rows)."""
    write_corpus(60, tmp_path / "corpus")
    archive = Archive.open(tmp_path / "store")
    archive.ingest_files([(p, None) for p in sorted((tmp_path / "corpus").rglob("*.txt"))])
    return tmp_path / "store"


def expected(store: Path, fmt: str, *, bom: bool = False, **filters) -> bytes:
    """The export as the body files give it (`Archive.figure_rows`, the path before figures.rows)."""
    rows = Archive.open(store).figure_rows(**filters)
    if fmt == "--jsonl":
        return b"".join(dumps(dict(zip(FIGURE_COLUMNS, row))) + b"\n" for row in rows)
    out = io.StringIO()
    tables.write_csv(out, FIGURE_COLUMNS, rows, bom=bom)
    return out.getvalue().encode("utf-8")


def exported(capsysbinary, store: Path, *args: str) -> bytes:
    code = main(["--store", str(store), "figures", *args])
    out, _err = capsysbinary.readouterr()
    assert code == 0
    return out


def doctor(capsysbinary, store: Path, *args: str) -> str:
    main(["--store", str(store), "doctor", *args])
    return capsysbinary.readouterr().out.decode("utf-8")


@pytest.mark.parametrize("fmt", ["--csv", "--jsonl"])
def test_export_is_the_body_files_rows_byte_for_byte(capsysbinary, store: Path, fmt: str) -> None:
    size = (store / ROWS).stat().st_size  # written by the ingest
    want = expected(store, fmt)
    assert want.count(b"\n") > 100
    assert exported(capsysbinary, store, fmt) == want
    assert (store / ROWS).stat().st_size == size  # nothing had to be read from the body files


def test_filters_and_bom(capsysbinary, store: Path) -> None:
    archive = Archive.open(store)
    province = next(m.province for m in archive.articles() if m.province)
    year = next(m.report_year for m in archive.articles() if m.report_year)
    assert exported(capsysbinary, store, "--csv", "--province", province) == expected(store, "--csv", province=province)
    assert exported(capsysbinary, store, "--jsonl", "--year", str(year)) == expected(store, "--jsonl", year=year)
    assert exported(capsysbinary, store, "--csv", "--text", "văn bản") == expected(store, "--csv", text="văn bản")
    with_bom = exported(capsysbinary, store, "--csv", "--bom")
    assert with_bom.startswith("\ufeffarticle_id,".encode()) and with_bom == expected(store, "--csv", bom=True)


def test_corrections_show_in_the_export(capsysbinary, store: Path) -> None:
    archive = Archive.open(store)
    target = next(m for m in archive.articles() if m.n_figures and m.province != "Kiên Giang")
    archive.correct(target.id, province="Kiên Giang", report_year=2011)
    out = exported(capsysbinary, store, "--jsonl")
    assert out == expected(store, "--jsonl")
    rows = [orjson.loads(line) for line in out.splitlines()]
    mine = [r for r in rows if r["article_id"] == target.id]
    assert len(mine) == target.n_figures
    assert all(r["province"] == "Kiên Giang" and r["report_year"] == 2011 and r["merged_unit"] == "An Giang"
               for r in mine)


def test_a_rewritten_body_file_is_read_not_its_old_entry(capsysbinary, store: Path) -> None:
    """An entry encoded from an earlier body file is never believed for the one there now."""
    archive = Archive.open(store)
    target = next(m for m in archive.articles() if m.n_figures)
    (path,) = (store / "bodies").rglob(f"{archive.get(target.id).article.id}.json")
    body = orjson.loads(path.read_bytes())
    body["figures"][0]["sentence"] = "Một câu đã đổi, với dấu phẩy, và \"ngoặc kép\"."
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(orjson.dumps(body))
    os.replace(tmp, path)
    for fmt in ("--csv", "--jsonl"):
        out = exported(capsysbinary, store, fmt)
        assert out == expected(store, fmt) and "Một câu đã đổi".encode() in out


def test_an_article_ingested_again_with_another_text(capsysbinary, store: Path, tmp_path: Path) -> None:
    source = sorted((tmp_path / "corpus").rglob("*.txt"))[3]
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("văn bản", "hồ sơ", 3) + "\nTiếp nhận 1.234 hồ sơ trực tuyến.\n", encoding="utf-8")
    Archive.open(store).ingest_files([(source, None)])
    for fmt in ("--csv", "--jsonl"):
        assert exported(capsysbinary, store, fmt) == expected(store, fmt)


@pytest.mark.parametrize("damage", ["rows cut", "rows garbage", "index cut", "index garbage", "index foreign"])
def test_damaged_files_give_the_same_rows(capsysbinary, store: Path, damage: str) -> None:
    rows, index = store / ROWS, store / INDEX
    if damage == "rows cut":
        rows.write_bytes(rows.read_bytes()[: rows.stat().st_size // 2])
    elif damage == "rows garbage":
        data = rows.read_bytes()
        mid = len(data) // 3
        rows.write_bytes(data[:mid] + b"not a row\n{bad json" + data[mid + 19:])
    elif damage == "index cut":
        index.write_bytes(index.read_bytes()[:-7])
    elif damage == "index garbage":
        data = index.read_bytes()
        index.write_bytes(data[:200] + b"garbage line\n" + data[200:])
    else:
        index.write_bytes(b"[1, 2, 3]\n")
    want = {fmt: expected(store, fmt) for fmt in ("--csv", "--jsonl")}
    damaged_report = doctor(capsysbinary, store)
    assert "figures.rows, figures.idx: DAMAGED" in damaged_report
    for fmt in ("--csv", "--jsonl"):
        assert exported(capsysbinary, store, fmt) == want[fmt]
    doctor(capsysbinary, store, "--repair")
    assert "figures.rows, figures.idx: ok" in doctor(capsysbinary, store)
    assert exported(capsysbinary, store, "--jsonl") == want["--jsonl"]


def test_a_cut_rows_file_is_named_by_the_doctor(capsysbinary, store: Path) -> None:
    rows = store / ROWS
    rows.write_bytes(rows.read_bytes()[: rows.stat().st_size // 2])
    assert "figures.rows, figures.idx: DAMAGED" in doctor(capsysbinary, store)


def test_missing_files_are_rebuilt_by_the_first_export(capsysbinary, store: Path) -> None:
    (store / ROWS).unlink()
    (store / INDEX).unlink()
    want = expected(store, "--csv")
    assert exported(capsysbinary, store, "--csv") == want
    assert (store / ROWS).exists() and (store / INDEX).exists()
    size = (store / ROWS).stat().st_size
    assert exported(capsysbinary, store, "--csv") == want and (store / ROWS).stat().st_size == size


def test_a_body_too_big_to_encode_at_ingest_is_encoded_by_the_export(capsysbinary, tmp_path: Path, monkeypatch) -> None:
    from tongket.store.archive import ingest

    monkeypatch.setattr(ingest, "ROWS_MAX_BYTES", 0)  # every body counts as huge
    write_corpus(5, tmp_path / "corpus")
    Archive.open(tmp_path / "store").ingest_files([(p, None) for p in sorted((tmp_path / "corpus").rglob("*.txt"))])
    store = tmp_path / "store"
    assert not (store / ROWS).exists()  # nothing encoded while ingesting
    want = expected(store, "--jsonl")
    assert want.count(b"\n") > 10 and exported(capsysbinary, store, "--jsonl") == want
    assert (store / ROWS).exists()
