"""Saved HTML pages: the article text is extracted; pages without one are rejected clearly."""

import pytest

from tongket.store.errors import InputError
from tongket.store.parse.article import parse_file, parse_html, parse_text

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Văn phòng UBND tỉnh: Tổng kết công tác năm 2019</title>
<script>var x = "Bình luận";</script><style>p{color:red}</style></head><body>
<nav><a href="/">Trang chủ</a> <a href="/tin">Tin tức</a></nav>
<div class="header">Cổng thông tin điện tử văn phòng UBND tỉnh Kiên Giang</div>
<article><h1>Văn phòng UBND tỉnh: Tổng kết công tác năm 2019</h1>
<p>(14:04 | 20/01/2020)</p>
<p>Sáng ngày 20/01, bà Lê Thị Minh Phụng - Tỉnh ủy viên, Phó Chủ tịch UBND tỉnh chủ trì Hội nghị tổng kết công tác Văn phòng năm 2019, triển khai phương hướng nhiệm vụ năm 2020.</p>
<p>Năm 2019, Văn phòng UBND tỉnh Kiên Giang tiếp nhận 27.172 văn bản các loại, tăng 10,02% so với cùng kỳ. Văn bản phát hành là 16.472 văn bản.</p>
<p>Thiên Đăng</p></article>
<footer>Thống kê truy cập: 600.974</footer></body></html>"""


def test_html_article():
    a = parse_html(PAGE)
    assert "27.172 văn bản" in a.body
    assert "var x" not in a.body and "color:red" not in a.body
    assert a.title == "Văn phòng UBND tỉnh: Tổng kết công tác năm 2019"
    assert a.report_year == 2019 and a.period == "year"
    assert a.province == "Kiên Giang"
    assert a.event_date == "2020-01-20"


def test_html_detected_in_parse_text_and_file(tmp_path):
    assert parse_text(PAGE).body == parse_html(PAGE).body
    p = tmp_path / "page.html"
    p.write_text(PAGE, "utf-8")
    assert "27.172" in parse_file(p).body


def test_html_without_article_is_rejected(tmp_path):
    page = "<html><head><script>console.log('x'.repeat(500))</script></head><body><script>var a=1;</script></body></html>"
    with pytest.raises(InputError) as exc:
        parse_html(page, path="empty.html")
    assert "no article text" in exc.value.reason
    p = tmp_path / "empty.html"
    p.write_text(page, "utf-8")
    with pytest.raises(InputError):
        parse_file(p)
    a = parse_text(page)  # parse_text never raises: it warns
    assert a.body == "" and any("no article text" in w for w in a.warnings)


def test_html_fallback_when_trafilatura_finds_nothing():
    page = "<html><body><table><tr><td>" + (
        "Chiều 11/01, Văn phòng UBND tỉnh Bắc Giang tổ chức hội nghị tổng kết công tác năm 2023, triển khai nhiệm vụ năm 2024."
    ) + "</td></tr></table></body></html>"
    a = parse_html(page)
    assert "Bắc Giang" in a.body and a.report_year == 2023


@pytest.mark.parametrize(
    "text",
    ["", " ", "\x00\x01", "<", "<html>", "123", "Chiều 99/99", "(BGĐT) -", "a\n" * 500, "Bình luận\nTAGS",
     "Sáng ngày 31/02, hội nghị.", "Năm 2019" * 100, "\u202e\ufeff", "Cổng thông tin điện tử\n\n\n"],
)
def test_parse_text_never_raises(text):
    a = parse_text(text)
    assert isinstance(a.body, str) and isinstance(a.warnings, tuple)
