"""The one record codec: Article <-> archive.json record <-> body file <-> article again.

Generic over Article's fields: every field except the text and its figures goes to the
record (and to the body file's "meta", so `doctor --salvage` can rebuild the record), and
comes back through `article_from_dict`, so a field added to Article in store/record.py
needs no edit here, and records written before it existed still load.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields, is_dataclass, replace
from typing import Any

from tongket.store.archive.storage import dumps
from tongket.store.record import Article, ArticleMeta, CompactFigure, article_from_dict

BODY_ONLY = ("id", "body", "figures")  # kept in the body file (id names it), not the record


def meta_fields() -> tuple[str, ...]:
    """Article fields kept in archive.json records."""
    return _META_FIELDS


_META_FIELDS = tuple(f.name for f in fields(Article) if f.name not in BODY_ONLY)  # asked per article: ~20 µs each


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def parsed_fields(article: Article) -> dict[str, Any]:
    """The parsed fields archive.json keeps, as plain JSON values."""
    return {name: _plain(getattr(article, name)) for name in meta_fields()}


def compact_figures(article: Article) -> list[list[Any]]:
    return [CompactFigure.of(f).row() for f in article.figures]


# Part of every fingerprint: when the compact figure gains a field, each stored record's
# fingerprint differs from a fresh parse's, so re-ingesting the same files refreshes them.
FIGS_FORMAT = b"figs2:"  # 2: qualifier and kind


def fingerprint(article: Article) -> str:
    """Identity of one parse result (ignoring the URL, which differs between copies).
    orjson serialises the frozen dataclasses directly, much faster than `asdict`."""
    return hashlib.sha1(FIGS_FORMAT + dumps(replace(article, source_url=None))).hexdigest()[:16]


def body_payload(article: Article, search: str, source_path: str | None) -> bytes:
    """The body file: text, full figures, folded search text and the record's fields."""
    meta = {**parsed_fields(article), "source_path": source_path}
    return dumps({"body": article.body, "figures": article.figures, "search": search, "meta": meta})


def fill_record(rec: dict[str, Any], content_id: str, fields_: dict[str, Any], figs: list[list[Any]], fp: str) -> None:
    """Copy freshly parsed fields into a record (never the user's corrections); a URL (and
    what it told) learned earlier is kept when this parse had none."""
    keep_url = not fields_.get("source_url") and rec.get("source_url")
    for name in meta_fields():
        if name in fields_:
            rec[name] = fields_[name]
    if keep_url:
        rec["source_url"] = keep_url
    rec["content_id"] = content_id
    rec["body_ref"] = content_id
    rec["figs"] = figs
    rec["fingerprint"] = fp


def record_from_body(ref: str, meta: dict[str, Any], figures: list[dict[str, Any]], stamp: str) -> dict[str, Any]:
    """A record rebuilt from a body file alone (the doctor's salvage)."""
    source = meta.get("source_path")
    record: dict[str, Any] = {"id": ref, "source_paths": [source] if source else [], "ingested_at": stamp}
    record.update({name: meta.get(name) for name in meta_fields()})
    fill_record(record, ref, {}, [CompactFigure.from_row(f).row() for f in figures], "")
    return record


def meta_of(record: dict[str, Any]) -> ArticleMeta:
    """The parsed list row of a record (corrections are an overlay on top)."""
    return ArticleMeta(
        id=record["id"],
        title=record.get("title") or "",
        province=record.get("province"),
        report_year=record.get("report_year"),
        period=record.get("period"),
        published=record.get("published"),
        event_date=record.get("event_date"),
        n_figures=len(record.get("figs") or ()),
        corrected=(),
    )


def article_of(aid: str, record: dict[str, Any], body: dict[str, Any] | None, corrections: dict[str, Any],
               missing_note: str) -> Article:
    """The article a reader sees: record fields, the user's corrections over them (the one
    overlay of corrections on parsed fields), and the text from its body file; without
    the body file, the compact figures and a warning naming the missing file."""
    warnings = list(record.get("warnings") or ())
    if body is None:
        warnings.append(missing_note)
        body = {"body": "", "figures": [CompactFigure.from_row(f).as_dict() for f in record.get("figs") or ()]}
    data = {name: record.get(name) for name in meta_fields()}
    data.update(corrections)
    data.update(id=aid, body=body.get("body", ""), figures=body.get("figures", []), warnings=warnings)
    return article_from_dict(data)
