"""The packed search text (store/textindex.py) behind `query(text=...)`.

It is derived data: whatever state search.txt / search.idx are in (fresh, appended to,
holding dead records after an edit, deleted, from another rewrite), a text query must return
exactly what a plain scan over the body files returns.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import orjson
import pytest

from conftest import make_article
from tongket.store.derived import textindex, textindex_write
from tongket.store.archive.archive import Archive
from tongket.store.archive.layout import body_file
from tongket.store.archive.lock import write_lock
from tongket.store.lang.text import fold

QUERIES = ["văn bản đến", "van ban den", "VĂN BẢN", "kiên giang", "tiếp nhận 1.000", "xử lý đúng hạn",
           "không có ở đâu cả", "số 3", "bài số 1", "đã sửa"]


def _scan(archive: Archive, text: str, **filters) -> list[str]:
    """The reference: every article whose title or body file contains the folded needle."""
    needle = " ".join(fold(text).split())
    hits = []
    for meta in archive.query(**filters):
        stored = archive.get(meta.id)
        folded = " ".join(fold(stored.article.title + "\n" + stored.article.body).split())
        if needle in folded or needle in " ".join(fold(meta.title).split()):
            hits.append(meta.id)
    return hits


def _fill(folder: Path) -> Archive:
    archive = Archive.open(folder)
    articles = [
        make_article(f"Bài số {i}", f"Năm 2019 tiếp nhận {i}.000 văn bản đến; xử lý {'đúng' if i % 2 else 'trễ'} hạn. "
                     f"UBND tỉnh {'Kiên Giang' if i % 3 == 0 else 'An Giang'}. Số {i}.",
                     province="Kiên Giang" if i % 3 == 0 else "An Giang", year=2019, published=f"2024-02-{i + 1:02d}",
                     url=f"https://example.gov.vn/{i}")
        for i in range(12)
    ]
    for art in articles:
        archive.ingest_article(art)
    return archive


@contextmanager
def _bodies_away(folder: Path) -> Iterator[None]:
    """The article text files moved aside: whatever still answers does not read them."""
    (folder / "bodies").rename(folder / "bodies.away")
    try:
        yield
    finally:
        (folder / "bodies.away").rename(folder / "bodies")


def _check(archive: Archive) -> None:
    for q in QUERIES:
        for filters in ({}, {"province": "Kiên Giang"}):
            assert [m.id for m in archive.query(text=q, **filters)] == _scan(archive, q, **filters), (q, filters)


def test_text_query_equals_a_plain_scan(store_dir: Path) -> None:
    archive = _fill(store_dir)
    assert (store_dir / textindex.TEXT_FILE).exists() and (store_dir / textindex.INDEX_FILE).exists()
    fresh = Archive.open(store_dir)
    _check(fresh)
    with _bodies_away(store_dir):  # all from the packed file: no article text is opened
        assert len(Archive.open(store_dir).query(text="van ban den")) == 12
    assert len(fresh.query(text="van ban den")) == 12
    assert len(fresh.query(text="tiếp nhận 1.000 văn bản đến")) == 1


def test_after_an_update_the_new_text_replaces_the_old(store_dir: Path) -> None:
    archive = _fill(store_dir)
    url = "https://example.gov.vn/3"
    aid = next(m.id for m in archive.articles() if m.title == "Bài số 3")
    old_ref = aid  # an article's first text file is named by its id (the content id)
    assert body_file(store_dir, old_ref).exists()
    assert archive.ingest_article(make_article("Bài số 3", "Nội dung đã sửa hoàn toàn, số 3.", url=url)) == "updated"
    fresh = Archive.open(store_dir)
    assert [m.id for m in fresh.query(text="đã sửa hoàn toàn")] == [aid]
    assert aid not in {m.id for m in fresh.query(text="tiếp nhận 3.000")}
    _check(fresh)
    # the in-process archive answers the same after its own write
    assert [m.id for m in archive.query(text="da sua hoan toan")] == [aid]
    # the dead record is dropped once dead text is a quarter of the file
    for i in range(4, 9):
        archive.ingest_article(make_article(f"Bài số {i}", f"Bản mới {i}.", url=f"https://example.gov.vn/{i}"))
    refs = textindex.read_entries(store_dir)[1]
    assert old_ref not in refs and len(refs) == len(set(refs))
    _check(Archive.open(store_dir))


@pytest.mark.parametrize("damage", ["delete", "delete-idx", "truncate-txt", "other-token"])
def test_missing_or_damaged_packed_file_is_rebuilt(store_dir: Path, damage: str) -> None:
    _fill(store_dir)
    txt, idx = store_dir / textindex.TEXT_FILE, store_dir / textindex.INDEX_FILE
    if damage == "delete":
        txt.unlink()
        idx.unlink()
    elif damage == "delete-idx":
        idx.unlink()
    elif damage == "truncate-txt":
        txt.write_bytes(txt.read_bytes()[:200])
    else:
        textindex_write.rewrite(store_dir, [])  # a new token...
        idx.write_bytes(idx.read_bytes()[:-1] + b"x")  # ...that no longer matches the text file
    archive = Archive.open(store_dir)
    _check(archive)
    rebuilt = Archive.open(store_dir)
    rebuilt.query(text="van ban den")
    with _bodies_away(store_dir):  # the first query wrote the missing records back
        assert len(Archive.open(store_dir).query(text="van ban den")) == 12


def test_records_are_kept_in_memory_when_the_lock_is_busy(store_dir: Path) -> None:
    _fill(store_dir)
    (store_dir / textindex.TEXT_FILE).unlink()
    archive = Archive.open(store_dir)
    with write_lock(store_dir):  # a lock of its own, as another process would hold it
        _check(archive)
    assert not (store_dir / textindex.TEXT_FILE).exists()


def test_packed_text_is_the_body_files_search_text(store_dir: Path) -> None:
    archive = _fill(store_dir)
    entries = textindex.read_entries(store_dir)
    assert entries is not None
    _token, refs, starts, ends = entries
    data = (store_dir / textindex.TEXT_FILE).read_bytes()
    for ref, start, end in zip(refs, starts, ends):
        body = orjson.loads(body_file(store_dir, ref).read_bytes())
        assert data[start:end].decode() == body["search"]


def test_fold_titles_as_each_title_folded_alone() -> None:
    from tongket.store.derived.textindex import fold_titles
    from tongket.store.lang.text import fold

    titles = ["Văn  bản\tđến", " Hồ sơ ", "", "ĐỒNG Tháp\u00a0x", "Σ ΑΣ", "a\u0303b"]
    assert [t.strip() for t in fold_titles(titles)] == [" ".join(fold(t).split()) for t in titles]
    assert fold_titles([]) == []
    assert fold_titles(["a\x00b", "c"]) == ["a\x00b", "c"]  # a NUL (never stored) falls back to one by one


@pytest.mark.parametrize("kept", [1, 5, 40])
def test_query_rows_made_in_one_go_are_the_rows_made_one_by_one(store_dir: Path, kept: int) -> None:
    """A text filter's rows are made column-wise when it lists many articles and one by one
    when few: either way each row is the article's list row, corrected ones as corrected."""
    archive = Archive.open(store_dir)
    for i in range(48):
        marker = "đánh dấu" if i < kept else "khác"
        archive.ingest_article(make_article(f"Bài {i}", f"Văn bản {marker} số {i}.", province="An Giang",
                                            year=2019, published=f"2024-01-{i % 28 + 1:02d}"))
    corrected = next(m for m in archive.articles() if m.title == "Bài 0")
    archive.correct(corrected.id, title="Bài đã sửa", province="Kiên Giang")
    rows = Archive.open(store_dir).query(text="danh dau")  # the first query of a session makes the rows
    other = Archive.open(store_dir)  # its rows made by listing them all
    expected = [m for m in other.articles() if "đánh dấu" in other.get(m.id).article.body]
    assert rows == expected and len(rows) == kept
    assert next(m for m in rows if m.id == corrected.id).title == "Bài đã sửa"
    assert Archive.open(store_dir).query(text="da sua") == [m for m in expected if m.id == corrected.id]
