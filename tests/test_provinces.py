"""Province catalogue: aliases, the 2025 merger, and detection that never guesses."""

import pytest

from tongket.store.lang.provinces import load_provinces


@pytest.fixture(scope="module")
def cat():
    return load_provinces()


def test_63_names_34_units(cat):
    assert len(cat.names) == 63 and len(set(cat.names)) == 63
    units = {cat.merged_unit(n) for n in cat.names}
    assert len(units) == 34
    assert units == set(cat.units_2025)


@pytest.mark.parametrize(
    "alias, name",
    [
        ("kien giang", "Kiên Giang"), ("Kiên Giang", "Kiên Giang"), ("KIÊN GIANG", "Kiên Giang"),
        ("tỉnh Kiên Giang", "Kiên Giang"), ("TP HCM", "TP. Hồ Chí Minh"), ("TP.HCM", "TP. Hồ Chí Minh"),
        ("Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh"), ("hochiminhcity", "TP. Hồ Chí Minh"),
        ("Thừa Thiên Huế", "Thừa Thiên Huế"), ("Huế", "Thừa Thiên Huế"), ("Bà Rịa - Vũng Tàu", "Bà Rịa - Vũng Tàu"),
        ("BR-VT", "Bà Rịa - Vũng Tàu"), ("baria-vungtau", "Bà Rịa - Vũng Tàu"), ("Đắc Lắc", "Đắk Lắk"),
        ("Khánh Hoà", "Khánh Hòa"), ("thanh hoa", "Thanh Hóa"), ("TP. Đà Nẵng", "Đà Nẵng"), ("Bắc Cạn", "Bắc Kạn"),
    ],
)
def test_canonical(cat, alias, name):
    assert cat.canonical(alias) == name


@pytest.mark.parametrize("junk", ["", "   ", "xyz", "Nguyễn Văn Sơn", "tỉnh", "Việt Nam"])
def test_canonical_unknown(cat, junk):
    assert cat.canonical(junk) is None


@pytest.mark.parametrize(
    "old, unit",
    [
        ("Hà Giang", "Tuyên Quang"), ("Yên Bái", "Lào Cai"), ("Bắc Kạn", "Thái Nguyên"), ("Vĩnh Phúc", "Phú Thọ"),
        ("Hòa Bình", "Phú Thọ"), ("Bắc Giang", "Bắc Ninh"), ("Thái Bình", "Hưng Yên"), ("Hải Dương", "Hải Phòng"),
        ("Hà Nam", "Ninh Bình"), ("Nam Định", "Ninh Bình"), ("Quảng Bình", "Quảng Trị"), ("Quảng Nam", "Đà Nẵng"),
        ("Kon Tum", "Quảng Ngãi"), ("Bình Định", "Gia Lai"), ("Ninh Thuận", "Khánh Hòa"), ("Đắk Nông", "Lâm Đồng"),
        ("Bình Thuận", "Lâm Đồng"), ("Phú Yên", "Đắk Lắk"), ("Bình Dương", "TP. Hồ Chí Minh"),
        ("Bà Rịa - Vũng Tàu", "TP. Hồ Chí Minh"), ("Bình Phước", "Đồng Nai"), ("Long An", "Tây Ninh"),
        ("Sóc Trăng", "Cần Thơ"), ("Hậu Giang", "Cần Thơ"), ("Bến Tre", "Vĩnh Long"), ("Trà Vinh", "Vĩnh Long"),
        ("Tiền Giang", "Đồng Tháp"), ("Bạc Liêu", "Cà Mau"), ("Kiên Giang", "An Giang"),
        ("Hà Nội", "Hà Nội"), ("Thừa Thiên Huế", "Huế"), ("Lạng Sơn", "Lạng Sơn"), ("Cao Bằng", "Cao Bằng"),
        ("kien giang", "An Giang"),
    ],
)
def test_merged_unit(cat, old, unit):
    assert cat.merged_unit(old) == unit


def test_merged_unit_unknown(cat):
    with pytest.raises(KeyError):
        cat.merged_unit("Atlantis")


@pytest.mark.parametrize(
    "url, name",
    [
        ("https://langson.gov.vn/x", "Lạng Sơn"), ("https://vanphong.langson.gov.vn/a", "Lạng Sơn"),
        ("https://baothainguyen.vn/a", "Thái Nguyên"), ("https://thainguyentv.vn/a", "Thái Nguyên"),
        ("https://baoninhbinh.org.vn/a", "Ninh Bình"), ("https://m.baohaiduong.vn/a", "Hải Dương"),
        ("http://hdndtuyenquang.gov.vn/a", "Tuyên Quang"), ("https://thanhtratinh.ninhthuan.gov.vn/p", "Ninh Thuận"),
        ("https://baria-vungtau.gov.vn/", "Bà Rịa - Vũng Tàu"), ("https://condao.baria-vungtau.gov.vn/q", "Bà Rịa - Vũng Tàu"),
        ("http://baoquangnam.vn/c", "Quảng Nam"), ("https://kiengiang.gov.vn", "Kiên Giang"),
        ("https://hochiminhcity.gov.vn", "TP. Hồ Chí Minh"),
        ("https://baomoi.net.vn/x", None), ("https://baochinhphu.vn/x", None), ("https://vnexpress.net/x", None),
        (None, None), ("not a url", None),
    ],
)
def test_from_url(cat, url, name):
    assert cat.from_url(url) == name


def test_detect_portal_header_beats_passing_mention(cat):
    head = "Cổng thông tin điện tử văn phòng UBND tỉnh Kiên Giang\nĐảng, Chính quyền, Đoàn thể\nTiêu đề bài"
    body = "Sáng nay, đoàn công tác của UBND tỉnh Hà Nam đến thăm và làm việc tại Văn phòng UBND tỉnh Hà Nam."
    prov, ev = cat.detect(head, body, "https://baohanam.com.vn/x")
    assert prov == "Kiên Giang" and ev.startswith("portal header")


def test_detect_newspaper_marks(cat):
    assert cat.detect("Tiêu đề", "(BGĐT) - Chiều ngày 11-1, Văn phòng UBND tỉnh tổ chức hội nghị.", None)[0] == "Bắc Giang"
    prov, ev = cat.detect("Tiêu đề", "LSO-Sáng nay (26/6), Sở Tư pháp tổ chức hội nghị.", None)
    assert prov == "Lạng Sơn" and "LSO" in ev


def test_detect_text_then_url(cat):
    prov, ev = cat.detect("Văn phòng UBND tỉnh Tuyên Quang triển khai nhiệm vụ", "Sáng 20-1, hội nghị.", "https://baomoi.net.vn/x")
    assert prov == "Tuyên Quang" and ev.startswith("text")
    prov, ev = cat.detect("Tiêu đề", "Chiều 17/1, Văn phòng UBND tỉnh tổ chức hội nghị.", "https://thainguyentv.vn/x")
    assert prov == "Thái Nguyên" and "thainguyentv.vn" in ev


def test_detect_never_guesses(cat):
    body = ("Chiều 11/01, Văn phòng Ủy ban nhân dân tỉnh tổ chức Hội nghị. Dự có đồng chí Vũ Việt Văn, "
            "Phó Chủ tịch Thường trực UBND tỉnh; làm tốt công tác giúp đỡ xã Thới Bình. Tư tưởng Hồ Chí Minh.")
    assert cat.detect("", body, None) == (None, None)
    assert cat.detect("", "", None) == (None, None)


def test_detect_old_tone_marks(cat):
    assert cat.detect("UBND tỉnh Khánh Hoà tổ chức hội nghị", "", None)[0] == "Khánh Hòa"
