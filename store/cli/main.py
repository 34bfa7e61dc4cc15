"""The headless command line: parse, ingest, list, lookup, show, export, set, sample.

Kept free of Textual so scripts and servers can use the archive without a terminal UI.
Errors reach the user as one line on stderr; exit codes: 0 ok, 1 some input or the
archive failed, 2 usage error. Article text is data: it is printed through Rich `Text`
objects (never parsed as markup) with control characters stripped.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable, Sequence

from tongket.store.present.display import figure_value, figure_with_unit
from tongket.store.errors import InputError, TongketError
from tongket.store.record import PERIODS, Article, ArticleMeta, FigureHit, Rejection, StoredArticle, article_to_dict
from tongket.store.archive.storage import describe_os_error
from tongket.store.lang.text import one_line

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MAX_BYTES_ENV = "TONGKET_MAX_BYTES"
MAX_BYTES_HELP = f"refuse input files larger than this (bytes, or with K/M/G; default ${MAX_BYTES_ENV}, else 5M)"
SOURCE_SUFFIXES = (".txt", ".html", ".htm")
PROGRESS_THRESHOLD = 20  # files; fewer finish before a bar would be worth drawing


class UsageError(TongketError):
    """Arguments that parse but do not make sense together."""


# ---------------------------------------------------------------- argument parsing


def build_parser() -> argparse.ArgumentParser:
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument(
        "--store", metavar="PATH", default=argparse.SUPPRESS,
        help="archive folder (default: $TONGKET_STORE, else the user data folder)",
    )
    parser = argparse.ArgumentParser(
        prog="tongket", parents=[store],
        description="Browse and question an archive of Vietnamese provincial-office review articles. "
        "Without a command, opens the app.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("parse", parents=[store], help="parse files and print what was found (stores nothing)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--url", help="the page the file was saved from")
    p.add_argument("--json", action="store_true", help="print a JSON array of records")

    p.add_argument("--max-bytes", metavar="SIZE", help=MAX_BYTES_HELP)

    p = sub.add_parser("ingest", parents=[store], help="add files or folders to the archive")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--url", help="source URL (only with a single file)")
    p.add_argument("--manifest", metavar="FILE", help="CSV with columns file,url")
    p.add_argument("--max-bytes", metavar="SIZE", help=MAX_BYTES_HELP)

    p = sub.add_parser("list", parents=[store], help="list articles, newest first")
    _filters(p)
    p.add_argument("--text", help="only articles whose title or text contains this (accents optional)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("lookup", parents=[store], help="find figures by label, unit or metric name")
    p.add_argument("query")
    _filters(p)
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("show", parents=[store], help="show one article")
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("export", parents=[store], help="write one article as Markdown")
    p.add_argument("id", metavar="ID")
    p.add_argument("-o", "--output", metavar="FILE", help="file or folder (default: a name from the title)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")

    p = sub.add_parser("set", parents=[store], help="correct an article's province, year, period or title")
    p.add_argument("id", metavar="ID")
    p.add_argument("--province")
    p.add_argument("--year", type=int)
    p.add_argument("--period", choices=PERIODS)
    p.add_argument("--title")
    p.add_argument("--clear", action="append", default=[], metavar="FIELD",
                   choices=("province", "year", "period", "title"), help="undo a correction (repeatable)")

    sub.add_parser("sample", parents=[store], help="load the bundled sample articles into the archive")

    p = sub.add_parser("doctor", parents=[store], help="check the archive; repair it after damage (README: Recovery)")
    repair = p.add_mutually_exclusive_group()
    repair.add_argument("--restore", action="store_true", help="put the previous version (archive.json.bak) back")
    repair.add_argument("--salvage", action="store_true", help="rebuild archive.json from every readable article")
    return parser


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--province", help="province name, with or without accents; 'unknown' for none")
    p.add_argument("--year", type=int, help="report year")
    p.add_argument("--period", help=f"one of {', '.join(PERIODS)} or 'unknown'")
    p.add_argument("--merged", action="store_true", help="include every province of the 2025 merged unit")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parsed arguments; raises SystemExit(2) on a usage error (argparse prints why)."""
    return build_parser().parse_args(argv)


# ---------------------------------------------------------------- output helpers


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(file=sys.stderr if stderr else sys.stdout, markup=False, highlight=False, emoji=False,
                   soft_wrap=False)


def _err(message: str) -> None:
    print(f"tongket: {one_line(message)}", file=sys.stderr)


_C1 = re.compile("[\x7f-\x9f]")


