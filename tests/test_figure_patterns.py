"""Patterns found on articles the reader had not seen, each in a short sentence of our own."""

from __future__ import annotations

import pytest

from tongket.store.parse.figures import extract_figures
from tongket.store.lang.metrics import load_catalogue


def figs(text):
    found, _ = extract_figures(text)
    for f in found:
        assert text[f.span[0]:f.span[1]] == f.raw
    return found


def one(text, value):
    hits = [f for f in figs(text) if f.value == pytest.approx(value)]
    assert len(hits) == 1, [(f.value, f.unit, f.label) for f in figs(text)]
    return hits[0]


def test_decimal_comma_is_not_a_list_separator():
    text = "Đã nhận 12 nghìn hồ sơ (trong đó: Sở Tài chính 3,5 nghìn hồ sơ, Sở Xây dựng 1,2 nghìn hồ sơ)."
    assert sorted(f.value for f in figs(text)) == [1200, 3500, 12000]


def test_abbreviated_units():
    f = one("Trung tâm đã tiếp nhận 4,2 ngàn HS các loại.", 4200)
    assert (f.unit, f.key) == ("HS", "dossiers_received")
    assert one("Năm nay có 150 DN thành lập mới.", 150).unit == "DN"


def test_times_as_a_unit():
    f = one("Số dự án mới gấp 2,5 lần so với năm trước.", 2.5)
    assert f.unit == "lần" and f.change and f.change.direction == "up"


def test_bare_first_end_of_a_range_shares_the_unit():
    found = figs("Tổng vốn dự kiến 12.000 - 15.000 tỷ đồng.")
    assert [(f.value, f.unit) for f in found] == [(1.2e13, "đồng"), (1.5e13, "đồng")]
    assert found[0].label == found[1].label


def test_both_ends_of_a_range_share_a_clean_label():
    found = figs("Tốc độ tăng trưởng kinh tế từ 6,5% đến 7%.")
    assert [f.value for f in found] == [6.5, 7]
    assert found[0].label == found[1].label == "Tốc độ tăng trưởng kinh tế"


def test_a_rank_out_of_provinces_is_not_a_share():
    assert all(f.of != 63 for f in figs("Chỉ số cải cách hành chính của tỉnh xếp 5/63 tỉnh, thành phố."))


@pytest.mark.parametrize(
    ("text", "value", "key"),
    [
        ("Kim ngạch nhập khẩu ước đạt 800 triệu USD.", 800, "import_value"),
        ("Kim ngạch xuất khẩu đạt 1,2 tỷ USD.", 1.2e9, "export_value"),
        ("Kim ngạch xuất nhập khẩu đạt 900 triệu USD.", 900, None),
        ("Cơ cấu kinh tế: tỷ trọng công nghiệp chiếm 40%.", 40, None),
        ("Có 100% cán bộ xử lý văn bản trên môi trường mạng.", 100, None),
        ("Trung tâm trả trước thời hạn 950 hồ sơ, đạt 95%.", 950, "dossiers_on_time"),
        ("Trung tâm trả trước thời hạn 950 hồ sơ, đạt 95%.", 95, "on_time_rate"),
    ],
)
def test_keys(text, value, key):
    assert one(text, value).key == key


def test_amount_in_brackets_is_named_by_the_words_before():
    f = one("Không kể khoản thu từ đất (2.000 tỷ đồng), thu nội địa đạt 9.000 tỷ đồng.", 2e12)
    assert "thu từ đất" in f.label


def test_percentage_named_by_what_it_is_compared_with():
    assert one("Thu ngân sách đạt 5.000 tỷ đồng, đạt 40% so với dự toán.", 40).label == "so với dự toán"


def test_percentage_after_a_count_is_its_rate():
    text = "Đã giải quyết 1.200 đơn khiếu nại thuộc thẩm quyền của các cấp, đạt gần 96%."
    assert one(text, 96).label.startswith("tỷ lệ đơn")


