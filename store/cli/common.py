"""What every command shares: exit codes, argument helpers, safe output, opening the archive.

Article text is data: it is printed through Rich `Text` objects (never parsed as markup) with
control characters stripped, and JSON escapes the C1 range too.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any

from tongket.store.errors import TongketError
from tongket.store.lang.text import fold, one_line
from tongket.store.record import PERIODS

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MAX_BYTES_ENV = "TONGKET_MAX_BYTES"
MAX_BYTES_HELP = f"refuse input files larger than this (bytes, or with K/M/G; default ${MAX_BYTES_ENV}, else 5M)"


class UsageError(TongketError):
    """Arguments that parse but do not make sense together."""


UNKNOWN = "unknown"


def add_filters(p: argparse.ArgumentParser) -> None:
    """The filters `list` and `lookup` share. A value that names nothing is a usage error
    with the close names, never an empty answer that looks like "no such articles"."""
    p.add_argument("--province", type=province_filter, help="province name, with or without accents; 'unknown' for none")
    p.add_argument("--year", type=int, help="report year")
    p.add_argument("--period", type=period_filter, help=f"one of {', '.join(PERIODS)} or 'unknown'")
    p.add_argument("--merged", action="store_true", help="include every province of the 2025 merged unit")


def _close_matches(word: str, choices: list[str], n: int, cutoff: float) -> list[str]:
    """difflib's close matches, imported only for a value that names nothing."""
    import difflib

    return difflib.get_close_matches(word, choices, n=n, cutoff=cutoff)


def province_filter(text: str) -> str:
    """argparse type for --province: a name the province catalogue knows, or 'unknown'."""
    name = " ".join(text.split())
    if name.lower() == UNKNOWN:
        return UNKNOWN
    from tongket.store.lang.provinces import load_provinces  # a command without --province never loads it

    catalogue = load_provinces()
    if not name or catalogue.canonical(name):  # empty: no filter, as before
        return name
    by_fold = {fold(n): n for n in catalogue.names}
    close = [by_fold[f] for f in _close_matches(fold(name), list(by_fold), 3, 0.6)]
    hint = f"; did you mean {', '.join(close)}?" if close else f"; give a province name or {UNKNOWN!r}"
    raise argparse.ArgumentTypeError(f"unknown province {text!r}{hint}")


def period_filter(text: str) -> str:
    """argparse type for --period: one of PERIODS or 'unknown', in any case."""
    period = text.strip().lower()
    if not period or period in PERIODS or period == UNKNOWN:
        return period
    choices = (*PERIODS, UNKNOWN)
    close = _close_matches(period, list(choices), 2, 0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise argparse.ArgumentTypeError(f"unknown period {text!r}; {hint}choose one of {', '.join(choices)}")


def web_url(text: str) -> str:
    """argparse type for --url: the same rule as a manifest's url column."""
    from tongket.store.archive.sources import is_web_url  # imported only when a URL is given

    url = text.strip()
    if not is_web_url(url):
        raise argparse.ArgumentTypeError(f"{text!r} is not a web address (expected http:// or https://host/…)")
    return url


def store_folder(text: str) -> str:
    """argparse type for --store: an empty path would silently mean the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a folder path, not an empty string")
    return text



def make_console(stderr: bool = False):
    from rich.console import Console

    return Console(file=sys.stderr if stderr else sys.stdout, markup=False, highlight=False, emoji=False,
                   soft_wrap=False)


def err(message: str) -> None:
    print(f"tongket: {one_line(message)}", file=sys.stderr)


_UNSAFE_LEADS = (b"\x7f", b"\xc2", b"\xe2")  # the first byte of every match below
_UNSAFE_UTF8 = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")  # C1, bidi


def json_out(data: Any) -> None:
    """JSON on stdout, indented by 2. C0 controls are escaped by the encoder (ESC becomes
    \\u001b); the C1 range, which some terminals obey (\\x9b is CSI), and the bidi controls,
    which reorder what a terminal shows, are escaped here too (the same JSON values), so
    data never drives the terminal. Written by orjson (`json.dumps(indent=2)` cost a quarter
    of `list --text` at 100k); what orjson refuses (integers over 64 bits, keys that are not
    strings) by the json module, in the same layout."""
    import orjson

    try:
        raw = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        import json

        raw = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8", "surrogatepass")
    if any(lead in raw for lead in _UNSAFE_LEADS):  # else nothing to escape (a third of the time of the regex)
        raw = _UNSAFE_UTF8.sub(lambda m: b"\\u%04x" % ord(m.group().decode()), raw)
    out = sys.stdout
    out.flush()
    out.buffer.write(raw)
    out.buffer.flush()


def cell(value: Any) -> Any:
    """A Rich Text for a table cell: control characters stripped, never parsed as markup."""
    from rich.text import Text

    return Text(one_line("" if value is None else str(value)))


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*", re.IGNORECASE)
MAX_SIZE = 1024**5  # a limit above any file is no limit: "99999G" is taken as this, not overflowed


def parse_size(text: str, what: str) -> int:
    """ "5000000", "500K", "5M", "1.5MB" -> bytes; UsageError naming `what` otherwise."""
    match = _SIZE.fullmatch(text or "")
    if not match or float(match.group(1)) <= 0:
        raise UsageError(f"{what} must be a size in bytes such as 5000000, 500K or 5M, not {text!r}")
    scale = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]
    return int(min(float(match.group(1)) * scale, MAX_SIZE))


def max_bytes(args: argparse.Namespace) -> int | None:
    """The size limit for input files: --max-bytes, else $TONGKET_MAX_BYTES, else the default."""
    if getattr(args, "max_bytes", None):
        return parse_size(args.max_bytes, "--max-bytes")
    env = os.environ.get(MAX_BYTES_ENV, "").strip()
    return parse_size(env, MAX_BYTES_ENV) if env else None


def store_path(args: argparse.Namespace) -> str | None:
    return getattr(args, "store", None)


def open_archive(args: argparse.Namespace):  # noqa: ANN201 - Archive imported lazily
    from tongket.store.archive.archive import Archive

    archive = Archive.open(store_path(args))
    for problem in archive.problems:  # what reading set aside, said once per command
        err(problem)
    return archive
