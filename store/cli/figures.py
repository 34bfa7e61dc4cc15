"""Commands about figures across articles: lookup, metrics, pivot, figures.

A lookup that shows part of its answer says how much it leaves out ("showing 50 of 7,338
figures in 2,101 articles"); a pivot is built from every match, never the shown ones.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any


from tongket.store.cli.common import EXIT_OK, UsageError, add_filters, cell, json_out, make_console, open_archive
from tongket.store.present import pivot as pivots
from tongket.store.present import tables
from tongket.store.present.display import figure_with_unit
from tongket.store.record import FigureHit

if TYPE_CHECKING:
    from rich.console import JustifyMethod


def register(sub: Any, store: argparse.ArgumentParser) -> None:
    p = sub.add_parser("lookup", parents=[store], help="find figures by label, unit or metric name or key")
    p.add_argument("query", nargs="?", default="")
    add_filters(p)
    p.add_argument("--limit", type=int, default=50, help="show this many (default 50; 0: all)")
    _add_formats(p, json=True)
    p.add_argument("--metrics", action="store_true", help="list the metric catalogue instead (as `tongket metrics`)")
    p.set_defaults(handler=cmd_lookup)

    p = sub.add_parser("metrics", parents=[store], help="the metric catalogue with figure and province counts")
    p.add_argument("--json", action="store_true")
    p.add_argument("--unmatched", type=int, default=20, help="how many frequent unfiled labels to list")
    p.set_defaults(handler=cmd_metrics)

    p = sub.add_parser("pivot", parents=[store], help="one measure by province and year, from every match")
    p.add_argument("query")
    add_filters(p)
    p.add_argument("--label", action="store_true", help="compare by the best match's exact label, not its metric")
    p.add_argument("--unit", help="the unit to compare (default: the measure's most frequent)")
    p.add_argument("--kind", choices=("actual", "target", "rank"), default="actual")
    p.add_argument("--order", choices=pivots.ORDERS, default=None, help="rows: alpha (default), merged unit, value")
    _add_formats(p, json=True)
    p.set_defaults(handler=cmd_pivot)

    p = sub.add_parser("figures", parents=[store], help="every figure as one tidy table (CSV or JSON lines)")
    add_filters(p)
    p.add_argument("--text", help="only articles whose text holds this")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--csv", action="store_true", help="CSV (the default)")
    group.add_argument("--jsonl", action="store_true", help="one JSON object per line")
    p.add_argument("--bom", action="store_true", help="start the CSV with a byte-order mark (Excel on Windows)")
    p.set_defaults(handler=cmd_figures)


def _add_formats(p: argparse.ArgumentParser, *, json: bool) -> None:
    group = p.add_mutually_exclusive_group()
    if json:
        group.add_argument("--json", action="store_true")
    group.add_argument("--csv", action="store_true")
    group.add_argument("--md", action="store_true", help="Markdown pipe table")
    p.add_argument("--bom", action="store_true", help="start the CSV with a byte-order mark (Excel on Windows)")


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    return {"province": args.province, "year": args.year, "period": args.period, "merged": args.merged}


def _hit_json(hit: FigureHit) -> dict[str, Any]:
    data = asdict(hit)
    data["span"] = list(hit.span) if hit.span else None
    return data


def cmd_lookup(args: argparse.Namespace) -> int:
    if args.metrics:
        args.json, args.unmatched = bool(args.json), 20
        return cmd_metrics(args)
    if args.limit < 0:
        raise UsageError(f"--limit must be 0 (all) or more, not {args.limit}")
    if not args.query.strip():
        raise UsageError("lookup needs a query (a label, unit, metric name or key), or --metrics")
    archive = open_archive(args)
    result = archive.lookup_counted(args.query, limit=args.limit or None, **_filters(args))
    hits = result.hits
    if args.json or args.csv or args.md:
        hits = archive.with_details(hits)
    if args.json:
        json_out([_hit_json(h) for h in hits])
        return EXIT_OK
    if args.csv:
        sys.stdout.write(tables.hits_csv(hits, bom=args.bom))
        return EXIT_OK
    if args.md:
        sys.stdout.write(tables.hits_markdown(hits, heading=_count_line(len(hits), result.total, result.articles)))
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
                      cell(figure_with_unit(h.value, None, h.display)), cell(h.unit or ""), cell(h.label),
                      cell(h.article_id[:10]))
    if hits:
        console.print(table)
    console.print(cell(_count_line(len(hits), result.total, result.articles)))
    return EXIT_OK


def _count_line(shown: int, total: int, articles: int) -> str:
    whole = f"{total:,} figures in {articles:,} articles"
    return whole if shown >= total else f"showing {shown:,} of {whole}"


def cmd_metrics(args: argparse.Namespace) -> int:
    from tongket.store.lang.metrics import load_catalogue

    archive = open_archive(args)
    counts = archive.index.metric_counts()
    rows = [
        {"key": m.key, "name_vi": m.name_vi, "name_en": m.name_en,
         "figures": counts.get(m.key, (0, 0))[0], "provinces": counts.get(m.key, (0, 0))[1]}
        for m in load_catalogue().entries
    ]
    unmatched = archive.index.unmatched_labels(max(args.unmatched, 0))
    if args.json:
        json_out({"metrics": rows, "unmatched_labels": [{"label": lab, "figures": n} for lab, n in unmatched]})
        return EXIT_OK
    from rich.table import Table

    console = make_console()
    table = Table(box=None, pad_edge=False, show_edge=False)
    name_width = max(10, console.width - 34 - 9 - 9 - 6)
    columns: tuple[tuple[str, JustifyMethod, int], ...] = (
        ("key", "left", 34), ("figures", "right", 9), ("provinces", "right", 9), ("name", "left", name_width))
    for col, justify, width in columns:
        table.add_column(col, justify=justify, no_wrap=True, overflow="ellipsis", width=width)
    for r in rows:
        table.add_row(cell(r["key"]), cell(f"{r['figures']:,}"), cell(r["provinces"]), cell(f"{r['name_vi']} · {r['name_en']}"))
    console.print(table)
    if unmatched:
        console.print(cell(f"\nmost frequent labels filed under no metric ({len(unmatched)}):"))
        for lab, n in unmatched:
            console.print(cell(f"  {n:>7,}  {lab}"))
    return EXIT_OK


def cmd_pivot(args: argparse.Namespace) -> int:
    from tongket.store.lang.metrics import load_catalogue

    # --period names the table's period kind (year, half-year, quarter, other: term and
    # undated too); "term" still filters, and its table is the "other" one
    period = args.period if args.period in pivots.PIVOT_PERIODS else "other" if args.period else "year"
    filters = _filters(args)
    filters["period"] = None if args.period in pivots.PIVOT_PERIODS else args.period
    archive = open_archive(args)
    query = args.query.strip()
    measure = query if not args.label and load_catalogue().get(query) is not None else None  # a key names itself
    found = archive.index.measure_figures(query, measure=measure, by_label=args.label, table_period=period, **filters)
    hits = pivots.grouped(found, by_label=args.label)
    pivot = pivots.build_pivot(
        hits, measure=measure, unit=args.unit, period=period, kind=args.kind,
        order=args.order or ("merged" if args.merged else "alpha"), merged_unit=archive.index.provinces.merged_unit,
    )
    if args.json:
        json_out(tables.pivot_json(pivot))
    elif args.csv:
        sys.stdout.write(tables.pivot_csv(pivot, bom=args.bom))
    elif args.md:
        sys.stdout.write(tables.pivot_markdown(pivot))
    else:
        _print_pivot(pivot)
    return EXIT_OK


def _print_pivot(pivot: pivots.Pivot) -> None:
    from rich.table import Table

    console = make_console()
    header, rows = pivots.table(pivot)
    table = Table(box=None, pad_edge=False, show_edge=False, title=None)
    table.add_column("province", no_wrap=True, overflow="ellipsis", max_width=18)
    for i, year in enumerate(header[2:], start=2):
        widest = max([len(year), *(len(line[i]) for line in rows)])
        table.add_column(year, justify="right", no_wrap=True, min_width=widest)
    for line in rows:
        table.add_row(*(cell(c) for c in [line[0], *line[2:]]))
    console.print(cell(pivot.title))
    if rows:
        console.print(table)
    console.print(cell(pivots.LEGEND))
    console.print(cell(pivot.summary()))


def cmd_figures(args: argparse.Namespace) -> int:
    archive = open_archive(args)
    out = sys.stdout
    out.flush()
    archive.export_figures(out.buffer, "jsonl" if args.jsonl else "csv", bom=args.bom, province=args.province,
                           year=args.year, period=args.period, text=args.text, merged=args.merged)
    out.buffer.flush()
    return EXIT_OK
