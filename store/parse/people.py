"""Officials named in an article, with their role as written, and the author's byline.

News style names officials in three ways: "bà NAME - ROLE", "đồng chí NAME, ROLE" and
"ROLE NAME" ("Phó Chủ tịch UBND tỉnh Lê Thị Minh Phụng"). A name is 2–4 capitalised
syllables; a province name after "UBND tỉnh" is not a person.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from tongket.store.lang.provinces import load_provinces
from tongket.store.lang.text import tone_norm
from tongket.store.record import Official


def _letters(upper: bool) -> str:
    chars = []
    for cp in list(range(0x41, 0x7B)) + list(range(0xC0, 0x1B1)) + list(range(0x1EA0, 0x1EFA)):
        ch = chr(cp)
        if unicodedata.category(ch) == ("Lu" if upper else "Ll"):
            chars.append(ch)
    return "".join(chars)


_UP = _letters(True)
_LO = _letters(False)
_SYL = rf"[{_UP}][{_LO}]+"
NAME = rf"{_SYL}(?:\s{_SYL}){{1,3}}"

_ROLE_HEAD = (
    r"(?:Tỉnh ủy viên|Thành ủy viên|Ủy viên|Phó Bí thư|Bí thư|Phó Chủ tịch|Chủ tịch|Phó Chánh|Chánh|"
    r"Phó Giám đốc|Giám đốc|Phó Trưởng|Trưởng|Phó Chủ nhiệm|Chủ nhiệm|Thứ trưởng|Bộ trưởng|"
    r"Phó Tổng|Tổng|Đại biểu Quốc hội|Phó Ban|Chánh Thanh tra|Thành viên|Nguyên|Phó Văn phòng)"
)
# Words that end a role and start what the person did.
_ROLE_STOP = re.compile(
    r"\s(?:cùng|đồng chủ trì|chủ trì|phát biểu|dự|tham dự|bỏ phiếu|nhấn mạnh|cho biết|yêu cầu|"
    r"đánh giá|trao|tặng|làm việc|tổ chức|chỉ đạo|ghi nhận|biểu dương|đề nghị|và|đã|tại|"
    r"đến|về|với|thăm|kiểm tra|khẳng định|chúc mừng|gửi|giao|lưu ý|trình bày|báo cáo|được|là|có)\b"
)
_SEG_END = re.compile(r"[,;.()\n:]|\s[-–—]\s")


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str]]:
    cat = load_provinces()
    prov_alt = "|".join(
        re.escape(a) for a in sorted({tone_norm(x) for p in cat.provinces for x in (p.name, *p.aliases)
                                      if " " in x and x != x.upper()}, key=len, reverse=True)
    )
    # "bà NAME - ROLE", "đồng chí NAME, ROLE", "Các đồng chí: NAME, ROLE; NAME, ROLE"
    named_first = re.compile(
        rf"(?:(?<![\w])(?:[Bb]à|[Ôô]ng|[Đđ]ồng chí|[Cc]ác đồng chí:?)\s+|;\s*|:\s*)"
        rf"(?P<name>{NAME})\s*(?:[-–—,]\s*)(?P<role>{_ROLE_HEAD}\b.*?)(?=[.;\n(]|$)"
    )
    # "Phó Chủ tịch UBND tỉnh Lê Thị Minh Phụng", "Chủ tịch UBND tỉnh Kiên Giang Lâm Minh Thành"
    role_first = re.compile(
        rf"(?P<role>(?:{_ROLE_HEAD})(?:\s(?:Thường trực|Thường vụ|Văn phòng))?\s"
        rf"(?:UBND|HĐND|Ủy ban nhân dân|Hội đồng nhân dân|Tỉnh ủy|Thành ủy|Ủy ban MTTQ Việt Nam|"
        rf"Văn phòng UBND|Văn phòng HĐND|Văn phòng Đoàn ĐBQH(?: và HĐND)?)"
        rf"(?:\s(?:tỉnh|thành phố|huyện|TP\.?))?(?:\s(?:{prov_alt}))?)\s(?P<name>{NAME})(?![{_LO}{_UP}])"
    )
    provinces = frozenset(tone_norm(x).lower() for p in cat.provinces for x in (p.name, *p.aliases))
    return named_first, role_first, provinces


def _clean_role(role: str) -> str:
    """Keep the comma-separated role segments up to the first that is not a role."""
    segs = []
    for seg in re.split(r",\s*", role):
        seg = seg.strip()
        if not re.match(_ROLE_HEAD, seg):
            break
        stop = _ROLE_STOP.search(seg)
        if stop:
            seg = seg[: stop.start()].strip()
            if seg:
                segs.append(seg)
            break
        segs.append(seg)
    return ", ".join(s for s in segs if s)


def find_officials(text: str) -> tuple[Official, ...]:
    """Officials in order of first mention; one entry per name, with the fullest role."""
    named_first, role_first, provinces = _patterns()
    norm = tone_norm(text)  # same length as `text`: spans index both
    found: dict[str, str] = {}
    order: list[str] = []
    hits: list[tuple[int, str, str]] = []
    pos = 0
    while (m := named_first.search(norm, pos)) is not None:
        # restart inside the role: "bà A - ROLE cùng ông B - ROLE" holds two people
        pos = m.start("role")
        hits.append((m.start("name"), text[m.start("name"):m.end("name")],
                     _clean_role(text[m.start("role"):m.end("role")])))
    for m in role_first.finditer(norm):
        hits.append((m.start("name"), text[m.start("name"):m.end("name")],
                     " ".join(text[m.start("role"):m.end("role")].split())))
    for _, name, role in sorted(hits):
        name = " ".join(name.split())
        if not role or name.lower() in provinces or _not_a_name(name):
            continue
        if name not in found:
            order.append(name)
            found[name] = role
        elif len(role) > len(found[name]):
            found[name] = role
    return tuple(Official(n, found[n]) for n in order)


_NOT_NAME_WORDS = frozenset(
    "UBND HĐND Phòng Sở Tỉnh Đảng Phó Ủy Uỷ Bí Giám Đốc Trưởng Các Nghị Cảnh Biểu Chủ Tịch "
    "Hội Ban Trung Tâm Công Ty Huyện Xã Cục".split()
)


def _not_a_name(name: str) -> bool:
    return any(w in _NOT_NAME_WORDS for w in name.split())


# ---- byline --------------------------------------------------------------------------------
_BYLINE_PREFIX = (
    r"(?:(?:Bài(?: và ảnh)?|Tin(?: và ảnh)?|Bài,\s*ảnh|Tin,\s*ảnh|Ảnh|Theo|Nguồn|PV|Tác giả(?: bài viết)?|"
    r"Người viết|Thực hiện|Nhóm PV)\s*:?\s*)?"
)
# "N. Phó", "N.T.H", "Q.Thân": initials before a name, or initials alone
_INITIALS = rf"(?:[{_UP}]\.\s?){{1,3}}{_SYL}(?:\s{_SYL}){{0,2}}|[{_UP}](?:\.[{_UP}]){{1,3}}\.?"
_ONE = rf"(?:{NAME}|{_INITIALS})"
_BYLINE = re.compile(
    rf"{_BYLINE_PREFIX}(?P<who>{_ONE}(?:\s*(?:[-–,&]|và)\s*{_ONE})*|[{_UP}]{{2,}}(?:\s[{_UP}]{{2,}}){{1,3}}"
    rf"|PV|Nhóm PV|Phóng viên)"
    rf"\s*(?:[-–]\s*[{_UP}]{{2,6}})?"  # the writer's unit: "Đặng Văn A - BTG"
    rf"\s*(?:\((?:[^()]{{1,40}})\))?\s*[|.]?"
)


# "Nguồn: baolangson.vn", "(Theo TTXVN)": the source a republished article names
_SOURCE = re.compile(r"\(?\s*(?:Nguồn|Theo)\s*:?\s*((?:[\w.-]+\.(?:vn|com|net|org))|[A-ZĐ]{2,10})\s*\)?\.?")


def byline_of(line: str) -> str | None:
    """The author if `line` is an author line ("Thiên Đăng", "NGUYÊN ĐOAN |", "Bài, ảnh: Tô Dân")."""
    s = line.strip()
    if not s or len(s) > 60:
        return None
    src = _SOURCE.fullmatch(s)
    if src:
        return src.group(1).strip()
    m = _BYLINE.fullmatch(s)
    if not m:
        return None
    who = " ".join(m.group("who").split()).rstrip(".")
    if who in ("PV", "Nhóm PV", "Phóng viên"):
        return who
    full_names = re.sub(rf"(?:[{_UP}]\.\s?)+{_SYL}", "", who)  # initials forms are names
    if _not_a_name(full_names) or who.lower() in _patterns()[2]:
        return None
    return who
