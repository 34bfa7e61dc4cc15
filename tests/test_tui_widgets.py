"""Widget-level tests: word wrap offsets, the virtual list at scale, the detail pane's
marks and search, the lookup pivot. No store involved except where named."""

from __future__ import annotations


from dataclasses import replace

from rich.cells import cell_len
from textual.app import App, ComposeResult

from tongket.store.record import ArticleMeta, FigureHit, StoredArticle
from tongket.store.present.pivot import build_pivot
from tongket.tui.compat import screen_lines, screen_strips
from tongket.tui.widgets.article_list import ArticleList
from tongket.tui.widgets.article_view import ArticleView, safe_same_length
from tongket.tui.wrap import line_of_offset, wrap_offsets

from tui_helpers import KG_2019_BODY, demo_articles


def test_wrap_offsets_cover_text_and_respect_width():
    text = "Văn phòng UBND tỉnh tiếp nhận 27.172 văn bản đến.\n\nMộtTừRấtDàiKhôngCóKhoảngTrắngNàoCả và tiếp."
    for width in (5, 10, 17, 40, 200):
        lines = wrap_offsets(text, width)
        assert all(cell_len(text[s:e].rstrip()) <= width for s, e in lines)
        covered = "".join(text[s:e] for s, e in lines)
        assert covered == text.replace("\n", "")
        for offset in range(len(text)):
            if text[offset] != "\n":
                s, e = lines[line_of_offset(lines, offset)]
                assert s <= offset < e


def test_safe_same_length_removes_escapes_but_keeps_offsets():
    raw = "a\x1b[31mred\x1b[0m\tb\u202ec"
    safe = safe_same_length(raw)
    assert len(safe) == len(raw)
    assert "\x1b" not in safe and "\u202e" not in safe and "\t" not in safe


def test_pivot_keeps_one_metric_and_one_period():
    hits = [
        FigureHit("a", 0, "Kiên Giang", 2019, "year", 27172, "văn bản", "văn bản đến", "in", "27.172 văn bản", 3),
        FigureHit("b", 0, "Kiên Giang", 2018, "half-year", 11510, "văn bản", "văn bản đến", "in", "", 2),
        FigureHit("c", 0, "An Giang", 2023, "year", 45268, "văn bản", "văn bản đến", "in", "", 2),
        FigureHit("d", 0, "An Giang", 2023, "year", 1, "văn bản", "văn bản đi", "out", "", 1),
    ]
    table = build_pivot(hits)
    assert [r.province for r in table.rows] == ["An Giang", "Kiên Giang"]
    assert table.years == (2019, 2023)  # the half-year figure is in the half-year pivot
    assert table.rows[0].cells[2023].chosen.value == 45268  # the other metric is left out
    assert table.measure == "in" and table.left_out == {"of other measures": 1, "half-year figures": 1}


class ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ArticleList()


def metas(n: int) -> list[ArticleMeta]:
    return [
        ArticleMeta(id=f"{i:016x}", title=f"Bài {i} [bold]x[/]", province="Kiên Giang", report_year=2000 + i % 25,
                    period="year", published="2020-01-01", event_date=None, n_figures=0)
        for i in range(n)
    ]


async def test_virtual_list_fills_100k_rows_fast_and_moves():
    app = ListApp()
    rows = metas(100_000)
    async with app.run_test(size=(100, 30)) as pilot:
        article_list = app.query_one(ArticleList)
        article_list.focus()
        article_list.set_rows(rows)  # timed by tests/bench, not here
        await pilot.pause()
        await pilot.press("G")
        assert article_list.cursor == 99_999
        assert article_list.scroll_offset.y > 99_000
        await pilot.press("k", "k", "g")
        assert article_list.cursor == 0
        await pilot.press("j", "pagedown")
        assert article_list.cursor > 10
        assert article_list.select_id(rows[500].id)
        assert article_list.current is rows[500]
        await pilot.pause()
        text = "\n".join(screen_lines(app.screen))
        assert "Bài 500 [bold]x[/]" in text  # markup in data shows literally


async def test_empty_list_shows_its_message():
    app = ListApp()
    async with app.run_test(size=(80, 10)) as pilot:
        article_list = app.query_one(ArticleList)
        article_list.set_empty_message("Nothing here [yet]")
        article_list.set_rows([])
        await pilot.pause()
        text = "\n".join(screen_lines(app.screen))
        assert "Nothing here [yet]" in text


class ViewApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ArticleView()


async def test_article_view_marks_figures_and_steps_through_matches():
    article = demo_articles()[0]
    stored = StoredArticle(article=article, corrections={"title": article.title}, source_paths=(), ingested_at="")
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ArticleView)
        view.show(stored)
        await pilot.pause()
        assert "✎ corrected" in view.plain
        # The last figure sits far down the long body: highlighting scrolls to it.
        view.highlight_figure(2)
        await pilot.pause()
        assert view.scroll_offset.y > 5
        assert "94,03%" in view.visible_text()
        body_start = view.plain.index(KG_2019_BODY)
        fig = article.figures[2]
        assert view.plain[body_start + fig.span[0]: body_start + fig.span[1]] == "94,03%"
        # Accent-insensitive search; n/N wrap around.
        assert view.set_query("DOAN VAN BAN") == 60
        assert view.step_match(1) is not None
        first = view.match_index
        assert view.step_match(-1) is not None
        assert view.match_index == (first - 1) % 60
        start, end = view.matches[view.match_index]
        assert view.plain[start:end].lower() == "đoạn văn bản"
        assert view.plain[start:end] in view.visible_text()


