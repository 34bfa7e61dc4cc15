"""Commands about articles: parse (stores nothing), list, show, export, set."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence


from tongket.store.cli.common import (EXIT_FAILED, EXIT_OK, MAX_BYTES_HELP, UsageError, add_filters, cell, make_console,
                                      err, json_out, max_bytes, open_archive, web_url)
from tongket.store.gc_pause import gc_paused
from tongket.store.lang.text import one_line
from tongket.store.record import PERIODS, Article, ArticleMeta, Rejection, StoredArticle, article_to_dict

if TYPE_CHECKING:
    from rich.console import JustifyMethod

def register(sub: Any, store: argparse.ArgumentParser) -> None:
    p = sub.add_parser("parse", parents=[store], help="parse files and print what was found (stores nothing)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--url", type=web_url, help="the page the file was saved from")
    p.add_argument("--json", action="store_true", help="print a JSON array of records")

    p.add_argument("--max-bytes", metavar="SIZE", help=MAX_BYTES_HELP)
    p.set_defaults(handler=cmd_parse)
    p = sub.add_parser("list", parents=[store], help="list articles, newest first")
    add_filters(p)
    p.add_argument("--text", help="only articles whose title or text contains this (accents optional)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)
    p = sub.add_parser("show", parents=[store], help="show one article")
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)
    p = sub.add_parser("export", parents=[store], help="write one article as Markdown")
    p.add_argument("id", metavar="ID")
    p.add_argument("-o", "--output", metavar="FILE", help="file or folder (default: a name from the title); - for stdout")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(handler=cmd_export)
    p = sub.add_parser("set", parents=[store], help="correct an article's province, year, period or title")
    p.add_argument("id", metavar="ID")
    p.add_argument("--province")
    p.add_argument("--year", type=int)
    p.add_argument("--period", choices=PERIODS)
    p.add_argument("--title")
    p.add_argument("--clear", action="append", default=[], metavar="FIELD",
                   choices=("province", "year", "period", "title"), help="undo a correction (repeatable)")
    p.set_defaults(handler=cmd_set)


def cmd_parse(args: argparse.Namespace) -> int:
    from tongket.store.archive.ingest import parse_one

    if args.url and len(args.files) > 1:
        raise UsageError("--url applies to a single file")
    limit = max_bytes(args)
    results: list[tuple[str, Article | Rejection]] = []
    for name in args.files:
        results.append((name, parse_one(Path(name), args.url, limit)))
    for name, result in results:
        if isinstance(result, Rejection):
            err(f"{name}: {result.reason}")
    if args.json:
        # One entry per file, in input order: a record, or an error object in its place.
        json_out([{"source_path": name, "error": r.reason} if isinstance(r, Rejection)
                  else {**article_to_dict(r), "source_path": name} for name, r in results])
    else:
        console = make_console()
        for _name, result in results:
            if not isinstance(result, Rejection):
                _print_article(console, result, figures=True, body=False)
    return EXIT_FAILED if any(isinstance(r, Rejection) for _n, r in results) else EXIT_OK


def _print_article(console, article: Article, *, figures: bool, body: bool, corrected: Sequence[str] = (),
                   sources: Sequence[str] = ()) -> None:
    from rich.table import Table
    from rich.text import Text

    from tongket.store.present.display import figure_value

    console.print(Text(one_line(article.title) or "(untitled)", style="bold"))
    info = Table.grid(padding=(0, 2))
    info.add_column(style="dim")
    info.add_column()
    mark = lambda f: " (corrected)" if f in corrected else ""  # noqa: E731
    def why(name: str) -> str:
        """How a parsed field was decided: "  (inferred: URL month folder 202103)"."""
        evidence, confidence = getattr(article, f"{name}_evidence"), getattr(article, f"{name}_confidence")
        if name in corrected or not evidence:
            return ""
        return f"  ({'inferred: ' if confidence == 'inferred' else ''}{evidence})"

    rows = [
        ("id", article.id),
        ("province", (article.province or "unknown") + mark("province") + why("province")),
        ("report year", (str(article.report_year) if article.report_year else "unknown") + mark("report_year")
         + why("report_year")),
        ("period", (article.period or "unknown") + mark("period") + why("period")),
        ("published", article.published and article.published + why("published")),
        ("event date", article.event_date and article.event_date + why("event_date")),
        ("byline", article.byline),
        ("source", article.source_url),
    ]
    rows += [("file", s) for s in sources]
    for name, value in rows:
        if value:
            info.add_row(cell(name), cell(value))
    console.print(info)
    for warning in article.warnings:
        console.print(cell(f"warning: {warning}"), style="yellow")
    if figures:
        if article.figures:
            table = Table(title=None, show_lines=False, expand=False)
            columns: tuple[tuple[str, JustifyMethod], ...] = (
                ("#", "right"), ("label", "left"), ("value", "right"), ("unit", "left"), ("metric", "left"))
            for col, justify in columns:
                table.add_column(col, justify=justify, overflow="fold")
            for i, f in enumerate(article.figures, 1):
                table.add_row(cell(i), cell(f.label), cell(figure_value(f)), cell(f.unit), cell(f.key))
            console.print(table)
        else:
            console.print(cell("no figures found"))
    if body:
        console.print()
        for para in article.body.split("\n\n"):
            if para.strip():
                console.print(cell(para))
                console.print()


def cmd_list(args: argparse.Namespace) -> int:
    archive = open_archive(args)
    filters = {"province": args.province, "year": args.year, "period": args.period, "text": args.text,
               "merged": args.merged}
    if args.json:
        from tongket.store.cli.list_json import list_rows

        with gc_paused():  # ~90k rows made, written and freed: a collection would walk them all and free none
            json_out(list_rows(archive, filters))
        return EXIT_OK
    metas = archive.query(**filters)
    from rich.table import Table

    console = make_console()
    widths = {"id": 10, "date": 10, "province": 14, "year": 4, "period": 10, "figs": 4}
    widths["title"] = max(20, console.width - sum(widths.values()) - 2 * len(widths))
    table = Table(box=None, pad_edge=False, show_edge=False)
    for col, width in widths.items():  # ids are cut, never ellipsised, so they paste back
        table.add_column(col, no_wrap=True, overflow="crop" if col == "id" else "ellipsis", width=width,
                         justify="right" if col in ("year", "figs") else "left")
    for m in metas:
        flag = "*" if m.corrected else ""
        table.add_row(cell(m.id[:10]), cell((m.published or m.event_date or "")[:10]), cell((m.province or "—") + flag),
                      cell(m.report_year or "—"), cell(m.period or "—"), cell(m.n_figures), cell(m.title))
    console.print(table)
    console.print(cell(f"{len(metas)} of {len(archive)} articles" + ("  (* = corrected by you)" if any(m.corrected for m in metas) else "")))
    return EXIT_OK


def _stored_json(stored: StoredArticle) -> dict[str, Any]:
    data = article_to_dict(stored.article)
    data["corrections"] = dict(stored.corrections)
    data["source_paths"] = list(stored.source_paths)
    data["ingested_at"] = stored.ingested_at
    return data


def cmd_show(args: argparse.Namespace) -> int:
    archive = open_archive(args)
    stored = archive.get(args.id)
    if args.json:
        json_out(_stored_json(stored))
    else:
        _print_article(make_console(), stored.article, figures=True, body=True, corrected=tuple(stored.corrections),
                       sources=stored.source_paths)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from tongket.store.present.export import default_export_name, to_markdown, write_markdown

    archive = open_archive(args)
    stored = archive.get(args.id)
    if args.output == "-":
        sys.stdout.write(to_markdown(stored))
        return EXIT_OK
    target = Path(args.output) if args.output else Path(default_export_name(stored))
    written = write_markdown(stored, target, force=args.force)
    print(str(written))
    return EXIT_OK


def cmd_set(args: argparse.Namespace) -> int:
    fields: dict[str, Any] = {}
    if args.province is not None:
        fields["province"] = args.province
    if args.year is not None:
        fields["report_year"] = args.year
    if args.period is not None:
        fields["period"] = args.period
    if args.title is not None:
        fields["title"] = args.title
    for name in args.clear:
        key = "report_year" if name == "year" else name
        if key in fields:
            raise UsageError(f"cannot both set and clear {name}")
        fields[key] = None
    if not fields:
        raise UsageError("nothing to set: give --province, --year, --period, --title or --clear")
    archive = open_archive(args)
    stored = archive.correct(args.id, **fields)
    a = stored.article
    print(one_line(f"{a.id}: province {a.province or 'unknown'}, year {a.report_year or 'unknown'}, "
                   f"period {a.period or 'unknown'}, title {a.title}"))
    return EXIT_OK
