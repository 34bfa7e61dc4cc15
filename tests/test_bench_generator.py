"""The benchmark's archive generator (tests/bench/generate.py) at a tiny size: its articles
parse, carry the province, year and period they claim, and the figures they list."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tongket.store.parse.article import parse_file  # noqa: E402
from tongket.store.lang.text import fold  # noqa: E402
from tests.bench import generate as gen  # noqa: E402


def test_tiny_archive_parses_with_expected_figures(tmp_path: Path) -> None:
    folder = gen.write_corpus(20, tmp_path / "corpus", seed=7)
    metas = gen.manifest(folder)
    paths = gen.article_paths(folder)
    assert [p.name for p in paths] == [m["file"] for m in metas]
    assert len(paths) == 20

    ids = set()
    for path, meta in zip(paths, metas):
        size = path.stat().st_size
        assert 4_000 <= size <= 9_500, (path.name, size)
        article = parse_file(path, url=meta["url"])
        ids.add(article.id)
        assert article.title and article.body
        # about 15 figures, each written in the body as recorded
        assert 13 <= len(meta["figures"]) <= 17
        cursor = 0
        for fig in meta["figures"]:
            at = article.body.find(fig["raw"], cursor)
            assert at >= 0, (path.name, fig["raw"])
            cursor = at + len(fig["raw"])
        # the province is written in the text the way the portals write it
        assert meta["province"] in gen.PROVINCES
        assert fold(meta["province"]) in fold(path.read_text("utf-8"))
        assert 2015 <= meta["report_year"] <= 2025
        assert meta["period"] in ("year", "half-year", "quarter")
        # the figure reader finds the figures the generator wrote; a year-over-year change
        # ("tăng 10,02% so với cùng kỳ") may be read as a figure of its own, as the corpus
        # labels do it ("tăng 18,5%")
        if article.figures:  # (the reader may still be a stub that finds nothing)
            n = len(meta["figures"])
            changes = sum(1 for f in meta["figures"] if f.get("change"))
            assert n - 1 <= len(article.figures) <= n + changes + 1, (path.name, len(article.figures), n, changes)
    assert len(ids) == 20  # content ids differ


def test_generator_is_deterministic_and_prefix_stable() -> None:
    a = gen.make_article(3, seed=1)
    b = gen.make_article(3, seed=1)
    c = gen.make_article(3, seed=2)
    assert a.text == b.text and a.figures == b.figures
    assert a.text != c.text


def test_number_formats() -> None:
    assert gen.fmt_int(27172) == "27.172"
    assert gen.fmt_int(3, pad=True) == "03"
    assert gen.fmt_dec(94.03, 2) == "94,03"
    assert gen.fmt_dec(18.5, 2) == "18,5"
    assert gen.parse_size("10k") == 10_000 and gen.size_name(100_000) == "100k"