async def test_list_cursor_move_redraws_the_old_and_new_rows():
    """Rows are cached as strips; moving the cursor must still restyle both rows."""
    app = ListApp()
    async with app.run_test(size=(100, 30)) as pilot:
        article_list = app.query_one(ArticleList)
        article_list.focus()
        article_list.set_rows(metas(50))
        await pilot.pause()
        cursor_bg = article_list.get_component_rich_style("article-list--cursor").bgcolor

        def row_bg(y: int):
            strip = screen_strips(app.screen)[article_list.content_region.y + y]
            x = article_list.content_region.x + 20
            return list(strip.crop(x, x + 1))[0].style.bgcolor

        assert row_bg(0) == cursor_bg and row_bg(1) != cursor_bg
        await pilot.press("j")
        await pilot.pause()
        assert row_bg(0) != cursor_bg and row_bg(1) == cursor_bg
        assert article_list.set_rows(metas(50), keep_id=metas(50)[7].id, keep_index=7) is None
        assert article_list.cursor == 7
        article_list.set_rows(metas(50), keep_id=metas(50)[9].id, keep_index=3)  # a wrong hint is checked
        assert article_list.cursor == 9


def test_style_runs_layer_overlapping_marks_in_order():
    from rich.style import Style

    from tongket.tui.widgets.article_view import line_segments, style_runs

    bold, red, blue_bg = Style(bold=True), Style(color="red"), Style(bgcolor="blue")
    starts, styles = style_runs([(0, 10, bold), (5, 15, red), (8, 9, blue_bg), (20, 99, red)], 25)
    assert starts == [0, 5, 8, 9, 10, 15, 20, 25]  # the last run is past the text, unstyled
    assert styles[2] == bold + red + blue_bg and styles[4] == red and styles[5] == Style() and styles[6] == red
    plain = "abcdefghijklmnopqrstuvwxy"
    segments = line_segments(plain, 3, 12, starts, styles, Style())
    assert "".join(s.text for s in segments) == plain[3:12]
    assert [s.text for s in segments] == ["de", "fgh", "i", "j", "kl"]


async def test_article_view_shows_how_metadata_was_decided():
    from tongket.store.parse.article import parse_text

    article = parse_text(
        "Tổng kết công tác năm 2021\nChiều 8/1, Văn phòng UBND tỉnh tổ chức hội nghị tổng kết công tác năm 2021.",
        url="https://baothainguyen.vn/thoi-su-trong-tinh/202201/tong-ket-367F919",
    )
    app = ViewApp()
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.query_one(ArticleView)
        view.show(StoredArticle(article=article, corrections={}, source_paths=(), ingested_at=""))
        await pilot.pause()
        assert "inferred: URL month folder 202201" in view.plain
        assert "inferred: source URL domain baothainguyen.vn" in view.plain
        # a correction wins: the parser's evidence for that field is no longer shown
        fixed = replace(article, province="Bắc Kạn")
        view.show(StoredArticle(article=fixed, corrections={"province": "Bắc Kạn"}, source_paths=(), ingested_at=""))
        await pilot.pause()
        assert "source URL domain" not in view.plain and "✎ corrected" in view.plain


class ResultsApp(App[None]):
    def compose(self) -> ComposeResult:
        from tongket.tui.widgets.lookup_rows import RESULT_COLUMNS
        from tongket.tui.widgets.result_list import ResultList

        yield ResultList(RESULT_COLUMNS)


class CountingHits(list):
    """Hits that count how many were read: the list must format only what it shows."""

    reads = 0

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        CountingHits.reads += 1
        return super().__getitem__(index)


async def test_fifty_thousand_results_are_formatted_only_as_they_are_shown():
    from tongket.tui.widgets.lookup_rows import ResultRows
    from tongket.tui.widgets.result_list import FIT_ROWS, ResultList

    hits = CountingHits(FigureHit(f"{i:016x}", 0, "Kiên Giang", 2019, "year", float(i), "văn bản", "văn bản đến [b]",
                                  "incoming_documents", f"{i} văn bản", 1.0) for i in range(50_000))
    app = ResultsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        results = app.query_one(ResultList)
        results.focus()
        CountingHits.reads = 0
        results.set_rows(ResultRows(hits))
        await pilot.pause()
        assert results.row_count == 50_000
        assert CountingHits.reads <= FIT_ROWS + 30  # the columns' fit and one screen, not 50k rows
        text = "\n".join(screen_lines(app.screen))
        assert "28 văn bản" in text and "văn bản đến [b]" in text  # rows on screen drawn, markup shown literally
