"""The doctor: report the archive's health, restore or salvage it (README: Recovery)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tongket.store.cli.common import EXIT_FAILED, EXIT_OK, open_archive, store_path
from tongket.store.errors import TongketError
from tongket.store.lang.text import one_line


def register(sub: Any, store: argparse.ArgumentParser) -> None:
    p = sub.add_parser("doctor", parents=[store], help="check the archive; repair it after damage (README: Recovery)")
    repair = p.add_mutually_exclusive_group()
    repair.add_argument("--restore", action="store_true", help="put the previous version (archive.json.bak) back")
    repair.add_argument("--salvage", action="store_true", help="rebuild archive.json from every readable article")
    repair.add_argument("--repair", action="store_true",
                        help="rebuild damaged or stale derived files and remove temporary leftovers")
    p.set_defaults(handler=cmd_doctor)
    c = sub.add_parser("compact", parents=[store],
                       help="merge the batches ingested since archive.json was written into a new archive.json")
    c.set_defaults(handler=cmd_compact)


def cmd_compact(args: argparse.Namespace) -> int:
    """Write the segments into archive.json now (ingest does it when they have grown)."""
    archive = open_archive(args)
    merged = archive.compact()
    print(f"merged {merged} batches into archive.json ({len(archive)} articles)" if merged
          else f"nothing to compact ({len(archive)} articles, all in archive.json)")
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    """Report the archive's state (exit 1 if something is wrong); repair on request."""
    from tongket.store.archive import derived_files, doctor, salvage
    from tongket.store.archive.layout import default_store_path

    folder = Path(store_path(args) or default_store_path()).expanduser()
    if not folder.is_dir():
        raise TongketError(f"no archive folder at {folder}")
    if args.restore or args.salvage:
        print(one_line(doctor.restore(folder) if args.restore else salvage.salvage(folder)))
    elif args.repair:
        print(one_line(derived_files.repair(folder)))
    diagnosis = doctor.diagnose(folder)
    for line in diagnosis.lines():
        print(one_line(line))
    return EXIT_OK if diagnosis.healthy else EXIT_FAILED
