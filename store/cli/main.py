"""The headless command line: `tongket COMMAND`. Each command lives in the module of its job
(articles, ingest, figures, repair), which registers its own arguments.

Kept free of Textual so scripts and servers can use the archive without a terminal UI.
Errors reach the user as one line on stderr; exit codes: 0 ok, 1 some input or the
archive failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import importlib
import os
import sys
from contextlib import contextmanager
from typing import Any, Iterator, NoReturn, Sequence

from tongket.store.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, err, store_folder
from tongket.store.errors import TongketError

# Each command's module (it registers the command's arguments). A command line that names
# one imports only its module: importing all four cost ~30 ms of every command.
COMMANDS = {
    "parse": "articles", "list": "articles", "show": "articles", "export": "articles", "set": "articles",
    "ingest": "ingest", "sample": "ingest", "remove": "ingest",
    "lookup": "figures", "metrics": "figures", "pivot": "figures", "figures": "figures",
    "doctor": "repair", "compact": "repair",
}
COMMAND_MODULES = ("articles", "ingest", "figures", "repair")  # in the order `--help` lists them


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tongket")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


class _VersionAction(argparse.Action):
    """`--version`, asking the package metadata only when used (importing it costs ~40 ms
    on every command otherwise)."""

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        print(f"tongket {_version()}")  # on stdout, as argparse's own version action
        parser.exit()


def _columns() -> int:
    """The terminal's width as `shutil.get_terminal_size` reads it ($COLUMNS, else the
    terminal of stdout, else 80), without importing shutil (and the compressors it loads):
    argparse asks for it on every parser it makes, a command that prints no help included."""
    try:
        columns = int(os.environ.get("COLUMNS", 0))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help is formatted by `_Formatter` (its subcommands' too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def _command_of(argv: Sequence[str]) -> str | None:
    """The command an argument list names (its first word that is not an option or the
    value of --store), or None."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif len(arg) > 2 and "--store".startswith(arg):  # argparse takes "--st X" for "--store X"
            skip = True
        elif not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for `argv`: with only the named command's module when it names one, else
    with every command (for `--help` and for argparse's list of choices)."""
    command = _command_of(argv) if argv is not None else None
    modules = (COMMANDS[command],) if command else COMMAND_MODULES
    store = _Parser(add_help=False)
    store.add_argument(
        "--store", metavar="PATH", default=argparse.SUPPRESS, type=store_folder,
        help="archive folder (default: $TONGKET_STORE, else the user data folder)",
    )
    parser = _Parser(
        prog="tongket", parents=[store],
        description="Browse and question an archive of Vietnamese provincial-office review articles. "
        "Without a command, opens the app.",
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in modules:
        importlib.import_module(f"tongket.store.cli.{name}").register(sub, store)
    return parser


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parsed arguments; raises SystemExit(2) on a usage error (argparse prints why)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    return build_parser(argv).parse_args(argv)


def run(args: argparse.Namespace) -> int:
    """Run a parsed command; every expected failure becomes one line on stderr."""
    if not args.command:
        args = parse_args(["list"] + (["--store", args.store] if getattr(args, "store", None) else []))
    try:
        with _few_collections():
            return args.handler(args)
    except UsageError as exc:
        err(str(exc))
        return EXIT_USAGE
    except TongketError as exc:
        from tongket.store.derived import snapshot_file  # only after a failure: the import costs

        if isinstance(exc, snapshot_file.Damaged) and not getattr(args, "_rebuilt", False):
            return _again_without(exc, args)
        err(str(exc))
        return EXIT_FAILED
    except BrokenPipeError:  # `tongket list | head`: the reader left; not an error
        _silence_stdout()
        return EXIT_OK
    except OSError as exc:
        from tongket.store.archive.storage import describe_os_error

        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        err(f"{where}{describe_os_error(exc)}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        err("interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug: still one line, never a traceback
        if os.environ.get("TONGKET_DEBUG"):
            raise
        err(f"internal error ({type(exc).__name__}: {exc}); nothing more was changed. "
             f"Please report it; TONGKET_DEBUG=1 shows the details")
        return EXIT_FAILED


RERUN = ("list", "show", "lookup", "metrics", "pivot")  # read and print only at the end: safe to run again


def _again_without(exc: Any, args: argparse.Namespace) -> int:
    """A snapshot column found damaged when first read (snapshot_file.Damaged): the file is
    dropped under the lock and a reading command is run again, whose open rebuilds it from
    archive.json; any other command stops, the next open rebuilding it."""
    from tongket.store.archive.lock import write_lock

    path = exc.path
    with write_lock(path.parent):
        try:
            path.unlink()
        except FileNotFoundError:
            pass  # another process dropped it first
    why = exc.why
    if args.command not in RERUN:
        err(f"{path}: {why}; dropped it (the next command rebuilds it from archive.json); nothing more was changed")
        return EXIT_FAILED
    err(f"{path}: {why}; rebuilt it from archive.json")
    args._rebuilt = True
    return run(args)


@contextmanager
def _few_collections() -> Iterator[None]:
    """A command collects cyclic garbage every 50,000 new containers, not every 700, and the
    interpreter's exit does not walk what the command made. Why: a command lives a second or
    so, and its collections found nothing to free while costing `list --province` at 100k
    ~50 ms of its ~310 ms CPU (young collections of the imports' and the snapshot's objects
    during it, then the full collections of interpreter exit). After it the default comes
    back without a collection (the objects are frozen while it is restored, then returned to
    the oldest generation: a caller that runs many commands, as the tests do, keeps
    collecting them), and everything is frozen at exit, when the process's memory goes anyway."""
    before = gc.get_threshold()
    gc.set_threshold(50_000, 10, 10)
    try:
        yield
    finally:
        gc.freeze()  # else restoring the threshold sets off a collection of all the command made
        gc.set_threshold(*before)
        gc.unfreeze()
        atexit.unregister(gc.freeze)  # registered once, however many commands a process runs
        atexit.register(gc.freeze)


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


def exit_after(code: int, argv: Sequence[str]) -> NoReturn:
    """Leave the process with `code` once `main(argv)` has run. A reading command (RERUN)
    leaves by `os._exit` after flushing stdout and stderr, without the interpreter's
    teardown. Why: at 100k `list --text --json` leaves ~90k rows, the snapshot's split
    columns and the indexes behind, and freeing them object by object cost ~20-40 ms of a
    ~0.5 s command whose output is already written. Safe for these commands only: they
    write nothing but derived files, each written and closed (and its lock released)
    inside the command, under `write_lock`; no thread, worker or atexit job of theirs is
    left (the atexit `gc.freeze` only spares a collection). Any other command, or a flush
    that fails (the reader of a pipe left), leaves through `sys.exit`, as before, so the
    interpreter reports or silences it as it always did."""
    if _command_of(argv) in RERUN:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            sys.exit(code)
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    exit_after(main(), sys.argv[1:])
