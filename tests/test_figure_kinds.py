"""Targets, ranks, names with numbers and mixed-scale money, through `parse_text`."""

from __future__ import annotations

import pytest

from tongket.store.parse.article import parse_text

TITLE = "Văn phòng UBND tỉnh tổng kết công tác năm 2023\n"


def figures(text: str) -> list:
    a = parse_text(TITLE + text)
    for f in a.figures:
        assert a.body[f.span[0]:f.span[1]] == f.raw
    return [f for f in a.figures if f.span[0] >= len(TITLE.strip())]


def test_targets_are_kept_as_targets():
    figs = figures("Năm 2024, Văn phòng phấn đấu 100% hồ sơ được giải quyết đúng hạn, trong đó 30% qua dịch vụ công trực tuyến.")
    assert [(f.value, f.kind) for f in figs] == [(100, "target"), (30, "target")]


@pytest.mark.parametrize("word", ["chỉ tiêu", "kế hoạch năm 2024", "mục tiêu", "dự kiến"])
def test_plan_words_make_targets(word):
    figs = figures(f"{word.capitalize()}: tỉnh giải quyết 5.000 hồ sơ trực tuyến.")
    assert [(f.value, f.kind) for f in figs] == [(5000, "target")]


def test_a_plan_carried_out_is_a_result():
    figs = figures("Thực hiện kế hoạch, Văn phòng đã giải quyết 5.000 hồ sơ; tỷ lệ đúng hạn đạt 99% kế hoạch.")
    assert all(f.kind == "actual" for f in figs) and {f.value for f in figs} == {5000, 99}


@pytest.mark.parametrize(
    ("sentence", "value", "of"),
    [
        ("Chỉ số cải cách hành chính của tỉnh đứng thứ 12/63 tỉnh, thành.", 12, 63),
        ("Huyện xếp thứ 2/9 huyện về chuyển đổi số.", 2, 9),
        ("Chỉ số hài lòng của tỉnh xếp thứ 5 cả nước.", 5, None),
    ],
)
def test_ranks(sentence, value, of):
    ranks = [f for f in figures(sentence) if f.kind == "rank"]
    assert [(f.value, f.of) for f in ranks] == [(value, of)]
    assert not [f for f in figures(sentence) if f.kind != "rank" and f.value in (value, of)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Cổng dịch vụ công hoạt động 24/7 và đường dây nóng trực 24/24.",
        "Tỉnh vận hành chính quyền 2 cấp từ tháng 7.",
        "Xã triển khai mô hình 3 không trong toàn địa bàn.",
    ],
)
def test_numbers_in_names_are_not_figures(sentence):
    assert figures(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("Tổng kinh phí hỗ trợ là 2 tỷ 3 trăm triệu đồng.", 2.3e9),
        ("Kinh phí khen thưởng là 7 tỷ 480 triệu đồng.", 7.48e9),
    ],
)
def test_money_in_mixed_scales(sentence, value):
    figs = figures(sentence)
    assert [(f.value, f.unit) for f in figs] == [(pytest.approx(value), "đồng")]


def test_abbreviation_and_cut_off_word_are_not_units():
    assert all(f.unit != "v" for f in figures("Các sở, ngành đã xử lý 12 v.v... trong năm."))
    figs = figures("Đã tiếp nhận 1.200 hồ sơ và 35 kiến ngh")
    assert figs[-1].value == 35 and figs[-1].unit != "kiến ngh"


def test_bare_count_takes_the_unit_of_its_clause():
    figs = figures("Trong năm, Văn phòng tiếp nhận 1.200 hồ sơ, đã giải quyết hơn 1000.")
    assert [(f.value, f.unit) for f in figs] == [(1200, "hồ sơ"), (1000, "hồ sơ")]


def test_table_in_saved_html_gives_one_figure_per_cell():
    page = ("<html><body><article><h1>Kết quả công tác văn thư năm 2023</h1>"
            "<p>Sáng 10/1, Văn phòng UBND tỉnh Bắc Giang tổng kết công tác năm 2023 với các số liệu chính như sau.</p>"
            "<table><tr><th>Chỉ tiêu</th><th>Năm 2022</th><th>Năm 2023</th></tr>"
            "<tr><td>Văn bản đến</td><td>40.120</td><td>45.268</td></tr>"
            "<tr><td>Tỷ lệ hồ sơ đúng hạn</td><td>98%</td><td>99,5%</td></tr></table>"
            "<p>Hội nghị đã biểu dương các tập thể có thành tích xuất sắc trong năm.</p></article></body></html>")
    a = parse_text(page)
    cells = {(f.value, f.unit) for f in a.figures}
    assert {(40120, "văn bản"), (45268, "văn bản"), (98, "%"), (99.5, "%")} <= cells
    by_value = {f.value: f for f in a.figures}
    assert "Năm 2022" in by_value[40120].sentence and "Năm 2023" in by_value[45268].sentence
