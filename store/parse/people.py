"""Officials named in an article, with their role as written, and the author's byline.

News style names officials in three ways: "bà NAME - ROLE", "đồng chí NAME, ROLE" and
"ROLE NAME" ("Phó Chủ tịch UBND tỉnh Lê Thị Minh Phụng"). A name is 2–4 capitalised
syllables; a province name after "UBND tỉnh" is not a person.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from tongket.store.lang.provinces import load_provinces
from tongket.store.lang.text import tone_norm
from tongket.store.lang.wordlists import alt, word_lists
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


@dataclass(frozen=True, slots=True)
class _Forms:
    """The officials' and bylines' patterns, made once from `data/people.json` and the provinces."""

    role_head: str  # the titles a role opens with, as an alternation
    role_stop: re.Pattern[str]  # words that end a role and start what the person did
    named_first: re.Pattern[str]
    role_first: re.Pattern[str]
    provinces: frozenset[str]
    not_name_words: frozenset[str]
    staff_bylines: frozenset[str]
    byline: re.Pattern[str]
    source: re.Pattern[str]


def _either_case(word: str) -> str:
    """`word` with its first letter in either case: "bà" -> "[Bb]à"."""
    return f"[{word[0].upper()}{word[0]}]{alt(word[1:], ' ')}"


@cache
def _forms() -> _Forms:
    w = word_lists("people.json")
    cat = load_provinces()
    role_head = rf"(?:{alt(w['role_heads'], ' ')})"
    prov_alt = "|".join(
        re.escape(a) for a in sorted({tone_norm(x) for p in cat.provinces for x in (p.name, *p.aliases)
                                      if " " in x and x != x.upper()}, key=len, reverse=True)
    )
    honorific = "|".join([*map(_either_case, w["honorifics"]), *(f"{_either_case(h)}:?" for h in w["honorifics_list"])])
    # "bà NAME - ROLE", "đồng chí NAME, ROLE", "Các đồng chí: NAME, ROLE; NAME, ROLE"
    named_first = re.compile(
        rf"(?:(?<![\w])(?:{honorific})\s+|;\s*|:\s*)"
        rf"(?P<name>{NAME})\s*(?:[-–—,]\s*)(?P<role>{role_head}\b.*?)(?=[.;\n(]|$)"
    )
    # "Phó Chủ tịch UBND tỉnh Lê Thị Minh Phụng", "Chủ tịch UBND tỉnh Kiên Giang Lâm Minh Thành"
    role_first = re.compile(
        rf"(?P<role>(?:{role_head})(?:\s(?:{alt(w['role_qualifiers'], ' ')}))?\s"
        rf"(?:{alt(w['role_bodies'], ' ')})"
        rf"(?:\s(?:{alt(w['role_levels'], ' ')}))?(?:\s(?:{prov_alt}))?)\s(?P<name>{NAME})(?![{_LO}{_UP}])"
    )
    staff = alt(w["staff_bylines"], " ")
    # a comma in a byline label may be followed by any spaces: "Bài,ảnh", "Bài, ảnh"
    prefix = alt(w["byline_prefixes"], " ").replace(", ", r",\s*")
    byline = re.compile(
        rf"(?:(?:{prefix})\s*:?\s*)?"
        rf"(?P<who>{_ONE}(?:\s*(?:[-–,&]|{w['and']})\s*{_ONE})*|[{_UP}]{{2,}}(?:\s[{_UP}]{{2,}}){{1,3}}"
        rf"|{staff})"
        rf"\s*(?:[-–]\s*[{_UP}]{{2,6}})?"  # the writer's unit: "Đặng Văn A - BTG"
        rf"\s*(?:\((?:[^()]{{1,40}})\))?\s*[|.]?"
    )
    return _Forms(
        role_head=role_head,
        role_stop=re.compile(rf"\s(?:{alt(w['role_stops'], ' ')})\b"),
        named_first=named_first,
        role_first=role_first,
        provinces=frozenset(tone_norm(x).lower() for p in cat.provinces for x in (p.name, *p.aliases)),
        not_name_words=frozenset(w["not_name_words"]),
        staff_bylines=frozenset(w["staff_bylines"]),
        byline=byline,
        # "Nguồn: baolangson.vn", "(Theo TTXVN)": the source a republished article names
        source=re.compile(rf"\(?\s*(?:{alt(w['source_labels'], ' ')})\s*:?\s*((?:[\w.-]+\.(?:vn|com|net|org))|[A-ZĐ]{{2,10}})\s*\)?\.?"),
    )


def _clean_role(f: _Forms, role: str) -> str:
    """Keep the comma-separated role segments up to the first that is not a role."""
    segs = []
    for seg in re.split(r",\s*", role):
        seg = seg.strip()
        if not re.match(f.role_head, seg):
            break
        stop = f.role_stop.search(seg)
        if stop:
            seg = seg[: stop.start()].strip()
            if seg:
                segs.append(seg)
            break
        segs.append(seg)
    return ", ".join(s for s in segs if s)


def find_officials(text: str) -> tuple[Official, ...]:
    """Officials in order of first mention; one entry per name, with the fullest role."""
    f = _forms()
    named_first, role_first, provinces = f.named_first, f.role_first, f.provinces
    norm = tone_norm(text)  # same length as `text`: spans index both
    found: dict[str, str] = {}
    order: list[str] = []
    hits: list[tuple[int, str, str]] = []
    pos = 0
    while (m := named_first.search(norm, pos)) is not None:
        # restart inside the role: "bà A - ROLE cùng ông B - ROLE" holds two people
        pos = m.start("role")
        hits.append((m.start("name"), text[m.start("name"):m.end("name")],
                     _clean_role(f, text[m.start("role"):m.end("role")])))
    for m in role_first.finditer(norm):
        hits.append((m.start("name"), text[m.start("name"):m.end("name")],
                     " ".join(text[m.start("role"):m.end("role")].split())))
    for _, name, role in sorted(hits):
        name = " ".join(name.split())
        if not role or name.lower() in provinces or _not_a_name(f, name):
            continue
        if name not in found:
            order.append(name)
            found[name] = role
        elif len(role) > len(found[name]):
            found[name] = role
    return tuple(Official(n, found[n]) for n in order)


def _not_a_name(f: _Forms, name: str) -> bool:
    return any(w in f.not_name_words for w in name.split())


# ---- byline --------------------------------------------------------------------------------
# "N. Phó", "N.T.H", "Q.Thân": initials before a name, or initials alone
_INITIALS = rf"(?:[{_UP}]\.\s?){{1,3}}{_SYL}(?:\s{_SYL}){{0,2}}|[{_UP}](?:\.[{_UP}]){{1,3}}\.?"
_ONE = rf"(?:{NAME}|{_INITIALS})"


def byline_of(line: str) -> str | None:
    """The author if `line` is an author line ("Thiên Đăng", "NGUYÊN ĐOAN |", "Bài, ảnh: Tô Dân")."""
    s = line.strip()
    if not s or len(s) > 60:
        return None
    f = _forms()
    src = f.source.fullmatch(s)
    if src:
        return src.group(1).strip()
    m = f.byline.fullmatch(s)
    if not m:
        return None
    who = " ".join(m.group("who").split()).rstrip(".")
    if who in f.staff_bylines:
        return who
    full_names = re.sub(rf"(?:[{_UP}]\.\s?)+{_SYL}", "", who)  # initials forms are names
    if _not_a_name(f, full_names) or who.lower() in f.provinces:
        return None
    return who
