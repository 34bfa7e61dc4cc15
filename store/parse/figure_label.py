"""The words around a number: its qualifier ("hơn"), a change word ("tăng"), and the label
that names what it counts.

Labels are the article's words for what is counted: the unit and the words after it, or
for rates and money the words before it, without dates, document numbers, the clause's
subject ("trung tâm đã | tiếp nhận") or a person's name. A percentage with no words of its
own is named by what it is compared with ("so với dự toán") or is the rate of the figure
before it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tongket.store.lang.figure_words import Vocab, currencies, label_words
from tongket.store.lang.text import fold
from tongket.store.parse.figure_text import WORD, BodyText
from tongket.store.record import Figure

if TYPE_CHECKING:
    from tongket.store.parse.figure_scan import Read


_PAREN = re.compile(r"\([^()]*\)")
_HEAD_CUT = re.compile(r".*[;:()\n]", re.S)
_HEAD_TOKEN = re.compile(r"[^\W_][\w\-&]*|,")
# words after which what follows names the thing counted: "trung tâm đã | tiếp nhận"
_ENDS_WITH_FIGURE = re.compile(r"[0-9][0-9.,]*%?(?:\s+[^\W\d_]+){0,3}\s*\Z")
_ANY_DIGIT = re.compile(r"[0-9]")
_HEAD_REACH = 90  # characters before a figure that its label is looked for in
_LABEL_WORDS = 6
GAP_STOP = re.compile(r"[\d;:]")


def qualifier_before(t: BodyText, start: int, v: Vocab) -> tuple[str | None, int]:
    m = v.qualifier_re.search(t.low, max(0, start - 16), start)
    if m:
        return t.body[m.start():start - 1], m.start()
    return None, start


def change_word_before(t: BodyText, pos: int, v: Vocab) -> tuple[str | None, int]:
    m = v.change_re.search(t.low, max(0, pos - 14), pos)
    if m:
        return v.change_words[m.group(1)], m.start()
    return None, pos


def _strip_fillers(words: list[str], v: Vocab) -> list[str]:
    """Drop filler verbs and words ("đạt", "tổng số", "trong đó") from both ends."""
    a, b = 0, len(words)
    while b > a and words[b - 1] == ",":
        b -= 1
    if a == b:
        return []
    low = " ".join(words).lower().split(" ")  # words hold no spaces: one lower() for all
    edges, fillers = v.filler_edges, v.fillers
    changed = True
    while a < b and changed:
        changed = False
        if low[a] not in edges and low[b - 1] not in edges:
            break
        for n in (3, 2, 1):
            if b - a >= n and tuple(low[b - n:b]) in fillers:
                b -= n
                changed = True
                break
            if b - a >= n and tuple(low[a:a + n]) in fillers and tuple(low[a:a + n + 1]) not in v.keep:
                a += n
                changed = True
                break
    return words[a:b]




def head_words(t: BodyText, lo: int, hi: int, v: Vocab, bracketed: bool = True) -> str:
    """The words naming a figure, written before it: from `lo` (previous figure or clause
    start) to `hi` (the qualifier), without brackets, numbers and filler verbs. A figure
    that opens a bracket (`bracketed`) is named by the words before the bracket."""
    lw = label_words()
    if hi - lo > _HEAD_REACH:  # only the last words can name the figure; start at a word
        lo = t.body.find(" ", hi - _HEAD_REACH, hi) + 1 or hi - _HEAD_REACH
    text = t.body[lo:hi]
    if "(" in text:
        text = _PAREN.sub(" ", text)
    if lw.compared_with in t.low[lo:hi]:
        text = lw.vs_in_head.sub(" ", text)
    m = _HEAD_CUT.match(text)
    if m:
        rest = text[m.end():]
        if bracketed and text[m.end() - 1] == "(" and not rest.strip(" ,:") and not _ENDS_WITH_FIGURE.search(text, 0, m.end() - 1):
            rest = text[:m.end() - 1]  # "thu xổ số (5.056 tỷ đồng)": named before the bracket
            m2 = _HEAD_CUT.match(rest)
            rest = rest[m2.end():] if m2 else rest
        text = rest
    tokens = _HEAD_TOKEN.findall(lw.digit_word.sub(" ", text) if _ANY_DIGIT.search(text) else text)
    tokens = _strip_fillers(tokens, v)
    low = " ".join(tokens).lower()
    starts = [m.start() for m in lw.starter_at.finditer(low)]
    best = starts[-1] if starts else -1
    if best >= 0:
        pre = low[:best].rstrip()
        for s in lw.starters:  # "tốc độ tăng trưởng": keep the starter before the starter
            if pre.endswith(s):
                best = pre.rfind(s)
                pre = low[:best].rstrip()
        tokens = low[:best].count(" ") and tokens[len(low[:best].split()):] or tokens
    else:
        if "," in tokens:
            tokens = tokens[len(tokens) - tokens[::-1].index(","):]
        tokens = _after_subject(tokens)
    words = _strip_fillers([w for w in tokens if w != ","], v)
    return " ".join(words[-10:])


def _is_name_word(w: str) -> bool:
    return w[:1].isupper() and not w.isupper()


def _after_subject(tokens: list[str]) -> list[str]:
    """Drop the clause's subject: what follows its last verb marker ("trung tâm đã tiếp
    nhận" -> "tiếp nhận") or its last name ("Nguyễn Văn Sơn trao Bằng khen" -> "trao
    Bằng khen"), as long as some words are left."""
    cut = 0
    names = [_is_name_word(w) for w in tokens]
    for i in range(len(tokens) - 1):
        if tokens[i].lower() in label_words().subject_markers:
            cut = i + 1
        elif names[i] and i >= 2 and names[i - 1] and names[i - 2] and tokens[i + 1][:1].islower():
            cut = i + 1  # a name of three or more capitalised words, then lower-case words
    return tokens[cut:] if cut < len(tokens) else tokens


