"""Vietnamese number formatting, shared by the app, the command line and the export."""

from tongket.store.record import Change, Figure
from tongket.store.present.display import (
    change_label,
    change_long,
    count_label,
    date_label,
    list_date,
    figure_value,
    figure_with_unit,
    vn_compact,
    vn_number,
    vn_percent,
    year_period,
)


def fig(value, unit, display=""):
    return Figure(value=value, unit=unit, label="x", raw=display, display=display, sentence="", span=(0, 0),
                  sentence_span=(0, 0))


def test_thousands_and_decimals_the_vietnamese_way():
    assert vn_number(27172) == "27.172"
    assert vn_number(27172.0) == "27.172"
    assert vn_number(1239717) == "1.239.717"
    assert vn_number(94.03) == "94,03"
    assert vn_number(9.3) == "9,3"
    assert vn_number(-1500.5) == "-1.500,5"
    assert vn_number(1234567.5) == "1.234.567,5"
    assert vn_number(0) == "0"
    assert vn_number(None) == ""
    assert vn_number(0) == "0"
    assert vn_number(None) == ""


def test_percent_and_compact_amounts():
    assert vn_percent(94.03) == "94,03%"
    assert vn_compact(9.3e12) == "9,3 nghìn tỷ"
    assert vn_compact(2.5e9) == "2,5 tỷ"
    assert vn_compact(850e6) == "850 triệu"
    assert vn_compact(12345) == "12.345"


def test_figure_value_prefers_display_without_repeating_the_unit():
    assert figure_value(fig(27172, "văn bản", "27.172 văn bản")) == "27.172"
    assert figure_value(fig(9.3e12, "đồng", "9,3 nghìn tỷ đồng")) == "9,3 nghìn tỷ"
    assert figure_value(fig(94.03, "%", "")) == "94,03%"
    assert figure_value(fig(94.03, "%", "đạt 94,03%")) == "94,03%"
    assert figure_value(fig(9.3e12, "đồng", "")) == "9,3 nghìn tỷ"
    assert figure_with_unit(27172, "văn bản") == "27.172 văn bản"
    assert figure_with_unit(94.03, "%") == "94,03%"
    assert figure_with_unit(1, "cuộc họp", "01 cuộc họp") == "1 cuộc họp"


def test_changes_periods_dates_counts():
    assert change_label(Change(10.02, "%", "up", "cùng kỳ")) == "+10,02%"
    assert change_label(Change(15, "cuộc họp", "down")) == "-15 cuộc họp"
    assert change_label(Change(0, None, "same")) == "="
    assert change_label(None) == ""
    assert change_long(Change(10.02, "%", "up", "cùng kỳ")) == "tăng 10,02% so với cùng kỳ"
    assert year_period(2019, "year") == "2019"
    assert year_period(2018, "half-year") == "2018 half-year"
    assert year_period(2018, "half-year", short=True) == "2018 half"
    assert year_period(None, None) == "?"
    assert date_label("2020-01-20T14:04") == "2020-01-20"
    assert date_label(None) == ""
    assert count_label(1) == "1 article"
    assert count_label(27172) == "27.172 articles"


def test_zero_padded_and_spelled_numbers_show_as_numbers_but_scales_stay_written():
    assert figure_value(fig(1, "hồ sơ", "01 hồ sơ")) == "1"
    assert figure_value(fig(3, "hồ sơ", "03 hồ sơ")) == "3"
    assert figure_value(fig(2, "cá nhân", "hai cá nhân")) == "2"
    assert figure_value(fig(16, "%", "16,%")) == "16%"
    assert figure_value(fig(10000, "văn bản", "10 nghìn văn bản")) == "10 nghìn"
    assert figure_value(fig(2e6, "lượt", "2 triệu lượt")) == "2 triệu"
    assert figure_value(fig(140, "nội dung", "140/145 nội dung")) == "140/145"
    assert figure_value(fig(1239717, "văn bản", "1.239.717 văn bản")) == "1.239.717"
    assert figure_with_unit(1, "hồ sơ", "01 hồ sơ") == "1 hồ sơ"
    assert figure_with_unit(9.3e12, "đồng", "9,3 nghìn tỷ đồng") == "9,3 nghìn tỷ đồng"
    assert figure_with_unit(9.3e12, "đồng") == "9,3 nghìn tỷ đồng"


def test_list_date_falls_back_to_the_event_date():
    assert list_date("2020-01-20T14:04", "2020-01-19") == ("2020-01-20", False)
    assert list_date(None, "2020-01-19") == ("2020-01-19", True)
    assert list_date(None, None) == ("", False)