def test_change_word_before_a_qualifier_is_part_of_the_name():
    f = one("Vốn đăng ký tăng thêm đạt 120 triệu USD.", 120)
    assert f.change is None and f.qualifier == "đạt"


@pytest.mark.parametrize(
    ("text", "value", "banned"),
    [
        ("Từ ngày 1/1 đến ngày 30/6, trung tâm đã tiếp nhận 800 hồ sơ.", 800, ("ngày", "trung tâm")),
        ("Đồng chí Trần Văn Minh trao Bằng khen cho 4 cá nhân.", 4, ("Minh",)),
        ("Thực hiện Nghị định số 45/2020/NĐ-CP, đã giải quyết 12 trường hợp.", 12, ("NĐ-CP", "số")),
        ("Bộ phận một cửa của Trung tâm Phục vụ hành chính công có 9 quầy giao dịch.", 9, ("tâm Phục",)),
    ],
)
def test_label_leaves_out_dates_names_and_document_numbers(text, value, banned):
    label = one(text, value).label
    assert not any(b in label.split() or b in label for b in banned), label


def test_long_label_starts_at_a_preposition_rather_than_mid_word():
    f = one("Nội dung đơn khiếu nại về lĩnh vực đất đai hành chính 40 vụ việc.", 40)
    assert f.label == "vụ việc về lĩnh vực đất đai hành chính"


def test_tone_mark_placement_does_not_matter():
    old, new = one("Mở 2 khoá tập huấn.", 2), one("Mở 2 khóa tập huấn.", 2)
    assert old.unit == new.unit and old.label.replace("khoá", "khóa") == new.label.replace("khoá", "khóa")


def test_zero_padded_counts_keep_their_value_and_written_form():
    f = one("Văn phòng đón tiếp 05 đoàn công tác.", 5)
    assert f.value == 5.0 and f.display == "05 đoàn"


def test_catalogue_matches_across_punctuation_like_fold_words():
    cat = load_catalogue()
    assert cat.key_for("văn bản", "văn bản", "đã tiếp nhận, xử lý") == "incoming_documents"
    assert cat.key_for("đơn, thư", "đơn thư") == "petitions"
    assert cat.key_for("đơn vị", "đơn") is None


@pytest.mark.parametrize(
    "text",
    [
        "Quý I/2021 Bộ phận một cửa đã giải quyết nhiều hồ sơ.",
        "Trong quý II/2022 Trung tâm làm việc liên tục.",
        "Giai đoạn 2016-2020 Sở đã nỗ lực.",
        "Năm 2023 Văn phòng hoàn thành nhiệm vụ.",
    ],
)
def test_year_of_a_period_is_not_a_figure(text):
    assert extract_figures(text)[0] == []


def test_thousands_without_a_unit_count_what_the_clause_named():
    text = "Năm 2023, Trung tâm tiếp nhận hồ sơ gần 15 ngàn, giải quyết đúng hạn hơn 4 nghìn."
    first, second = one(text, 15000), one(text, 4000)
    assert (first.unit, first.qualifier) == ("hồ sơ", "gần")
    assert (second.unit, second.qualifier) == ("hồ sơ", "hơn")


def test_thousands_take_the_unit_of_the_figure_before_them():
    assert one("Đã tiếp nhận 1.200 hồ sơ, đã giải quyết hơn 4 nghìn.", 4000).unit == "hồ sơ"
    assert one("Đã tổ chức 120 hội nghị, 30 cuộc họp và hơn 4 nghìn.", 4000).unit == "cuộc họp"


def test_thousands_with_no_countable_noun_stay_unread():
    assert not [f for f in figs("Dân số của xã đạt gần 15 ngàn.") if f.value == 15000]
    assert not [f for f in figs("Tiếp nhận 300 hồ sơ. Đã giải quyết 4 nghìn.") if f.value == 4000]
    assert not [f for f in figs("Hỗ trợ mỗi hộ 500 nghìn trong dịp Tết.") if f.value == 500000]


