"""Inputs that used to abort a command or slip through: deep folders, link loops, bidi and
zero-width characters, --force on things that are not files, filter values that name
nothing, absurd sizes, non-web URLs and an empty --store. Through the command line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tongket.store.cli.main import main
from tongket.store.parse.article import parse_text

ARTICLE = ("Văn phòng UBND tỉnh {province} tổng kết công tác năm 2019\n\n"
           "Năm 2019, Văn phòng UBND tỉnh {province} đã tiếp nhận {n} văn bản đến, tăng 10% so với cùng kỳ.\n")


def write_article(path: Path, n: int = 27172, province: str = "Kiên Giang") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ARTICLE.format(province=province, n=f"{n:,}".replace(",", ".")), encoding="utf-8")
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys) -> list[dict]:
    code, out, err = run(capsys, "list", "--json")
    assert code == 0, err
    return json.loads(out)


# ---------------------------------------------------------------- folders


@pytest.fixture
def deep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A folder nested 1,100 deep (one-letter names from the current folder keep the path
    under PATH_MAX), removed bottom-up afterwards: pytest's own recursive clean-up of old
    temporary folders would hit the recursion limit on it."""
    top = tmp_path / "deep"
    top.mkdir()
    monkeypatch.chdir(top)
    for _ in range(1100):
        os.mkdir("d")
        os.chdir("d")
    write_article(Path("bottom.txt"), n=111)
    monkeypatch.chdir(tmp_path)
    yield top
    os.chdir(top)
    for _ in range(1100):
        os.chdir("d")
    for name in os.listdir("."):
        os.unlink(name)
    for _ in range(1100):
        os.chdir("..")
        os.rmdir("d")
    monkeypatch.chdir(tmp_path)


def test_a_folder_nested_1100_deep_does_not_stop_the_other_paths(tmp_path: Path, capsys, deep: Path) -> None:
    other = write_article(tmp_path / "other" / "a.txt", n=222)
    code, out, err = run(capsys, "ingest", str(deep), str(other.parent))
    assert "Traceback" not in err and "internal error" not in err
    assert code == 0, err
    assert "added 2" in out
    assert len(listed(capsys)) == 2


def test_symlink_loops_are_reported_and_the_rest_ingested(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "in"
    write_article(folder / "sub" / "a.txt")
    (folder / "sub" / "back").symlink_to(folder)
    (folder / "self.txt").symlink_to(folder / "self.txt")
    code, out, err = run(capsys, "ingest", str(folder))
    assert code == 1
    assert "added 1" in out
    lines = err.strip().splitlines()
    assert len(lines) == 2 and all("symbolic link loop" in ln for ln in lines)
    assert any(str(folder / "sub" / "back") in ln for ln in lines)
    assert any(str(folder / "self.txt") in ln for ln in lines)


# ---------------------------------------------------------------- invisible characters


def test_bidi_isolates_are_stripped_everywhere(tmp_path: Path, capsys) -> None:
    path = tmp_path / "bidi.txt"
    text = ARTICLE.format(province="Kiên Giang", n="27.172").replace("tổng kết", "\u2066tổng\u2069 \u2067kết\u2068")
    path.write_text(text + "Ghi chú \u2068đã\u2069 duyệt.\n", encoding="utf-8")
    assert "\u2066" not in parse_text(text).title
    assert run(capsys, "ingest", str(path))[0] == 0
    (record,) = listed(capsys)
    code, shown, _ = run(capsys, "show", record["id"])
    assert code == 0
    code, shown_json, _ = run(capsys, "show", record["id"], "--json")
    out = tmp_path / "out.md"
    assert run(capsys, "export", record["id"], "-o", str(out))[0] == 0
    for seen in (record["title"], shown, json.loads(shown_json)["body"], out.read_text(encoding="utf-8")):
        assert not any(c in seen for c in "\u2066\u2067\u2068\u2069\u202e")
    assert "tổng kết" in record["title"]


@pytest.mark.parametrize("joiner", ["\u200d", "\u200b", "\u2060"])
def test_a_zero_width_character_between_words_leaves_the_province_readable(tmp_path: Path, capsys,
                                                                             joiner: str) -> None:
    path = write_article(tmp_path / "zwj.txt", province=f"Kiên{joiner}Giang")
    assert run(capsys, "ingest", str(path))[0] == 0
    (record,) = listed(capsys)
    assert record["province"] == "Kiên Giang"
    assert parse_text(path.read_text(encoding="utf-8")).province == "Kiên Giang"


def test_a_zero_width_character_inside_a_word_keeps_the_word_whole() -> None:
    article = parse_text(ARTICLE.format(province="Ki\u200dên Giang", n="27.172"))
    assert article.province == "Kiên Giang"
    assert "Kiên Giang" in article.body


# ---------------------------------------------------------------- export --force


@pytest.fixture
def stored_id(tmp_path: Path, capsys) -> str:
    assert run(capsys, "ingest", str(write_article(tmp_path / "src" / "a.txt")))[0] == 0
    return listed(capsys)[0]["id"]


def test_export_force_overwrites_a_regular_file(tmp_path: Path, capsys, stored_id: str) -> None:
    target = tmp_path / "old.md"
    target.write_text("old", encoding="utf-8")
    assert run(capsys, "export", stored_id, "-o", str(target), "--force")[0] == 0
    assert "27.172" in target.read_text(encoding="utf-8")


def test_export_force_refuses_a_fifo(tmp_path: Path, capsys, stored_id: str) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "export", stored_id, "-o", str(fifo), "--force")
    assert code == 1 and "not a regular file" in err and err.count("\n") == 1
    assert fifo.is_fifo()


