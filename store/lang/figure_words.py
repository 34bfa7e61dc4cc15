"""The figure reader's vocabulary, compiled once per process.

What can follow a number as its unit, what before it makes it an ordinal, a year or a date,
which words qualify or change it (`data/units.json`), and the words that shape a label or
make a count money (`data/figure_words.json`): all of it is data. Words are compared the
way the reader sees the body, `reader_lower`: lower case with one placement of tone marks
("hòa" -> "hoà"), so the data lists each word once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tongket.store.lang.datafiles import data_json
from tongket.store.lang.text import fold, tone_norm


@dataclass(frozen=True, slots=True)
class Vocab:
    unit_re: re.Pattern[str]
    unit_names: dict[str, str]  # lower-cased form -> written form
    calendar_max: dict[str, int]  # "tháng" takes 1..12: "mỗi tháng 447.010 lượt" is a count
    paired: frozenset[str]  # lower-cased units a comma joins into one ("tổ chức, cá nhân")
    paired_re: re.Pattern[str]  # ", " then one of them
    time_re: re.Pattern[str]
    stopwords: frozenset[str]
    change_words: dict[str, str]
    skip_before: frozenset[str]
    skip_exempt: frozenset[str]
    year_before: frozenset[str]
    date_before: frozenset[str]
    fillers: frozenset[tuple[str, ...]]  # word tuples
    filler_edges: frozenset[str]  # first and last words of fillers: a quick "no filler here"
    keep: frozenset[tuple[str, ...]]  # "tiếp nhận": a filler opening a compound stays
    currencies: dict[str, tuple[str | None, float]]
    qualifier_re: re.Pattern[str]  # a qualifier ending right before a number
    change_re: re.Pattern[str]
    widget_end: re.Pattern[str]  # folded widget label at the end / start of a string
    widget_start: re.Pattern[str]


def alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _ends_before_number(words: list[str]) -> re.Pattern[str]:
    """One of `words`, not glued to a letter before it, then one space, then the number."""
    return re.compile(rf"(?<![^\W\d_])({alternation(words)}) \Z")


def reader_lower(text: str) -> str:
    """Lower case with one placement of tone marks: how the reader compares words."""
    return tone_norm(text.lower())


@cache
def currencies() -> frozenset[str]:
    """Units that are money ("đồng", "USD", "triệu USD")."""
    raw = data_json("units.json")["currencies"]
    return frozenset(raw) | {v["scaled_unit"] for v in raw.values() if v.get("scaled_unit")}


@cache
def money_words_re() -> re.Pattern[str]:
    """Words that make a count an amount of money ("thu nhập", "thu phí"), case-insensitive."""
    words = data_json("figure_words.json")["money_words"]
    return re.compile(rf"(?<!\w)(?:{alternation(words)})(?!\w)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LabelWords:
    """The words that shape a figure's label (`data/figure_words.json`), compiled."""

    tail_stop: frozenset[str]
    tail_trailing: frozenset[str]
    starters: tuple[str, ...]
    starter_at: re.Pattern[str]  # where each starter begins, in lower-case text
    cut_after: tuple[str, ...]  # " của ": spaced, to find as words
    subject_markers: frozenset[str]
    label_preps: frozenset[str]
    digit_word: re.Pattern[str]  # a word with a digit, with the calendar words leading to it
    compared_stop: re.Pattern[str]
    amount_qualifiers: frozenset[str]
    spelled_not_units: frozenset[str]
    range_next: re.Pattern[str]  # "đến 8%": the second end of a range
    range_to: re.Pattern[str]  # between the ends: "-", "đến"
    range_gap: re.Pattern[str]  # all that stands between the two ends
    compared_with: str  # "so với"
    vs_after: re.Pattern[str]  # "(so với cùng kỳ" right after a figure
    so_after: re.Pattern[str]  # "so với dự toán" / "so cùng kỳ" right after a rate
    vs_in_head: re.Pattern[str]  # "so với ..." inside the words before a figure, to drop
    vs_before: re.Pattern[str]  # "so với năm 2018," right before a change word
    rate_word: str  # "tỷ lệ"
    ratio_units: frozenset[str]


