"""Where an archive folder keeps each of its files (see README "Where the archive lives").

    archive.json      TinyDB file (store of record): tables `_meta` (schema, generation) and
                      `articles` (parsed metadata, compact figures, source paths); an archive
                      written before corrections.json existed also has a `corrections` table
    archive.json.bak  the previous good archive.json, for recovery
    segments/NNNNNN-<base>.json  TinyDB files: batches ingested since archive.json (the base)
                      was written, each naming the base it extends (segments.py)
    corrections.json  TinyDB file: the user's edits (`_meta`, `corrections`: id -> fields;
                      `removed`: corrections of removed articles, kept aside), apart from the
                      parsed fields so re-ingest never loses them, and small, so a correction
                      rewrites a few KB instead of the whole archive
    bodies/ab/<ref>.json  one file per article text: body, full figures, folded search text;
                      named by content id, so an update writes a new file and a crash
                      before archive.json is replaced leaves the old pair intact
    read-only         only in the bundled sample archive (sample/ in the store folder),
                      which the app shows while the user's own archive is empty
    archive.lock      file lock held while writing
    archive.snapshot  derived, rebuildable: list metadata, figures and lookup groups in columns
    figures.counts    derived: figures by (label, unit, key) of the snapshot, for a comparison
    search.txt, search.idx  derived: every article's folded text, packed for the `/` filter

One module names them so that the archive, the doctor and the tests agree.
"""

from __future__ import annotations

import os
from pathlib import Path

SCHEMA_VERSION = 1
CORRECTIONS_SCHEMA = 1
ARCHIVE_FILE = "archive.json"
BODIES_DIR = "bodies"
CORRECTIONS_FILE = "corrections.json"
READ_ONLY_FILE = "read-only"  # present in the bundled sample archive: no write may change it
SAMPLE_DIR = "sample"  # the sample archive, inside the user's store folder but apart from it


def default_store_path() -> Path:
    """`TONGKET_STORE`, else the platform's user data folder (e.g. ~/.local/share/tongket)."""
    env = os.environ.get("TONGKET_STORE")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("tongket", appauthor=False))


def body_file(folder: Path, ref: str) -> Path:
    """Bodies are spread over 256 sub-folders so that no folder holds 100k files."""
    return folder / BODIES_DIR / ref[:2] / f"{ref}.json"
