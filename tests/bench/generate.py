"""Synthetic archives for the tongket benchmark, built from the real fixture articles.

Each article is put together from sentences taken from the fixture texts (seeds and corpus)
and from figure sentences modelled on the labelled figures there, with:

* one of the 63 provinces written the way the portals write it (a portal header
  "Cổng thông tin điện tử văn phòng UBND tỉnh X", a title or lead "Văn phòng UBND tỉnh X",
  or a tag line);
* a report year 2015-2025 and a period (the year, "6 tháng đầu năm", "quý I/II/III");
* numbers in the Vietnamese forms the sources use ("27.172", "94,03%", "gần 40 nghìn",
  "03 tập thể", "140/145 nội dung", "khoảng 9,3 nghìn tỷ đồng"), some with a
  year-over-year change ("tăng 10,02% so với cùng kỳ");
* 13-17 figures (mean 15) and a body of about 5-8 KB.

Generation is deterministic: article *i* of seed *s* depends only on (s, i), so the 1k
archive is the first thousand articles of the 10k archive, and a folder can be rebuilt or
extended in parallel.

Command line (also used by the runner)::

    python -m tests.bench.generate --size 10k --out /tmp/tongket-bench/corpus-10k
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

GEN_VERSION = 1  # bump when the generated text changes: invalidates cached folders and stores

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"

# The 63 provinces and centrally-run cities (before the 2025 merger), as written in the text.
CITIES = ("Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ")
PROVINCES = CITIES + (
    "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre",
    "Bình Định", "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Đắk Lắk",
    "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam",
    "Hà Tĩnh", "Hải Dương", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang",
    "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định",
    "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam",
    "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình",
    "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh", "Tuyên Quang",
    "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
)
assert len(PROVINCES) == 63 and len(set(PROVINCES)) == 63

YEARS = tuple(range(2015, 2026))
PERIODS = ("year", "half-year", "quarter")  # the record's names
PERIOD_WEIGHTS = (0.6, 0.25, 0.15)
QUARTERS = ("I", "II", "III")

SIZES = {"tiny": 20, "1k": 1_000, "10k": 10_000, "100k": 100_000}


def parse_size(text: str) -> int:
    text = text.strip().lower()
    if text in SIZES:
        return SIZES[text]
    if text.endswith("k"):
        return int(float(text[:-1]) * 1000)
    return int(text)


def size_name(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


# --------------------------------------------------------------------------- numbers


def fmt_int(value: int, *, pad: bool = False) -> str:
    """27172 -> "27.172"; with pad, 3 -> "03" (the sources write small counts so)."""
    if pad and value < 10:
        return f"0{value}"
    return f"{value:,}".replace(",", ".")


def fmt_dec(value: float, places: int) -> str:
    """94.03 -> "94,03"; trailing zeros dropped ("18,5", not "18,50")."""
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


@dataclass
class Num:
    value: float
    text: str  # the number as written, with its qualifier: "gần 40 nghìn", "27.172"
    qualifier: str | None = None
    of: float | None = None


def count_number(rng: random.Random, lo: int, hi: int) -> Num:
    """A count in one of the forms the sources use."""
    value = int(round(rng.triangular(lo, hi, lo + (hi - lo) * 0.3)))
    roll = rng.random()
    if value >= 10_000 and roll < 0.25:
        k = max(1, round(value / 1000))
        word = rng.choice(("nghìn", "nghìn", "ngàn"))
        qual = rng.choice(("gần", "hơn", "trên", "khoảng"))
        return Num(k * 1000, f"{qual} {k} {word}", qualifier=qual)
    if value >= 1000 and roll < 0.40:
        rounded = int(round(value, -2))
        qual = rng.choice(("hơn", "trên", "gần"))
        return Num(rounded, f"{qual} {fmt_int(rounded)}", qualifier=qual)
    return Num(value, fmt_int(value, pad=value < 10 and roll < 0.7))


def percent_number(rng: random.Random, lo: float, hi: float) -> Num:
    value = round(rng.uniform(lo, hi), rng.choice((0, 1, 2, 2)))
    return Num(value, fmt_dec(value, 2) + "%")


def ratio_number(rng: random.Random, lo: int, hi: int) -> Num:
    total = rng.randint(lo, hi)
    done = total if rng.random() < 0.35 else rng.randint(max(1, int(total * 0.8)), total)
    return Num(done, f"{fmt_int(done)}/{fmt_int(total)}", of=total)


def money_number(rng: random.Random, lo: float, hi: float) -> Num:
    """Thousands of billions of đồng: "khoảng 9,3 nghìn tỷ" (value in đồng)."""
    value = round(rng.uniform(lo, hi), 1)
    qual = rng.choice((None, "khoảng", "hơn", "gần"))
    text = f"{fmt_dec(value, 1)} nghìn tỷ"
    return Num(value * 1e12, f"{qual} {text}" if qual else text, qualifier=qual)


# --------------------------------------------------------------------------- figure sentences


@dataclass(frozen=True)
class Template:
    """One figure clause: `text` holds "{n}" where the number (and unit) goes."""

    key: str
    label: str
    unit: str
    text: str
    kind: str  # count / percent / ratio / money / usd
    lo: float
    hi: float
    weight: float = 1.0
    change: bool = True  # may carry a year-over-year change
    noun: bool = False  # starts with a noun phrase: written as a sentence of its own


T = Template
TEMPLATES: tuple[Template, ...] = (
    T("van_ban_den", "văn bản đến", "văn bản", "tiếp nhận và xử lý {n} văn bản đến", "count", 3000, 60000, 6),
    T("van_ban_di", "văn bản đi", "văn bản", "phát hành {n} văn bản đi", "count", 2000, 25000, 5),
    T("van_ban_chi_dao", "văn bản chỉ đạo, điều hành", "văn bản",
      "tham mưu UBND tỉnh, Chủ tịch UBND tỉnh ban hành {n} văn bản chỉ đạo, điều hành", "count", 1000, 15000, 3),
    T("cuoc_hop", "cuộc họp phục vụ", "cuộc họp", "phối hợp chuẩn bị nội dung, tổ chức phục vụ chu đáo {n} cuộc họp",
      "count", 80, 900, 3),
    T("hop_truc_tuyen", "hội nghị trực tuyến", "cuộc", "hệ thống hội nghị trực tuyến phục vụ {n} cuộc", "count", 20, 300, 2),
    T("dai_bieu", "đại biểu tham dự", "lượt đại biểu", "các hội nghị trực tuyến có {n} lượt đại biểu tham dự", "count", 2000, 60000, 2, noun=True),
    T("tin_nhan", "tin nhắn được gửi đi", "tin nhắn", "hệ thống tin nhắn SMS có {n} tin nhắn được gửi đi", "count", 1000, 40000, 1,
      noun=True),
    T("cong_dan", "lượt công dân", "lượt công dân",
      "đón tiếp và hướng dẫn {n} lượt công dân đến khiếu nại, tố cáo tại Trụ sở Tiếp công dân", "count", 50, 2500, 3),
    T("don_thu", "đơn, thư tiếp nhận", "lượt", "tiếp nhận {n} lượt đơn, thư và phân loại, xử lý theo đúng quy định",
      "count", 100, 3000, 2),
    T("quyet_dinh", "quyết định công bố TTHC", "quyết định", "rà soát, kịp thời ban hành {n} quyết định công bố thủ tục hành chính",
      "count", 10, 120, 1),
    T("tthc", "thủ tục hành chính được công bố", "thủ tục hành chính", "công bố {n} thủ tục hành chính", "count", 100, 1500, 2),
    T("ty_le_dung_han", "tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn", "%",
      "tỷ lệ hồ sơ được giải quyết trước hạn và đúng hạn đạt {n}", "percent", 85, 100, 4, change=False, noun=True),
    T("ty_le_truc_tuyen", "tỷ lệ hồ sơ nộp trực tuyến", "%", "tỷ lệ hồ sơ nộp trực tuyến tại các sở, ban, ngành đạt {n}",
      "percent", 20, 95, 3, change=False, noun=True),
    T("tang_truong", "tăng trưởng kinh tế", "%", "tốc độ tăng trưởng kinh tế của tỉnh đạt {n}", "percent", 1.5, 12, 2,
      change=False, noun=True),
    T("fdi", "thu hút đầu tư nước ngoài", "triệu USD", "thu hút đầu tư nước ngoài đạt {n} triệu USD", "count", 50, 2000, 1, noun=True),
    T("thu_ngan_sach", "tổng thu ngân sách nhà nước trên địa bàn", "đồng",
      "tổng thu ngân sách nhà nước trên địa bàn đạt {n} đồng", "money", 1.5, 60, 2, noun=True),
    T("thu_noi_dia", "thu nội địa", "đồng", "trong đó thu nội địa đạt {n} đồng", "money", 1.0, 40, 1, noun=True),
    T("chuong_trinh", "nội dung chương trình làm việc hoàn thành", "nội dung",
      "chủ động tham mưu xây dựng chương trình làm việc của UBND tỉnh và đã hoàn thành {n} nội dung", "ratio", 60, 200, 2,
      change=False),
    T("chi_tieu", "chỉ tiêu kinh tế - xã hội đạt và vượt", "chỉ tiêu", "tỉnh có {n} chỉ tiêu kinh tế - xã hội đạt và vượt kế hoạch",
      "ratio", 15, 30, 1, change=False, noun=True),
    T("mot_cua", "hồ sơ một cửa tiếp nhận và trả", "hồ sơ",
      "tổ chức thực hiện tốt quy trình tiếp nhận và trả {n} hồ sơ theo cơ chế một cửa", "count", 300, 40000, 2),
    T("phong", "phông chỉnh lý", "phông", "chỉnh lý {n} phông tài liệu", "count", 30, 900, 1),
    T("ho_so_luu_tru", "hồ sơ đang lưu trữ", "hồ sơ", "đang quản lý, lưu trữ {n} hồ sơ", "count", 500, 9000, 1),
    T("khai_thac", "lượt người khai thác", "lượt người", "phục vụ {n} lượt người khai thác tài liệu lưu trữ",
      "count", 20, 800, 1),
    T("cong_bao", "văn bản đăng công báo", "văn bản", "công tác công báo phát hành được {n} văn bản", "count", 40, 900, 1),
    T("trang_ho_so", "văn bản cập nhật trên Trang hồ sơ công việc", "văn bản",
      "cập nhật văn bản trên Trang hồ sơ công việc {n} văn bản", "count", 1000, 20000, 1),
    T("nhiem_vu_cp", "nhiệm vụ do Chính phủ, Thủ tướng Chính phủ giao", "nhiệm vụ",
      "tiếp nhận {n} nhiệm vụ do Chính phủ, Thủ tướng Chính phủ giao UBND tỉnh", "count", 50, 400, 1),
    T("nghi_quyet", "nghị quyết trình HĐND tỉnh", "nghị quyết", "tham mưu trình HĐND tỉnh thông qua {n} nghị quyết", "count",
      10, 120, 1),
    T("dao_tao", "lượt đào tạo, bồi dưỡng", "lượt người",
      "cử công chức, viên chức tham gia các lớp đào tạo, bồi dưỡng được {n} lượt người", "count", 5, 200, 1),
    T("phan_anh", "phản ánh kiến nghị về quy định TTHC", "phản ánh",
      "tiếp nhận và xử lý {n} phản ánh kiến nghị về quy định thủ tục hành chính", "count", 1, 60, 1),
    T("xa_lien_thong", "UBND cấp xã kết nối liên thông", "UBND cấp xã",
      "kết nối gửi, nhận văn bản điện tử với {n} UBND cấp xã", "count", 40, 300, 1, change=False),
    T("nguoi_dung", "người dùng hệ thống quản lý văn bản", "người",
      "tổng số người dùng tham gia khai thác hệ thống quản lý văn bản và điều hành đạt {n} người", "count", 500, 12000, 1, noun=True),
    T("ky_so", "văn bản ký số", "văn bản", "thực hiện ký số {n} văn bản điện tử", "count", 5000, 90000, 1),
)
ENDING_TEMPLATES: tuple[Template, ...] = (
    T("co_thi_dua", "tập thể được tặng Cờ thi đua", "tập thể", "trao tặng Cờ thi đua cho {n}", "count", 1, 6, 1, change=False),
    T("bang_khen_tap_the", "tập thể được tặng Bằng khen", "tập thể", "tặng Bằng khen của Chủ tịch UBND tỉnh cho {n}", "count", 1,
      15, 1, change=False),
    T("bang_khen_ca_nhan", "cá nhân được tặng Bằng khen", "cá nhân", "tặng Giấy khen cho {n} có thành tích xuất sắc", "count", 1, 40, 1,
      change=False),
    T("csdt", "Chiến sĩ thi đua cơ sở", "đồng chí", "công nhận danh hiệu Chiến sĩ thi đua cơ sở cho {n}", "count", 2, 30, 1,
      change=False),
)


# Context words written after a figure's clause; they end up in the label the figure reader
# takes from the text, so an archive has many distinct labels (about 1,900 at 100k articles,
# as measured on real data), not one per template. Drawn with Zipf-like weights.
MODIFIERS = (
    "", "trên địa bàn tỉnh", "qua trục liên thông", "bằng phương thức điện tử", "của UBND tỉnh",
    "cấp tỉnh", "cấp huyện", "cấp xã", "trong kỳ", "qua mạng", "theo quy định", "đúng hạn",
    "của các sở, ban, ngành", "qua hệ thống quản lý văn bản", "của Trung ương", "trên môi trường mạng",
    "qua Cổng dịch vụ công", "của Chủ tịch UBND tỉnh", "của các huyện, thành phố", "qua bưu điện",
    "có ký số", "bản giấy", "thuộc thẩm quyền", "liên thông", "tại Trung tâm Phục vụ hành chính công",
    "từ các cơ quan Trung ương", "của doanh nghiệp", "của tổ chức, cá nhân", "tại bộ phận một cửa",
    "trong lĩnh vực đất đai", "trong lĩnh vực tư pháp", "trong lĩnh vực xây dựng", "về kinh tế - xã hội",
    "về quốc phòng, an ninh", "về văn hóa - xã hội", "phục vụ lãnh đạo tỉnh", "của Thường trực UBND tỉnh",
    "theo chương trình công tác", "ngoài chương trình", "đột xuất", "định kỳ", "chuyên đề",
    "do Văn phòng chủ trì", "do các sở chủ trì", "trực tuyến", "trực tiếp", "mức độ 3", "mức độ 4",
    "toàn trình", "một phần", "của Ban Cán sự Đảng UBND tỉnh", "của HĐND tỉnh",
)
MODIFIER_WEIGHTS = tuple(1.0 / (k + 1) ** 0.9 for k in range(len(MODIFIERS)))


def render_number(rng: random.Random, t: Template) -> Num:
    if t.kind == "percent":
        return percent_number(rng, t.lo, t.hi)
    if t.kind == "ratio":
        return ratio_number(rng, int(t.lo), int(t.hi))
    if t.kind == "money":
        return money_number(rng, t.lo, t.hi)
    return count_number(rng, int(t.lo), int(t.hi))


def render_figure(rng: random.Random, t: Template, year: int) -> tuple[str, dict[str, Any]]:
    """The clause and its expected figure record (value, unit, raw, label, ...)."""
    num = render_number(rng, t)
    number_text = num.text
    if t.kind in ("count", "ratio") and t.unit not in ("triệu USD",):
        unit_word = t.unit
        # the unit follows the number in the template text ("{n} văn bản đến"); raw covers both
        raw = f"{number_text} {unit_word}" if "{n} " + unit_word.split()[0] in t.text else number_text
    else:
        raw = number_text
    clause = t.text.replace("{n}", number_text)
    if t.key in ("co_thi_dua", "bang_khen_tap_the"):
        clause = clause.replace(number_text, f"{number_text} tập thể", 1)
        raw = f"{number_text} tập thể"
    elif t.key == "bang_khen_ca_nhan":
        clause = clause.replace(number_text, f"{number_text} cá nhân", 1)
        raw = f"{number_text} cá nhân"
    elif t.key == "csdt":
        clause = clause.replace(number_text, f"{number_text} đồng chí", 1)
        raw = f"{number_text} đồng chí"
    elif t.kind == "money":
        raw = f"{number_text} đồng"
    elif t.key == "fdi":
        raw = f"{number_text} triệu USD"
    label = t.label
    if t.kind != "money" and not t.key.startswith(("co_", "bang_", "csdt")):
        modifier = rng.choices(MODIFIERS, MODIFIER_WEIGHTS)[0]
        if modifier:
            clause += f" {modifier}"
            label = f"{label} {modifier}"
    fig: dict[str, Any] = {"key": t.key, "label": label, "value": num.value, "unit": t.unit, "raw": raw}
    if num.qualifier:
        fig["qualifier"] = num.qualifier
    if num.of is not None:
        fig["of"] = num.of
    if t.change and rng.random() < 0.3:
        up = rng.random() < 0.75
        word = "tăng" if up else "giảm"
        if rng.random() < 0.6:
            pct = round(rng.uniform(0.5, 35), 2)
            vs = "cùng kỳ" if rng.random() < 0.6 else f"năm {year - 1}"
            clause += f", {word} {fmt_dec(pct, 2)}% so với {vs}"
            fig["change"] = {"value": pct, "unit": "%", "direction": "up" if up else "down", "vs": vs}
        elif t.kind == "count" and num.qualifier is None:
            delta = max(1, int(num.value * rng.uniform(0.02, 0.3)))
            unit = t.unit
            clause += f", {word} {fmt_int(delta)} {unit} so với năm {year - 1}"
            fig["change"] = {"value": delta, "unit": unit, "direction": "up" if up else "down", "vs": f"năm {year - 1}"}
    return clause, fig


# --------------------------------------------------------------------------- sentences from the fixtures

_SENT_SPLIT = re.compile(r"(?<=[.;…!?])\s+")


def _fixture_texts() -> list[str]:
    texts = []
    for folder in (FIXTURES / "seeds", FIXTURES / "corpus"):
        for path in sorted(folder.glob("*.txt")):
            texts.append(unicodedata.normalize("NFC", path.read_text("utf-8-sig")))
    return texts


_PLACE_WORDS = tuple(p for p in PROVINCES) + ("Côn Đảo", "Thới Bình", "Kiên Giang", "Website", "Báo Vĩnh Long", "BGĐT", "LSO")


# three capitalised syllables in a row: a person's name ("Lại Thanh Sơn"), which would
# point at the fixture's real province
_NAME = re.compile(r"\b[A-ZĐÂĂÊÔƠƯÀ-Ỹ][a-zà-ỹđ]+ [A-ZĐÀ-Ỹ][a-zà-ỹđ]+ [A-ZĐÀ-Ỹ][a-zà-ỹđ]+\b")


def filler_sentences() -> list[str]:
    """Digit-free sentences of the fixture articles that name no place: the prose between
    the figures. Numbers come only from the figure clauses, so the expected figure count
    of an article is exact."""
    out: list[str] = []
    seen: set[str] = set()
    for text in _fixture_texts():
        for para in text.split("\n"):
            para = " ".join(para.split())
            for sent in _SENT_SPLIT.split(para):
                sent = sent.strip(" -+")
                if not (60 <= len(sent) <= 600) or any(ch.isdigit() for ch in sent):
                    continue
                if any(w in sent for w in _PLACE_WORDS) or sent[-1] not in ".;…" or _NAME.search(sent):
                    continue
                if sent.endswith(";"):
                    sent = sent[:-1] + "."
                sent = _cap(sent)
                if sent not in seen:
                    seen.add(sent)
                    out.append(sent)
    return out


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


_FILLER: list[str] | None = None


def _filler() -> list[str]:
    global _FILLER
    if _FILLER is None:
        _FILLER = filler_sentences()
    return _FILLER


# A few extra clauses of the same register, used to vary the paragraph openings.
OPENERS = {
    "year": ("Năm {y}, Văn phòng UBND tỉnh đã", "Trong năm {y}, Văn phòng đã", "Trong năm, Văn phòng UBND tỉnh đã",
             "Theo báo cáo, năm {y}, Văn phòng UBND tỉnh đã"),
    "half-year": ("Trong 6 tháng đầu năm {y}, Văn phòng UBND tỉnh đã", "Trong 6 tháng đầu năm, Văn phòng đã",
                  "Theo báo cáo, 6 tháng đầu năm {y}, Văn phòng UBND tỉnh đã"),
    "quarter": ("Trong quý {q}/{y}, Văn phòng UBND tỉnh đã", "Trong quý {q} năm {y}, Văn phòng đã",
                "Theo báo cáo, quý {q}/{y}, Văn phòng UBND tỉnh đã"),
}
SECTIONS = ("Về công tác tham mưu, tổng hợp,", "Về công tác văn thư, lưu trữ,", "Về công tác tiếp công dân,",
            "Về cải cách hành chính,", "Về chuyển đổi số,", "Về công tác hành chính, quản trị,")

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
            "Dương", "Lý")
MIDDLES = ("Văn", "Thị", "Minh", "Thanh", "Đức", "Hữu", "Quốc", "Ngọc", "Thị Minh", "Việt", "Mạnh", "Thế")
GIVEN = ("Sơn", "Hải", "Tuấn", "Hùng", "Lan", "Phụng", "Giang", "Long", "Bình", "Dũng", "Hoa", "Thắng", "Nam",
         "Hà", "Lạc", "Xuân", "Văn", "Thái", "Sáng", "Minh", "Đăng", "Diệp", "Nguyên")
ROLES = ("Phó Chủ tịch UBND tỉnh", "Chủ tịch UBND tỉnh", "Phó Chủ tịch Thường trực UBND tỉnh",
         "Ủy viên Ban Thường vụ Tỉnh ủy, Phó Chủ tịch UBND tỉnh", "Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh")


def person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"


def admin(province: str) -> str:
    """"tỉnh Kiên Giang" / "thành phố Hà Nội"."""
    return f"thành phố {province}" if province in CITIES else f"tỉnh {province}"


# --------------------------------------------------------------------------- articles


@dataclass
class GenArticle:
    index: int
    name: str  # file name
    url: str
    text: str
    province: str
    report_year: int
    period: str
    quarter: str | None
    published: str
    figures: list[dict[str, Any]] = field(default_factory=list)

    def meta(self) -> dict[str, Any]:
        return {"file": self.name, "url": self.url, "province": self.province, "report_year": self.report_year,
                "period": self.period, "quarter": self.quarter, "published": self.published,
                "figures": self.figures}


def _rng(seed: int, index: int) -> random.Random:
    digest = hashlib.blake2b(f"tongket-bench:{seed}:{index}".encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _period_phrase(period: str, year: int, quarter: str | None) -> str:
    if period == "year":
        return f"năm {year}"
    if period == "half-year":
        return f"6 tháng đầu năm {year}"
    return f"quý {quarter} năm {year}"


def _published(rng: random.Random, period: str, year: int, quarter: str | None) -> tuple[int, int, int]:
    if period == "year":
        return year + 1, 1, rng.randint(5, 28)
    if period == "half-year":
        return year, 7, rng.randint(3, 28)
    month = {"I": 4, "II": 7, "III": 10}[quarter or "I"]
    return year, month, rng.randint(2, 20)


def make_article(index: int, seed: int = 0) -> GenArticle:
    """Article `index` of the archive with `seed`: same inputs, same text."""
    rng = _rng(seed, index)
    filler = _filler()
    province = PROVINCES[rng.randrange(len(PROVINCES))]
    where = admin(province)
    year = rng.choice(YEARS)
    period = rng.choices(PERIODS, PERIOD_WEIGHTS)[0]
    quarter = rng.choice(QUARTERS) if period == "quarter" else None
    phrase = _period_phrase(period, year, quarter)
    pub_y, pub_m, pub_d = _published(rng, period, year, quarter)
    hh, mm = rng.randint(7, 21), rng.randint(0, 59)
    target = rng.randint(4600, 7600)  # body bytes
    leader, role = person(rng), rng.choice(ROLES)
    chief = person(rng)

    what = {"year": "tổng kết công tác", "half-year": "sơ kết công tác", "quarter": "đánh giá kết quả công tác"}[period]
    nxt = {"year": f"triển khai nhiệm vụ năm {year + 1}", "half-year": "triển khai nhiệm vụ 6 tháng cuối năm",
           "quarter": "triển khai nhiệm vụ quý tiếp theo"}[period]
    style = rng.random()
    lines: list[str] = []
    if style < 0.3:  # portal header, then the portal's chrome and a title without the province
        lines += [f"Cổng thông tin điện tử văn phòng UBND {where}", rng.choice(
            ("Tham mưu, giúp việc UBND tỉnh", "Đảng, Chính quyền, Đoàn thể", "Tin hoạt động")), "Xem với cỡ chữAA",
            f"Văn phòng UBND tỉnh: {what.capitalize()} {phrase}", f"({hh:02d}:{mm:02d} | {pub_d:02d}/{pub_m:02d}/{pub_y})"]
        lead_where = "Văn phòng UBND tỉnh"
    elif style < 0.65:  # province in the title
        lines += [rng.choice((f"Văn phòng UBND {where} {what} {phrase}",
                              f"Văn phòng UBND {where} {nxt}",
                              f"Văn phòng Ủy ban nhân dân {where}: {what.capitalize()} {phrase}")),
                  f"Cập nhật: {hh:02d}:{mm:02d} | {pub_d:02d}/{pub_m:02d}/{pub_y}"]
        lead_where = "Văn phòng UBND tỉnh"
    else:  # a newspaper lead names the office; a tag line repeats it at the end
        lines += [rng.choice(("Văn phòng UBND tỉnh không ngừng đổi mới, nâng cao chất lượng công tác tham mưu",
                              "Tiếp tục tham mưu cho UBND tỉnh thực hiện thắng lợi các mục tiêu phát triển KT-XH",
                              f"Văn phòng UBND tỉnh {what} {phrase}")),
                  f"{pub_d:02d}/{pub_m:02d}/{pub_y} {hh:02d}:{mm:02d}"]
        lead_where = f"Văn phòng UBND {where}"

    daypart = rng.choice(("Sáng", "Chiều", "Sáng ngày", "Chiều ngày"))
    lead = (f"{daypart} {pub_d:02d}/{pub_m:02d}, {lead_where} tổ chức Hội nghị {what} {phrase}, {nxt}. "
            f"Dự và chỉ đạo hội nghị có đồng chí {leader}, {role}; đồng chí {chief}, Chánh Văn phòng UBND tỉnh "
            f"cùng toàn thể cán bộ, công chức, viên chức và người lao động Văn phòng UBND tỉnh.")
    paras = [lead]

    # figures: 13-17 distinct templates from the main pool, 0-2 of them awards at the end
    n_figs = rng.choice((13, 14, 14, 15, 15, 15, 16, 16, 17))
    n_end = rng.choice((0, 1, 2, 2))
    pool = list(TEMPLATES)
    weights = [t.weight for t in pool]
    chosen: list[Template] = []
    while len(chosen) < n_figs - n_end:
        t = rng.choices(pool, weights)[0]
        i = pool.index(t)
        pool.pop(i)
        weights.pop(i)
        chosen.append(t)
    ending = rng.sample(ENDING_TEMPLATES, n_end)

    figures: list[dict[str, Any]] = []
    opener = rng.choice(OPENERS[period]).format(y=year, q=quarter)
    first = True
    i = 0
    while i < len(chosen):
        group = chosen[i: i + rng.randint(2, 4)]
        i += len(group)
        clauses, sentences, noun_figs = [], [], []
        for t in group:
            clause, fig = render_figure(rng, t, year)
            if t.noun:
                sentences.append(clause)
                noun_figs.append(fig)
            else:
                clauses.append(clause)
                figures.append(fig)
        figures += noun_figs  # in the order they are written
        parts = []
        if clauses:
            head = opener if first else rng.choice(SECTIONS) + " Văn phòng đã"
            first = False
            parts.append(f"{head} {'; '.join(clauses)}.")
        parts += [_cap(c) + "." for c in sentences]
        para = " ".join(parts)
        extra = rng.sample(filler, rng.randint(1, 2))
        paras.append(" ".join([para] + extra) if rng.random() < 0.5 else " ".join(extra + [para]))

    # prose up to the target length, interleaved with the figure paragraphs
    body_len = sum(len(p.encode()) for p in paras)
    prose: list[str] = []
    while body_len < target - 600:
        para = " ".join(rng.sample(filler, rng.randint(2, 4)))
        prose.append(para)
        body_len += len(para.encode()) + 2
    for para in prose:
        paras.insert(rng.randint(2, len(paras)), para)

    closing = (f"Phát biểu chỉ đạo tại hội nghị, đồng chí {leader} ghi nhận, biểu dương những kết quả Văn phòng UBND tỉnh "
               f"đạt được trong {phrase}.")
    paras.append(closing)
    if ending:
        clauses = []
        for t in ending:
            clause, fig = render_figure(rng, t, year)
            clauses.append(clause)
            figures.append(fig)
        paras.append(f"Nhân dịp này, Văn phòng UBND tỉnh đã {' và '.join(clauses)} trong {phrase}.")
    paras.append(person(rng))
    if style >= 0.65 and rng.random() < 0.7:
        paras.append(f"UBND {where}, Văn phòng UBND {where}, {what.capitalize()} văn phòng")
    paras.append(rng.choice(("Tin liên quan", "Bình luận", "Đánh giá", "Xếp theo:Mới nhấtHay nhất")))

    text = "\n\n".join(lines + paras) + "\n"
    slug = f"{index:06d}"
    return GenArticle(index=index, name=f"{slug}.txt", url=f"https://bench.tongket.invalid/{seed}/{slug}", text=text,
                      province=province, report_year=year, period=period, quarter=quarter,
                      published=f"{pub_y}-{pub_m:02d}-{pub_d:02d}T{hh:02d}:{mm:02d}", figures=figures)


def iter_articles(n: int, seed: int = 0, start: int = 0) -> Iterator[GenArticle]:
    for i in range(start, n):
        yield make_article(i, seed)


# --------------------------------------------------------------------------- folders


def _write_range(args: tuple[int, int, int, str]) -> list[str]:
    start, stop, seed, out = args
    folder = Path(out)
    metas = []
    for art in iter_articles(stop, seed, start):
        (folder / art.name).write_text(art.text, "utf-8")
        metas.append(json.dumps(art.meta(), ensure_ascii=False))
    return metas


def write_corpus(n: int, out: Path, seed: int = 0, *, workers: int | None = None, quiet: bool = True) -> Path:
    """Write `n` articles as .txt files into `out`, plus `manifest.jsonl` (expected province,
    year, period and figures of each file) and `urls.csv`. Returns `out`."""
    out.mkdir(parents=True, exist_ok=True)
    workers = workers or min(os.cpu_count() or 1, 4)
    chunk = 2000
    ranges = [(s, min(n, s + chunk), seed, str(out)) for s in range(0, n, chunk)]
    t0 = time.perf_counter()
    if workers > 1 and n >= 4000:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(workers) as pool:
            results = pool.map(_write_range, ranges)
    else:
        results = [_write_range(r) for r in ranges]
    with open(out / "manifest.jsonl", "w", encoding="utf-8") as fh:
        for metas in results:
            for line in metas:
                fh.write(line + "\n")
    if not quiet:
        print(f"generated {n} articles in {time.perf_counter() - t0:.1f}s -> {out}", file=sys.stderr)
    return out


def corpus_key(n: int, seed: int) -> str:
    return f"corpus-{size_name(n)}-s{seed}-v{GEN_VERSION}"


def ensure_corpus(n: int, root: Path, seed: int = 0, *, quiet: bool = True) -> Path:
    """The folder of `n` generated articles under `root`, generated once and reused
    (a `.complete` marker is written last)."""
    folder = root / corpus_key(n, seed)
    marker = folder / ".complete"
    if marker.exists():
        return folder
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    write_corpus(n, folder, seed, quiet=quiet)
    marker.write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))
    return folder


def article_paths(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.txt"))


def manifest(folder: Path) -> list[dict[str, Any]]:
    with open(folder / "manifest.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="1k", help="tiny, 1k, 10k, 100k or a number")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--show", action="store_true", help="print the first article and its figures, write nothing")
    args = ap.parse_args(argv)
    n = parse_size(args.size)
    if args.show:
        art = make_article(0, args.seed)
        print(art.text)
        print(json.dumps(art.meta(), ensure_ascii=False, indent=1))
        return 0
    write_corpus(n, args.out, args.seed, quiet=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
