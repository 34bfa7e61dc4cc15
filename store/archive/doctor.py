"""`tongket doctor`: say what state an archive folder is in, and repair it on request.

tongket refuses to write over an archive.json it cannot read (storage.py keeps a copy of
it aside). This module is the way back, working on the files alone so it runs when the
`Archive` class cannot open the folder:

- `diagnose` reads archive.json, its backup and the article texts, and reports;
- `restore` puts the previous good version (archive.json.bak, corrections.json.bak) back;
- `salvage` rebuilds archive.json from every record still readable: the damaged file
  (scanned record by record, so a truncated file gives up only its tail), the backup,
  and the article text files, which carry each article's parsed fields; a damaged
  corrections.json is rebuilt from what it and its backup still hold.

corrections.json (the user's edits, store/archive.py) is a small TinyDB file of its own;
when it exists it is the archive's corrections, and archive.json's old `corrections` table
(archives written before it) is ignored. Derived files (archive.snapshot, search.txt,
search.idx) need no repair: tongket rebuilds them when they are missing or stale.

Repairs take the write lock, keep the damaged file as `archive.json.corrupt-<time>` and
write through the same atomic path as every other write.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import orjson

from tongket.store.errors import StoreError
from tongket.store.archive import codec
from tongket.store.archive.layout import ARCHIVE_FILE, BODIES_DIR, CORRECTIONS_FILE, SCHEMA_VERSION
from tongket.store.archive.lock import lock_is_held, write_lock
from tongket.store.archive.storage import (
    BACKUP_SUFFIX,
    CORRUPT_SUFFIX,
    atomic_write_bytes,
    describe_json_error,
    describe_os_error,
    dumps,
    keep_corrupt_copy,
    remove_stale_temps,
    stale_temps,
)

TABLES = ("_meta", "articles", "corrections")


# ---------------------------------------------------------------- reading one archive file


@dataclass(frozen=True)
class FileState:
    """What one archive file (archive.json or its backup) holds."""

    path: Path
    status: str  # "ok", "missing", "damaged" or "newer"
    detail: str = ""
    articles: int = 0
    corrections: int = 0
    generation: int | None = None
    schema: int | None = None

    def line(self) -> str:
        name = self.path.name
        if self.status == "missing":
            return f"{name}: missing"
        if self.status == "damaged":
            return f"{name}: DAMAGED - {self.detail}"
        counts = f"{self.articles} articles, {self.corrections} corrections, generation {self.generation or 0}"
        if name.startswith(CORRECTIONS_FILE):
            counts = f"{self.corrections} corrections, generation {self.generation or 0}"
        if self.status == "newer":
            return f"{name}: written by a newer tongket (format {self.schema}; this one knows {SCHEMA_VERSION}) - {counts}"
        return f"{name}: ok - {counts}"


def structure_problem(data: Any) -> str | None:
    """Why parsed JSON is not a usable archive, or None."""
    if not isinstance(data, dict):
        return "the top level is not a JSON object"
    for name in TABLES:
        table = data.get(name)
        if table is not None and not isinstance(table, dict):
            return f"its {name!r} table is a {type(table).__name__}, not an object"
    for key, doc in (data.get("articles") or {}).items():
        if not (isinstance(doc, dict) and isinstance(doc.get("id"), str)):
            return f"article record {key!r} has no id"
    meta = _meta(data)
    if not isinstance(meta.get("schema", SCHEMA_VERSION), int):
        return f"its schema version {meta.get('schema')!r} is not a number"
    return None


def _meta(data: dict[str, Any]) -> dict[str, Any]:
    meta = next(iter((data.get("_meta") or {}).values()), {})
    return meta if isinstance(meta, dict) else {}


def inspect_file(path: Path) -> tuple[FileState, dict[str, Any] | None]:
    """The state of one archive file and, when it is readable, its data."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return FileState(path, "missing"), None
    except OSError as exc:
        return FileState(path, "damaged", f"cannot be read: {describe_os_error(exc)}"), None
    if not raw.strip():
        return FileState(path, "damaged", f"it is empty ({len(raw)} bytes)"), None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return FileState(path, "damaged", describe_json_error(exc, raw)), None
    problem = structure_problem(data)
    if problem:
        return FileState(path, "damaged", problem), None
    meta = _meta(data)
    schema = meta.get("schema", SCHEMA_VERSION)
    state = FileState(
        path,
        "newer" if schema > SCHEMA_VERSION else "ok",
        articles=len(data.get("articles") or {}),
        corrections=len(data.get("corrections") or {}),
        generation=meta.get("generation") if isinstance(meta.get("generation"), int) else None,
        schema=schema,
    )
    return state, data


