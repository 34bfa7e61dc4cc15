"""Commands about figures across articles: lookup."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from tongket.store.cli.common import EXIT_OK, add_filters, cell, make_console, json_out, open_archive
from tongket.store.present.display import figure_with_unit
from tongket.store.record import FigureHit

def register(sub: Any, store: argparse.ArgumentParser) -> None:
    p = sub.add_parser("lookup", parents=[store], help="find figures by label, unit or metric name")
    p.add_argument("query")
    add_filters(p)
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_lookup)


def _hit_json(hit: FigureHit) -> dict[str, Any]:
    return asdict(hit)


def cmd_lookup(args: argparse.Namespace) -> int:
    archive = open_archive(args)
    hits = archive.lookup(args.query, province=args.province, year=args.year, period=args.period,
                          merged=args.merged, limit=max(args.limit, 1))
    if args.json:
        json_out([_hit_json(h) for h in hits])
        return EXIT_OK
    from rich.table import Table


    console = make_console()
    widths = {"province": 12, "year": 4, "period": 10, "value": 10, "unit": 10, "article": 10}
    widths["label"] = max(10, console.width - sum(widths.values()) - 2 * len(widths))
    table = Table(box=None, pad_edge=False, show_edge=False)
    for col in ("province", "year", "period", "value", "unit", "label", "article"):
        table.add_column(col, justify="right" if col in ("year", "value") else "left", width=widths[col],
                         no_wrap=True, overflow="ellipsis")
    for h in hits:
        table.add_row(cell(h.province or "—"), cell(h.report_year or "—"), cell(h.period or "—"),
                      cell(figure_with_unit(h.value, None, h.display)), cell(h.unit or ""), cell(h.label), cell(h.article_id[:10]))
    if hits:
        console.print(table)
    console.print(cell(f"{len(hits)} figures"))
    return EXIT_OK