@cache
def label_words() -> LabelWords:
    """Loaded and compiled once per process."""
    d = data_json("figure_words.json")
    ranges = alternation(d["range_words"])
    vs = d["compared_with"]
    return LabelWords(
        tail_stop=frozenset(d["tail_stop"]),
        tail_trailing=frozenset(d["tail_trailing"]),
        starters=tuple(d["label_starters"]),
        starter_at=re.compile(f"(?=({alternation(d['label_starters'])}))"),
        cut_after=tuple(f" {w} " for w in d["cut_after"]),
        subject_markers=frozenset(d["subject_markers"]),
        label_preps=frozenset(d["label_preps"]),
        digit_word=re.compile(rf"(?:\b(?:{alternation(d['calendar_words'])})\s+)*[\w\-&/.]*\d[\w\-&/.]*", re.I),
        compared_stop=re.compile(rf"\s(?:{alternation(d['compared_stop'])})\b.*$"),
        amount_qualifiers=frozenset(d["amount_qualifiers"]),
        spelled_not_units=frozenset(d["spelled_not_units"]),
        range_next=re.compile(rf"(?:{ranges}) [0-9]"),
        range_to=re.compile(rf"\s*(?:-|–)\s*|\s+(?:{ranges})\s+"),
        range_gap=re.compile(rf"\s*(?:{ranges}|-|–)\s*\Z"),
        compared_with=vs,
        vs_after=re.compile(rf"\s*\(?\s*{re.escape(vs)} ((?:[^\W_]+ ?){{1,5}})"),
        so_after=re.compile(rf"\s*((?:{alternation([vs, d['compared_with_short']])}) (?:[^\W\d_]+ ?){{1,5}})"),
        vs_in_head=re.compile(rf"{re.escape(vs)}.*?(?=\bvà\b|,|$)", re.I),
        vs_before=re.compile(rf"{re.escape(vs)} ((?:[^\W_]+ ?){{1,5}}?)\s*,?\s*$", re.I),
        rate_word=d["rate_word"],
        ratio_units=frozenset(d["ratio_units"]),
    )


@cache
def vocab() -> Vocab:
    data = data_json("units.json")
    names = {reader_lower(u): u for u in data["units"]} | {reader_lower(a): u for a, u in data["unit_aliases"].items()}
    paired = [reader_lower(u) for u in data["paired_units"]]
    return Vocab(
        unit_re=re.compile(rf"(?:{alternation(list(names))})(?![^\W_])"),
        unit_names=names,
        paired=frozenset(paired),
        paired_re=re.compile(rf", ((?:{alternation(list(paired))})(?![^\W_]))"),
        time_re=re.compile(rf"(?:{alternation([reader_lower(t) for t in data['time_units']])})(?![^\W_])"),
        stopwords=frozenset(reader_lower(w) for w in data["stopwords"]),
        change_words={reader_lower(k): v for k, v in data["change_words"].items()},
        skip_before=frozenset(reader_lower(w) for w in data["skip_before"]),
        calendar_max={reader_lower(w): n for w, n in data["calendar_max"].items()},
        skip_exempt=frozenset(reader_lower(w) for w in data["skip_before_exempt_with_so"]),
        year_before=frozenset(reader_lower(w) for w in data["year_before"]),
        date_before=frozenset(reader_lower(w) for w in data["date_before"]),
        fillers=frozenset(tuple(w.lower().split()) for w in data["label_fillers"]),
        keep=frozenset(tuple(w.lower().split()) for w in data.get("label_keep", ())),

        filler_edges=frozenset(e for w in data["label_fillers"] for e in (w.lower().split()[0], w.lower().split()[-1])),
        currencies={k: (v.get("scaled_unit"), float(v.get("scale", 1))) for k, v in data["currencies"].items()},
        qualifier_re=_ends_before_number([reader_lower(q) for q in data["qualifiers"]]),
        change_re=_ends_before_number([reader_lower(k) for k in data["change_words"]]),
        widget_end=re.compile(rf"(?:{alternation([fold(w) for w in data['widget_labels']])})\Z"),
        widget_start=re.compile(alternation([fold(w) for w in data["widget_labels"]])),
    )