# ---------------------------------------------------------------- the whole folder


@dataclass(frozen=True)
class Diagnosis:
    """The state of an archive folder, for `tongket doctor` to print."""

    folder: Path
    archive: FileState
    backup: FileState
    bodies: int = 0
    missing_bodies: tuple[str, ...] = ()  # article ids whose text file is gone
    unreadable_bodies: tuple[Path, ...] = ()
    temps: tuple[Path, ...] = ()  # leftovers of killed writers
    corrupt_copies: tuple[Path, ...] = ()
    locked: bool = False
    corrections: FileState | None = None  # corrections.json and its backup
    corrections_backup: FileState | None = None

    @property
    def healthy(self) -> bool:
        return (
            self.archive.status in ("ok", "missing")
            and (self.corrections is None or self.corrections.status in ("ok", "missing"))
            and not self.missing_bodies
            and not self.unreadable_bodies
        )

    def lines(self) -> list[str]:
        out = [f"archive folder: {self.folder}", self.archive.line(), self.backup.line()]
        if self.corrections is not None and self.corrections.status != "missing":
            out.append(self.corrections.line())
            if self.corrections_backup is not None:
                out.append(self.corrections_backup.line())
        out.append(f"article texts: {self.bodies} files")
        if self.missing_bodies:
            shown = ", ".join(self.missing_bodies[:5]) + (" …" if len(self.missing_bodies) > 5 else "")
            out.append(f"MISSING article texts for {len(self.missing_bodies)} articles ({shown}): ingest their files again")
        if self.unreadable_bodies:
            out.append(f"UNREADABLE article texts: {len(self.unreadable_bodies)} (first: {self.unreadable_bodies[0]})")
        if self.temps:
            out.append(f"{len(self.temps)} temporary files left by interrupted writes (removed by --restore or --salvage; safe to delete)")
        if self.corrupt_copies:
            out.append(f"damaged copies kept aside: {', '.join(p.name for p in self.corrupt_copies)}")
        if self.locked:
            out.append("another tongket process is writing the archive right now")
        out.append(self.advice())
        return out

    def advice(self) -> str:
        if self.archive.status == "damaged":
            if self.backup.status == "ok":
                return ("to repair: `tongket doctor --restore` puts back the previous version (you lose the last "
                        "change), or `tongket doctor --salvage` keeps every readable article")
            return "to repair: `tongket doctor --salvage` rebuilds the archive from every readable article"
        if self.corrections is not None and self.corrections.status == "damaged":
            if self.corrections_backup is not None and self.corrections_backup.status == "ok":
                return ("to repair: `tongket doctor --restore` puts back the previous corrections (you lose the "
                        "last one), or `tongket doctor --salvage` keeps every readable correction")
            return "to repair: `tongket doctor --salvage` keeps every readable correction"
        if self.archive.status == "newer":
            return "this tongket can read the archive but will not change it: upgrade tongket"
        if self.missing_bodies or self.unreadable_bodies:
            return "the archive itself is fine; ingest the affected files again to restore their text"
        return "everything is fine"


def _body_files(folder: Path) -> Iterator[Path]:
    root = folder / BODIES_DIR
    if not root.is_dir():
        return
    for sub in sorted(root.iterdir()):
        if sub.is_dir():
            for path in sorted(sub.iterdir()):
                if path.suffix == ".json" and not path.name.startswith("."):
                    yield path


def _body_temps(folder: Path) -> list[Path]:
    root = folder / BODIES_DIR
    if not root.is_dir():
        return []
    return [t for sub in root.iterdir() if sub.is_dir() for t in stale_temps(sub)]