@pytest.mark.parametrize("dangling", [False, True])
def test_export_force_refuses_a_symlink(tmp_path: Path, capsys, stored_id: str, dangling: bool) -> None:
    real = tmp_path / "real.md"
    if not dangling:
        real.write_text("keep me", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    code, _, err = run(capsys, "export", stored_id, "-o", str(link), "--force")
    assert code == 1 and "symbolic link" in err
    assert link.is_symlink()
    assert dangling or real.read_text(encoding="utf-8") == "keep me"


# ---------------------------------------------------------------- arguments


@pytest.mark.parametrize("argv, hint", [
    (["list", "--province", "Atlantis"], "unknown province 'Atlantis'"),
    (["lookup", "văn bản", "--province", "Atlantis"], "unknown province 'Atlantis'"),
    (["list", "--province", "kien giag"], "Kiên Giang"),
    (["list", "--period", "forever"], "unknown period 'forever'"),
    (["lookup", "văn bản", "--period", "forever"], "half-year"),
])
def test_unknown_filter_values_are_usage_errors_with_a_hint(capsys, stored_id: str, argv: list[str], hint: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert hint in err and out == ""


def test_known_filter_values_still_work(capsys, stored_id: str) -> None:
    for argv in (["list", "--province", "kien giang"], ["list", "--province", "unknown"], ["list", "--period", "Year"],
                 ["lookup", "van ban den", "--province", "Kiên Giang", "--period", "unknown"]):
        assert run(capsys, *argv)[0] == 0, argv


def test_a_huge_max_bytes_means_no_limit(tmp_path: Path, capsys) -> None:
    path = write_article(tmp_path / "small.txt")
    for size in ("99999G", "9" * 400):
        code, out, err = run(capsys, "parse", "--max-bytes", size, str(path), "--json")
        assert code == 0, err
        assert json.loads(out)[0]["province"] == "Kiên Giang"


@pytest.mark.parametrize("command", ["ingest", "parse"])
@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "not a url"])
def test_a_url_that_is_not_a_web_address_is_refused(tmp_path: Path, capsys, command: str, url: str) -> None:
    path = write_article(tmp_path / "a.txt")
    code, _, err = run(capsys, command, str(path), "--url", url)
    assert code == 2 and "not a web address" in err
    assert listed(capsys) == []


def test_an_empty_store_path_is_a_usage_error(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "list", "--store", "")
    assert code == 2 and "--store" in err
    assert list(tmp_path.iterdir()) == []


def test_json_output_escapes_bidi_controls_a_correction_let_in(capsys, stored_id: str) -> None:
    assert run(capsys, "set", stored_id, "--title", "A\u2066B\u2069C \u202eD")[0] == 0
    code, out, _ = run(capsys, "show", stored_id, "--json")
    assert code == 0
    assert not any(c in out for c in "\u2066\u2069\u202e")
    assert json.loads(out)["title"] == "ABC D"  # `set` cleans a title as the parser cleans text
