"""The archive: idempotent ingest, updates, corrections, filters, ids, crash safety."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import make_article
from tongket.store.archive import storage
from tongket.store.archive.archive import SCHEMA_VERSION, UNKNOWN_PROVINCE, Archive
from tongket.store.errors import InputError, NotFound, StoreError


def _copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(src.read_bytes())
    return dst


# ---------------------------------------------------------------- ingest


def test_ingest_fixtures_twice_second_run_all_unchanged(archive: Archive, fixture_files: list[Path]) -> None:
    sources = [(p, None) for p in fixture_files]
    first = archive.ingest_files(sources)
    assert first.failed == ()
    assert len(first.added) == len(fixture_files) == len(archive)
    second = archive.ingest_files(sources)
    assert (second.added, second.updated, second.failed) == ((), (), ())
    assert len(second.unchanged) == len(fixture_files)
    assert len(Archive.open(archive.path)) == len(fixture_files)


def test_progress_reports_every_file(archive: Archive, fixture_files: list[Path]) -> None:
    seen: list[tuple[int, int]] = []
    archive.ingest_files([(p, None) for p in fixture_files[:3]], progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_same_text_from_two_paths_is_one_article(archive: Archive, fixture_files: list[Path], tmp_path: Path) -> None:
    a = _copy(fixture_files[0], tmp_path / "in" / "a.txt")
    b = _copy(fixture_files[0], tmp_path / "in" / "sub" / "b.txt")
    report = archive.ingest_files([(a, None), (b, None)])
    assert len(report.added) == 1 and len(report.unchanged) == 1
    assert len(archive) == 1
    stored = archive.get(archive.articles()[0].id)
    assert sorted(stored.source_paths) == sorted([str(a.resolve()), str(b.resolve())])


def test_edited_source_is_updated_keeping_id_and_corrections(archive: Archive, fixture_files: list[Path], tmp_path: Path) -> None:
    src = _copy(fixture_files[0], tmp_path / "in" / "a.txt")
    archive.ingest_files([(src, None)])
    (aid,) = [m.id for m in archive.articles()]
    archive.correct(aid, title="Tiêu đề sửa tay", report_year=2019)
    src.write_text(src.read_text(encoding="utf-8") + "\nĐoạn mới được thêm vào bài.\n", encoding="utf-8")
    report = archive.ingest_files([(src, None)])
    assert len(report.updated) == 1 and len(archive) == 1
    stored = archive.get(aid)
    assert "Đoạn mới được thêm vào bài." in stored.article.body
    assert stored.article.title == "Tiêu đề sửa tay"
    assert stored.corrections == {"title": "Tiêu đề sửa tay", "report_year": 2019}
    assert archive.ingest_files([(src, None)]).unchanged  # and now stable again


def test_same_url_different_content_is_an_update(archive: Archive) -> None:
    url = "https://example.gov.vn/bai-1"
    assert archive.ingest_article(make_article("Bài một", "Lần một.", url=url)) == "added"
    assert archive.ingest_article(make_article("Bài một", "Lần hai, đã sửa.", url=url)) == "updated"
    assert len(archive) == 1


def test_ingest_article_statuses(archive: Archive) -> None:
    art = make_article("Tổng kết năm 2019", province="Kiên Giang", year=2019)
    assert archive.ingest_article(art, source_path="/x/a.txt") == "added"
    assert archive.ingest_article(art, source_path="/x/a.txt") == "unchanged"
    assert archive.ingest_article(art, source_path="/x/b.txt") == "unchanged"
    assert archive.get(art.id).source_paths == ("/x/a.txt", "/x/b.txt")


def test_bad_files_become_rejections_and_the_batch_goes_on(archive: Archive, fixture_files: list[Path], tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    folder = tmp_path / "a-folder.txt"
    folder.mkdir()
    report = archive.ingest_files([(missing, None), (fixture_files[0], None), (folder, None)])
    assert len(report.added) == 1
    assert {r.path for r in report.failed} == {str(missing), str(folder)}
    assert all(r.reason and "\n" not in r.reason for r in report.failed)


def test_parser_crash_is_a_rejection(archive: Archive, fixture_files: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import tongket.store.parse.article

    def broken(path, url=None):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(tongket.store.parse.article, "parse_file", broken)
    report = archive.ingest_files([(fixture_files[0], None)])
    assert report.added == () and "ZeroDivisionError" in report.failed[0].reason


# ---------------------------------------------------------------- corrections


def test_correction_survives_reingest_and_reopen(archive: Archive, fixture_files: list[Path]) -> None:
    archive.ingest_files([(p, None) for p in fixture_files])
    aid = archive.articles()[0].id
    stored = archive.correct(aid[:8], province="kien giang", period="half-year")
    assert stored.article.province == "Kiên Giang" and stored.article.period == "half-year"
    archive.ingest_files([(p, None) for p in fixture_files])
    again = Archive.open(archive.path)
    assert again.get(aid).article.province == "Kiên Giang"
    meta = next(m for m in again.articles() if m.id == aid)
    assert set(meta.corrected) == {"province", "period"}
    cleared = again.correct(aid, period=None)
    assert "period" not in cleared.corrections


@pytest.mark.parametrize("fields", [{"period": "decade"}, {"report_year": "abc"}, {"title": "  "}, {"byline": "x"},
                                    {"province": "Atlantis"}])
def test_bad_corrections_are_refused(archive: Archive, fields: dict) -> None:
    archive.ingest_article(make_article("A"))
    with pytest.raises(InputError):
        archive.correct(archive.articles()[0].id, **fields)


# ---------------------------------------------------------------- ids


def test_prefix_ids(archive: Archive) -> None:
    arts = [make_article(f"Bài số {i}") for i in range(40)]
    for a in arts:
        archive.ingest_article(a)
    target = arts[7].id
    assert archive.resolve(target) == target
    unique = next(target[:n] for n in range(1, 17) if sum(a.id.startswith(target[:n]) for a in arts) == 1)
    assert archive.get(unique).article.id == target
    with pytest.raises(NotFound, match="no article"):
        archive.resolve("zzzz")
    common = next(p for p in "0123456789abcdef" if sum(a.id.startswith(p) for a in arts) > 1)
    with pytest.raises(NotFound, match="matches"):
        archive.resolve(common)


# ---------------------------------------------------------------- queries


@pytest.fixture
def filled(archive: Archive) -> Archive:
    archive.ingest_article(make_article("Văn phòng tổng kết năm 2019", "Văn bản đến tăng.", province="Kiên Giang",
                                        year=2019, period="year", published="2020-01-20"))
    archive.ingest_article(make_article("Sơ kết 6 tháng", "Tiếp nhận hồ sơ.", province="Kiên Giang", year=2018,
                                        period="half-year", published="2018-08-09"))
    archive.ingest_article(make_article("An Giang tổng kết", "Công tác năm.", province="An Giang", year=2019,
                                        period="year", published="2020-01-05"))
    archive.ingest_article(make_article("Không rõ tỉnh", "Nội dung khác.", year=2023, period="year"))
    return archive


def test_articles_newest_first(filled: Archive) -> None:
    assert [m.title for m in filled.articles()] == [
        "Văn phòng tổng kết năm 2019", "An Giang tổng kết", "Sơ kết 6 tháng", "Không rõ tỉnh"]


def test_filters(filled: Archive) -> None:
    titles = lambda metas: sorted(m.title for m in metas)  # noqa: E731
    assert titles(filled.query(province="kien giang")) == ["Sơ kết 6 tháng", "Văn phòng tổng kết năm 2019"]
    assert titles(filled.query(province="Kiên Giang", year=2019)) == ["Văn phòng tổng kết năm 2019"]
    assert titles(filled.query(period="half-year")) == ["Sơ kết 6 tháng"]
    assert titles(filled.query(province=UNKNOWN_PROVINCE)) == ["Không rõ tỉnh"]
    assert titles(filled.query(text="van ban den")) == ["Văn phòng tổng kết năm 2019"]
    assert titles(filled.query(text="SƠ KẾT")) == ["Sơ kết 6 tháng"]
    assert filled.query(province="Hà Nội") == []
    assert len(filled.query()) == 4


def test_merged_province_filter(filled: Archive) -> None:
    merged = {m.province for m in filled.query(province="An Giang", merged=True)}
    assert merged == {"An Giang", "Kiên Giang"}
    assert {m.province for m in filled.query(province="An Giang")} == {"An Giang"}


def test_counts(filled: Archive) -> None:
    assert filled.province_counts() == [("An Giang", 1), ("Kiên Giang", 2), (None, 1)]
    assert filled.province_counts(year=2019) == [("An Giang", 1), ("Kiên Giang", 1)]
    assert filled.province_counts(merged=True) == [("An Giang", 3), (None, 1)]
    assert filled.year_counts() == [(2023, 1), (2019, 2), (2018, 1)]
    assert filled.year_counts(province="kien giang") == [(2019, 1), (2018, 1)]
    assert filled.period_counts() == [("year", 3), ("half-year", 1)]


# ---------------------------------------------------------------- on disk


def test_layout_and_bodies_apart(filled: Archive) -> None:
    folder = filled.path
    data = json.loads((folder / "archive.json").read_text(encoding="utf-8"))
    assert next(iter(data["_meta"].values()))["schema"] == SCHEMA_VERSION
    assert all("body" not in rec for rec in data["articles"].values())
    bodies = list((folder / "bodies").rglob("*.json"))
    assert len(bodies) == 4 and all(p.parent.name == p.stem[:2] for p in bodies)


def test_killed_write_leaves_previous_archive_readable(filled: Archive, fixture_files: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    before = [m.id for m in filled.articles()]
    real_replace = storage.os.replace

    def dying_replace(src, dst):
        if str(dst).endswith("archive.json"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(storage.os, "replace", dying_replace)
    with pytest.raises(StoreError):
        filled.ingest_files([(p, None) for p in fixture_files])
    monkeypatch.undo()
    reopened = Archive.open(filled.path)
    assert [m.id for m in reopened.articles()] == before
    assert reopened.get(before[0]).article.body


def test_killed_serialiser_leaves_previous_archive(filled: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    before = (filled.path / "archive.json").read_bytes()

    def dying_dumps(data):
        raise MemoryError

    monkeypatch.setattr(storage, "dumps", dying_dumps)
    with pytest.raises(MemoryError):
        filled.ingest_article(make_article("Mới"))
    monkeypatch.undo()
    assert (filled.path / "archive.json").read_bytes() == before
    assert len(Archive.open(filled.path)) == 4


def test_newer_schema_is_read_but_never_written(filled: Archive) -> None:
    path = filled.path / "archive.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    next(iter(data["_meta"].values()))["schema"] = SCHEMA_VERSION + 1
    del data["_checksum"]  # rewritten by hand: no checksum, read unverified
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    newer = Archive.open(filled.path)
    assert len(newer) == 4
    with pytest.raises(StoreError, match="newer tongket"):
        newer.ingest_article(make_article("Mới"))
    with pytest.raises(StoreError, match="newer tongket"):
        newer.correct(newer.articles()[0].id, title="x")


def test_damaged_archive_names_the_file(store_dir: Path) -> None:
    store_dir.mkdir(parents=True)
    (store_dir / "archive.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreError, match="archive.json"):
        Archive.open(store_dir)


def test_reload_if_changed_sees_another_writer(filled: Archive) -> None:
    other = Archive.open(filled.path)
    assert filled.reload_if_changed() is False
    other.ingest_article(make_article("Từ tiến trình khác"))
    assert filled.reload_if_changed() is True
    assert len(filled) == 5
    filled.ingest_article(make_article("Thêm nữa"))  # writes merge, never lose the other's article
    assert len(Archive.open(filled.path)) == 6


def test_default_location_comes_from_env(store_dir: Path) -> None:
    assert Archive.open().path == store_dir
