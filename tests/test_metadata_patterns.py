"""Regression tests for metadata patterns seen on unseen portal pages (examples are our own)."""

from tongket.store.parse.boilerplate import load_boilerplate
from tongket.store.parse.dates import is_clock_widget, published_in_line
from tongket.store.parse.article import parse_text
from tongket.store.parse.people import byline_of
from tongket.store.lang.provinces import load_provinces, tone_norm

LEAD = ("Sáng ngày 12/01, Văn phòng UBND tỉnh tổ chức hội nghị tổng kết công tác năm 2022, "
        "triển khai nhiệm vụ năm 2023 với sự tham dự của toàn thể cán bộ, công chức.")


def test_breadcrumb_ending_in_long_headline_is_not_the_title():
    head = "> Tin tức > Hoạt động văn phòng > Văn phòng tổng kết năm với nhiều đổi mới trong công tác tham mưu tổng hợp"
    title = "Văn phòng tổng kết năm với nhiều đổi mới trong “tham mưu, phục vụ”"
    a = parse_text(f"{head}\n{title}\n05/01/2023\n{LEAD}")
    assert a.title == title and not a.title_derived
    assert a.published == "2023-01-05"
    assert "Tin tức >" not in a.body
    assert load_boilerplate().is_breadcrumb("Trang chủ > Tin tức > Sự kiện")


def test_headline_ending_in_quote_is_not_the_lead():
    a = parse_text("Phong trào thi đua “Dân vận khéo” của cơ quan văn phòng\n" + LEAD)
    assert a.title.startswith("Phong trào thi đua") and not a.title_derived


def test_station_mark_is_stripped_from_title():
    a = parse_text("(ABC) Hội nghị giao ban công tác văn phòng tháng 3\n" + LEAD)
    assert a.title == "Hội nghị giao ban công tác văn phòng tháng 3"


def test_stamp_sharing_a_line_with_a_counter():
    assert published_in_line("Lượt xem: 120 | Gửi lúc: 03/02/2019 08:15:00") == "2019-02-03T08:15"
    assert published_in_line("Ngày đăng: 04/05/2022 09:30") == "2022-05-04T09:30"
    assert is_clock_widget("Thứ 6, Ngày 07/08/2020")


def test_event_date_after_meeting_verb_or_before_venue():
    a = parse_text("Họp giao ban\n03:00, 10/06/2022\nHội nghị diễn ra ngày 9/6 với nhiều ý kiến đóng góp về nhiệm vụ.")
    assert a.event_date == "2022-06-09"
    a = parse_text("Sơ kết công tác\nTheo kế hoạch của đơn vị, ngày 2/7/2019, tại hội trường tỉnh, các đơn vị sơ kết công tác.")
    assert a.event_date == "2019-07-02"
    a = parse_text("Biểu dương điển hình\n11:00, 08/06/2021\nSáng nay 8/6, tỉnh biểu dương các điển hình tiên tiến năm 2021.")
    assert a.event_date == "2021-06-08"


def test_bylines_with_initials_unit_and_wire():
    assert byline_of("T. Lan - H. Minh") == "T. Lan - H. Minh"
    assert byline_of("N.V.A") == "N.V.A"
    assert byline_of("PV") == "PV"
    assert byline_of("Tác giả bài viết: Trần Văn Nam - VP") == "Trần Văn Nam"
    assert byline_of("Nguồn: baotinh.vn") == "baotinh.vn"
    assert byline_of("Phó Chủ tịch") is None
    a = parse_text("Tổng kết công tác\n" + LEAD + "\nT. Lan - H. Minh")
    assert a.byline == "T. Lan - H. Minh" and not a.body.endswith("H. Minh")


def test_footer_and_share_chrome_end_the_body():
    text = f"Tổng kết công tác văn phòng\n{LEAD}\nĐịa chỉ: số 1 đường A, tỉnh B\nĐiện thoại: 0200 000000\nCác tin mới nhất"
    a = parse_text(text)
    assert "Địa chỉ" not in a.body and "Điện thoại" not in a.body
    a = parse_text(f"Tổng kết công tác văn phòng\nMặc định Cỡ chữ\n{LEAD}\nGửi email | In bài\nbài khác")
    assert "Cỡ chữ" not in a.body and "Gửi email" not in a.body


def test_province_from_office_prefixed_hosts():
    cat = load_provinces()
    assert cat.from_url("https://sxdthanhhoa.gov.vn/tin") == "Thanh Hóa"  # office before the slug
    assert cat.from_url("http://stnmtlaocai.gov.vn/") == "Lào Cai"
    assert cat.from_url("https://huengaynay.vn/x") == "Thừa Thiên Huế"
    assert cat.from_url("https://thanhnien.vn/x") is None  # national papers name no province
    assert cat.from_url("https://thanhtra.com.vn/x") is None


def test_province_detection_one_scan():
    cat = load_provinces()
    head, body = "Tin hoạt động", "Chiều 5/1, UBND tỉnh Khánh Hoà tổ chức hội nghị.\n\nTỉnh Phú Yên cũng dự."
    assert cat.detect(head, body, None) == ("Khánh Hòa", "text 'UBND tỉnh Khánh Hoà'")
    assert cat.detect("", "Đại biểu tỉnh Bà Rịa - Vũng Tàu phát biểu.", None)[0] == "Bà Rịa - Vũng Tàu"
    assert cat.detect("", "Báo cáo của tỉnh nêu rõ.", None) == (None, None)
    assert tone_norm("Thuỷ, Hoà, Đoàn") == "Thủy, Hòa, Đoàn"


def test_period_monthly_meeting_and_second_half_plans():
    a = parse_text("Phiên họp thường kỳ tháng 4\n" + "Ngày 28/4, UBND tỉnh họp phiên thường kỳ tháng 4/2022 để đánh giá tình hình.")
    assert (a.report_year, a.period) == (2022, "other")
    a = parse_text("Tổng kết công tác năm\nNăm 2019, văn phòng hoàn thành nhiệm vụ; 6 tháng cuối năm cần nỗ lực hơn.")
    assert a.period == "year"


def test_headline_figures_are_in_body():
    a = parse_text("Khen thưởng 4 tập thể, 7 cá nhân xuất sắc\n" + LEAD)
    assert a.body.startswith(a.title + "\n\n")
    raws = [a.body[f.span[0]:f.span[1]] for f in a.figures]
    assert any("4 tập thể" in r for r in raws) and any("7 cá nhân" in r for r in raws)
