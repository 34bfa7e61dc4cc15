"""What a read figure is: a result, a target or plan, or a rank; and numbers that are names.

The figure reader finds quantities; this pass reads the sentence around each one. A figure
after "phấn đấu", "chỉ tiêu", "kế hoạch", "mục tiêu", "dự kiến" (unless the words say the
plan was carried out: "thực hiện kế hoạch") is a target, kept as a figure so a comparison
can leave it out. "đứng thứ 12/63 tỉnh" is a rank, value 12 of 63. A number inside a name
("chính quyền 2 cấp", "mô hình 3 không", "24/7") is not a figure. The words are data
(`lang/data/figure_kinds.json`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from functools import cache

from tongket.store.lang.datafiles import data_json
from tongket.store.record import Figure

_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)|\n")


@dataclass(frozen=True, slots=True)
class _Kinds:
    target: re.Pattern[str]
    result_before: re.Pattern[str]
    rank: re.Pattern[str]
    models: re.Pattern[str]
    met: re.Pattern[str]  # the target was met: "đạt", "đã"
    ordinal: str  # "thứ" in "xếp hạng thứ 5"
    rank_unit: str
    rank_label: str


@cache
def _kinds() -> _Kinds:
    raw = data_json("figure_kinds.json")

    def alt(words: list[str]) -> str:
        return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))

    return _Kinds(
        target=re.compile(rf"(?<!\w)({alt(raw['target_words'])})(?!\w)", re.IGNORECASE),
        result_before=re.compile(rf"(?:{alt(raw['result_before_target'])})\s+(?:\w+\s+){{0,3}}$", re.IGNORECASE),
        rank=re.compile(
            rf"(?<!\w)(?:{alt(raw['rank_verbs'])})\s+(?:{re.escape(raw['rank_ordinal'])}\s+)?(\d{{1,3}})(?:\s*/\s*(\d{{1,3}}))?"
            rf"((?:\s+(?:{alt(raw['ranked_among'])})(?:\s*,\s*(?:{alt(raw['ranked_among_more'])}))?)?)",
            re.IGNORECASE,
        ),
        models=re.compile("|".join(f"(?:{p})" for p in raw["named_models"]), re.IGNORECASE),
        met=re.compile(rf"(?<!\w)(?:{alt(raw['met_words'])})(?!\w)", re.IGNORECASE),
        ordinal=raw["rank_ordinal"], rank_unit=raw["rank_unit"], rank_label=raw["rank_label"],
    )


def classify(body: str, figures: list[Figure]) -> list[Figure]:
    """The figures with their kind set, ranks added, and numbers inside names dropped;
    in body order."""
    k = _kinds()
    names = [m.span() for m in k.models.finditer(body)]
    ranks = [_rank(body, m, k) for m in k.rank.finditer(body)]
    taken = [r.span for r in ranks]
    out: list[Figure] = list(ranks)
    ends = [m.end() for m in _SENTENCE_END.finditer(body)]  # once: a figure's sentence by bisection
    for f in figures:
        if any(a <= f.span[0] < b for a, b in names) or any(a < f.span[1] and f.span[0] < b for a, b in taken):
            continue
        start = max(_sentence_start(body, ends, f.span[0]), min(f.sentence_span[0], f.span[0]))
        out.append(replace(f, kind="target") if _is_target(body[start:f.span[0]], k) else f)
    return sorted(out, key=lambda f: f.span)


def _sentence_start(body: str, ends: list[int], pos: int) -> int:
    """Where `_sentence(body, pos)` starts, from the sentence ends found once. The reader's
    own sentence (at most `MAX_SENTENCE` long) bounds it, so a run-on list stays linear."""
    if pos and body[pos - 1] in ".!?…":
        start = pos  # a stop right before the figure ends a sentence in `_sentence`'s view
    else:
        i = bisect.bisect_right(ends, pos) - 1
        start = ends[i] if i >= 0 else 0
    while start < pos and body[start].isspace():
        start += 1
    return start


def _sentence(body: str, pos: int) -> tuple[int, int]:
    start = 0
    for m in _SENTENCE_END.finditer(body, 0, pos):
        start = m.end()
    after = _SENTENCE_END.search(body, pos)
    end = after.end() if after else len(body)
    while start < end and body[start].isspace():
        start += 1
    return start, end


_CLAUSE_CUT = re.compile(r".*;", re.S)


def _is_target(before: str, k: _Kinds) -> bool:
    """A target word earlier in the figure's clause (`before`: its sentence up to it; commas
    do not end it: "phấn đấu 100% …, trong đó 30%"), not one the text says was met
    ("hoàn thành các chỉ tiêu", "đạt")."""
    cut = _CLAUSE_CUT.match(before)
    if cut:
        before = before[cut.end():]
    for m in k.target.finditer(before):
        if k.met.search(before, m.end()):
            continue
        if m.group(1).lower() == "sẽ" and before[m.end():].count(",") > 1:
            continue  # "sẽ" reaches only its own clause
        if not k.result_before.search(before[: m.start()]):
            return True
    return False


def _rank(body: str, m: re.Match[str], k: _Kinds) -> Figure:
    n, of, unit = int(m.group(1)), m.group(2), " ".join(m.group(3).split()) or None  # unit: what is ranked
    word = k.ordinal + " "
    start = m.start(1) - (len(word) if body[max(0, m.start(1) - len(word)): m.start(1)].lower() == word else 0)
    s_start, s_end = _sentence(body, m.start())
    label_words = body[s_start: m.start()].replace(",", " ").split()[-8:]
    raw = body[start: m.end()]
    among = f"{of} {unit}" if of and unit else of or unit
    return Figure(
        value=float(n), unit=k.rank_unit, label=" ".join(label_words) or k.rank_label, raw=raw,
        display=f"{k.ordinal} {n}/{among}" if among else f"{k.ordinal} {n}", sentence=body[s_start:s_end],
        span=(start, m.end()), sentence_span=(s_start, s_end), of=float(of) if of else None, kind="rank",
    )
