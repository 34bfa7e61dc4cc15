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
        code = store_cli.run(args)
        if argv is None:  # the console script: a reading command leaves as `python -m` does (exit_after)
            store_cli.exit_after(code, sys.argv[1:])
        return code
    return launch_app(getattr(args, "store", None))


def launch_app(store_path: str | None) -> int:
    """Open the app on the user's archive; while it is empty, on the read-only sample
    archive kept apart from it (L in the app leaves the sample for the user's archive)."""
    from tongket.store.archive.sample import app_store

    try:
        path, is_sample = app_store(store_path)
    except (TongketError, OSError) as exc:
        print(f"tongket: {exc}", file=sys.stderr)
        return store_cli.EXIT_FAILED
    if is_sample:
        print(f"tongket: your archive is empty; showing the bundled sample archive ({path}, read-only)",
              file=sys.stderr)
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        print("tongket: the app needs a terminal; showing the list instead (see `tongket --help`)", file=sys.stderr)
        return store_cli.main(["list", "--store", str(path)])
    if is_sample:
        from tongket.tui.sample_app import LEAVE_SAMPLE, run_sample_app  # Textual loads only when the app starts

        if run_sample_app(path) != LEAVE_SAMPLE:
            return store_cli.EXIT_OK
    from tongket.tui.app import run_app

    run_app(store_path)
    return store_cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
