"""The metadata rules of issue 14, each on a small page written for the test: publish stamps
against clock widgets, dates in URLs, report years from meeting dates, periods, provinces
from districts and news sites, and the address of a saved page."""

from __future__ import annotations

import pytest

from tongket.store.parse.article import parse_text
from tongket.store.parse.dates import is_clock_widget, published_in_line
from tongket.store.parse.urls import saved_page_url, url_date
from tongket.store.record import article_from_dict, article_to_dict

LEAD = "Chiều 11/01, Văn phòng UBND tỉnh Bắc Giang tổ chức hội nghị tổng kết công tác năm 2023."


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("Thứ Ba, 14/03/2017 08:12 (GMT+7)", "2017-03-14T08:12"),
        ("Thứ hai - 02/11/2020 10:05 2.114 0", "2020-11-02T10:05"),
        ("05/05/2019 | 16:40 GMT+7", "2019-05-05T16:40"),
        ("Cập nhật: 03-10-2021 | 14:22:51", "2021-10-03T14:22"),
        ("Ngày đăng: 09/12/2022  07:45", "2022-12-09T07:45"),
        ("Ngày xuất bản: 09/12/2022", "2022-12-09"),
        ("15:02, Thứ Tư, 06/06/2018 (GMT+7)", "2018-06-06T15:02"),
        ("(09:41 | 12/12/2016)", "2016-12-12T09:41"),
        ("Cập nhật, 05:41, Thứ Sáu, 26/06/2020 (GMT+7)", "2020-06-26T05:41"),
        ("Cập nhật ngày: 19/01/2021 | 11:05 GMT+7", "2021-01-19T11:05"),
        ("09/01/2023 03:35:54 Xem cỡ chữ Google", "2023-01-09T03:35"),
    ],
)
def test_publish_stamp_shapes(line, iso):
    assert published_in_line(line) == iso


@pytest.mark.parametrize("line", ["Thứ 6, Ngày 02/06/2023 -", "Thứ tư, 21/04/2021", "Thứ 5 Ngày 14/5/2020, 10:13:21 AM"])
def test_clock_widgets_are_not_stamps(line):
    assert is_clock_widget(line)
    assert published_in_line(line) is None


def test_clock_widget_in_the_header_is_not_the_publish_date():
    a = parse_text(f"Cổng thông tin điện tử tỉnh Bắc Giang\nThứ 6, Ngày 02/06/2023 -\nTổng kết công tác năm 2023\n{LEAD}")
    assert a.published is None and a.published_confidence == "none"


def test_bare_date_under_the_headline_is_the_stamp():
    a = parse_text(f"Văn phòng UBND tỉnh tổng kết công tác năm 2023\n22/01/2024\n{LEAD}")
    assert a.published == "2024-01-22"
    assert a.published_confidence == "stated" and "under the headline" in a.published_evidence


def test_stamp_run_into_the_lead_is_cut_from_the_body():
    a = parse_text(f"Tổng kết công tác năm 2022\n(07:30:00 21/01/2023) {LEAD}")
    assert a.published == "2023-01-21T07:30"
    assert "07:30:00" not in a.body and "Văn phòng UBND tỉnh Bắc Giang" in a.body


@pytest.mark.parametrize(
    ("url", "iso"),
    [
        ("https://baothainguyen.vn/thoi-su/202103/van-phong-ubnd-tinh-123.html", "2021-03"),
        ("https://x.vn/channel/4567/201911/tong-ket-nam-2019.htm", "2019-11"),
        ("http://baodongkhoi.vn/van-phong-ubnd-tinh-tuyen-duong-02072020-a75233.html", "2020-07-02"),
        ("https://x.vn/tin-tuc/tong-ket-cong-tac-192230411083512345.htm", "2023-04-11"),
        ("https://baoninhbinh.org.vn/trien-khai-nhiem-vu-nam-2017/d20170219070952126.htm", "2017-02-19"),
        ("https://thanhhoa.gov.vn/portal/Pages/2023-1-7/Van-phong-UBND-tinh-83zko0.aspx", "2023-01-07"),
    ],
)
def test_url_dates(url, iso):
    assert url_date(url).iso == iso


