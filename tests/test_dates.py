"""Publish stamps, meeting dates and the clock widgets that must not pass for either."""

import pytest

from tongket.store.parse.dates import find_event_date, find_published, is_clock_widget, published_in_line


@pytest.mark.parametrize(
    "line, iso",
    [
        ("(14:04 | 20/01/2020)", "2020-01-20T14:04"),
        ("Cập nhật: 21:00 | 11/01/2019", "2019-01-11T21:00"),
        ("THỨ HAI, 01/06/2020 18:56:52", "2020-06-01T18:56"),
        ("Ngày đăng: 20/01/2020", "2020-01-20"),
        ("20/01/2020 14:04 GMT+7", "2020-01-20T14:04"),
        ("Thứ Hai, 20/01/2020 - 14:04", "2020-01-20T14:04"),
        ("Cập nhật lúc 09:15, 3-2-2021", None),  # unsupported wording: no guess
    ],
)
def test_published_line(line, iso):
    got = published_in_line(line)
    if iso is None:
        assert got in (None, "2021-02-03T09:15")
    else:
        assert got == iso


def test_bare_date_only_in_header():
    assert published_in_line("26/03/2021", allow_bare=True) == "2021-03-26"
    assert published_in_line("26/03/2021") is None


@pytest.mark.parametrize(
    "line",
    ["Thứ 5 Ngày 14/5/2020, 10:13:21 AM", "Thứ tư, 21/04/2021", "Chủ nhật,  01/08/2021", "Chủ nhật, 01/08/2021"],
)
def test_clock_widgets_are_not_publish_dates(line):
    assert is_clock_widget(line)
    assert published_in_line(line, allow_bare=True) is None


def test_find_published_skips_widget_in_header():
    lines = ["Chủ nhật, 01/08/2021", "Sở Tư pháp biểu dương", "LSO-Sáng nay (26/6), hội nghị."]
    assert find_published(lines, 2) is None
    lines = ["Cải cách hành chính", "26/03/2021", "Quý I/2021 Bộ phận một cửa", "Theo báo cáo, ..."]
    assert find_published(lines, 3).iso == "2021-03-26"


@pytest.mark.parametrize(
    "lead, published, iso",
    [
        ("Chiều 11/01, Văn phòng tổ chức hội nghị.", "2024-01-12T08:00", "2024-01-11"),
        ("Sáng ngày 20/01, bà Lê Thị Minh Phụng chủ trì.", "2020-01-20T14:04", "2020-01-20"),
        ("(BGĐT) - Chiều ngày 11-1, Văn phòng UBND tỉnh tổ chức.", "2019-01-11T21:00", "2019-01-11"),
        ("Chiều 20/1/2020, Văn Phòng UBND tỉnh tổ chức.", None, "2020-01-20"),
        ("Chiều ngày 08 tháng 8 năm 2018, tại Văn phòng UBND tỉnh.", "2018-08-09T10:09", "2018-08-08"),
        ("Sáng 20-1, Văn phòng UBND tỉnh Tuyên Quang tổ chức.", "2024-01-21", "2024-01-20"),
        ("Đại hội diễn ra chiều 1.6 xác định 2 công việc.", "2020-06-01T18:56", "2020-06-01"),
        ("LSO-Sáng nay (26/6), Sở Tư pháp tổ chức hội nghị.", "2020-06-27", "2020-06-26"),
        ("Chiều 13.1, Sở Nội vụ tổ chức hội nghị.", "2020-01-14", "2020-01-13"),
        ("Chiều 28/12, hội nghị tổng kết.", "2021-01-03", "2020-12-28"),  # published in the new year
        ("Chiều ngày 13/02/2020, Ban biên tập họp.", None, "2020-02-13"),
    ],
)
def test_event_date(lead, published, iso):
    ev = find_event_date([lead], published)
    assert ev is not None and ev.iso == iso


def test_event_date_without_year_warns():
    ev = find_event_date(["Chiều 11/01, Văn phòng tổ chức hội nghị."], None)
    assert ev.iso is None and (ev.day, ev.month) == (11, 1) and "without year" in ev.warning


def test_event_date_ignores_numbers_and_document_dates():
    assert find_event_date(["Tăng 13.1% so với cùng kỳ; Quyết định số 37 ngày 21/01/2021 của UBND."], None) is None
    assert find_event_date(["Sáng 99/99, không phải ngày."], None) is None
