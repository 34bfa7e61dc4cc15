"""Which files to ingest: paths and folders from the command line, or a manifest of files
with the web address each was scraped from.

Nothing is dropped silently: a path that names nothing, a broken link or a bad manifest row
comes back as a `Rejection` next to the files that are fine, so one typo does not stop the
rest of an import.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from tongket.store.parse.decode import DEFAULT_MAX_BYTES, decode_text, display_path, read_bytes
from tongket.store.errors import InputError
from tongket.store.record import Rejection

ARTICLE_SUFFIXES = frozenset({".txt", ".html", ".htm"})


# ---------------------------------------------------------------- paths and folders


def discover(paths: Iterable[Path | str]) -> tuple[list[Path], list[Rejection]]:
    """Article files under `paths`, sorted and without duplicates, and what could not be used.

    A file named explicitly is taken whatever its extension (the decoder judges it); inside
    folders only .txt/.html/.htm files count and hidden entries (".git", "._x.txt" from
    macOS) are skipped. Folder links are followed once each; a link loop is reported and
skipped, and any nesting depth is walked (the walk is iterative).
    """
    found: dict[Path, Path] = {}  # resolved -> as found
    rejected: dict[str, Rejection] = {}

    def reject(path: Path | str, reason: str) -> None:
        name = display_path(path)
        rejected.setdefault(name, Rejection(name, reason))

    def add(path: Path) -> None:
        try:
            key = path.resolve()
        except (OSError, RuntimeError):  # RuntimeError: link loop on older Pythons
            key = Path(os.path.abspath(path))
        found.setdefault(key, path)

    for given in paths:
        path = Path(given)
        if _is_broken_link(path):
            reject(path, "is a broken symbolic link")
        elif not _exists(path):
            reject(path, "does not exist")
        elif path.is_dir():
            _walk(path, add, reject, set())
        else:
            add(path)
    files = sorted(found.values(), key=lambda p: str(p))
    return files, sorted(rejected.values(), key=lambda r: r.path)


def _walk(
    top: Path,
    add: Callable[[Path], None],
    reject: Callable[[Path, str], None],
    seen: set[tuple[int, int]],
) -> None:
    """Every article file under `top`, in name order, with an explicit stack: nesting depth
    costs memory, not Python's recursion limit, so one deep tree cannot stop a whole ingest.
    A folder link back to a folder it sits in is reported as a loop."""
    stack: list[tuple[Path, tuple[tuple[int, int], ...]]] = [(top, ())]  # folder, its ancestors' ids
    while stack:
        folder, ancestors = stack.pop()
        try:
            info = folder.stat()
        except OSError as exc:
            reject(folder, _loop_reason(folder) if _is_loop_error(exc) else f"cannot be opened: {_strerror(exc)}")
            continue
        ident = (info.st_dev, info.st_ino)
        if ident in ancestors:
            reject(folder, _loop_reason(folder))
            continue
        if ident in seen:  # a second way to a folder already walked: its files are in
            continue
        seen.add(ident)
        try:
            with os.scandir(folder) as entries:
                children = sorted(entries, key=lambda e: e.name)
        except OSError as exc:
            reject(folder, f"cannot be listed: {_strerror(exc)}")
            continue
        inner = (*ancestors, ident)
        subfolders = []
        for entry in children:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()  # follows links; a link to itself raises ELOOP
            except OSError as exc:
                if _is_loop_error(exc):
                    reject(path, _loop_reason(path))
                continue
            if is_dir:
                subfolders.append((path, inner))
            elif is_link and not _exists(path):
                if _is_looping_link(path):
                    reject(path, _loop_reason(path))
                elif path.suffix.lower() in ARTICLE_SUFFIXES:
                    reject(path, "is a broken symbolic link")
            elif path.suffix.lower() in ARTICLE_SUFFIXES:
                add(path)
        stack.extend(reversed(subfolders))  # popped in name order


def _is_loop_error(exc: OSError) -> bool:
    return exc.errno == errno.ELOOP


def _is_looping_link(path: Path) -> bool:
    try:
        os.stat(path)
    except OSError as exc:
        return _is_loop_error(exc)
    return False


def _loop_reason(path: Path) -> str:
    try:
        target = f" (it points to {os.readlink(path)})"
    except (OSError, ValueError):
        target = ""
    return f"is a symbolic link loop{target}: skipped"


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _is_broken_link(path: Path) -> bool:
    try:
        return path.is_symlink() and not path.exists()
    except (OSError, ValueError):
        return False


def _strerror(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


# ---------------------------------------------------------------- manifests

def read_manifest(
    path: Path | str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[tuple[Path, str | None]], list[Rejection]]:
    """Files and source URLs listed in a CSV (`file`,`url` header) or JSONL manifest.

    Relative file paths are relative to the manifest's folder. Each bad row becomes a
    Rejection "line N: problem" naming the manifest; the good rows still come through. A
    manifest that cannot be read at all is one Rejection.
    """
    path = Path(path)
    name = display_path(path)
    try:
        text = decode_text(read_bytes(path, max_bytes=max_bytes), name)
    except InputError as exc:
        return [], [Rejection(name, exc.reason)]
    if _is_jsonl(path, text):
        rows = _jsonl_rows(text)
    else:
        try:
            rows = _csv_rows(text)
        except _Unreadable as exc:
            return [], [Rejection(name, str(exc))]
    good: list[tuple[Path, str | None]] = []
    bad: list[Rejection] = []
    first_line: dict[Path, int] = {}
    for line, file, url, problem in rows:
        if problem is None:
            target, url, problem = _check_row(path.parent, file, url)
        if problem is None:
            key = _key(target)
            if key in first_line:
                problem = f"{file!r} is already listed on line {first_line[key]}"
            else:
                first_line[key] = line
                good.append((target, url))
                continue
        bad.append(Rejection(name, f"line {line}: {problem}"))
    return good, bad


class _Unreadable(Exception):
    """The manifest as a whole makes no sense (no header, no `file` column)."""


def _is_jsonl(path: Path, text: str) -> bool:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return True
    if suffix == ".csv":
        return False
    return text.lstrip().startswith("{")


# A row as read: line number, file cell, url cell, or a problem found while reading it.
_Row = tuple[int, str | None, str | None, str | None]


def _csv_rows(text: str) -> list[_Row]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise _Unreadable(f"is not a readable CSV file ({exc})") from None
    if not header:
        raise _Unreadable("has no header row (expected the columns file,url)")
    columns = [cell.strip().lower() for cell in header]
    if "file" not in columns:
        found = ", ".join(c for c in columns if c) or "none"
        raise _Unreadable(f"has no 'file' column in its header (found: {found})")
    file_at = columns.index("file")
    url_at = columns.index("url") if "url" in columns else None
    rows: list[_Row] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rows.append((reader.line_num, None, None, f"cannot be read as CSV ({exc})"))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        file = cells[file_at] if file_at < len(cells) else None
        url = cells[url_at] if url_at is not None and url_at < len(cells) else None
        rows.append((reader.line_num, file, url, None))
    return rows


def _jsonl_rows(text: str) -> list[_Row]:
    rows: list[_Row] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            rows.append((number, None, None, f"is not valid JSON ({getattr(exc, 'msg', exc)})"))
            continue
        if not isinstance(item, dict):
            rows.append((number, None, None, "is not a JSON object with 'file' and 'url'"))
            continue
        file, url = item.get("file"), item.get("url")
        if file is not None and not isinstance(file, str):
            rows.append((number, None, None, "'file' is not a string"))
        elif url is not None and not isinstance(url, str):
            rows.append((number, None, None, "'url' is not a string"))
        else:
            rows.append((number, file, url, None))
    return rows


def _check_row(folder: Path, file: str | None, url: str | None) -> tuple[Path, str | None, str | None]:
    """(file path, cleaned url, problem or None) for one manifest row."""
    if file is None or not file.strip():
        return folder, None, "no file given (the 'file' value is missing or empty)"
    target = folder / file.strip()
    if _is_broken_link(target):
        return target, None, f"file {file!r} is a broken symbolic link"
    if not _exists(target):
        return target, None, f"file {file!r} does not exist"
    if target.is_dir():
        return target, None, f"{file!r} is a folder, not a file"
    url = (url or "").strip() or None
    if url is not None and not is_web_url(url):
        return target, None, f"URL {url!r} is not a web address (expected http:// or https://host/…)"
    return target, url, None


def is_web_url(url: str) -> bool:
    """An absolute http(s) address with a host name; nothing else is a source page."""
    if any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not host:
        return False
    return "." in host.strip(".") or host == "localhost"


def _key(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))
