"""`tongket doctor`: say what state an archive folder is in, and repair it on request.

tongket refuses to write over an archive.json it cannot read (storage.py keeps a copy of
it aside). This module is the way back, working on the files alone so it runs when the
`Archive` class cannot open the folder:

- `diagnose` reads archive.json, its backup and the article texts, and reports;
- `restore` puts the previous good version (archive.json.bak, corrections.json.bak) back;
- `salvage` (salvage.py) rebuilds archive.json from every record still readable;
- `derived_files.py` checks and rebuilds the derived files.

corrections.json (the user's edits, store/archive.py) is a small TinyDB file of its own;
when it exists it is the archive's corrections, and archive.json's old `corrections` table
(archives written before it) is ignored.

Repairs take the write lock, keep the damaged file as `archive.json.corrupt-<time>` and
write through the same atomic path as every other write.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator

import orjson

from tongket.store.archive import segments
from tongket.store.errors import StoreError
from tongket.store.archive.bodies import sound
from tongket.store.archive.corrections import Corrections, catalogue_check
from tongket.store.archive.derived_files import DerivedState, check_derived
from tongket.store.archive.layout import ARCHIVE_FILE, BODIES_DIR, CORRECTIONS_FILE, SCHEMA_VERSION
from tongket.store.archive.lock import lock_is_held, write_lock
from tongket.store.archive.temps import sweep_temps
from tongket.store.archive.segments import SEGMENTS_DIR
from tongket.store.derived.names import load_province_table
from tongket.store.archive.storage import (
    BACKUP_SUFFIX,
    CHECKSUM_KEY,
    CORRUPT_SUFFIX,
    atomic_write_bytes,
    checksum_problem,
    describe_json_error,
    describe_os_error,
    keep_corrupt_copy,
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
    meta: object = next(iter((data.get("_meta") or {}).values()), {})
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
    problem = structure_problem(data) or checksum_problem(raw, data)
    if problem:
        return FileState(path, "damaged", problem), None
    data.pop(CHECKSUM_KEY, None)
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
    derived: tuple[DerivedState, ...] = ()  # archive.snapshot, search.txt + search.idx
    set_aside: tuple[str, ...] = ()  # corrections `set` would refuse: kept in the file, not applied
    segments: int = 0  # batches committed since archive.json was written (segments.py)
    segment_records: int = 0
    damaged_segments: tuple[str, ...] = ()  # one line each

    @property
    def healthy(self) -> bool:
        return (
            not any(d.bad for d in self.derived)
            and self.archive.status in ("ok", "missing")
            and (self.corrections is None or self.corrections.status in ("ok", "missing"))
            and not self.missing_bodies
            and not self.unreadable_bodies
            and not self.damaged_segments
        )

    def lines(self) -> list[str]:
        out = [f"archive folder: {self.folder}", self.archive.line(), self.backup.line()]
        if self.corrections is not None and self.corrections.status != "missing":
            out.append(self.corrections.line())
            if self.corrections_backup is not None:
                out.append(self.corrections_backup.line())
        if self.segments:
            out.append(f"{SEGMENTS_DIR}/: ok - {self.segments} batches since archive.json ({self.segment_records} "
                       f"article records; `tongket compact` merges them into it)")
        out.extend(self.damaged_segments)
        out.append(f"article texts: {self.bodies} files")
        out.extend(d.line() for d in self.derived)
        if self.missing_bodies:
            shown = ", ".join(self.missing_bodies[:5]) + (" …" if len(self.missing_bodies) > 5 else "")
            out.append(f"MISSING article texts for {len(self.missing_bodies)} articles ({shown}): ingest their files again")
        if self.unreadable_bodies:
            out.append(f"UNREADABLE article texts: {len(self.unreadable_bodies)} (first: {self.unreadable_bodies[0]})")
        if self.temps:
            shown = ", ".join(str(t.relative_to(self.folder) if t.is_relative_to(self.folder) else t)
                              for t in self.temps[:5]) + (" …" if len(self.temps) > 5 else "")
            out.append(f"{len(self.temps)} temporary files left by interrupted writes ({shown}; removed by --repair, "
                       f"--restore, --salvage or the next write; safe to delete)")
        if self.corrupt_copies:
            out.append(f"damaged copies kept aside: {', '.join(p.name for p in self.corrupt_copies)}")
        if self.locked:
            out.append("another tongket process is writing the archive right now")
        out.extend(self.set_aside)
        out.append(self.advice())
        return out

    def advice(self) -> str:
        if self.damaged_segments and self.archive.status != "damaged":
            return "to repair: `tongket doctor --salvage` rebuilds the archive from every readable article"
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
        if any(d.bad for d in self.derived):
            return "to repair: `tongket doctor --repair` rebuilds the damaged derived files (nothing is lost)"
        if self.set_aside:
            return "the archive is fine; the corrections set aside are not applied: `tongket set` them again"
        return "everything is fine"


def body_files(folder: Path) -> Iterator[Path]:
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
    bodies = {p.stem: p for p in body_files(folder)}
    missing: list[str] = []
    records = list((data.get("articles") or {}).values()) if data is not None else []
    committed = segments.committed(folder, segments.base_key(folder / ARCHIVE_FILE)) if data is not None else []
    damaged_segments: list[str] = []
    segment_records = 0
    for segment in committed:
        try:
            batch = segments.read(segment, keep_copy=False)
        except StoreError as exc:
            damaged_segments.append(f"{SEGMENTS_DIR}/{segment.path.name}: DAMAGED - {exc}")
            continue
        segment_records += len(batch)
        records.extend(batch)
    latest = {doc["id"]: doc for doc in records if isinstance(doc, dict) and isinstance(doc.get("id"), str)}
    for doc in latest.values():
        if doc.get("body_ref", doc["id"]) not in bodies:
            missing.append(doc["id"])
    unreadable = []
    for path in bodies.values():
        try:
            body = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            unreadable.append(path)
            continue
        if not sound(body):
            unreadable.append(path)
    corrupt = sorted(folder.glob(ARCHIVE_FILE + CORRUPT_SUFFIX + "*")) + sorted(
        folder.glob(CORRECTIONS_FILE + CORRUPT_SUFFIX + "*"))
    corr_state, _ = inspect_file(folder / CORRECTIONS_FILE)
    corr_backup, _ = inspect_file(folder / (CORRECTIONS_FILE + BACKUP_SUFFIX))
    archive_state = _lost(archive_state, backup_state.articles, "articles", len(bodies))
    corr_state = _lost(corr_state, corr_backup.corrections if corr_backup.status == "ok" else 0, "corrections")
    if corr_state.status in ("ok", "newer") and archive_state.status in ("ok", "newer"):
        # the archive's corrections are those of corrections.json (its own table is legacy)
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
        derived=check_derived(folder),
        set_aside=_set_aside(folder) if corr_state.status == "ok" else (),
        segments=len(committed),
        segment_records=segment_records,
        damaged_segments=tuple(damaged_segments),
    )


def _set_aside(folder: Path) -> tuple[str, ...]:
    """What reading corrections.json sets aside (the archive's own reading, without opening it)."""
    corrections = Corrections(folder)
    corrections.load({}, catalogue_check(load_province_table()))
    return tuple(corrections.problems)


def _lost(state: FileState, in_backup: int, what: str, texts: int = 0) -> FileState:
    """A missing file is a new archive only when nothing says it held data: its backup
    holds none and there are no article texts. Otherwise it is damage to repair."""
    if state.status != "missing" or not (in_backup or texts):
        return state
    held = [f"its backup holds {in_backup} {what}"] if in_backup else []
    held += [f"{texts} article texts remain"] if texts else []
    return FileState(state.path, "damaged", f"it is missing while {' and '.join(held)} (deleted or lost)")


def corrections_to_recover(folder: Path) -> tuple[FileState, FileState]:
    """corrections.json's state, "damaged" when it is missing while its backup holds
    corrections, and its backup's state."""
    backup_state, _ = inspect_file(folder / (CORRECTIONS_FILE + BACKUP_SUFFIX))
    state, _ = inspect_file(folder / CORRECTIONS_FILE)
    in_backup = backup_state.corrections if backup_state.status == "ok" else 0
    return _lost(state, in_backup, "corrections"), backup_state


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
        sweep_temps(folder)
    note = f"; the damaged file is kept as {kept.name}" if kept else ""
    also = f"; {restored_corrections}" if restored_corrections else ""
    return (f"restored {target.name} from {backup.name}: {backup_state.articles} articles, "
            f"{backup_state.corrections} corrections{note}{also}")


def _restore_corrections(folder: Path) -> str:
    """Put corrections.json.bak back when corrections.json is damaged (lock held); "" if
    there was nothing to do. A damaged file without a usable backup is left to --salvage."""
    target = folder / CORRECTIONS_FILE
    backup = folder / (CORRECTIONS_FILE + BACKUP_SUFFIX)
    state, backup_state = corrections_to_recover(folder)
    if state.status != "damaged":
        return ""
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