def test_money_scales_stay_money_beside_a_counted_noun():
    text = "Đã giải quyết 1.200 hồ sơ, thu phí 12 nghìn tỷ đồng, giải ngân hơn 200 tỷ."
    assert one(text, 12e12).unit == "đồng"
    assert not [f for f in figs(text) if f.value == 200e9 and f.unit == "hồ sơ"]


def test_a_bare_million_counts_what_its_clause_names():
    text = "Trung tâm tiếp nhận hồ sơ gần 1,2 triệu, giải quyết hơn 900 nghìn."
    assert (one(text, 1.2e6).unit, one(text, 9e5).unit) == ("hồ sơ", "hồ sơ")
    assert one("Hỗ trợ 12 triệu đồng cho hộ nghèo, 5 triệu cho hộ cận nghèo.", 5e6).unit == "đồng"


def test_people_are_counted_only_where_the_words_say_people():
    assert one("Dân số 1,2 triệu người, mật độ cao.", 1.2e6).unit == "người"
    assert not [f for f in figs("Dân số toàn tỉnh khoảng 1,2 triệu.") if f.value == 1.2e6]
    # "người" named earlier does not stretch over an amount of money
    text = "Dân số 1,2 triệu người, thu nhập bình quân đầu người đạt 60 triệu."
    assert not [f for f in figs(text) if f.value == 60e6 and f.unit == "người"]
    text = "Có 1.500 người lao động được đào tạo, thu nhập bình quân 5 nghìn mỗi ngày."
    assert [f.unit for f in figs(text) if f.value == 5000] in ([], [None])
    assert not [f for f in figs("Đón 120 nghìn lượt khách, doanh thu đạt 3 nghìn.") if f.value == 3000]


def test_an_abbreviation_or_a_cut_off_word_is_not_a_unit_nor_a_label():
    f = one("Xây dựng 25 trường, 30 trạm y tế v.v...", 30)
    assert not f.label.endswith(" v") and "v.v" not in (f.unit or "")
    f = one("Tỉnh đã tiếp nhận 120 hồ sơ và 35 đơn th", 35)
    assert (f.unit, f.label) == ("đơn", "đơn")
    assert not [f for f in figs("Trong năm đã tiếp nhận 120 hồ") if f.value == 120]
    assert not [f for f in figs("Các trường gồm 25 v.v... và nhiều nơi khác") if f.value == 25]


def test_a_comma_joins_units_that_count_one_set():
    assert one("Đã kiểm tra 371 tổ chức, cá nhân trong năm.", 371).unit == "tổ chức, cá nhân"
    assert one("Có 11 xã, phường, thị trấn đạt chuẩn.", 11).unit == "xã, phường, thị trấn"
    assert one("Gửi văn bản tới 63 tỉnh, thành phố.", 63).unit == "tỉnh, thành phố"
    assert one("Khen thưởng 50 tập thể, cá nhân.", 50).unit == "tập thể, cá nhân"


def test_a_comma_before_another_count_or_word_keeps_the_unit():
    assert [f.unit for f in figs("Có 20 xã, 3 phường đạt chuẩn.")] == ["xã", "phường"]
    assert one("Tiếp nhận 500 hồ sơ, số hồ sơ đúng hạn là 480 hồ sơ.", 500).unit == "hồ sơ"


def test_a_count_after_a_calendar_word_is_read_past_the_calendar():
    assert one("Trung bình mỗi tháng 447.010 lượt truy cập.", 447010).unit == "lượt truy cập"
    assert one("Bình quân mỗi ngày 1.200 hồ sơ.", 1200).unit == "hồ sơ"
    assert [f.value for f in figs("Ngày 15 tháng 10 năm 2020, trong tháng 12.2019 có 5 cuộc họp.")] == [5]
