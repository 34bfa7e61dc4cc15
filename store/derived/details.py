"""Figure context that only the article's own file holds: sentence, span, qualifier, kind,
change, source URL and path.

The snapshot keeps five fields per figure so that lookup stays small and fast; a comparison
needs more to be honest ("gần 40 nghìn" is not 40.000, a target is not a result) and an
export needs the sentence and source to be checkable. So these functions read the body
files, once per article, through a callback the archive provides (`read(article_id)` ->
the body file's dict or None). Rows are plain dicts built straight from the file's JSON so
that streaming 1.5M figures costs no dataclass per figure.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Iterable, Iterator, Mapping

from tongket.store.record import ArticleMeta, Change, FigureHit

BodyReader = Callable[[str], Mapping[str, Any] | None]

# Columns of the tidy figure table (`tongket figures`), in order.
FIGURE_COLUMNS = (
    "article_id", "province", "merged_unit", "report_year", "period", "published", "metric_key", "label",
    "value", "unit", "qualifier", "of", "change", "kind", "sentence", "source_url", "source_file",
)


def change_text(change: Mapping[str, Any] | Change | None) -> str:
    """A change as one cell: "+10.02 %" / "-3 văn bản" / "0", with what it is compared with."""
    if not change:
        return ""
    if not isinstance(change, Change):
        value, unit, direction, vs = change.get("value"), change.get("unit"), change.get("direction"), change.get("vs")
    else:
        value, unit, direction, vs = change.value, change.unit, change.direction, change.vs
    sign = {"up": "+", "down": "-"}.get(direction or "", "")
    text = f"{sign}{value:g}" if isinstance(value, (int, float)) else str(value or "")
    if unit:
        text += f" {unit}"
    if vs:
        text += f" (so với {vs})"
    return text


def with_details(
    hits: Iterable[FigureHit], read: BodyReader, meta_of: Callable[[str], ArticleMeta | None] = lambda _id: None
) -> list[FigureHit]:
    """The hits with their context filled in; each article's file is read once. Title and
    date come from `meta_of` (the list row, corrections applied) when it knows the article."""
    cache: dict[str, Mapping[str, Any] | None] = {}
    out: list[FigureHit] = []
    for hit in hits:
        if hit.article_id not in cache:
            cache[hit.article_id] = read(hit.article_id)
        body = cache[hit.article_id]
        if not body:
            out.append(hit)
            continue
        figures = body.get("figures") or ()
        meta = body.get("meta") or {}
        fig = figures[hit.figure_index] if 0 <= hit.figure_index < len(figures) else {}
        change = fig.get("change")
        row = meta_of(hit.article_id)
        out.append(replace(
            hit,
            kind=fig.get("kind") or "actual",
            qualifier=fig.get("qualifier"),
            of=fig.get("of"),
            change=Change(**change) if change else None,
            sentence=fig.get("sentence") or "",
            span=tuple(fig["span"]) if fig.get("span") else None,
            title=(row.title if row else meta.get("title")) or "",
            published=row.published if row else meta.get("published"),
            source_url=meta.get("source_url"),
        ))
    return out


def figure_rows(
    metas: Iterable[ArticleMeta],
    read: BodyReader,
    merged_unit: Callable[[str], str],
) -> Iterator[tuple[Any, ...]]:
    """One tuple per figure in FIGURE_COLUMNS order, article by article, so a caller can
    write them out without the whole set in memory. Province, year and period are the
    corrected ones (from `metas`); the rest is what the parser read. `tongket figures`
    writes the same rows from pre-encoded text (figure_export.py, figure_rows.tail_values)."""
    units: dict[str, str] = {}
    for m in metas:
        body = read(m.id)
        if not body:
            continue
        meta = body.get("meta") or {}
        province = m.province or ""
        if province and province not in units:
            units[province] = merged_unit(province)
        unit_of = units.get(province, "")
        url = meta.get("source_url") or ""
        path = meta.get("source_path") or ""  # the file it was first ingested from
        head = (m.id, province, unit_of, m.report_year or "", m.period or "", m.published or "")
        for fig in body.get("figures") or ():
            yield (*head, *figure_tail(fig, url, path))


def figure_tail(fig: Mapping[str, Any], url: str, path: str) -> tuple[Any, ...]:
    """The figure-level cells of a FIGURE_COLUMNS row (metric key .. source file)."""
    get = fig.get
    of, change = get("of"), get("change")
    return (
        get("key") or "", get("label") or "", get("value"), get("unit") or "", get("qualifier") or "",
        "" if of is None else of, change_text(change) if change else "", get("kind") or "actual",
        get("sentence") or "", url, path,
    )