def diagnose(folder: Path) -> Diagnosis:
    """Read everything, change nothing."""
    folder = Path(folder)
    archive_state, data = inspect_file(folder / ARCHIVE_FILE)
    backup_state, _ = inspect_file(folder / (ARCHIVE_FILE + BACKUP_SUFFIX))
    bodies = {p.stem: p for p in _body_files(folder)}
    missing: list[str] = []
    if data is not None:
        for doc in (data.get("articles") or {}).values():
            if doc.get("body_ref", doc["id"]) not in bodies:
                missing.append(doc["id"])
    unreadable = []
    for path in bodies.values():
        try:
            body = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            unreadable.append(path)
            continue
        if not isinstance(body, dict) or not isinstance(body.get("body"), str):
            unreadable.append(path)
    corrupt = sorted(folder.glob(ARCHIVE_FILE + CORRUPT_SUFFIX + "*")) + sorted(
        folder.glob(CORRECTIONS_FILE + CORRUPT_SUFFIX + "*"))
    corr_state, _ = inspect_file(folder / CORRECTIONS_FILE)
    corr_backup, _ = inspect_file(folder / (CORRECTIONS_FILE + BACKUP_SUFFIX))
    if corr_state.status in ("ok", "newer") and archive_state.status in ("ok", "newer"):
        # the archive's corrections are those of corrections.json (its own table is legacy)
        from dataclasses import replace

        archive_state = replace(archive_state, corrections=corr_state.corrections)
    return Diagnosis(
        folder=folder,
        archive=archive_state,
        backup=backup_state,
        bodies=len(bodies),
        missing_bodies=tuple(sorted(missing)),
        unreadable_bodies=tuple(unreadable),
        temps=tuple(stale_temps(folder) + _body_temps(folder)),
        corrupt_copies=tuple(corrupt),
        locked=lock_is_held(folder),
        corrections=corr_state,
        corrections_backup=corr_backup,
    )


# ---------------------------------------------------------------- repairs


def restore(folder: Path) -> str:
    """Put archive.json.bak back as archive.json (the damaged file is kept aside)."""
    folder = Path(folder)
    target = folder / ARCHIVE_FILE
    backup = folder / (ARCHIVE_FILE + BACKUP_SUFFIX)
    with write_lock(folder):
        state, _ = inspect_file(target)
        restored_corrections = _restore_corrections(folder)
        if state.status == "ok" and restored_corrections:
            return restored_corrections
        if state.status == "ok":
            raise StoreError(f"{target} is readable: nothing to restore (the previous version stays in {backup.name})")
        if state.status == "newer":
            raise StoreError(f"{target} was written by a newer tongket; upgrade tongket instead of restoring")
        backup_state, _ = inspect_file(backup)
        if backup_state.status != "ok":
            what = "missing" if backup_state.status == "missing" else f"not usable ({backup_state.detail or backup_state.status})"
            raise StoreError(f"cannot restore: the backup {backup} is {what}; try `tongket doctor --salvage`")
        kept = keep_corrupt_copy(target) if state.status == "damaged" else None
        try:
            atomic_write_bytes(target, backup.read_bytes())
        except OSError as exc:
            raise StoreError(f"cannot restore {target}: {describe_os_error(exc)}") from None
        _clean_temps(folder)
    note = f"; the damaged file is kept as {kept.name}" if kept else ""
    also = f"; {restored_corrections}" if restored_corrections else ""
    return (f"restored {target.name} from {backup.name}: {backup_state.articles} articles, "
            f"{backup_state.corrections} corrections{note}{also}")


def _restore_corrections(folder: Path) -> str:
    """Put corrections.json.bak back when corrections.json is damaged (lock held); "" if
    there was nothing to do. A damaged file without a usable backup is left to --salvage."""
    target = folder / CORRECTIONS_FILE
    backup = folder / (CORRECTIONS_FILE + BACKUP_SUFFIX)
    state, _ = inspect_file(target)
    if state.status != "damaged":
        return ""
    backup_state, _ = inspect_file(backup)
    if backup_state.status != "ok":
        raise StoreError(f"cannot restore {target.name}: its backup {backup.name} is {backup_state.status}; "
                         f"try `tongket doctor --salvage`")
    kept = keep_corrupt_copy(target)
    try:
        atomic_write_bytes(target, backup.read_bytes())
    except OSError as exc:
        raise StoreError(f"cannot restore {target}: {describe_os_error(exc)}") from None
    note = f"; the damaged file is kept as {kept.name}" if kept else ""
    return f"restored {target.name} from {backup.name}: {backup_state.corrections} corrections{note}"


