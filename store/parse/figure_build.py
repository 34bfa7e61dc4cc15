"""Building Figure records from the numbers read: unit and label, metric key, the change
that follows a figure, and one record for one quantity.

Both ends of a range share the label, and a bare first end shares the unit of the second
("56.000 - 61.000 tỷ đồng"). A change ("tăng 15 cuộc họp so với năm 2018") joins the figure
before it; a quantity written twice in other sentences is kept once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from tongket.store.lang.figure_words import Vocab, label_words
from tongket.store.lang.metrics import MetricCatalogue
from tongket.store.lang.text import fold, fold_words
from tongket.store.parse.clause_unit import clause_unit_before
from tongket.store.parse.figure_label import (
    GAP_STOP, change_word_before, head_words, label_for, rate_label, tail_words, compared_after,
)
from tongket.store.parse.figure_scan import Read
from tongket.store.parse.figure_text import BodyText
from tongket.store.present.display import vn_number
from tongket.store.record import Change, Figure


_KEY_REACH = 160  # how far back a metric's phrase is looked for (the nearest one wins anyway)


@dataclass(frozen=True, slots=True)
class _Found:
    fig: Figure
    is_change: bool
    direction: str | None
    vs: str | None


@lru_cache(maxsize=1024)
def _fold_unit(unit: str | None) -> str:
    return fold(unit or "").strip()


def assemble(t: BodyText, v: Vocab, cat: MetricCatalogue, reads: list) -> list[Figure]:
    found: list[_Found] = []
    sentences: dict[tuple[int, int], str] = {}  # figures of one sentence share its text
    prev_end_in_sentence: dict[tuple[int, int], int] = {}
    for idx, (r, q, qs) in enumerate(reads):
        sent = t.sentence_span(r.start)
        clause = t.clause_span(r.start, sent)
        direction, cs = change_word_before(t, qs, v)
        if direction and q and q.lower() in label_words().amount_qualifiers:
            direction, cs = None, qs  # "vốn tăng thêm đạt 179,2 triệu USD": a noun, not a change
        raw_start = qs
        unit = r.unit
        prev_end = prev_end_in_sentence.get(sent, sent[0])
        lo = max(prev_end, clause[0]) if prev_end <= r.start else clause[0]
        is_breakdown = r.kind == "breakdown"
        from_clause = False
        if is_breakdown:
            # breakdown list: inherit the unit of the figure the list breaks down
            parent = next((f.fig for f in reversed(found) if f.fig.span[1] <= r.start and f.fig.sentence_span == sent and f.fig.unit), None)
            unit = parent.unit if parent else None
        elif unit is None and r.of is None and direction is None:
            if r.scale != 1.0:  # "hồ sơ gần 15 ngàn", "1,2 triệu": the clause names what is counted, or nothing does
                unit = clause_unit_before(t.body, sent[0], r.start, [(f.fig.span, f.fig.unit) for f in found if f.fig.sentence_span == sent])
                from_clause = unit is not None
            if unit is None:
                prev_end_in_sentence[sent] = r.end
                continue  # a bare number that no list or unit explains
        head_hi = cs if direction else raw_start
        head = t.body[qs:r.start].strip() if is_breakdown else head_words(t, lo, head_hi, v, bracketed=not direction)
        tail, tail_end = tail_words(t, r.end, v, about=r.unit in label_words().ratio_units) if r.unit else ("", r.end)
        prev = found[-1].fig if found and found[-1].fig.sentence_span == sent else None
        if is_breakdown:
            label = head
        else:
            label = _label_of(t, v, r, unit, head, tail, prev, raw_start, (clause[0], head_hi))
        next_start = reads[idx + 1][2] if idx + 1 < len(reads) else clause[1]
        after_hi = min(next_start, clause[1]) if next_start > r.end else clause[1]
        key = _key_of(t, cat, label, unit, prev, (lo, head_hi), (r.end, after_hi), clause)
        span_end = r.end
        vs = _compared_with(t, sent[0], r.end, cs) if direction else None
        raw = t.body[raw_start:span_end]
        display = t.body[r.start:span_end]
        if is_breakdown:
            display = f"{vn_number(r.value)} {unit}" if unit else vn_number(r.value)
        elif from_clause:
            display = f"{display} {unit}"  # "15 ngàn hồ sơ": the display names what is counted
        fig = Figure(
            value=float(r.value),
            unit=unit,
            label=label,
            raw=raw,
            display=display,
            sentence=sentences.setdefault(sent, t.body[sent[0]:sent[1]]),
            span=(raw_start, span_end),
            sentence_span=sent,
            key=key,
            qualifier=q,
            of=r.of,
            change=Change(r.value, unit, direction, vs) if direction else None,
        )
        found.append(_Found(fig, direction is not None, direction, vs))
        prev_end_in_sentence[sent] = tail_end
    return _dedupe(_attach_changes(t, found))


def _label_of(t: BodyText, v: Vocab, r: Read, unit: str | None, head: str, tail: str, prev: Figure | None,
              raw_start: int, head_span: tuple[int, int]) -> str:
    """The label of a figure that is not a breakdown entry; `head_span`: its clause start
    and where its own head words end."""
    if prev and prev.unit == unit and label_words().range_gap.match(t.body[prev.span[1]:raw_start]):
        return prev.label  # "từ 7,5% đến 8%": both ends of one range
    if unit == "%" and not head and not tail:
        label = rate_label(t, r.end, prev, raw_start) or label_for(t, r, head, tail, head_words(t, *head_span, v))
        return f"{label_words().rate_word} {prev.label}" if label in ("%", "") and prev else label
    clause_head = "" if head or tail else head_words(t, *head_span, v)
    label = label_for(t, r, head, tail, clause_head)
    if unit == "%" and label in ("%", "") and prev:
        label = f"{label_words().rate_word} {prev.label}"  # "2.998 hồ sơ, đạt tỷ lệ 99,9%"
    return label


def _key_of(t: BodyText, cat: MetricCatalogue, label: str, unit: str | None, prev: Figure | None,
            head: tuple[int, int], after: tuple[int, int], clause: tuple[int, int]) -> str | None:
    """The metric a figure reports, asked with the words before it (`head`: from, to) and
    after it (`after`), then with wider slices of its clause."""
    (lo, head_hi), (end, after_hi) = head, after
    label_f, unit_f = fold(label), _fold_unit(unit)
    key = cat.key_for_folded(label_f, unit_f, t.folded[max(lo, head_hi - _KEY_REACH):head_hi], t.folded[end:after_hi])
    if key is None and prev and label == f"{label_words().rate_word} {prev.label}":  # "trả trước hạn 22.357 hồ sơ, đạt 83%"
        key = cat.key_for_folded(label_f, unit_f, t.folded[max(clause[0], head_hi - _KEY_REACH):head_hi], "")
    if key is None and after_hi < clause[1]:  # "03 tập thể và 06 cá nhân được tặng Bằng khen": the clause's end names both
        key = cat.key_for_folded(label_f, unit_f, "", t.folded[end:clause[1]])
    return key


def _compared_with(t: BodyText, sent_start: int, end: int, change_start: int) -> str | None:
    """What a change is compared with: "so với cùng kỳ" after it, else before its change word."""
    vs, _ = compared_after(t, end)
    if vs is None:
        m = label_words().vs_before.search(t.body, max(sent_start, change_start - 70), change_start)
        vs = m.group(1).strip() if m else None
    return vs


def _attach_changes(t: BodyText, found: list[_Found]) -> list[Figure]:
    """'129 cuộc họp, tăng 15 cuộc họp so với năm 2018': the change belongs to 129."""
    out: list[Figure] = []
    for f in found:
        if f.is_change and out:
            base = out[-1]
            gap = t.body[base.span[1]:f.fig.span[0]]
            same_sentence = base.sentence_span == f.fig.sentence_span
            unit_ok = f.fig.unit in ("%", None, base.unit) or (base.unit or "").startswith(f.fig.unit or "")
            if same_sentence and base.change is None and len(gap) <= 40 and not GAP_STOP.search(gap) and unit_ok:
                out[-1] = replace(base, change=Change(f.fig.value, f.fig.unit or base.unit, f.direction or "up", f.vs))
                continue
        out.append(f.fig)
    return out


def _dedupe(figs: list[Figure]) -> list[Figure]:
    """One quantity written twice ("hai cá nhân" ... "2 cá nhân") is one figure: same value
    and unit in another sentence, filed under the same metric or with the same label.
    Two figures in one sentence are always two things."""
    out: list[Figure] = []
    seen: dict[tuple[float, str | None], list[Figure]] = {}
    for f in figs:
        twins = seen.setdefault((f.value, f.unit), [])
        dup = any(
            g.sentence_span != f.sentence_span
            and g.of == f.of
            and (
                (f.key is not None and g.key == f.key)
                or _same_label(g, f)
            )
            for g in twins
        )
        if dup:
            continue
        twins.append(f)
        out.append(f)
    return out


def _same_label(a: Figure, b: Figure) -> bool:
    """Labels name the same thing: equal, or one extends the other, and more than the unit."""
    la, lb = fold_words(a.label), fold_words(b.label)
    if la == fold_words(a.unit or "") or lb == fold_words(b.unit or ""):
        return False
    return la == lb or la.startswith(lb + " ") or lb.startswith(la + " ")