def test_url_date_is_weaker_than_a_stamp():
    url = "https://baothainguyen.vn/thoi-su/202103/van-phong-ubnd-tinh-123.html"
    a = parse_text(f"Tổng kết công tác quý I/2021\n{LEAD}", url=url)
    assert a.published == "2021-03" and a.published_confidence == "inferred"
    assert "month folder" in a.published_evidence
    b = parse_text(f"Tổng kết công tác quý I/2021\nCập nhật: 28/03/2021 09:00\n{LEAD}", url=url)
    assert b.published == "2021-03-28T09:00" and b.published_confidence == "stated"


def test_year_end_review_in_january_reviews_the_year_before():
    a = parse_text("Hội nghị cán bộ công chức năm 2020\nCập nhật: 06/01/2020 10:00\n"
                   "Ngày 05/01/2020, Văn phòng UBND tỉnh tổ chức Hội nghị cán bộ công chức năm 2020.")
    assert a.report_year == 2019 and a.report_year_confidence == "inferred"
    assert "January 2020 → 2019" in a.report_year_evidence


def test_stated_review_year_wins_over_the_meeting_date():
    a = parse_text(f"Cập nhật: 12/01/2024 10:00\n{LEAD}")
    assert a.report_year == 2023 and a.report_year_confidence == "stated"


def test_tasks_year_at_a_review_means_the_year_before():
    a = parse_text("Văn phòng UBND tỉnh triển khai nhiệm vụ năm 2022\n"
                   "Chiều 10/1, Văn phòng UBND tỉnh tổ chức hội nghị triển khai nhiệm vụ năm 2022.")
    assert a.report_year == 2021


def test_half_year_review_without_a_year_takes_the_publish_year():
    a = parse_text("Sơ kết 6 tháng đầu năm\nCập nhật: 08/07/2019 10:00\n"
                   "Sáng 5/7, Sở Tư pháp tổ chức hội nghị sơ kết công tác 6 tháng đầu năm.")
    assert (a.report_year, a.period) == (2019, "half-year")
    assert a.report_year_confidence == "inferred" and "half-year" in a.report_year_evidence


def test_no_year_anywhere_is_null_with_a_warning():
    a = parse_text("Văn phòng UBND tỉnh tổ chức hội nghị\nSáng nay, Văn phòng UBND tỉnh tổ chức hội nghị cán bộ.")
    assert a.report_year is None and "no report year" in a.warnings
    assert a.report_year_confidence == "none"


@pytest.mark.parametrize(
    ("title", "year", "period"),
    [
        ("Sơ kết công tác Quý II/2019", 2019, "quarter"),
        ("Kết quả công tác quý IV năm 2021", 2021, "quarter"),
        ("Kết quả 9 tháng đầu năm 2022", 2022, "other"),
        ("Tổng kết nhiệm kỳ 2011-2016 của Hội đồng nhân dân tỉnh", 2016, "term"),
        ("Kết quả 4 tháng đầu năm 2023 của Văn phòng", 2023, "other"),
        ("Kết quả tiếp công dân tháng 4 năm 2017", 2017, "other"),
    ],
)
def test_period_forms(title, year, period):
    a = parse_text(f"{title}\n{LEAD}")
    assert (a.report_year, a.period) == (year, period)
    assert a.period_evidence and a.period_confidence == "stated"


def test_span_of_months_is_kept_in_the_evidence():
    a = parse_text("Sau 3 tháng triển khai mô hình một cửa\nSáng 5/4, UBND huyện tổ chức sơ kết sau 3 tháng triển khai.")
    assert a.period == "other" and "3 tháng" in a.period_evidence


def test_quarter_year_from_the_comparison():
    a = parse_text("Trong quý I, ngành Thanh tra tỉnh đã thực hiện 90 cuộc thanh tra. "
                   "So với cùng kỳ năm 2023, số lượt công dân giảm 24,8%.")
    assert (a.report_year, a.period) == (2024, "quarter")


def test_district_names_the_province():
    a = parse_text("UBND huyện Mường Tè tổng kết công tác năm 2023\n"
                   "Chiều 11/01, UBND huyện Mường Tè tổ chức hội nghị tổng kết công tác năm 2023.")
    assert a.province == "Lai Châu" and a.province_confidence == "inferred"
    assert "Mường Tè" in a.province_evidence


