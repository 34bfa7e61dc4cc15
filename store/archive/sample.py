"""The bundled sample archive: the seed and corpus articles shipped in the `fixtures` package.

A first launch on an empty store loads them, so a new user has something to browse. The
files are read through importlib.resources, so this works from a wheel install as well
as from a checkout.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator

from tongket.store.archive.archive import Archive
from tongket.store.archive.layout import ARCHIVE_FILE, default_store_path
from tongket.store.record import IngestReport, Rejection

PACKAGE = "tongket.fixtures"
MANIFEST = "manifest.csv"


def _manifest_rows(root: resources.abc.Traversable) -> list[tuple[str, str | None]]:
    """(relative file, url or None) for every sample article, in manifest order."""
    text = root.joinpath(MANIFEST).read_text(encoding="utf-8-sig")
    rows: list[tuple[str, str | None]] = []
    for row in csv.DictReader(io.StringIO(text)):
        name = (row.get("file") or "").strip()
        if name:
            rows.append((name, (row.get("url") or "").strip() or None))
    return rows


@contextmanager
def sample_sources() -> Iterator[list[tuple[Path, str | None]]]:
    """The sample files as real paths with their URLs (copied to a temp folder only when
    the package is not on disk, e.g. inside a zip)."""
    root = resources.files(PACKAGE)
    rows = _manifest_rows(root)
    if isinstance(root, Path):
        yield [(root / name, url) for name, url in rows]
        return
    tmp = Path(tempfile.mkdtemp(prefix="tongket-sample-"))
    try:
        out = []
        for name, url in rows:
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(root.joinpath(*name.split("/")).read_bytes())
            out.append((target, url))
        yield out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_sample(archive: Archive, *, progress: Callable[[int, int], None] | None = None) -> IngestReport:
    """Ingest every sample article (idempotent: a second call reports them unchanged)."""
    with sample_sources() as sources:
        return archive.ingest_files(sources, progress=progress)


def sample_ids(archive: Archive) -> list[str]:
    """Ids of the sample articles the archive holds: by content, so a copy of the sample
    ingested from another folder is found too."""
    from tongket.store.archive.ingest import parse_one

    known = set(archive.index.ids())
    with sample_sources() as sources:
        parsed = [parse_one(path, url) for path, url in sources]
    return sorted({a.id for a in parsed if not isinstance(a, Rejection) and a.id in known})


def ensure_sample(archive: Archive) -> IngestReport | None:
    """Load the sample into an empty archive; leave a non-empty one alone."""
    if len(archive):
        return None
    return load_sample(archive)


def ensure_sample_at(path: str | Path | None) -> IngestReport | None:
    """First launch: load the sample when the store has never been written, without loading
    an existing archive (the app loads it itself; opening it twice would double start-up)."""
    folder = Path(path).expanduser() if path is not None else default_store_path()
    if (folder / ARCHIVE_FILE).exists():
        return None
    return ensure_sample(Archive.open(folder))
