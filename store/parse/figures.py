"""Find every quantity an article reports.

The reader walks the digits of the body once. Each run of digits is first ruled out if it
is a date, a time, a year, a document number, an ordinal or a portal counter; what is
left is read with its qualifier ("hơn"), scale word ("nghìn tỷ"), unit ("lượt đại
biểu"), `of` ("140/145") and a following change ("tăng 10,02% so với cùng kỳ"). Spelled
counts ("hai cá nhân") and breakdown lists ("Tin tức chung 668; ...") are read too.

Units and scale words: a scale word is multiplied into the value and the unit is the
thing counted ("gần 40 nghìn văn bản" -> 40000 văn bản, "9,3 nghìn tỷ đồng" -> 9.3e12
đồng, "1,765 tỷ USD" -> 1.765e9 USD). One exception, because Vietnamese investment
statistics report in it: a currency written with exactly its statistical scale keeps that
as its unit ("560 triệu USD" -> 560 triệu USD). Without a scale word it stays as written.

Labels are the article's words for what is counted: the unit and the words after it, or
for rates and money the words before it, without dates, document numbers, the clause's
subject ("trung tâm đã | tiếp nhận") or a person's name. A percentage with no words of its
own is named by what it is compared with ("so với dự toán") or is the rate of the figure
before it. Both ends of a range share the label, and a bare first end shares the unit of
the second ("56.000 - 61.000 tỷ đồng"). An amount in brackets is named by the words before
the bracket.

A bare scale word takes the unit its clause named ("hồ sơ gần 1,2 triệu") or none; a count
whose own words speak of money ("thu nhập bình quân 5 nghìn") takes only a currency.

The reader, one job per module, in the order they run:
  figure_text   the body's views (lower-cased, folded), sentences and clauses, same offsets
  figure_scan   which digit runs are quantities (dates, years, codes, counters ruled out), unit
  figure_label  the words around a number: qualifier, change word, label
  figure_build  Figure records: clause units, ranges, metric key, changes, one per quantity
The vocabulary is data, loaded and compiled once per process by `lang.figure_words`
(`data/units.json`, `data/figure_words.json`) and `lang.numbers` (`data/numbers.json`); the
metric keys come from `lang.metrics`. Words are compared lower-cased with one placement of
tone marks ("hoà" = "hòa"), so the vocabulary lists each word once. Text it cannot read
becomes a warning; a bug in the reader is not caught here but at the parser's one boundary
(`article.parse_text`, ingest's `parse_one`).

Speed: the body is lower-cased and folded once per article (through a one-byte code, see
`figure_text`), the full-text scans open with a character set so the regex engine skips
ahead, and the metric catalogue is asked with slices of the folded body.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from tongket.store.lang.figure_words import vocab
from tongket.store.lang.metrics import load_catalogue
from tongket.store.parse.figure_build import assemble
from tongket.store.parse.figure_scan import MAX_FIGURES, scan_breakdowns, scan_digits, scan_spelled
from tongket.store.parse.figure_text import MAX_SENTENCE, prepare
from tongket.store.record import Figure

__all__ = ["MAX_FIGURES", "MAX_SENTENCE", "extract_figures"]  # the caps, for callers that report them


def extract_figures(body: str) -> tuple[list[Figure], list[str]]:
    """Return the figures found in `body` (spans index into `body`) and warnings."""
    warnings: list[str] = []
    if not isinstance(body, str) or not body:
        return [], warnings
    if not unicodedata.is_normalized("NFC", body):
        return _extract_non_nfc(body)
    return _extract(body, warnings), warnings


def _extract_non_nfc(body: str) -> tuple[list[Figure], list[str]]:
    """Read the NFC form, then map spans back to the original text."""
    marks = re.compile(r".[\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*", re.S)
    pieces: list[str] = []
    starts: list[int] = []  # nfc offset -> original offset
    for m in marks.finditer(body):
        piece = unicodedata.normalize("NFC", m.group(0))
        for _ in piece:
            starts.append(m.start())
        pieces.append(piece)
    starts.append(len(body))
    norm = "".join(pieces)
    warnings: list[str] = []
    figs = _extract(norm, warnings)

    def back(span: tuple[int, int]) -> tuple[int, int]:
        a = starts[span[0]]
        b = starts[span[1]] if span[1] < len(starts) else len(body)
        return a, b

    out = []
    sentences: dict[tuple[int, int], str] = {}
    for f in figs:
        sp, ss = back(f.span), back(f.sentence_span)
        sentence = sentences.setdefault(ss, body[ss[0]:ss[1]])
        out.append(replace(f, span=sp, raw=body[sp[0]:sp[1]], sentence_span=ss, sentence=sentence))
    return out, warnings


def _extract(body: str, warnings: list[str]) -> list[Figure]:
    v = vocab()
    cat = load_catalogue()
    t = prepare(body)
    reads = scan_digits(t, v, warnings)
    taken = {r.start for r, _, _ in reads if r.unit or r.of is not None}
    breakdowns = scan_breakdowns(t, v, taken)
    claimed = {r.start for r, _, _ in breakdowns}
    reads = [x for x in reads if x[0].start not in claimed] + breakdowns + scan_spelled(t, v)
    reads.sort(key=lambda x: x[0].start)
    return assemble(t, v, cat, reads)