def _salvage_corrections(folder: Path, legacy: dict[str, dict[str, Any]]) -> str:
    """Rebuild a damaged corrections.json from every correction it, its backup and the
    archive's legacy table still hold (lock held); "" when it is not damaged."""
    target = folder / CORRECTIONS_FILE
    state, _ = inspect_file(target)
    if state.status != "damaged":
        return ""
    found = _Salvage()
    for path in (target, folder / (CORRECTIONS_FILE + BACKUP_SUFFIX)):
        _gather_file(path, found, path.name)
    for aid, fields in legacy.items():
        found.add_correction(aid, fields)
    data = {
        "_meta": {"1": {"schema": 1, "generation": found.generation + 1, "app": "tongket"}},
        "corrections": {
            str(i): {"id": aid, "fields": fields} for i, (aid, fields) in enumerate(found.corrections.items(), 1)
        },
    }
    kept = keep_corrupt_copy(target)
    try:
        atomic_write_bytes(target, dumps(data), backup=False)
    except OSError as exc:
        raise StoreError(f"cannot write the salvaged corrections {target}: {describe_os_error(exc)}") from None
    note = f"; the damaged file is kept as {kept.name}" if kept else ""
    return f"salvaged {len(found.corrections)} corrections into {target.name}{note}"


@dataclass
class _Salvage:
    """Records gathered from every source, first source first."""

    articles: dict[str, dict[str, Any]] = field(default_factory=dict)
    corrections: dict[str, dict[str, Any]] = field(default_factory=dict)
    generation: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add_article(self, doc: dict[str, Any], source: str) -> None:
        if doc["id"] not in self.articles:
            self.articles[doc["id"]] = doc
            self.counts[source] = self.counts.get(source, 0) + 1

    def add_correction(self, aid: str, fields: dict[str, Any]) -> None:
        if fields:
            self.corrections.setdefault(aid, fields)


def _is_article(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("id"), str) and ("body_ref" in doc or "figs" in doc)


def _is_correction(doc: Any) -> bool:
    return isinstance(doc, dict) and set(doc) == {"id", "fields"} and isinstance(doc["fields"], dict)


_DOC_KEY = re.compile(r'"\d+"\s*:\s*(?=\{)')


def scan_documents(raw: bytes) -> Iterator[dict[str, Any]]:
    """Every TinyDB document (`"N": {...}`) that still parses, in file order, even when the
    file around them is cut off or garbled."""
    text = raw.decode("utf-8", "replace")
    decoder = json.JSONDecoder()
    pos = 0
    while (match := _DOC_KEY.search(text, pos)) is not None:
        try:
            doc, end = decoder.raw_decode(text, match.end())
        except ValueError:
            pos = match.end()
            continue
        if isinstance(doc, dict) and (_is_article(doc) or _is_correction(doc) or "schema" in doc):
            yield doc
            pos = end
        else:
            pos = match.end()


def _gather_file(path: Path, found: _Salvage, source: str) -> None:
    try:
        raw = path.read_bytes()
    except OSError:
        return
    for doc in scan_documents(raw):
        if _is_article(doc):
            found.add_article(doc, source)
        elif _is_correction(doc):
            found.add_correction(doc["id"], doc["fields"])
        elif isinstance(doc.get("schema"), int):
            if doc["schema"] > SCHEMA_VERSION:
                raise StoreError(f"{path} was written by a newer tongket (format {doc['schema']}); use that version to repair it")
            if isinstance(doc.get("generation"), int):
                found.generation = max(found.generation, doc["generation"])


