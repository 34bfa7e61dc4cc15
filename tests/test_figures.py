"""The figure reader on its own: traps, spans, dedup, changes, robustness, speed."""

from __future__ import annotations

import random

import pytest

from tongket.store.parse.figures import extract_figures
from tongket.store.lang.metrics import load_catalogue


def values(text):
    return [(f.value, f.unit) for f in extract_figures(text)[0]]


@pytest.mark.parametrize(
    "text",
    [
        "Thực hiện Kế hoạch số 93/KH-UBND ngày 09/5/2018 của UBND tỉnh.",
        "Theo Nghị định số 92/2017/NĐ-CP ngày 07/8/2017 của Chính phủ.",
        "Nghị quyết số 18-NQ/TW ngày 25/10/2017; Quyết định 494-QĐ/TU.",
        "Kiện toàn tại Quyết định số 37 ngày 21/01/2021. Ban hành Kế hoạch số 62 ngày 08/3/2021.",
        "(Trích báo cáo số 84/BC-TTT ngày 09/6/2020 của Thanh tra tỉnh)",
        "Sáng ngày 20/01, Chiều 20/1/2020, ngày 11-1, tính đến ngày 24-12-2018, chiều 13.1, ngày 30.11.2019.",
        "Cập nhật: 21:00 | 11/01/2019 (14:04 | 20/01/2020)",
        "từ tháng 07/2018 đến tháng 11/2019; quý I/2021 và quý III/2021.",
        "Năm 2019, giai đoạn 2017-2019, 2015 – 2020, nhiệm kỳ 2020-2025.",
        "duy trì hệ thống quản lý chất lượng ISO 9001:2008.",
        "Đại hội lần thứ 20, khóa XIX, kỳ họp thứ nhất, Nghị quyết Trung ương 6 (khóa XII).",
        "Kết quả 6 tháng đầu năm, 06 tháng đầu năm 2017, trong 3 tháng đầu năm, hồ sơ lưu 03 năm.",
        "Thống kê truy cập\nThống kê: 600.974\nOnline: 13\nLượt xem: 698",
        "Thứ 5 Ngày 14/5/2020, 10:13:21 AM",
        "Chiều 1.6, Đại hội Đảng bộ diễn ra.",
    ],
)
def test_not_figures(text):
    assert values(text) == []


@pytest.mark.parametrize(
    ("text", "value", "unit", "of", "qualifier"),
    [
        ("phục vụ 129 cuộc họp.", 129, "cuộc họp", None, None),
        ("đạt hơn 560 triệu USD.", 560, "triệu USD", None, "hơn"),
        ("đạt 1,765 tỷ USD.", 1.765e9, "USD", None, "đạt"),
        ("đạt khoảng 9,3 nghìn tỷ đồng.", 9.3e12, "đồng", None, "khoảng"),
        ("tổng số hơn 16 ngàn quyển.", 16000, "quyển", None, "hơn"),
        ("xử lý gần 40 nghìn văn bản đến.", 40000, "văn bản", None, "gần"),
        ("truy cập trên 2 triệu lượt.", 2e6, "lượt", None, "trên"),
        ("tăng trưởng đạt 16,%, cao nhất.", 16, "%", None, "đạt"),
        ("tỷ lệ hồ sơ đúng hạn 98,7 %.", 98.7, "%", None, None),
        ("đã hoàn thành 140/145 nội dung.", 140, "nội dung", 145, None),
        ("có 18/20 chỉ tiêu đạt.", 18, "chỉ tiêu", 20, None),
        ("tự kiểm tra 29/29 văn bản.", 29, "văn bản", 29, None),
        ("có 03 tập thể được khen.", 3, "tập thể", None, None),
        ("trao Bằng khen cho hai cá nhân.", 2, "cá nhân", None, None),
    ],
)
def test_reads(text, value, unit, of, qualifier):
    figs, _ = extract_figures(text)
    assert len(figs) == 1, figs
    f = figs[0]
    assert f.value == pytest.approx(value)
    assert f.unit == unit
    assert f.of == of
    assert f.qualifier == qualifier
    assert text[f.span[0]:f.span[1]] == f.raw


def test_slash_pairs_are_two_figures():
    assert values("đã tiếp 866 lượt/964 lượt người đến khiếu nại.") == [(866, "lượt"), (964, "lượt người")]
    assert values("tiếp thường xuyên 1.147 lượt/1.325 người;") == [(1147, "lượt"), (1325, "người")]


def test_label_then_number():
    figs, _ = extract_figures("Đã đăng tải 1.282 tin, bài (trong đó: Tin tức chung 668; Hoạt động kỳ họp 182).")
    assert [(f.value, f.unit, f.label) for f in figs] == [
        (1282, "tin, bài", "tin, bài đăng tải"),
        (668, "tin, bài", "Tin tức chung"),
        (182, "tin, bài", "Hoạt động kỳ họp"),
    ]
    assert figs[1].raw == "Tin tức chung 668"
    f = extract_figures("trong đó Văn bản đến 991.531 văn bản, Văn bản đi 304.304 văn bản;")[0]
    assert [(x.value, x.key) for x in f] == [(991531, "incoming_documents"), (304304, "outgoing_documents")]


