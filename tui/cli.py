"""The `tongket` console script: the app without a command, the headless CLI otherwise.

Textual is imported only when the app actually starts, so `tongket list` and friends stay
quick and work where no terminal UI can run.
"""

from __future__ import annotations

import sys
from typing import Sequence

from tongket.store.cli import main as store_cli
from tongket.store.errors import TongketError


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = store_cli.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else store_cli.EXIT_USAGE
    if args.command is not None:
        return store_cli.run(args)
    return launch_app(getattr(args, "store", None))


def launch_app(store_path: str | None) -> int:
    """Open the app on the archive, loading the bundled sample into an empty one first."""
    from tongket.store.archive.sample import ensure_sample_at

    try:
        report = ensure_sample_at(store_path)
    except (TongketError, OSError) as exc:
        print(f"tongket: {exc}", file=sys.stderr)
        return store_cli.EXIT_FAILED
    if report is not None and report.added:
        print(f"tongket: loaded {len(report.added)} sample articles into the new archive", file=sys.stderr)
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        print("tongket: the app needs a terminal; showing the list instead (see `tongket --help`)", file=sys.stderr)
        return store_cli.main(["list"] + (["--store", store_path] if store_path else []))
    from tongket.tui.app import run_app  # Textual loads only when the app starts

    run_app(store_path)
    return store_cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