def _cut_preps(label: str) -> str:
    """'tăng trưởng kinh tế của tỉnh' -> 'tăng trưởng kinh tế' (for rates and money)."""
    for p in label_words().cut_after:
        i = label.lower().find(p)
        if i > 0:
            label = label[:i]
    return label


def cut_or_abbreviated(body: str, end: int) -> bool:
    """A word ending at `end` is not a whole word: "v" of "v.v...", or the last word of an
    excerpt cut off mid-word ("35 đơn th")."""
    return end == len(body) or (body[end:end + 1] == "." and body[end + 1:end + 2].isalpha())


def tail_words(t: BodyText, pos: int, v: Vocab, about: bool = False) -> tuple[str, int]:
    """Words right after the unit that say more about it ("văn bản đến", "tin nhắn được gửi đi").
    A ratio (`about`) may go on with what it measures ("tăng 2 lần về số dự án")."""
    lw = label_words()
    words: list[str] = []
    j = pos
    ends: list[int] = []
    while len(words) < 6:
        if j >= len(t.body) or t.body[j] != " ":
            break
        wm = WORD.match(t.body, j + 1)
        if not wm:
            break
        w = wm.group(0)
        if w.lower() in lw.tail_stop and not (about and not words and w.lower() == "về"):
            break
        if cut_or_abbreviated(t.body, wm.end()):
            break
        if lw.range_next.match(t.low, wm.start()):
            break
        words.append(w)
        ends.append(wm.end())
        j = wm.end()
    while words and words[-1].lower() in lw.tail_trailing:
        words.pop()
        ends.pop()
    return " ".join(words), (ends[-1] if ends else pos)


def label_for(t: BodyText, r: Read, head: str, tail: str, clause_head: str) -> str:
    """What the figure counts: the unit and the words after it ("văn bản đến"); for rates
    and money, the words before it ("tỷ lệ hồ sơ nộp trực tuyến")."""
    unit = r.unit
    if unit is None or unit == "%" or unit in currencies():
        head = _cut_preps(head or ("" if tail else clause_head))
        parts = [p for p in (head, tail) if p]
        return " ".join(parts) or (unit or "")
    if tail:
        return f"{unit} {tail}"
    if head and fold(unit) in fold(head):
        return head
    head = _cut_preps(head)
    if head:
        return f"{unit} {_last_words(head, _LABEL_WORDS)}"
    return unit


def _last_words(text: str, n: int) -> str:
    """The last `n` words. A cut lands at a preposition when one is near ("khiếu nại | về
    lĩnh vực"), else reaches back over a capitalised word cut in two ("Trung | tâm")."""
    words = text.split()
    i = max(0, len(words) - n)
    if i == 0:
        return text
    at = next((j for j in range(max(1, i - 2), min(i + 3, len(words) - 1)) if words[j].lower() in label_words().label_preps), None)
    if at is not None:
        return " ".join(words[at:])
    while 0 < i and words[i - 1][:1].isupper() and i > len(words) - n - 2:
        i -= 1
    return " ".join(words[i:])


def rate_label(t: BodyText, end: int, prev: Figure | None, start: int) -> str:
    """A percentage with no words of its own: of what it is compared with ("đạt 24,9% so
    với dự toán"), else a rate of the figure just before it ("2.998 hồ sơ, đạt 99,9%")."""
    lw = label_words()
    m = lw.so_after.match(t.body, end)
    if m:
        return label_words().compared_stop.sub("", m.group(1)).strip()
    if prev and start - prev.span[1] <= 60 and not GAP_STOP.search(t.body, prev.span[1], start):
        return f"{lw.rate_word} {prev.label}"
    return ""


def compared_after(t: BodyText, pos: int) -> tuple[str | None, int]:
    m = label_words().vs_after.match(t.body, pos)
    if m:
        return label_words().compared_stop.sub("", m.group(1)).strip(), m.end()
    return None, pos
