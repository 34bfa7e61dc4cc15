"""`tongket figures --csv/--jsonl`: every figure of the chosen articles, streamed as bytes.

Each article's figure-level text comes from `figures.rows` (figure_rows.py) when its entry
is from the body file the article has now, else from the body file itself (the slow path,
~20 µs a figure), whose rows are then saved for the next export. The article-level part
(corrected province, year, period) is the caller's `ArticleMeta`. Output is byte for byte
what `details.figure_rows` through the csv module or orjson gives; memory stays bounded
(about one megabyte of output is held at a time).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Mapping

from tongket.store.archive.bodies import sound
from tongket.store.archive.layout import BODIES_DIR, body_file
from tongket.store.archive.storage import loads
from tongket.store.derived import figure_rows
from tongket.store.derived.details import FIGURE_COLUMNS
from tongket.store.derived.figure_rows import ROW_START, RowsFile
from tongket.store.record import ArticleMeta

BOM = "\ufeff".encode("utf-8")
FLUSH_BYTES = 1 << 20
SAVE_EVERY = 2000  # records of the slow path saved at a time


@dataclass(frozen=True)
class Written:
    figures: int
    entries: int  # in figures.idx when the export began (the live ones and dead weight)


def read_body(folder: Path, ref: str) -> tuple[int, Mapping[str, Any]] | None:
    """A body file's CRC-32 and contents, or None when it is missing or damaged."""
    try:
        data = body_file(folder, ref).read_bytes()
        body = loads(data)
    except (OSError, ValueError):
        return None
    return (zlib.crc32(data), body) if sound(body) else None


def write(
    out: BinaryIO,
    fmt: str,
    metas: Iterable[ArticleMeta],
    *,
    folder: Path,
    ref_of: Callable[[str], str | None],
    merged_unit: Callable[[str], str],
    save: Callable[[list[figure_rows.Pending]], bool],
    bom: bool = False,
) -> Written:
    """Write the rows of `metas`' figures to `out` in `fmt` ("csv" or "jsonl").
    `save(records)` appends slow-path records (under the lock; False when it could not)."""
    if fmt not in figure_rows.FORMATS:
        raise ValueError(f"unknown figure export format {fmt!r}")
    is_csv = fmt == "csv"
    chosen = [(m, ref) for m in metas if (ref := ref_of(m.id)) is not None]
    inodes = figure_rows.body_inodes(Path(folder) / BODIES_DIR, (ref for _m, ref in chosen))
    rows = RowsFile(folder)
    units: dict[str, str] = {}
    parts: list[bytes] = [(BOM if bom else b"") + ",".join(FIGURE_COLUMNS).encode("ascii") + b"\n"] if is_csv else []
    held = 0
    figures = 0
    pending: list[figure_rows.Pending] = []
    saving = True
    try:
        for m, ref in chosen:
            province = m.province or ""
            unit = units.get(province)
            if unit is None:
                unit = units[province] = merged_unit(province) if province else ""
            year = m.report_year or ""
            head = (figure_rows.csv_head((m.id, province, unit, str(year), m.period or "", m.published or ""))
                    if is_csv else figure_rows.json_head((m.id, province, unit, year, m.period or "", m.published or "")))
            inode = inodes.get(ref)
            block = rows.block(ref, inode, fmt)
            if block is not None:
                text = block.replace(ROW_START, head)
                figures += rows.figures(ref)
            else:
                found = read_body(folder, ref)  # (no inode: a folder the scan could not list)
                if found is None:
                    continue
                encoded = figure_rows.encode(found[1])
                text = b"".join(head + t for t in (encoded.csv if is_csv else encoded.jsonl))
                figures += len(encoded.csv)
                if saving and encoded.storable and inode is not None:
                    pending.append(figure_rows.Pending(ref, inode, found[0], encoded))
                    if len(pending) >= SAVE_EVERY:
                        saving, pending = save(pending), []
            parts.append(text)
            held += len(text)
            if held >= FLUSH_BYTES:
                out.write(b"".join(parts))
                parts, held = [], 0
        out.write(b"".join(parts))
        if saving and pending:
            save(pending)
    finally:
        rows.close()
    return Written(figures, rows.records)
