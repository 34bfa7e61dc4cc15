"""The store of record as a base plus segments (issue 12): a batch added to a big archive is
written as its own small file, readers see base + segments, a crash leaves the old or the new
state, compaction merges them, and the doctor and salvage know them.

"Big" is lowered to any size here (segments.MIN_BASE_BYTES), so small fixtures take the path
big archives take; batches are lowered to two files so one ingest writes several segments.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import tongket.store.archive.writing as writing
from tongket.store.archive import segments, storage
from tongket.store.archive.archive import Archive
from tongket.store.cli.main import main
from tongket.store.errors import StoreError
from tests.conftest import make_article


@pytest.fixture(autouse=True)
def _segments_always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segments, "MIN_BASE_BYTES", 0)
    monkeypatch.setattr(segments, "MAX_SHARE", 1000.0)  # no automatic compaction unless a test asks
    monkeypatch.setattr(writing, "INGEST_BATCH", 2)
    monkeypatch.setenv("TONGKET_NO_PARALLEL", "1")


def _segment_files(folder: Path) -> list[Path]:
    return sorted((folder / segments.SEGMENTS_DIR).glob("*.json")) if (folder / segments.SEGMENTS_DIR).is_dir() else []


@pytest.fixture
def grown(store_dir: Path, fixture_files: list[Path]) -> tuple[Archive, list[Path]]:
    """Two files in archive.json, then the rest ingested as segments."""
    archive = Archive.open(store_dir)
    archive.ingest_files([(p, None) for p in fixture_files[:2]])
    assert not _segment_files(store_dir)  # a new archive starts with a base
    archive.ingest_files([(p, None) for p in fixture_files[2:7]])
    return archive, fixture_files[:7]


def test_batches_into_an_existing_archive_are_segments_and_archive_json_stays(grown, store_dir: Path) -> None:
    archive, files = grown
    assert len(_segment_files(store_dir)) == 3  # five files, two per batch
    assert len(archive) == len(files)
    reader = Archive.open(store_dir)
    assert reader.articles() == archive.articles()
    for meta in reader.articles():
        assert reader.get(meta.id).article.body  # records and texts of every segment
    full = Archive.open(store_dir)
    from_files = {aid for folder in {f.parent for f in files} for aid in full.ids_from(folder)}
    assert from_files == {m.id for m in reader.articles()}  # a full load of base + segments agrees


def test_ingest_again_is_unchanged_and_edits_update_through_a_segment(grown, store_dir: Path) -> None:
    archive, files = grown
    report = Archive.open(store_dir).ingest_files([(p, None) for p in files])
    assert len(report.unchanged) == len(files) and not report.added
    assert not (store_dir / segments.SEGMENTS_DIR / "000004").exists() and len(_segment_files(store_dir)) == 3
    source = str(store_dir.parent / "page.txt")
    first = make_article("Bài được sửa", "Năm 2019 tiếp nhận 1.000 văn bản đến.")
    assert Archive.open(store_dir).ingest_article(first, source_path=source) == "added"
    second = make_article("Bài được sửa", "Năm 2019 tiếp nhận 2.000 văn bản đến.")
    assert Archive.open(store_dir).ingest_article(second, source_path=source) == "updated"
    again = Archive.open(store_dir)
    assert len(again) == len(files) + 1 and len(_segment_files(store_dir)) == 5
    assert "2.000" in again.get(first.id).article.body  # the article keeps its id, with the new text


def test_compact_merges_segments_into_a_new_archive_json(grown, store_dir: Path, capsys) -> None:
    archive, files = grown
    assert main(["compact", "--store", str(store_dir)]) == 0
    assert "merged 3 batches" in capsys.readouterr().out
    assert not _segment_files(store_dir)
    reopened = Archive.open(store_dir)
    assert reopened.articles() == archive.articles()
    assert main(["compact", "--store", str(store_dir)]) == 0
    assert "nothing to compact" in capsys.readouterr().out


def test_removal_and_corrections_work_over_segments(grown, store_dir: Path) -> None:
    archive, files = grown
    target = archive.articles()[0].id
    archive.correct(target, title="Đã sửa")
    assert Archive.open(store_dir).get(target).article.title == "Đã sửa"
    archive.remove([target])
    reopened = Archive.open(store_dir)
    assert len(reopened) == len(files) - 1 and target not in {m.id for m in reopened.articles()}


def test_a_failed_segment_write_changes_nothing_and_running_again_converges(store_dir: Path, fixture_files: list[Path],
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    archive = Archive.open(store_dir)
    archive.ingest_files([(p, None) for p in fixture_files[:2]])
    before = [m.id for m in Archive.open(store_dir).articles()]
    real_link, real_replace = storage.os.link, storage.os.replace

    def full_disk(real):
        def call(src, dst):
            if segments.SEGMENTS_DIR in str(dst):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real(src, dst)
        return call

    monkeypatch.setattr(storage.os, "link", full_disk(real_link))
    monkeypatch.setattr(storage.os, "replace", full_disk(real_replace))
    with pytest.raises(StoreError, match="No space left"):
        Archive.open(store_dir).ingest_files([(p, None) for p in fixture_files[2:5]])
    monkeypatch.undo()
    monkeypatch.setenv("TONGKET_NO_PARALLEL", "1")
    monkeypatch.setattr(segments, "MIN_BASE_BYTES", 0)
    monkeypatch.setattr(writing, "INGEST_BATCH", 2)
    assert [m.id for m in Archive.open(store_dir).articles()] == before
    assert not _segment_files(store_dir)
    Archive.open(store_dir).ingest_files([(p, None) for p in fixture_files[:5]])
    assert len(Archive.open(store_dir)) == 5


def test_a_missing_base_with_segments_is_damage_and_salvage_recovers_every_article(grown, store_dir: Path, capsys) -> None:
    archive, files = grown
    (store_dir / "archive.json").unlink()
    (store_dir / "archive.json.bak").unlink(missing_ok=True)
    with pytest.raises(StoreError, match="missing"):
        Archive.open(store_dir)
    assert main(["doctor", "--salvage", "--store", str(store_dir)]) == 0
    capsys.readouterr()
    assert len(Archive.open(store_dir)) == len(files)


def test_a_damaged_segment_is_reported_never_read_as_data(grown, store_dir: Path, capsys) -> None:
    archive, files = grown
    segment = _segment_files(store_dir)[1]
    raw = bytearray(segment.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    segment.write_bytes(bytes(raw))
    (store_dir / "archive.snapshot").unlink()  # so the open reads the store of record
    with pytest.raises(StoreError, match="segment .* is damaged"):
        Archive.open(store_dir)
    assert main(["doctor", "--store", str(store_dir)]) == 1
    out = capsys.readouterr().out
    assert "DAMAGED" in out and segment.name in out and "--salvage" in out
    assert main(["doctor", "--salvage", "--store", str(store_dir)]) == 0
    capsys.readouterr()
    assert len(Archive.open(store_dir)) >= len(files) - 2  # the damaged batch's two may be lost, nothing else


def test_salvage_never_resurrects_the_texts_of_a_killed_batch(grown, store_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys) -> None:
    archive, files = grown

    def killed(*_a, **_k):
        raise KeyboardInterrupt  # not a StoreError: the batch's texts stay, its journal too

    monkeypatch.setattr(segments, "append", killed)
    with pytest.raises(KeyboardInterrupt):
        archive.ingest_article(make_article("Bài của một lô bị giết"))
    monkeypatch.undo()
    (store_dir / "archive.json").write_bytes(b"{ damaged")
    assert main(["doctor", "--salvage", "--store", str(store_dir)]) == 0
    capsys.readouterr()
    titles = {m.title for m in Archive.open(store_dir).articles()}
    assert "Bài của một lô bị giết" not in titles and len(titles) >= 1


@pytest.mark.parametrize("per_piece", [3, 0, 10**9])  # 0: every figure group renumbered piecewise; 10**9: by the map
def test_articles_added_to_a_snapshot_answer_as_a_rebuilt_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              per_piece: int) -> None:
    """New articles are spliced into the last snapshot (not rebuilt from every record):
    listing, filters, counts, lookup and `get` answer exactly as after a full rebuild."""
    from tongket.store.derived import snapshot_insert
    from tests.bench import stores

    monkeypatch.setattr(snapshot_insert, "_PER_PIECE", per_piece)

    folder = tmp_path / "store"
    items = list(stores.truth_articles(260, seed=5))
    stores.write_batch(folder, items[:200])
    archive = Archive.open(folder)
    for article, _source in items[200:]:
        assert archive.ingest_article(article) == "added"
    assert _segment_files(folder)
    spliced = Archive.open(folder)
    (folder / "archive.snapshot").unlink()
    rebuilt = Archive.open(folder)
    assert spliced.articles() == rebuilt.articles() and len(spliced) == 260
    for province, _count in rebuilt.province_counts():
        assert spliced.query(province=province) == rebuilt.query(province=province)
    assert spliced.year_counts() == rebuilt.year_counts() and spliced.period_counts() == rebuilt.period_counts()
    labels = {f.label for article, _ in items[195:205] for f in article.figures if f.label}
    for query in sorted(labels)[:12] + ["văn bản", "ha", "tỷ đồng"]:
        assert spliced.lookup(query, limit=None) == rebuilt.lookup(query, limit=None), query
    for article, _source in items[198:203]:
        assert spliced.get(article.id) == rebuilt.get(article.id)


def test_a_damaged_stored_record_stays_unbelieved_through_a_merge(tmp_path: Path) -> None:
    """A merge copies the old snapshot's stored records with their checksums, unread: one
    damaged on disk is still caught after new articles were added, and `get` answers from
    the store of record, as after a full rebuild."""
    from tongket.store.derived import snapshot_file
    from tests.bench import stores

    folder = tmp_path / "store"
    items = list(stores.truth_articles(60, seed=9))
    stores.write_batch(folder, items[:50])
    Archive.open(folder)  # the snapshot, saved
    snap = folder / "archive.snapshot"
    raw = bytearray(snap.read_bytes())
    at = raw.index(b'"ingested_at":"') + len(b'"ingested_at":"')  # only in a stored record
    raw[at] = ord("1") if raw[at] != ord("1") else ord("2")
    snap.write_bytes(bytes(raw))
    archive = Archive.open(folder)
    for article, _source in items[50:]:
        assert archive.ingest_article(article) == "added"
    spliced = Archive.open(folder)
    head = _segment_files(folder)[-1]
    problem = snapshot_file.check(folder / "archive.snapshot", storage.file_signature(head), head)
    assert problem == "damaged: 1 stored records do not match their checksums"  # carried over, still caught
    (folder / "archive.snapshot").unlink()
    rebuilt = Archive.open(folder)
    assert len(spliced) == 60
    for meta in rebuilt.articles():
        assert spliced.get(meta.id) == rebuilt.get(meta.id)
