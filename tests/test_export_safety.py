"""Output safety: Markdown that cannot be broken by article text, export paths that never
overwrite or wander, and a command line that never passes escape sequences or Rich markup
from an article to the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import figure, make_article
from tongket.store.archive.archive import Archive
from tongket.store.cli.main import main
from tongket.store.present.export import ExportError, escape_inline, to_markdown, write_markdown

EVIL_TITLE = "[bold]x[/] \x1b[31mđỏ\x1b[0m\x07 | # <b>tiêu đề</b>"
EVIL_BODY = ("Dòng có \x1b]0;pwned\x07 tiêu đề cửa sổ và \x9b31m C1.\n\n# Không phải tiêu đề\n\n---\n\n"
             "| a | b |\n\n<script>alert(1)</script> &amp; $x$ ~~gạch~~ [link](javascript:x)")


@pytest.fixture
def evil(archive: Archive) -> str:
    art = make_article(EVIL_TITLE, EVIL_BODY, province="Kiên Giang", year=2019,
                       figures=(figure("văn bản | đến\x1b[31m", 12, "văn bản"),))
    archive.ingest_article(art, source_path="/data/\x1b[2Jevil.txt")
    return art.id


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv", [["list"], ["list", "--json"], ["show", "ID"], ["show", "ID", "--json"],
                                  ["lookup", "văn bản"], ["lookup", "văn bản", "--json"], ["export", "ID", "-o", "-"]])
def test_cli_output_carries_no_control_characters(capsys, evil: str, argv: list[str], tmp_path: Path) -> None:
    argv = [evil if a == "ID" else a for a in argv]
    if argv[0] == "export":
        argv[-1] = str(tmp_path / "out.md")
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    for ch in ("\x1b", "\x07", "\x9b"):
        assert ch not in out and ch not in err
    if "--json" in argv:
        json.loads(out)  # escapes keep it valid JSON


def test_titles_print_literally_never_as_markup(capsys, archive: Archive) -> None:
    art = make_article("[bold]x[/]", "Nội dung [red]đỏ[/red] [link=http://x]y[/link].", province="Kiên Giang")
    archive.ingest_article(art)
    code, out, _ = run(capsys, "list")
    assert code == 0 and "[bold]x[/]" in out
    code, out, _ = run(capsys, "show", art.id)
    assert code == 0 and "[bold]x[/]" in out and "[red]đỏ[/red]" in out and "[link=http://x]" in out


def test_set_title_with_escape_sequences_is_shown_clean(capsys, evil: str) -> None:
    code, _, _ = run(capsys, "set", evil, "--title", "mới\x1b[5m nhấp nháy")
    assert code == 0
    code, out, _ = run(capsys, "list")
    assert "\x1b" not in out and "mới" in out


def test_markdown_escapes_what_could_break_it(archive: Archive, evil: str) -> None:
    md = to_markdown(archive.get(evil))
    for ch in ("\x1b", "\x07", "\x9b"):
        assert ch not in md
    lines = md.splitlines()
    assert lines[0].startswith("# \\[bold\\]x\\[/\\]") and "\n" not in lines[0]
    assert "<b>" not in md and "<script>" not in md and "&lt;script&gt;" in md
    assert "&amp;amp;" in md  # an entity in the text stays visible as typed
    assert "\\$x\\$" in md and "\\~\\~gạch\\~\\~" in md and "\\[link\\](javascript:x)" in md
    assert "\n\\# Không phải tiêu đề" in md
    assert "\n---\n" not in md and "\n--\\-\n" in md
    figure_rows = [line for line in lines if line.startswith("| 1 ")]
    assert len(figure_rows) == 1 and figure_rows[0].replace("\\|", "").count("|") == 8


@pytest.mark.parametrize("text,expected", [
    ("---", "--\\-"), ("==", "=\\="), ("- x", "\\- x"), ("-3", "-3"), ("# h", "\\# h"), ("a|b", "a\\|b"),
    ("R&D", "R&D"), ("&lt;", "&amp;lt;"), ("1) x", "1\\) x"), ("a\nb", "a b"), ("<!-- c -->", "&lt;!-- c --&gt;"),
    ("Tổng kết #", "Tổng kết \\#"), ("a # b", "a # b"),
])
def test_escape_inline_cases(text: str, expected: str) -> None:
    assert escape_inline(text) == expected


def test_export_refuses_existing_paths_unless_forced(archive: Archive, evil: str, tmp_path: Path) -> None:
    stored = archive.get(evil)
    target = tmp_path / "a.md"
    target.write_text("mine", encoding="utf-8")
    with pytest.raises(ExportError, match="already exists"):
        write_markdown(stored, target, base=tmp_path)
    assert target.read_text(encoding="utf-8") == "mine"
    assert write_markdown(stored, target, base=tmp_path, force=True) == target
    assert target.read_text(encoding="utf-8").startswith("# ")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_export_never_follows_a_symlink_it_was_not_asked_to_overwrite(archive: Archive, evil: str,
                                                                       tmp_path: Path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("keep", encoding="utf-8")
    (tmp_path / "link.md").symlink_to(precious)
    with pytest.raises(ExportError, match="already exists"):
        write_markdown(archive.get(evil), tmp_path / "link.md", base=tmp_path)
    with pytest.raises(ExportError, match="symbolic link"):  # --force overwrites regular files only
        write_markdown(archive.get(evil), tmp_path / "link.md", base=tmp_path, force=True)
    assert precious.read_text(encoding="utf-8") == "keep"
    assert (tmp_path / "link.md").is_symlink()


def test_export_creates_folders_only_inside_the_chosen_folder(archive: Archive, evil: str, tmp_path: Path) -> None:
    stored = archive.get(evil)
    base = tmp_path / "exports"
    base.mkdir()
    assert write_markdown(stored, base / "new" / "deeper" / "a.md", base=base).exists()
    with pytest.raises(ExportError, match="leads outside"):
        write_markdown(stored, base / ".." / "escaped" / "a.md", base=base)
    with pytest.raises(ExportError, match="leads outside"):
        write_markdown(stored, base / "new" / ".." / ".." / "a.md", base=base)  # existing folder, still outside
    with pytest.raises(ExportError, match="does not exist"):
        write_markdown(stored, tmp_path / "elsewhere" / "a.md", base=base)
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "elsewhere").exists()
    assert not (tmp_path / "a.md").exists()
    assert write_markdown(stored, base / "new" / ".." / "b.md", base=base) == base / "new" / ".." / "b.md"


def test_export_cli_errors_are_one_line(capsys, evil: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "export", evil, "-o", "../outside/x.md")
    assert code == 1 and err.count("\n") == 1 and "leads outside" in err
    (tmp_path / "x.md").write_text("mine", encoding="utf-8")
    code, _, err = run(capsys, "export", evil, "-o", "x.md")
    assert code == 1 and "already exists" in err and (tmp_path / "x.md").read_text(encoding="utf-8") == "mine"