def test_changes():
    f = extract_figures("được 129 cuộc họp, tăng 15 cuộc họp so với năm 2018, có 40.842 lượt đại biểu.")[0]
    assert len(f) == 2
    assert (f[0].change.value, f[0].change.unit, f[0].change.direction, f[0].change.vs) == (15, "cuộc họp", "up", "năm 2018")
    f = extract_figures("tiếp nhận 27.172 văn bản các loại, tăng 10,02% so với cùng kỳ.")[0]
    assert (f[0].value, f[0].change.value, f[0].change.unit, f[0].change.vs) == (27172, 10.02, "%", "cùng kỳ")
    f = extract_figures("So với cùng kỳ năm trước giảm 146 lượt tiếp, 127 lượt người.")[0]
    assert (f[0].value, f[0].change.direction, f[0].change.vs) == (146, "down", "cùng kỳ năm trước")


def test_dedup_rule():
    text = "Đồng chí trao Bằng khen cho hai cá nhân có thành tích.\n\nĐồng chí trao Bằng khen cho 2 cá nhân tiêu biểu."
    assert values(text) == [(2, "cá nhân")]
    text = "Xử lý 67/67 đơn đạt tỷ lệ 100%.\n\nTỷ lệ giải quyết đúng và trước hạn đạt tỷ lệ 100%."
    assert [v for v in values(text) if v[1] == "%"] == [(100, "%"), (100, "%")]
    # two things in one sentence stay two
    assert values("phục vụ 03 kỳ họp HĐND tỉnh và 03 kỳ họp Quốc hội.") == [(3, "kỳ họp"), (3, "kỳ họp")]


def test_keys_for_incoming_documents():
    cat = load_catalogue()
    for text in ("Năm 2019, tiếp nhận 27.172 văn bản các loại.", "tiếp nhận và xử lý 45.268 văn bản đến.",
                 "tiếp nhận tổng số 11.510 văn bản đến."):
        assert extract_figures(text)[0][0].key == "incoming_documents"
    assert [m.key for m in cat.search("van ban den")] == ["incoming_documents"]
    assert all(m.name_vi and m.name_en for m in cat.entries)


def test_unreadable_numbers_warn():
    figs, warnings = extract_figures("tổng thu đạt 37, 38 tỷ đồng.")
    assert not figs and warnings


@pytest.mark.parametrize("seed", range(30))
def test_never_raises_and_spans_hold(seed):
    rng = random.Random(seed)
    alphabet = "0123456789.,/:-–% ()\n;tỷnghìn lượt văn bản hơn tăng giảm so với \u0301\u00a0\ufeffĐđ𝟘🙂\x00"
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3000)))
    figs, warnings = extract_figures(text)
    for f in figs:
        assert text[f.span[0]:f.span[1]] == f.raw
        assert any(c.isdigit() for c in f.raw) or f.raw.split()[0].lower() in {"hai", "ba", "bốn", "sáu", "bảy", "bẩy", "tám", "chín", "mười", "một"}
        assert text[f.sentence_span[0]:f.sentence_span[1]] == f.sentence


def test_non_nfc_text_keeps_offsets():
    import unicodedata
    text = unicodedata.normalize("NFD", "Văn phòng tiếp nhận 27.172 văn bản đến, tăng 10,02% so với cùng kỳ.")
    figs, _ = extract_figures(text)
    assert figs and text[figs[0].span[0]:figs[0].span[1]] == figs[0].raw


def test_huge_inputs_stop_at_the_cap_with_a_warning():
    many = " ".join(f"{i} hồ sơ," for i in range(20000))
    figs, warnings = extract_figures(many)
    assert warnings  # stopped at the cap instead of running for minutes
    article = ("Năm 2019, tiếp nhận 27.172 văn bản các loại, tăng 10,02% so với cùng kỳ; phục vụ 129 cuộc họp. "
               "Ngày 20/01/2020, theo Kế hoạch số 93/KH-UBND. ") * 60  # ~10 KB
    values = {f.value for f in extract_figures(article)[0]}
    assert values == {27172, 129}  # repeated sentences are one figure each; no document number


def _broken_reader(body):
    raise RuntimeError("a bug in the figure reader")


def test_a_reader_bug_reaches_the_parser_boundary_as_a_warning(monkeypatch):
    # the reader catches nothing itself: parse_text, the documented boundary, turns it into a note
    import tongket.store.parse.article as article

    monkeypatch.setattr(article, "extract_figures", _broken_reader)
    parsed = article.parse_text("Báo cáo năm 2020\n\nVăn phòng tiếp nhận 27.172 văn bản đến.")
    assert parsed.figures == ()
    assert any("RuntimeError" in w for w in parsed.warnings)


@pytest.mark.parametrize("name, text", [
    ("note.txt", "Báo cáo năm 2020\n\nVăn phòng tiếp nhận 27.172 văn bản đến trong năm qua."),
    ("page.html", "<html><head><title>Báo cáo năm 2020</title></head><body><article><p>Văn phòng tiếp nhận"
                  " 27.172 văn bản đến trong năm qua, tăng 10% so với năm trước.</p></article></body></html>"),
])
def test_a_reader_bug_rejects_the_file_with_a_reason_and_no_traceback(monkeypatch, tmp_path, name, text):
    import tongket.store.parse.article as article
    from tongket.store.archive.ingest import parse_one
    from tongket.store.record import Rejection

    monkeypatch.setattr(article, "extract_figures", _broken_reader)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = parse_one(path, None)
    assert isinstance(result, Rejection) and result.path == str(path)
    assert "RuntimeError" in result.reason
