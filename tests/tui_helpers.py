"""Helpers for the app's Pilot tests: archives built in tmp folders, waiting on workers,
reading the screen as text.

Hand-made articles (`make_article`) give tests exact figures and spans regardless of how
the parser evolves; `sample_archive` uses the real fixtures through `tongket.store.archive.sample`.
"""

from __future__ import annotations

from pathlib import Path

from tongket.store.archive.archive import Archive
from tongket.store.parse.article import article_id
from tongket.store.record import Article, Change, Figure

from tongket.tui.app import TongketApp
from tongket.tui.compat import screen_lines


def make_figure(body: str, raw: str, label: str, value: float, unit: str | None, *, key: str | None = None,
                change: Change | None = None, occurrence: int = 0) -> Figure:
    """A figure whose span covers `raw` in `body` and whose sentence is the one holding it."""
    start = -1
    for _ in range(occurrence + 1):
        start = body.index(raw, start + 1)
    end = start + len(raw)
    s0 = max(body.rfind(". ", 0, start) + 2, body.rfind("\n", 0, start) + 1, 0)
    s1 = body.find(".", end)
    s1 = len(body) if s1 < 0 else s1 + 1
    return Figure(
        value=value, unit=unit, label=label, raw=raw, display=raw, sentence=body[s0:s1],
        span=(start, end), sentence_span=(s0, s1), key=key, change=change,
    )


def make_article(title: str, body: str, *, province: str | None, year: int | None, period: str | None = "year",
                 published: str | None = None, figures: tuple[Figure, ...] = (), url: str | None = None) -> Article:
    return Article(
        id=article_id(title, body), title=title, title_derived=False, published=published, event_date=None,
        province=province, province_evidence="test" if province else None, report_year=year, period=period,
        byline="Phóng viên", officials=(), body=body, figures=figures, source_url=url,
    )


KG_2019_BODY = (
    "Sáng ngày 20/01, Văn phòng UBND tỉnh tổng kết công tác năm 2019.\n\n"
    "Trong năm, Văn phòng tiếp nhận 27.172 văn bản đến, tăng 10,02% so với cùng kỳ. "
    "Phát hành 16.472 văn bản đi.\n\n"
    + "Đoạn văn bản dài để cuộn trang. " * 60
    + "\n\nCuối cùng, tỷ lệ hồ sơ đúng hạn đạt 94,03%."
)
KG_2018_BODY = "Sáu tháng đầu năm 2018, Văn phòng tiếp nhận 11.510 văn bản đến và xử lý đúng hạn."
AG_2023_BODY = "Năm 2023, Văn phòng UBND tỉnh An Giang tiếp nhận 45.268 văn bản đến; giải ngân 9,3 nghìn tỷ đồng."
TQ_2023_BODY = "Văn phòng UBND tỉnh Tuyên Quang triển khai nhiệm vụ năm 2024, không có số liệu văn bản."
MARKUP_TITLE = "[bold]x[/] Báo cáo [số 12/BC-VP]"
MARKUP_BODY = "Nội dung có \x1b[31mmã màu\x1b[0m và [link=http://x]liên kết[/link] không được diễn giải."


def demo_articles() -> list[Article]:
    """Five articles: two Kiên Giang, one An Giang (the 2025 unit Kiên Giang merged into),
    one Tuyên Quang without figures, one without province whose title is markup."""
    kg19 = make_article(
        "Văn phòng UBND tỉnh: Tổng kết công tác năm 2019", KG_2019_BODY, province="Kiên Giang", year=2019,
        published="2020-01-20T14:04",
        figures=(
            make_figure(KG_2019_BODY, "27.172 văn bản", "văn bản đến", 27172, "văn bản", key="incoming_documents",
                        change=Change(10.02, "%", "up", "cùng kỳ")),
            make_figure(KG_2019_BODY, "16.472 văn bản", "văn bản phát hành", 16472, "văn bản", key="outgoing_documents"),
            make_figure(KG_2019_BODY, "94,03%", "hồ sơ đúng hạn", 94.03, "%", key="on_time_rate"),
        ),
    )
    kg18 = make_article(
        "Sáu tháng đầu năm 2018 của Văn phòng UBND tỉnh", KG_2018_BODY, province="Kiên Giang", year=2018,
        period="half-year", published="2018-08-09T10:09",
        figures=(make_figure(KG_2018_BODY, "11.510 văn bản", "văn bản đến", 11510, "văn bản", key="incoming_documents"),),
    )
    ag23 = make_article(
        "Văn phòng UBND tỉnh An Giang tổng kết năm 2023", AG_2023_BODY, province="An Giang", year=2023,
        published="2024-01-11T08:00",
        figures=(
            make_figure(AG_2023_BODY, "45.268 văn bản", "văn bản đến", 45268, "văn bản", key="incoming_documents"),
            make_figure(AG_2023_BODY, "9,3 nghìn tỷ đồng", "giải ngân", 9.3e12, "đồng", key="disbursement"),
        ),
    )
    tq23 = make_article(
        "Văn phòng UBND tỉnh Tuyên Quang triển khai nhiệm vụ năm 2024", TQ_2023_BODY, province="Tuyên Quang",
        year=2023, published="2024-01-05T09:00",
    )
    odd = make_article(MARKUP_TITLE, MARKUP_BODY, province=None, year=None, period=None, published="2015-05-05")
    return [kg19, kg18, ag23, tq23, odd]


def demo_archive(tmp_path: Path) -> Archive:
    archive = Archive.open(tmp_path / "store")
    for article in demo_articles():
        archive.ingest_article(article)
    return archive


def sample_archive(tmp_path: Path) -> Archive:
    from tongket.store.archive.sample import load_sample

    archive = Archive.open(tmp_path / "sample-store")
    load_sample(archive)
    return archive


def make_app(archive: Archive, tmp_path: Path) -> TongketApp:
    return TongketApp(archive=archive, watch_interval=None, export_folder=tmp_path / "exports")


async def settle(pilot, rounds: int = 20) -> None:
    """Wait until no worker runs and the messages they posted are handled."""
    app = pilot.app
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            await pilot.pause()
            if not any(worker.is_running for worker in app.workers):
                return


def screen_text(app) -> str:
    """What the terminal shows, as plain text lines."""
    return "\n".join(screen_lines(app.screen))


def list_provinces(app) -> list[str | None]:
    return [meta.province for meta in app.article_list.rows]
