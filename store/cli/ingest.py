"""Commands that add to the archive: ingest (files, folders, a manifest) and sample."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable

from tongket.store.archive.sources import discover, read_manifest
from tongket.store.cli.common import (EXIT_FAILED, EXIT_OK, MAX_BYTES_HELP, UsageError, make_console, err, max_bytes,
                                      open_archive, web_url)
from tongket.store.record import Rejection

PROGRESS_THRESHOLD = 20  # files; fewer finish before a bar would be worth drawing

def register(sub: Any, store: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ingest", parents=[store], help="add files or folders to the archive")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--url", type=web_url, help="source URL (only with a single file)")
    p.add_argument("--manifest", metavar="FILE", help="CSV with columns file,url")
    p.add_argument("--max-bytes", metavar="SIZE", help=MAX_BYTES_HELP)
    p.set_defaults(handler=cmd_ingest)
    p = sub.add_parser("sample", parents=[store], help="load the bundled sample articles into the archive")
    p.set_defaults(handler=cmd_sample)
    p = sub.add_parser("remove", parents=[store], help="take articles out of the archive (re-ingest brings them back)")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--source", action="append", default=[], metavar="PATH",
                   help="the articles read from this file, or from files under this folder (repeatable)")
    p.add_argument("--sample", action="store_true", help="the bundled sample articles")
    p.set_defaults(handler=cmd_remove)


def _with_progress(run: Callable[[Callable[[int, int], None] | None], Any], total: int) -> Any:
    """Run with a Rich progress bar on stderr, only when stderr is a terminal and the job is big."""
    if total < PROGRESS_THRESHOLD or not sys.stderr.isatty():
        return run(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=make_console(stderr=True), transient=True) as bar:
        task = bar.add_task("ingest", total=total)
        return run(lambda done, _total: bar.update(task, completed=done))


def cmd_ingest(args: argparse.Namespace) -> int:
    if not args.paths and not args.manifest:
        raise UsageError("give files or folders to ingest, or --manifest FILE")
    limit = max_bytes(args)
    sources: list[tuple[Path, str | None]] = []
    rejected: list[Rejection] = []
    if args.paths:
        files, bad = discover([Path(p) for p in args.paths])
        rejected.extend(bad)
        if args.url and len(files) != 1:
            raise UsageError("--url applies to a single file; use --manifest for many")
        sources.extend((f, args.url) for f in files)
    if args.manifest:
        rows, bad = read_manifest(Path(args.manifest))
        sources.extend(rows)
        rejected.extend(bad)
    archive = open_archive(args)
    report = _with_progress(lambda progress: archive.ingest_files(sources, progress=progress, max_bytes=limit),
                            len(sources))
    failures = list(rejected) + list(report.failed)
    print(f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
          f"failed {len(failures)}  ({archive.path})")
    for source in report.split:
        print(f"{source}: no longer the same text as its copies; now an article of its own "
              f"(URL and corrections carried over)")
    for rejection in failures:
        err(f"{rejection.path}: {rejection.reason}")
    return EXIT_FAILED if failures else EXIT_OK


def cmd_sample(args: argparse.Namespace) -> int:
    from tongket.store.archive.sample import load_sample

    archive = open_archive(args)
    report = load_sample(archive)
    print(f"sample: added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
          f"failed {len(report.failed)}  ({archive.path})")
    for rejection in report.failed:
        err(f"{rejection.path}: {rejection.reason}")
    return EXIT_FAILED if report.failed else EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    if not (args.ids or args.source or args.sample):
        raise UsageError("give article ids, --source PATH or --sample")
    archive = open_archive(args)
    ids = list(args.ids)
    for source in args.source:
        found = archive.ids_from(source)
        if not found:
            err(f"{source}: no article was read from it")
        ids.extend(found)
    if args.sample:
        from tongket.store.archive.sample import sample_ids

        ids.extend(sample_ids(archive))
    removed = archive.remove(ids) if ids else []
    print(f"removed {len(removed)}  ({archive.path}; the previous archive is kept as archive.json.bak, "
          f"and ingesting the files again brings them back with their corrections)")
    for aid in removed:
        print(aid)
    return EXIT_OK if removed or not (args.source or args.sample) else EXIT_FAILED
