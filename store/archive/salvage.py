"""`tongket doctor --salvage`: rebuild archive.json (and a damaged or lost corrections.json)
from every record still readable anywhere.

Sources, first one first: the damaged file itself, scanned record by record (so a truncated
file gives up only its tail), its backup, then the article text files, which carry each
article's parsed fields. The backup is left as it was: it may hold what a salvage could not
read. The lock is held, the damaged file kept aside, the new one written atomically.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import orjson

from tongket.store.archive.layout import ARCHIVE_FILE, CORRECTIONS_FILE, SCHEMA_VERSION
from tongket.store.archive.doctor import (
    body_files,
    corrections_to_recover,
    inspect_file,
)
from tongket.store.archive import codec, segments
from tongket.store.archive.bodies import journaled_refs, sound
from tongket.store.archive.temps import sweep_temps
from tongket.store.archive.lock import write_lock
from tongket.store.archive.storage import BACKUP_SUFFIX, atomic_write_bytes, describe_os_error, dumps, keep_corrupt_copy, seal
from tongket.store.errors import StoreError


def _salvage_corrections(folder: Path, legacy: dict[str, dict[str, Any]]) -> str:
    """Rebuild a damaged corrections.json from every correction it, its backup and the
    archive's legacy table still hold (lock held); "" when it is not damaged."""
    target = folder / CORRECTIONS_FILE
    state, _ = corrections_to_recover(folder)
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
        atomic_write_bytes(target, seal(dumps(data)), backup=False)
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
    same file, the newest is the text and the oldest names the article: an edited article
    keeps the id of its first version, which is what its corrections are filed under."""
    referenced = {doc.get("body_ref", aid) for aid, doc in found.articles.items()}
    # A batch journals the texts it creates and drops the journal once its records are
    # committed: a text still journaled never made it into the archive (its batch failed or
    # was killed), so it is not an article. Decided by the journal, never by file times.
    uncommitted = journaled_refs(folder)
    known_sources = {p for doc in found.articles.values() for p in doc.get("source_paths") or ()}
    newest: dict[str, tuple[float, dict[str, Any]]] = {}
    oldest: dict[str, tuple[float, str]] = {}
    loose: list[dict[str, Any]] = []
    for path in body_files(folder):
        ref = path.stem
        if ref in referenced:
            continue
        try:
            if ref in uncommitted:
                continue
            body = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            continue
        if not sound(body):
            continue
        record = _record_from_body(ref, body, path)
        source = record["source_paths"][0] if record["source_paths"] else None
        if source is None:
            loose.append(record)
        elif source not in known_sources:
            mtime = path.stat().st_mtime
            if source not in newest or newest[source][0] < mtime:
                newest[source] = (mtime, record)
            if source not in oldest or oldest[source][0] > mtime:
                oldest[source] = (mtime, ref)
    for source, (_, record) in newest.items():
        record["id"] = oldest[source][1]  # body_ref and content_id stay the newest text's
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
        key = segments.base_key(target)
        current = [s.path for s in reversed(segments.committed(folder, key))]  # newest first
        for path in current:
            _gather_file(path, found, f"{segments.SEGMENTS_DIR}/")
        _gather_file(target, found, target.name)
        _gather_file(backup, found, backup.name)
        for path in reversed(segments.stale(folder, key)):
            _gather_file(path, found, f"{segments.SEGMENTS_DIR}/")
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
            atomic_write_bytes(target, seal(dumps(data)), backup=False)
        except OSError as exc:
            raise StoreError(f"cannot write the salvaged archive {target}: {describe_os_error(exc)}") from None
        sweep_temps(folder)
        segments.sweep(folder, segments.base_key(target))  # their records are in the new base
    sources = ", ".join(f"{n} from {name}" for name, n in found.counts.items()) or "nothing readable"
    note = f"; the damaged file is kept as {kept.name}" if kept else ""
    also = f"; {salvaged_corrections}" if salvaged_corrections else ""
    return (f"salvaged {len(found.articles)} articles ({sources}) and {len(found.corrections)} corrections "
            f"into {target.name}{note}{also}")
