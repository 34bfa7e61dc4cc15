"""corrections.json: the user's edits in their own small file, applied over the archive.

A correction must not load or rewrite archive.json (at 100k articles that is 15-20 s and
2.4 GB) nor rebuild the snapshot; it must still survive re-ingest, be seen by another
process, migrate the old `corrections` table out of archive.json, and be known to doctor.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import orjson
import pytest

from conftest import make_article
from tongket.store.archive import doctor, salvage
from tongket.store.derived import snapshot as snapshots
from tongket.store.archive.archive import CORRECTIONS_FILE, Archive
from tongket.store.errors import StoreError


def _filled(folder: Path) -> Archive:
    archive = Archive.open(folder)
    for i, province in enumerate(["Kiên Giang", "An Giang", "Kiên Giang", None]):
        archive.ingest_article(make_article(f"Bài số {i}", f"Văn bản đến số {i}.", province=province, year=2019 + i,
                                            period="year", published=f"2024-01-0{i + 1}"))
    return archive


def _stat(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def test_correction_touches_only_the_small_file(store_dir: Path, tmp_path: Path, archive_json_reads: list[Path]) -> None:
    import shutil

    archive = _filled(store_dir)
    archive_json_reads.clear()
    fresh = Archive.open(store_dir)
    assert not archive_json_reads  # opened from the snapshot
    before = {name: _stat(store_dir / name) for name in ("archive.json", snapshots.SNAPSHOT_FILE)}
    target = next(m for m in fresh.articles() if m.province == "An Giang")
    stored = fresh.correct(target.id, province="Kiên Giang", report_year=2001, period="quarter", title="Tiêu đề mới")
    assert {name: _stat(store_dir / name) for name in before} == before  # neither written...
    assert not archive_json_reads  # ...nor archive.json even parsed
    assert stored.article.province == "Kiên Giang" and stored.article.title == "Tiêu đề mới"
    data = orjson.loads((store_dir / CORRECTIONS_FILE).read_bytes())
    assert data["_meta"]["1"]["schema"] == 1
    assert [d["fields"] for d in data["corrections"].values()] == [
        {"province": "Kiên Giang", "report_year": 2001, "period": "quarter", "title": "Tiêu đề mới"}]
    # the in-memory index follows: rows, filters, groups and counts
    meta = fresh.index.meta(target.id)
    assert (meta.province, meta.report_year, meta.period, meta.title) == ("Kiên Giang", 2001, "quarter", "Tiêu đề mới")
    assert set(meta.corrected) == {"province", "report_year", "period", "title"}
    assert dict(fresh.province_counts()) == {"Kiên Giang": 3, None: 1}
    assert [m.id for m in fresh.query(year=2001)] == [target.id]
    assert fresh.query(province="An Giang") == []
    assert dict(fresh.period_counts()) == {"year": 3, "quarter": 1}
    assert [m.id for m in fresh.query(text="tieu de moi")] == [target.id]
    # and so does a fresh open, and the untouched full load
    assert Archive.open(store_dir).articles() == fresh.articles()
    copy = tmp_path / "no-snapshot"
    shutil.copytree(store_dir, copy)
    (copy / snapshots.SNAPSHOT_FILE).unlink()
    assert Archive.open(copy).articles() == fresh.articles()  # built from archive.json's records
    # clearing every field removes the entry
    fresh.correct(target.id, province=None, report_year=None, period=None, title=None)
    assert Archive.open(store_dir).index.meta(target.id).province == "An Giang"
    assert orjson.loads((store_dir / CORRECTIONS_FILE).read_bytes())["corrections"] == {}
    assert _stat(store_dir / "archive.json") == before["archive.json"]


def test_corrections_survive_reingest_and_never_enter_archive_json(store_dir: Path) -> None:
    archive = _filled(store_dir)
    url = "https://example.gov.vn/bai"
    archive.ingest_article(make_article("Bài có URL", "Lần một.", url=url, province="An Giang"))
    aid = next(m.id for m in archive.articles() if m.title == "Bài có URL")
    archive.correct(aid, title="Sửa tay", report_year=2018)
    assert archive.ingest_article(make_article("Bài có URL", "Lần hai, đã sửa.", url=url)) == "updated"
    reopened = Archive.open(store_dir)
    stored = reopened.get(aid)
    assert stored.article.title == "Sửa tay" and stored.article.report_year == 2018
    assert stored.corrections == {"title": "Sửa tay", "report_year": 2018}
    assert "corrections" not in orjson.loads((store_dir / "archive.json").read_bytes())


def _legacy(store_dir: Path) -> tuple[Archive, str]:
    """An archive as an older tongket wrote it: the corrections inside archive.json."""
    archive = _filled(store_dir)
    aid = archive.articles()[1].id
    path = store_dir / "archive.json"
    data = orjson.loads(path.read_bytes())
    data["corrections"] = {"1": {"id": aid, "fields": {"province": "An Giang", "report_year": 2005}}}
    del data["_checksum"]  # older tongkets wrote none
    path.write_bytes(orjson.dumps(data))
    return archive, aid


def test_legacy_table_is_read_then_moved_out_on_the_next_write(store_dir: Path, archive_json_reads: list[Path]) -> None:
    _, aid = _legacy(store_dir)
    archive = Archive.open(store_dir)
    assert archive.get(aid).corrections == {"province": "An Giang", "report_year": 2005}
    assert archive.index.meta(aid).report_year == 2005
    assert not (store_dir / CORRECTIONS_FILE).exists()  # reading changes nothing
    archive.ingest_article(make_article("Bài mới", "Nội dung mới."))  # the next write of archive.json
    assert "corrections" not in orjson.loads((store_dir / "archive.json").read_bytes())
    moved = orjson.loads((store_dir / CORRECTIONS_FILE).read_bytes())["corrections"]
    assert [d["fields"] for d in moved.values()] == [{"province": "An Giang", "report_year": 2005}]
    archive_json_reads.clear()
    again = Archive.open(store_dir)
    assert again.get(aid).corrections == {"province": "An Giang", "report_year": 2005}
    assert not archive_json_reads


def test_legacy_table_moved_by_a_correction(store_dir: Path) -> None:
    _, aid = _legacy(store_dir)
    archive = Archive.open(store_dir)
    before = _stat(store_dir / "archive.json")
    other = archive.articles()[0].id
    archive.correct(other, title="Khác")
    assert _stat(store_dir / "archive.json") == before
    reopened = Archive.open(store_dir)
    assert reopened.get(aid).corrections == {"province": "An Giang", "report_year": 2005}
    assert reopened.get(other).corrections == {"title": "Khác"}
    # once corrections.json exists it is authoritative: a cleared correction stays cleared
    reopened.correct(aid, province=None, report_year=None)
    assert Archive.open(store_dir).get(aid).corrections == {}


def _correct_in_child(folder: str, aid: str) -> None:
    Archive.open(folder).correct(aid, report_year=1999)


def test_another_process_correction_is_seen_by_reload(store_dir: Path) -> None:
    archive = _filled(store_dir)
    aid = archive.articles()[2].id
    assert archive.reload_if_changed() is False
    proc = multiprocessing.get_context("spawn").Process(target=_correct_in_child, args=(str(store_dir), aid))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0
    assert archive.reload_if_changed() is True
    assert archive.index.meta(aid).report_year == 1999 and archive.query(year=1999)[0].id == aid
    assert archive.reload_if_changed() is False
    # a write based on the reloaded state keeps the other process's correction
    archive.correct(archive.articles()[0].id, period="quarter")
    assert Archive.open(store_dir).get(aid).corrections == {"report_year": 1999}


def test_doctor_reports_and_restores_the_corrections_file(store_dir: Path) -> None:
    archive = _filled(store_dir)
    aid = archive.articles()[0].id
    archive.correct(aid, report_year=2001)
    archive.correct(aid, title="Lần hai")  # a second write: corrections.json.bak holds the first
    lines = doctor.diagnose(store_dir).lines()
    assert "corrections.json: ok - 1 corrections, generation 2" in lines
    assert any(line.startswith("archive.json: ok - 5 articles, 1 corrections") or
               line.startswith("archive.json: ok - 4 articles, 1 corrections") for line in lines)
    (store_dir / CORRECTIONS_FILE).write_bytes(b'{"_meta": {"1": {"sch')
    with pytest.raises(StoreError, match="doctor"):
        Archive.open(store_dir)
    diagnosis = doctor.diagnose(store_dir)
    assert not diagnosis.healthy and "corrections.json: DAMAGED" in "\n".join(diagnosis.lines())
    assert "--restore" in diagnosis.advice()
    message = doctor.restore(store_dir)
    assert "restored corrections.json from corrections.json.bak: 1 corrections" in message
    assert Archive.open(store_dir).get(aid).corrections == {"report_year": 2001}  # the last change is lost


def test_doctor_salvages_a_damaged_corrections_file(store_dir: Path) -> None:
    archive = _filled(store_dir)
    ids = [m.id for m in archive.articles()]
    archive.correct(ids[0], report_year=2001)
    archive.correct(ids[1], report_year=2002)
    raw = (store_dir / CORRECTIONS_FILE).read_bytes()
    (store_dir / CORRECTIONS_FILE).write_bytes(raw[: len(raw) - 2])  # cut off
    message = salvage.salvage(store_dir)
    assert "salvaged 2 corrections into corrections.json" in message
    fixed = Archive.open(store_dir)
    assert fixed.get(ids[0]).corrections == {"report_year": 2001}
    assert fixed.get(ids[1]).corrections == {"report_year": 2002}