def test_ambiguous_district_decides_nothing_alone():
    a = parse_text("UBND huyện Châu Thành tổng kết công tác năm 2023\n"
                   "Chiều 11/01, UBND huyện Châu Thành tổ chức hội nghị tổng kết công tác năm 2023.")
    assert a.province is None and "no province" in a.warnings


def test_provincial_outlet_and_national_outlet():
    text = f"Tổng kết công tác năm 2019\nChiều 11/01, Văn phòng UBND tỉnh tổ chức hội nghị tổng kết công tác năm 2019."
    assert parse_text(text, url="http://baodongkhoi.vn/tong-ket-a1.html").province == "Bến Tre"
    assert parse_text(text, url="https://vnexpress.net/tong-ket-123.html").province is None
    # a national outlet whose path names the province: weaker evidence, still read
    slug = parse_text(text, url="https://thanhtra.com.vn/thanh-tra/Ha-Tinh-phat-hien-sai-pham-1.html")
    assert slug.province == "Hà Tĩnh" and slug.province_confidence == "inferred"


def test_saved_page_address():
    html = '<!-- saved from url=(0042)https://baolangson.vn/chinh-tri/123.html -->\n<html></html>'
    assert saved_page_url(html) == "https://baolangson.vn/chinh-tri/123.html"
    html = '<html><head><link rel="canonical" href="https://baohatinh.vn/a-1.html"></head></html>'
    assert saved_page_url(html) == "https://baohatinh.vn/a-1.html"
    html = '<html><head><meta property="og:url" content="https://baothaibinh.com.vn/x.htm"></head></html>'
    assert saved_page_url(html) == "https://baothaibinh.com.vn/x.htm"


def test_saved_html_without_url_uses_its_own_address():
    page = ('<!-- saved from url=(0040)https://baolangson.vn/chinh-tri/1-2.html -->\n<html><body><article><p>'
            + LEAD.replace("Bắc Giang", "") + " Văn phòng đã xử lý 1.200 văn bản đến trong năm.</p></article></body></html>")
    a = parse_text(page)
    assert a.source_url == "https://baolangson.vn/chinh-tri/1-2.html"
    assert a.province == "Lạng Sơn"


def test_records_stored_before_confidences_load():
    old = {"id": "abc", "title": "t", "province": "Lạng Sơn", "province_evidence": "text 'tỉnh Lạng Sơn'",
           "report_year": 2020, "period": "year"}
    a = article_from_dict(old)
    assert a.province_confidence == "stated" and a.report_year_confidence == "none"
    assert a.published_evidence is None
    assert article_from_dict(article_to_dict(a)) == a


def test_former_unit_and_visited_province_are_not_the_article_province():
    a = parse_text("Sở Nội vụ tỉnh Ninh Bình tổng kết năm 2025\n"
                   "Sáng 10/1, Sở Nội vụ tỉnh Ninh Bình tổng kết công tác năm 2025; cán bộ tỉnh Hà Nam cũ "
                   "đã được bố trí công tác. Đoàn đã đến thăm và làm việc tại tỉnh Nam Định.")
    assert a.province == "Ninh Bình"
    b = parse_text("Đoàn công tác học tập kinh nghiệm\nSáng 10/1, đoàn công tác đến thăm và làm việc tại tỉnh Bắc Giang.")
    assert b.province is None


def test_rank_among_provinces_names_no_province():
    a = parse_text("Chỉ số cải cách hành chính năm 2023\nChỉ số cải cách hành chính năm 2023 đứng thứ 9/63 tỉnh, thành phố.")
    assert a.province is None


def test_stamp_far_from_the_meeting_is_doubted():
    a = parse_text("Tổng kết công tác năm 2019\nCập nhật: 02/06/2023 10:00\n"
                   "Sáng ngày 14/1/2020, Văn phòng UBND tỉnh tổ chức tổng kết công tác năm 2019.")
    assert a.published_confidence == "inferred"
    assert any("does not fit the meeting" in w for w in a.warnings)
