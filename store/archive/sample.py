"""The bundled sample archive: the seed and corpus articles shipped in the `fixtures` package.

The app shows them, as a read-only archive of their own, while the user's archive is empty,
so a new user has something to browse and the user's archive never holds them unasked
(`tongket sample` loads them into an archive on request; `tongket remove --sample` takes
them out again). The files are read through importlib.resources, so this works from a wheel install as well
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
from tongket.store.archive.layout import ARCHIVE_FILE, READ_ONLY_FILE, SAMPLE_DIR, default_store_path
from tongket.store.errors import StoreError
from tongket.store.record import IngestReport, Rejection

PACKAGE = "tongket.fixtures"
MANIFEST = "manifest.csv"
EMPTY_ARCHIVE_BYTES = 4096  # archive.json of an archive with no article is ~100 bytes


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


def app_store(path: str | Path | None) -> tuple[Path, bool]:
    """The archive the app opens, and whether it is the sample: the user's own archive once
    it holds an article; until then the read-only sample archive kept apart in the store
    folder's `sample/` (built at the first launch), so the user's own archive never holds
    sample articles it did not ask for."""
    folder = Path(path).expanduser() if path is not None else default_store_path()
    own = folder / ARCHIVE_FILE
    # A big archive.json holds articles: no need to open it twice (the app opens it itself).
    if own.exists() and (own.stat().st_size > EMPTY_ARCHIVE_BYTES or len(Archive.open(folder))):
        return folder, False
    sample = folder / SAMPLE_DIR
    if not (sample / READ_ONLY_FILE).exists():
        archive = Archive.open(sample)
        report = load_sample(archive)
        if report.failed:
            raise StoreError(f"the bundled sample could not be loaded: {report.failed[0].path}: {report.failed[0].reason}")
        (sample / READ_ONLY_FILE).write_text("The bundled sample archive: tongket never changes it.\n", encoding="utf-8")
    return sample, True