def _record_from_body(ref: str, body: dict[str, Any], path: Path) -> dict[str, Any]:
    """An archive record rebuilt from an article text file, through the archive's codec."""
    meta = body.get("meta")
    if not isinstance(meta, dict):  # a text file from before bodies carried their fields
        from tongket.store.parse.article import parse_text

        meta = codec.parsed_fields(parse_text(body.get("body", "")))
    figures = [f for f in body.get("figures") or () if isinstance(f, dict)]
    record = codec.record_from_body(ref, meta, figures, _iso(path.stat().st_mtime))
    record["warnings"] = list(record.get("warnings") or ()) + ["recovered by tongket doctor --salvage"]
    return record


def _iso(timestamp: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="seconds")


def _gather_bodies(folder: Path, found: _Salvage) -> None:
    """Articles whose text file no recovered record points to. An older version of an edited
    article (same source file as a recovered one) is left out; of several orphans from the
    same file, the newest wins."""
    referenced = {doc.get("body_ref", aid) for aid, doc in found.articles.items()}
    known_sources = {p for doc in found.articles.values() for p in doc.get("source_paths") or ()}
    newest: dict[str, tuple[float, dict[str, Any]]] = {}
    loose: list[dict[str, Any]] = []
    for path in _body_files(folder):
        ref = path.stem
        if ref in referenced:
            continue
        try:
            body = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            continue
        if not isinstance(body, dict) or not isinstance(body.get("body"), str):
            continue
        record = _record_from_body(ref, body, path)
        source = record["source_paths"][0] if record["source_paths"] else None
        if source is None:
            loose.append(record)
        elif source not in known_sources:
            mtime = path.stat().st_mtime
            if source not in newest or newest[source][0] < mtime:
                newest[source] = (mtime, record)
    for record in loose + [rec for _, rec in newest.values()]:
        found.add_article(record, "article texts")


def salvage(folder: Path) -> str:
    """Rebuild archive.json from every readable record; returns what was recovered."""
    folder = Path(folder)
    target = folder / ARCHIVE_FILE
    backup = folder / (ARCHIVE_FILE + BACKUP_SUFFIX)
    with write_lock(folder):
        state, _ = inspect_file(target)
        if state.status == "newer":
            raise StoreError(f"{target} was written by a newer tongket; upgrade tongket instead of salvaging")
        if state.status == "ok":
            salvaged = _salvage_corrections(folder, {})
            if salvaged:  # only the corrections are damaged: archive.json stays as it is
                return salvaged
        found = _Salvage()
        _gather_file(target, found, target.name)
        _gather_file(backup, found, backup.name)
        _gather_bodies(folder, found)
        found.corrections = {aid: f for aid, f in found.corrections.items() if aid in found.articles}
        salvaged_corrections = _salvage_corrections(folder, found.corrections)
        data = {
            "_meta": {"1": {"schema": SCHEMA_VERSION, "generation": found.generation + 1, "app": "tongket"}},
            "articles": {str(i): doc for i, doc in enumerate(found.articles.values(), 1)},
            "corrections": {
                str(i): {"id": aid, "fields": fields} for i, (aid, fields) in enumerate(found.corrections.items(), 1)
            },
        }
        kept = keep_corrupt_copy(target) if state.status == "damaged" else None
        try:
            # The backup stays as it was: it may hold what this salvage could not read.
            atomic_write_bytes(target, dumps(data), backup=False)
        except OSError as exc:
            raise StoreError(f"cannot write the salvaged archive {target}: {describe_os_error(exc)}") from None
        _clean_temps(folder)
    sources = ", ".join(f"{n} from {name}" for name, n in found.counts.items()) or "nothing readable"
    note = f"; the damaged file is kept as {kept.name}" if kept else ""
    also = f"; {salvaged_corrections}" if salvaged_corrections else ""
    return (f"salvaged {len(found.articles)} articles ({sources}) and {len(found.corrections)} corrections "
            f"into {target.name}{note}{also}")


def _clean_temps(folder: Path) -> None:
    remove_stale_temps(folder)
    root = folder / BODIES_DIR
    if root.is_dir():
        for sub in root.iterdir():
            if sub.is_dir():
                remove_stale_temps(sub)

