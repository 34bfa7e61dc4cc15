"""Markdown export of one stored article, shared by the command line and the app.

Article text is data, not Markdown: every cell and line is escaped so a `|` in a label
cannot break the figures table and a `<script>` or `[link](…)` in a scraped page stays
plain text in whatever renders the file.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from tongket.store.present.display import change_label, vn_number
from tongket.store.errors import TongketError
from tongket.store.record import Article, Figure, StoredArticle
from tongket.store.archive.storage import atomic_write_bytes, describe_os_error
from tongket.store.lang.text import fold_words, one_line, strip_control


class ExportError(TongketError):
    """The export file cannot be written where the user asked."""


# ---------------------------------------------------------------- escaping

_INLINE = re.compile(r"([\\`*_{}\[\]|<>~$])")  # ~ strikes through (GFM), $ starts maths (GitHub)
_HTML = {"<": "&lt;", ">": "&gt;"}
_ENTITY = re.compile(r"&(?=#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")  # "&amp;" would show as "&"
# A line that starts a block: heading, list item, setext underline ("---", "==").
_CLOSING_HASHES = re.compile(r"(?<=\s)(#+\s*)$")
_BLOCK_START = re.compile(r"^(\s*)(#|(?:[+=-]|\d+[.)])(?=\s|$)|[=-]{2,}(?=\s*$))")


def escape_inline(text: str | None) -> str:
    """One line of Markdown that renders as the literal text (table cells, titles, metadata)."""
    text = _ENTITY.sub("&amp;", one_line(text or ""))
    text = _INLINE.sub(lambda m: _HTML.get(m.group(1), "\\" + m.group(1)), text)
    text = _CLOSING_HASHES.sub(r"\\\1", text)  # "Tổng kết #" in a heading would lose its "#"
    return _escape_block_start(text)


def _escape_block_start(line: str) -> str:
    match = _BLOCK_START.match(line)
    if not match:
        return line
    lead, token = match.groups()
    return f"{lead}{token[:-1]}\\{token[-1]}{line[match.end():]}"


def escape_paragraph(text: str) -> str:
    lines = [" ".join(line.split()) for line in strip_control(text).split("\n")]
    return "\n".join(escape_inline(line) for line in lines if line)


# ---------------------------------------------------------------- rendering


def _figure_row(n: int, fig: Figure) -> str:
    change = ""
    if fig.change is not None:
        change = change_label(fig.change)
        if fig.change.vs:
            change += f" ({fig.change.vs})"
    cells = [str(n), fig.label, vn_number(fig.value), fig.unit or "", fig.display, change, fig.key or ""]
    return "| " + " | ".join(escape_inline(c) for c in cells) + " |"


def to_markdown(stored: StoredArticle) -> str:
    """Title, metadata block, figures table, body, source."""
    a: Article = stored.article
    corrected = set(stored.corrections)
    mark = lambda name: " (corrected)" if name in corrected else ""  # noqa: E731
    out = [f"# {escape_inline(a.title) or 'Untitled article'}", ""]
    meta = [
        ("Province", a.province or "unknown", "province"),
        ("Report year", str(a.report_year) if a.report_year else "unknown", "report_year"),
        ("Period", a.period or "unknown", "period"),
        ("Published", a.published or "", ""),
        ("Event date", a.event_date or "", ""),
        ("Byline", a.byline or "", ""),
        ("Article id", a.id, ""),
    ]
    for name, value, field in meta:
        if value:
            out.append(f"- **{name}:** {escape_inline(value)}{mark(field)}")
    if a.officials:
        people = "; ".join(f"{o.name} ({o.role})" if o.role else o.name for o in a.officials)
        out.append(f"- **Officials:** {escape_inline(people)}")
    out.append("")
    out.append("## Figures")
    out.append("")
    if a.figures:
        out.append("| # | Label | Value | Unit | As written | Change | Metric |")
        out.append("|---:|---|---:|---|---|---|---|")
        out.extend(_figure_row(i, f) for i, f in enumerate(a.figures, 1))
    else:
        out.append("No figures found.")
    out.append("")
    out.append("## Text")
    out.append("")
    paragraphs = [escape_paragraph(p) for p in re.split(r"\n\s*\n", a.body or "")]
    out.append("\n\n".join(p for p in paragraphs if p) or "(no text)")
    out.append("")
    out.append("## Source")
    out.append("")
    if a.source_url:
        out.append(f"- URL: {escape_inline(a.source_url)}")
    for path in stored.source_paths:
        out.append(f"- File: {escape_inline(path)}")
    if not a.source_url and not stored.source_paths:
        out.append("- unknown")
    out.append("")
    return "\n".join(out)


def default_export_name(stored: StoredArticle) -> str:
    """A file name from the title and the id: "van-phong-ubnd-tinh-tong-ket-cong-tac-nam-2019-beb751c9.md"."""
    slug = "-".join(fold_words(stored.article.title).split())[:60].strip("-") or "article"
    return f"{slug}-{stored.article.id[:8]}.md"


def write_markdown(stored: StoredArticle, path: str | Path, *, force: bool = False, base: str | Path | None = None) -> Path:
    """Write the article as Markdown; returns the file written.

    `path` may be a folder (the default name is used inside it). An existing file is
    replaced only with `force` (without it, the check and the write are one atomic step).
    Missing parent folders are created only inside `base` (default: the current folder),
    so a typo cannot scatter folders across the disk, and a path that climbs out of `base`
    with ".." is refused.
    """
    root = Path(base or os.getcwd()).expanduser().resolve()
    target = Path(path).expanduser()
    if ".." in target.parts and not _inside(target.resolve(), root):
        raise ExportError(f"{target} leads outside {root} (through '..'); give a path inside it or an absolute path")
    if target.is_dir():
        target = target / default_export_name(stored)
    if target.is_dir():
        raise ExportError(f"{target} is a folder")
    if force:
        _check_replaceable(target)
    if target.exists() and not force:
        raise ExportError(f"{target} already exists; choose another name or overwrite it (--force)")
    parent = target.parent
    if not parent.exists():
        if not _inside(parent.resolve(), root):
            raise ExportError(f"the folder {parent} does not exist (tongket creates folders only inside {root})")
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"cannot create the folder {parent}: {describe_os_error(exc)}") from None
    elif not parent.is_dir():
        raise ExportError(f"{parent} is a file, not a folder")
    try:
        atomic_write_bytes(target, to_markdown(stored).encode("utf-8"), overwrite=force)
    except FileExistsError:
        raise ExportError(f"{target} already exists; choose another name or overwrite it (--force)") from None
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {describe_os_error(exc)}") from None
    return target


def _check_replaceable(target: Path) -> None:
    """--force replaces a regular file only: a link would be swapped for a file (and as root,
    `-o /dev/null --force` would replace the system's /dev/null), a pipe or device is not ours."""
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ExportError(f"cannot check {target}: {describe_os_error(exc)}") from None
    if stat.S_ISLNK(mode):
        raise ExportError(f"{target} is a symbolic link; --force overwrites regular files only")
    if not stat.S_ISREG(mode):
        raise ExportError(f"{target} is not a regular file (a device, pipe or socket); --force overwrites regular files only")


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