def _json_out(data: Any) -> None:
    """JSON on stdout. json escapes C0 controls (ESC becomes \\u001b); the C1 range, which
    some terminals obey (\\x9b is CSI), is escaped here too, so data never drives the terminal."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    sys.stdout.write(_C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
    sys.stdout.write("\n")


def _t(value: Any) -> Any:
    """A Rich Text for a table cell: control characters stripped, never parsed as markup."""
    from rich.text import Text

    return Text(one_line("" if value is None else str(value)))


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*", re.IGNORECASE)


def parse_size(text: str, what: str) -> int:
    """ "5000000", "500K", "5M", "1.5MB" -> bytes; UsageError naming `what` otherwise."""
    match = _SIZE.fullmatch(text or "")
    if not match or float(match.group(1)) <= 0:
        raise UsageError(f"{what} must be a size in bytes such as 5000000, 500K or 5M, not {text!r}")
    scale = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def _max_bytes(args: argparse.Namespace) -> int | None:
    """The size limit for input files: --max-bytes, else $TONGKET_MAX_BYTES, else the default."""
    if getattr(args, "max_bytes", None):
        return parse_size(args.max_bytes, "--max-bytes")
    env = os.environ.get(MAX_BYTES_ENV, "").strip()
    return parse_size(env, MAX_BYTES_ENV) if env else None


def _store_path(args: argparse.Namespace) -> str | None:
    return getattr(args, "store", None)


def _open(args: argparse.Namespace):
    from tongket.store.archive.archive import Archive

    return Archive.open(_store_path(args))


# ---------------------------------------------------------------- commands


def cmd_parse(args: argparse.Namespace) -> int:
    from tongket.store.parse.article import parse_file

    if args.url and len(args.files) > 1:
        raise UsageError("--url applies to a single file")
    limit = _max_bytes(args)
    articles: list[Article] = []
    failed = 0
    for name in args.files:
        try:
            if limit is None:
                articles.append(parse_file(Path(name), url=args.url))
            else:
                articles.append(parse_file(Path(name), url=args.url, max_bytes=limit))
        except InputError as exc:
            failed += 1
            _err(f"{name}: {exc.reason}")
        except (TongketError, OSError, UnicodeError, ValueError) as exc:
            failed += 1
            _err(f"{name}: {getattr(exc, 'strerror', None) or exc}")
    if args.json:
        _json_out([article_to_dict(a) for a in articles])
    else:
        console = _console()
        for article in articles:
            _print_article(console, article, figures=True, body=False)
    return EXIT_FAILED if failed else EXIT_OK


def _print_article(console, article: Article, *, figures: bool, body: bool, corrected: Sequence[str] = (),
                   sources: Sequence[str] = ()) -> None:
    from rich.table import Table
    from rich.text import Text


    console.print(Text(one_line(article.title) or "(untitled)", style="bold"))
    info = Table.grid(padding=(0, 2))
    info.add_column(style="dim")
    info.add_column()
    mark = lambda f: " (corrected)" if f in corrected else ""  # noqa: E731
    rows = [
        ("id", article.id),
        ("province", (article.province or "unknown") + mark("province")),
        ("report year", (str(article.report_year) if article.report_year else "unknown") + mark("report_year")),
        ("period", (article.period or "unknown") + mark("period")),
        ("published", article.published),
        ("event date", article.event_date),
        ("byline", article.byline),
        ("source", article.source_url),
    ]
    rows += [("file", s) for s in sources]
    for name, value in rows:
        if value:
            info.add_row(_t(name), _t(value))
    console.print(info)
    for warning in article.warnings:
        console.print(_t(f"warning: {warning}"), style="yellow")
    if figures:
        if article.figures:
            table = Table(title=None, show_lines=False, expand=False)
            for col, justify in (("#", "right"), ("label", "left"), ("value", "right"), ("unit", "left"), ("metric", "left")):
                table.add_column(col, justify=justify, overflow="fold")
            for i, f in enumerate(article.figures, 1):
                table.add_row(_t(i), _t(f.label), _t(figure_value(f)), _t(f.unit), _t(f.key))
            console.print(table)
        else:
            console.print(_t("no figures found"))
    if body:
        console.print()
        for para in article.body.split("\n\n"):
            if para.strip():
                console.print(_t(para))
                console.print()


def _discover(paths: list[Path]) -> tuple[list[Path], list[Rejection]]:
    try:
        from tongket.store.archive.sources import discover
    except ImportError:
        return _discover_fallback(paths)
    return discover(paths)


def _discover_fallback(paths: list[Path]) -> tuple[list[Path], list[Rejection]]:
    found: list[Path] = []
    rejected: list[Rejection] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            rejected.append(Rejection(str(path), "no such file or folder"))
    return found, rejected


def _read_manifest(path: Path) -> tuple[list[tuple[Path, str | None]], list[Rejection]]:
    try:
        from tongket.store.archive.sources import read_manifest
    except ImportError:
        return _read_manifest_fallback(path)
    return read_manifest(path)


def _read_manifest_fallback(path: Path) -> tuple[list[tuple[Path, str | None]], list[Rejection]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeError) as exc:
        raise InputError(str(path), f"cannot read the manifest ({getattr(exc, 'strerror', None) or exc})") from None
    rows: list[tuple[Path, str | None]] = []
    rejected: list[Rejection] = []
    for row in csv.DictReader(text.splitlines()):
        name = (row.get("file") or "").strip()
        if not name:
            continue
        file = (path.parent / name)
        if file.is_file():
            rows.append((file, (row.get("url") or "").strip() or None))
        else:
            rejected.append(Rejection(str(file), "listed in the manifest but missing"))
    return rows, rejected


def _with_progress(run: Callable[[Callable[[int, int], None] | None], Any], total: int) -> Any:
    """Run with a Rich progress bar on stderr, only when stderr is a terminal and the job is big."""
    if total < PROGRESS_THRESHOLD or not sys.stderr.isatty():
        return run(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=_console(stderr=True), transient=True) as bar:
        task = bar.add_task("ingest", total=total)
        return run(lambda done, _total: bar.update(task, completed=done))


def cmd_ingest(args: argparse.Namespace) -> int:
    if not args.paths and not args.manifest:
        raise UsageError("give files or folders to ingest, or --manifest FILE")
    limit = _max_bytes(args)
    sources: list[tuple[Path, str | None]] = []
    rejected: list[Rejection] = []
    if args.paths:
        files, bad = _discover([Path(p) for p in args.paths])
        rejected.extend(bad)
        if args.url and len(files) != 1:
            raise UsageError("--url applies to a single file; use --manifest for many")
        sources.extend((f, args.url) for f in files)
    if args.manifest:
        rows, bad = _read_manifest(Path(args.manifest))
        sources.extend(rows)
        rejected.extend(bad)
    archive = _open(args)
    report = _with_progress(lambda progress: archive.ingest_files(sources, progress=progress, max_bytes=limit),
                            len(sources))
    failures = list(rejected) + list(report.failed)
    print(f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
          f"failed {len(failures)}  ({archive.path})")
    for rejection in failures:
        _err(f"{rejection.path}: {rejection.reason}")
    return EXIT_FAILED if failures else EXIT_OK


def _meta_json(meta: ArticleMeta) -> dict[str, Any]:
    data = asdict(meta)
    data["corrected"] = list(meta.corrected)
    return data


def cmd_list(args: argparse.Namespace) -> int:
    archive = _open(args)
    metas = archive.query(province=args.province, year=args.year, period=args.period, text=args.text,
                          merged=args.merged)
    if args.json:
        _json_out([_meta_json(m) for m in metas])
        return EXIT_OK
    from rich.table import Table

    console = _console()
    widths = {"id": 10, "date": 10, "province": 14, "year": 4, "period": 10, "figs": 4}
    widths["title"] = max(20, console.width - sum(widths.values()) - 2 * len(widths))
    table = Table(box=None, pad_edge=False, show_edge=False)
    for col, width in widths.items():
        table.add_column(col, no_wrap=True, overflow="ellipsis", width=width,
                         justify="right" if col in ("year", "figs") else "left")
    for m in metas:
        flag = "*" if m.corrected else ""
        table.add_row(_t(m.id[:10]), _t((m.published or m.event_date or "")[:10]), _t((m.province or "—") + flag),
                      _t(m.report_year or "—"), _t(m.period or "—"), _t(m.n_figures), _t(m.title))
    console.print(table)
    console.print(_t(f"{len(metas)} of {len(archive)} articles" + ("  (* = corrected by you)" if any(m.corrected for m in metas) else "")))
    return EXIT_OK


def _hit_json(hit: FigureHit) -> dict[str, Any]:
    return asdict(hit)


def cmd_lookup(args: argparse.Namespace) -> int:
    archive = _open(args)
    hits = archive.lookup(args.query, province=args.province, year=args.year, period=args.period,
                          merged=args.merged, limit=max(args.limit, 1))
    if args.json:
        _json_out([_hit_json(h) for h in hits])
        return EXIT_OK
    from rich.table import Table


    console = _console()
    widths = {"province": 12, "year": 4, "period": 10, "value": 10, "unit": 10, "article": 10}
    widths["label"] = max(10, console.width - sum(widths.values()) - 2 * len(widths))
    table = Table(box=None, pad_edge=False, show_edge=False)
    for col in ("province", "year", "period", "value", "unit", "label", "article"):
        table.add_column(col, justify="right" if col in ("year", "value") else "left", width=widths[col],
                         no_wrap=True, overflow="ellipsis")
    for h in hits:
        table.add_row(_t(h.province or "—"), _t(h.report_year or "—"), _t(h.period or "—"),
                      _t(figure_with_unit(h.value, None, h.display)), _t(h.unit or ""), _t(h.label), _t(h.article_id[:10]))
    if hits:
        console.print(table)
    console.print(_t(f"{len(hits)} figures"))
    return EXIT_OK


def _stored_json(stored: StoredArticle) -> dict[str, Any]:
    data = article_to_dict(stored.article)
    data["corrections"] = dict(stored.corrections)
    data["source_paths"] = list(stored.source_paths)
    data["ingested_at"] = stored.ingested_at
    return data


def cmd_show(args: argparse.Namespace) -> int:
    archive = _open(args)
    stored = archive.get(args.id)
    if args.json:
        _json_out(_stored_json(stored))
    else:
        _print_article(_console(), stored.article, figures=True, body=True, corrected=tuple(stored.corrections),
                       sources=stored.source_paths)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from tongket.store.present.export import default_export_name, write_markdown

    archive = _open(args)
    stored = archive.get(args.id)
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
    archive = _open(args)
    stored = archive.correct(args.id, **fields)
    a = stored.article
    print(one_line(f"{a.id}: province {a.province or 'unknown'}, year {a.report_year or 'unknown'}, "
                   f"period {a.period or 'unknown'}, title {a.title}"))
    return EXIT_OK


def cmd_sample(args: argparse.Namespace) -> int:
    from tongket.store.archive.sample import load_sample

    archive = _open(args)
    report = load_sample(archive)
    print(f"sample: added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
          f"failed {len(report.failed)}  ({archive.path})")
    for rejection in report.failed:
        _err(f"{rejection.path}: {rejection.reason}")
    return EXIT_FAILED if report.failed else EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    """Report the archive's state (exit 1 if something is wrong); repair on request."""
    from tongket.store.archive import doctor
    from tongket.store.archive.archive import default_store_path

    folder = Path(_store_path(args) or default_store_path()).expanduser()
    if not folder.is_dir():
        raise TongketError(f"no archive folder at {folder}")
    if args.restore or args.salvage:
        print(one_line(doctor.restore(folder) if args.restore else doctor.salvage(folder)))
    diagnosis = doctor.diagnose(folder)
    for line in diagnosis.lines():
        print(one_line(line))
    return EXIT_OK if diagnosis.healthy else EXIT_FAILED


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "parse": cmd_parse, "ingest": cmd_ingest, "list": cmd_list, "lookup": cmd_lookup, "show": cmd_show,
    "export": cmd_export, "set": cmd_set, "sample": cmd_sample, "doctor": cmd_doctor,
}


def run(args: argparse.Namespace) -> int:
    """Run a parsed command; every expected failure becomes one line on stderr."""
    command = args.command or "list"
    if command == "list" and not hasattr(args, "province"):
        args = parse_args(["list"] + (["--store", args.store] if getattr(args, "store", None) else []))
    try:
        return COMMANDS[command](args)
    except UsageError as exc:
        _err(str(exc))
        return EXIT_USAGE
    except TongketError as exc:
        _err(str(exc))
        return EXIT_FAILED
    except BrokenPipeError:  # `tongket list | head`: the reader left; not an error
        _silence_stdout()
        return EXIT_OK
    except OSError as exc:
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        _err(f"{where}{describe_os_error(exc)}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug: still one line, never a traceback
        if os.environ.get("TONGKET_DEBUG"):
            raise
        _err(f"internal error ({type(exc).__name__}: {exc}); nothing more was changed. "
             f"Please report it; TONGKET_DEBUG=1 shows the details")
        return EXIT_FAILED


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for the headless command line; returns the exit code."""
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # argparse: usage error (2) or --help (0)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
