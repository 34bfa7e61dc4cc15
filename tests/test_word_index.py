"""The word index (search.words) behind `query(text=...)` and the `/` filter.

A text query must return exactly what a fold-and-search over every article's title and body
returns, for whole words, partial words and phrases that start or end inside a word; after
an ingest the index grows by a block instead of being rebuilt; damage to any of the derived
files means a rebuild (said once on stderr), never a wrong answer or a traceback.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from conftest import make_article
from tongket.store.archive.archive import Archive
from tongket.store.cli.main import main
from tongket.store.lang.text import fold

FIXED = ["văn bản đến", "van ban den", "VĂN BẢN", "ubnd tinh", "hồ sơ", "ho so tiep nhan", "1.000", "99,9%",
         "n ban de", "an ba", "g", "tỉnh", "không có ở đâu cả", "đã sửa", "quý i/2021", "xyzzy plugh"]


def _folded(archive: Archive) -> dict[str, str]:
    out = {}
    for meta in archive.query():
        a = archive.get(meta.id).article
        out[meta.id] = " ".join(fold(a.title + "\n" + a.body).split())
    return out


def _brute(texts: dict[str, str], query: str) -> set[str]:
    needle = " ".join(fold(query).split())
    return {aid for aid, text in texts.items() if needle in text}


def _queries(texts: dict[str, str], n: int = 120) -> list[str]:
    """Fixed queries plus random slices of the texts: 1 to 4 words, cut anywhere."""
    rng = random.Random(12)
    out = list(FIXED)
    bodies = list(texts.values())
    while len(out) < n:
        text = rng.choice(bodies)
        if len(text) < 40:
            continue
        start = rng.randrange(len(text) - 30)
        out.append(text[start : start + rng.randint(2, 30)].strip() or "a")
    return out


def _ingest(folder: Path, files: list[Path]) -> Archive:
    archive = Archive.open(folder)
    archive.ingest_files([(f, None) for f in files])
    return archive


def _check(folder: Path) -> None:
    archive = Archive.open(folder)
    texts = _folded(archive)
    for q in _queries(texts):
        assert {m.id for m in archive.query(text=q)} == _brute(texts, q), q


def test_text_query_equals_brute_force_fold_and_search(store_dir: Path, fixture_files: list[Path]) -> None:
    _ingest(store_dir, fixture_files)
    assert (store_dir / "search.words").exists()
    _check(store_dir)


def test_new_articles_are_appended_to_the_index(store_dir: Path, fixture_files: list[Path]) -> None:
    _ingest(store_dir, fixture_files[:8])
    before = (store_dir / "search.words").read_bytes()
    archive = Archive.open(store_dir)
    archive.ingest_files([(f, None) for f in fixture_files[8:]])
    archive.ingest_article(make_article("Bài mới", "Năm 2024 tiếp nhận 7.777 văn bản đến ở xã Mỹ Lợi."))
    after = (store_dir / "search.words").read_bytes()
    head = 23 + 16 + 20  # magic, token, stamp of search.txt (rewritten); the blocks after it stay as they were
    assert len(after) > len(before) and after[head : len(before)] == before[head:]
    _check(store_dir)
    assert len(Archive.open(store_dir).query(text="7.777 van ban")) == 1


@pytest.mark.parametrize("name", ["search.words", "search.idx", "search.txt"])
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_64_bytes_of_ff_mean_a_rebuild_not_a_wrong_answer(store_dir: Path, fixture_files: list[Path],
                                                         capsys: pytest.CaptureFixture, name: str, where: str) -> None:
    _ingest(store_dir, fixture_files)
    path = store_dir / name
    data = bytearray(path.read_bytes())
    at = {"start": 0, "middle": len(data) // 2, "end": max(0, len(data) - 64)}[where]
    data[at : at + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    capsys.readouterr()
    _check(store_dir)
    err = capsys.readouterr().err
    assert err.count("rebuilding") <= 1
    _check(store_dir)  # rebuilt: quiet from now on
    assert "rebuilding" not in capsys.readouterr().err


def test_an_edited_search_txt_is_noticed(store_dir: Path, capsys: pytest.CaptureFixture) -> None:
    archive = Archive.open(store_dir)
    for i in range(6):
        archive.ingest_article(make_article(f"Bài {i}", f"Văn phòng tiếp nhận {i}.000 hồ sơ trực tuyến."))
    path = store_dir / "search.txt"
    path.write_bytes(path.read_bytes().replace(b"truc tuyen", b"xyzzy plug"))  # same length
    capsys.readouterr()
    fresh = Archive.open(store_dir)
    assert len(fresh.query(text="truc tuyen")) == 6
    assert fresh.query(text="xyzzy") == []
    assert capsys.readouterr().err.count("rebuilding") == 1


def test_cli_list_text_uses_the_same_answers(store_dir: Path, fixture_files: list[Path],
                                            capsys: pytest.CaptureFixture) -> None:
    import orjson

    archive = _ingest(store_dir, fixture_files)
    texts = _folded(archive)
    capsys.readouterr()
    for q in ["van ban den", "hồ sơ", "n ban de"]:
        assert main(["list", "--text", q, "--json", "--store", str(store_dir)]) == 0
        rows = orjson.loads(capsys.readouterr().out)
        assert {r["id"] for r in rows} == _brute(texts, q)


def test_a_word_index_of_the_older_format_is_rebuilt_from_search_txt(store_dir: Path, fixture_files: list[Path],
                                                                      capsys: pytest.CaptureFixture) -> None:
    archive = _ingest(store_dir, fixture_files)
    texts = _folded(archive)
    path = store_dir / "search.words"
    path.write_bytes(b"TONGKET-SEARCH-WORDS 1\n" + path.read_bytes()[23:])  # as the previous version wrote it
    capsys.readouterr()
    (store_dir / "bodies").rename(store_dir / "bodies.away")  # rebuilt from search.txt: no article text is read
    try:
        fresh = Archive.open(store_dir)
        for q in ["van ban den", "hồ sơ", "n ban de", "ho so tiep nhan", "xyzzy"]:
            assert {m.id for m in fresh.query(text=q)} == _brute(texts, q)
    finally:
        (store_dir / "bodies.away").rename(store_dir / "bodies")
    assert path.read_bytes().startswith(b"TONGKET-SEARCH-WORDS 2\n")
    assert "rebuilding" not in capsys.readouterr().err
    _check(store_dir)


def test_damage_found_when_a_chunk_is_first_read_means_a_scan_then_a_rebuild(
        store_dir: Path, fixture_files: list[Path], capsys: pytest.CaptureFixture) -> None:
    import struct

    archive = _ingest(store_dir, fixture_files)
    texts = _folded(archive)
    path = store_dir / "search.words"
    data = bytearray(path.read_bytes())
    head = 23 + 16 + 20
    n_meta, n_body, _crc = struct.unpack_from("<III", data, head)
    body = head + 12 + n_meta
    for at in range(body, body + n_body, 4096):  # one byte in each 4 KiB of the first block's body
        data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    capsys.readouterr()
    fresh = Archive.open(store_dir)  # opens: only the headers are read
    assert {m.id for m in fresh.query(text="van ban den")} == _brute(texts, "van ban den")
    assert capsys.readouterr().err.count("rebuilding") == 1
    _check(store_dir)
    assert "rebuilding" not in capsys.readouterr().err


def test_doctor_checks_every_chunk_of_the_word_index_and_repair_rebuilds_it(
        store_dir: Path, fixture_files: list[Path], capsys: pytest.CaptureFixture) -> None:
    archive = _ingest(store_dir, fixture_files)
    texts = _folded(archive)
    capsys.readouterr()
    assert main(["doctor", "--store", str(store_dir)]) == 0
    assert "search.words: ok" in capsys.readouterr().out
    path = store_dir / "search.words"
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF  # the last chunk: no query may ever read it, the doctor does
    path.write_bytes(bytes(data))
    assert main(["doctor", "--store", str(store_dir)]) == 1
    assert "search.words: DAMAGED" in capsys.readouterr().out
    assert main(["doctor", "--repair", "--store", str(store_dir)]) == 0
    capsys.readouterr()
    assert main(["doctor", "--store", str(store_dir)]) == 0
    assert "search.words: ok" in capsys.readouterr().out
    fresh = Archive.open(store_dir)
    for q in ["van ban den", "hồ sơ", "n ban de"]:
        assert {m.id for m in fresh.query(text=q)} == _brute(texts, q)


def test_records_of_one_or_two_words(store_dir: Path) -> None:
    archive = Archive.open(store_dir)
    archive.ingest_article(make_article("Một", "hai"))
    archive.ingest_article(make_article("Ba", "bốn năm"))
    texts = _folded(archive)
    for q in ["mot hai", "ot ha", "mot hai ba", "hai", "ba bon", "a bon n", "ba bon nam", "bon nam sau", "n", "o"]:
        assert {m.id for m in Archive.open(store_dir).query(text=q)} == _brute(texts, q), q
