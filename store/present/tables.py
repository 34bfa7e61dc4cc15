"""Tables taken away: CSV for spreadsheets and pandas, Markdown for notes and pandoc, JSON.

CSV is UTF-8 without a byte-order mark unless asked (`bom=True`): pandas, R and most tools
read UTF-8 directly and would keep a BOM as part of the first column's name; Excel on
Windows needs the BOM to show Vietnamese when a file is opened by double-click, hence the
option (README "Exports"). Markdown cells escape `|` and turn newlines into spaces, so
every row stays one pipe-table row.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence, TextIO

from tongket.store.derived.details import change_text
from tongket.store.lang.text import one_line
from tongket.store.present import pivot as pivots
from tongket.store.record import FigureHit

BOM = "\ufeff"

HIT_COLUMNS = (
    "article_id", "title", "province", "report_year", "period", "published", "metric_key", "label",
    "value", "unit", "qualifier", "of", "change", "kind", "sentence", "span", "source_url", "score",
)


def md_cell(value: Any) -> str:
    text = one_line("" if value is None else str(value))
    return text.replace("\\", "\\\\").replace("|", "\\|")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]], *, right: Sequence[int] = ()) -> str:
    """A GitHub/pandoc pipe table; columns in `right` are right-aligned."""
    lines = ["| " + " | ".join(md_cell(h) for h in header) + " |"]
    lines.append("|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|")
    lines.extend("| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def write_csv(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False) -> int:
    """Rows written (streamed: `rows` may be a generator). Each chunk of rows is written
    to a string first and reaches `out` in one write: the csv module writes row by row,
    and a text file encodes every write on its own (3x slower for 1.5M rows)."""
    if bom:
        out.write(BOM)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    n = 0
    for chunk in _chunks(rows, 2000):
        writer.writerows(chunk)
        out.write(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
        n += len(chunk)
    out.write(buffer.getvalue())  # the header of an empty table
    return n


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterable[list[Sequence[Any]]]:
    chunk: list[Sequence[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---------------------------------------------------------------- lookup results


def hit_row(h: FigureHit) -> list[Any]:
    return [
        h.article_id, h.title, h.province or "", h.report_year or "", h.period or "", h.published or "",
        h.key or "", h.label, pivots.plain_number(h.value), h.unit or "", h.qualifier or "",
        "" if h.of is None else pivots.plain_number(h.of), change_text(h.change), h.kind, h.sentence,
        "" if h.span is None else f"{h.span[0]}-{h.span[1]}", h.source_url or "", h.score,
    ]


def hits_csv(hits: Iterable[FigureHit], *, bom: bool = False) -> str:
    buf = io.StringIO()
    write_csv(buf, HIT_COLUMNS, (hit_row(h) for h in hits), bom=bom)
    return buf.getvalue()


def hits_markdown(hits: Sequence[FigureHit], *, heading: str = "") -> str:
    header = ("province", "year", "period", "value", "unit", "label", "qualifier", "kind", "published", "article", "source")
    rows = [
        (h.province or "", h.report_year or "", h.period or "", pivots.vn_number(h.value), h.unit or "", h.label,
         h.qualifier or "", h.kind, h.published or "", h.article_id, h.source_url or "")
        for h in hits
    ]
    head = f"{md_cell(heading)}\n\n" if heading else ""
    return head + markdown_table(header, rows, right=(1, 3))


# ---------------------------------------------------------------- pivots


def pivot_csv(pivot: pivots.Pivot, *, bom: bool = False) -> str:
    """Bare chosen values (they read back as numbers) and a `notes` column with the marks."""
    header, rows = pivots.table(pivot, numbers=True)
    buf = io.StringIO()
    body = [[*line, pivots.notes(pivot, row)] for line, row in zip(rows, pivot.rows)]
    write_csv(buf, [*header, "notes"], body, bom=bom)
    return buf.getvalue()


def pivot_markdown(pivot: pivots.Pivot) -> str:
    header, rows = pivots.table(pivot)
    right = tuple(range(2, len(header)))
    return (
        f"{md_cell(pivot.title)}\n\n"
        + markdown_table(header, rows, right=right)
        + f"\n{md_cell(pivots.LEGEND)}\n\n{md_cell(pivot.summary())}\n"
    )


def pivot_json(pivot: pivots.Pivot) -> dict[str, Any]:
    def source(h: FigureHit) -> dict[str, Any]:
        return {"article_id": h.article_id, "figure_index": h.figure_index, "value": h.value, "unit": h.unit,
                "label": h.label, "qualifier": h.qualifier, "kind": h.kind, "period": h.period,
                "published": h.published, "title": h.title, "sentence": h.sentence, "source_url": h.source_url}

    return {
        "measure": pivot.measure, "by_label": pivot.by_label, "unit": pivot.unit, "period": pivot.period,
        "kind": pivot.kind, "years": list(pivot.years), "choice": pivots.CHOICE_RULE, "legend": pivots.LEGEND,
        "left_out": dict(pivot.left_out),
        "rows": [
            {"province": r.province, "merged_unit": r.merged_unit,
             "cells": {str(y): {"value": c.chosen.value, "shown": c.text(), "mark": c.mark,
                                "conflict": c.conflict, "sources": [source(s) for s in c.sources]}
                       for y, c in sorted(r.cells.items())}}
            for r in pivot.rows
        ],
    }
