"""Markdown export: structure, escaping of scraped text, no silent overwrite."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import figure, make_article
from tongket.store.archive.archive import Archive
from tongket.store.present.export import (ExportError, default_export_name, escape_inline,
                          to_markdown, write_markdown)


@pytest.fixture
def stored(archive: Archive):
    art = make_article(
        "Tổng kết | năm [2019]",
        "Đoạn một có <script>alert(1)</script>.\n\n# Không phải tiêu đề\n\n[link](http://x) và *sao*.",
        province="Kiên Giang", year=2019, period="year", published="2020-01-20", url="https://example.gov.vn/a",
        figures=(figure("văn bản đến | đi\nmới", 27172, "văn bản"), figure("#tỷ lệ [đúng hạn]", 94.03, "%")))
    archive.ingest_article(art, source_path="/data/a.txt")
    return archive.get(art.id)


def test_markdown_structure(stored) -> None:
    md = to_markdown(stored)
    assert md.startswith("# Tổng kết \\| năm \\[2019\\]\n")
    assert "- **Province:** Kiên Giang" in md and "- **Report year:** 2019" in md
    assert "| # | Label | Value | Unit | As written | Change | Metric |" in md
    assert "## Text" in md and "## Source" in md and "https://example.gov.vn/a" in md and "/data/a.txt" in md


def test_cells_are_escaped(stored) -> None:
    md = to_markdown(stored)
    rows = [line for line in md.splitlines() if line.startswith("| 1 ") or line.startswith("| 2 ")]
    assert rows[0] == "| 1 | văn bản đến \\| đi mới | 27.172 | văn bản | 27172 văn bản |  |  |"
    assert rows[1].startswith("| 2 | \\#tỷ lệ \\[đúng hạn\\] | 94,03 | % |")
    for row in rows:  # every unescaped pipe is a cell border: 8 of them for 7 cells
        assert row.replace("\\|", "").count("|") == 8


def test_body_cannot_inject_markup(stored) -> None:
    md = to_markdown(stored)
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "\n\\# Không phải tiêu đề" in md
    assert "\\[link\\](http://x)" in md and "\\*sao\\*" in md


def test_escape_inline() -> None:
    assert escape_inline("a|b\nc") == "a\\|b c"
    assert escape_inline("> quote") == "&gt; quote"
    assert escape_inline("- item") == "\\- item" and escape_inline("-3") == "-3"
    assert escape_inline("1. item") == "1\\. item"
    assert escape_inline("x\x1b[31mred") == "xred"


def test_write_refuses_to_overwrite(stored, tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    assert write_markdown(stored, target) == target
    assert target.read_text(encoding="utf-8") == to_markdown(stored)
    target.write_text("mine", encoding="utf-8")
    with pytest.raises(ExportError, match="already exists"):
        write_markdown(stored, target)
    assert target.read_text(encoding="utf-8") == "mine"
    write_markdown(stored, target, force=True)
    assert target.read_text(encoding="utf-8") == to_markdown(stored)


def test_folder_target_and_parent_creation(stored, tmp_path: Path) -> None:
    written = write_markdown(stored, tmp_path)
    assert written == tmp_path / default_export_name(stored)
    nested = write_markdown(stored, tmp_path / "a" / "b" / "x.md", base=tmp_path)
    assert nested.exists()
    with pytest.raises(ExportError, match="does not exist"):
        write_markdown(stored, tmp_path / "elsewhere" / "x.md", base=tmp_path / "a")


def test_default_name(stored) -> None:
    name = default_export_name(stored)
    assert name.endswith(f"-{stored.article.id[:8]}.md") and name.startswith("tong-ket-nam-2019")
    assert "/" not in name and " " not in name

