"""`tongket list --json`: the rows read straight from the snapshot's columns.

Why: at 100k articles `list --text` lists ~88k of them, and a row made through the façade
(an `ArticleMeta`, then `Archive.source_url` parsing the article's whole stored record,
then `corrections_of`) cost ~25 µs, most of the command. Here a row is the columns at its
rank (the source URL too: the snapshot keeps it as a column, ~10 ms to read at 100k where
cutting it from ~88k stored records cost ~0.2 s); only a corrected article's row is taken
from the index (the corrections overlay).
"""

from __future__ import annotations

from typing import Any

from tongket.store.derived.snapshot_columns import as_list
from tongket.store.derived.snapshot_records import RecordReader


def list_rows(archive: Any, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of `list --json` for `filters` (as `Archive.query` takes them), in its order:
    id, title, province, report_year, period, published, event_date, n_figures, `corrections` (field -> corrected value, as `show --json`) and
    `source_url`."""
    index = archive.index
    snap = index.snapshot
    ranks = index.select_ranks(**filters)
    rows: list[dict[str, Any]] = []
    _fill(rows, ranks, archive, index, snap)
    return rows


def _fill(rows: list[dict[str, Any]], ranks: list[int], archive: Any, index: Any, snap: Any) -> None:
    """The rows (from the stored records for a few, else from the columns), then the
    corrected rows made again from the overlay."""
    if len(ranks) * 16 <= len(snap) and isinstance(snap.records_file, RecordReader):
        _fill_from_records(rows, ranks, archive, snap)
    else:
        _fill_from_columns(rows, ranks, snap)
    overlaid = index.corrected_ranks()
    if overlaid:
        ids = snap.ids
        for i, r in enumerate(ranks):
            if r in overlaid:
                m, row = index.meta(ids[r]), rows[i]
                row.update(title=m.title, province=m.province, report_year=m.report_year, period=m.period,
                           corrections=archive.corrections_of(m.id))


def _fill_from_records(rows: list[dict[str, Any]], ranks: list[int], archive: Any, snap: Any) -> None:
    """A few rows (`list --province`: 1.6k of 100k): the id, title, dates and source URL
    from each one's stored record, read and checked against its own CRC, instead of
    checking the whole id, title and date columns (15 MB at 100k) to read 1.6k values."""
    province, year, period, n_figures = snap.province, snap.year, snap.period, snap.n_figures
    provinces = [*snap.provinces, None]  # code -1 -> None
    periods = [*snap.periods, None]
    record_of, append = snap.record_of, rows.append
    for r in ranks:
        rec = record_of(r)
        aid = rec.get("id") if rec is not None else None
        if not isinstance(aid, str):  # it fails its CRC: the columns, and the URL from archive.json
            aid = snap.ids[r]
            title, pub, ev, url = snap.titles[r], snap.published[r], snap.event_date[r], archive.source_url(aid)
        else:
            title, pub, ev, url = (rec.get("title") or "", rec.get("published") or None, rec.get("event_date") or None,
                                   rec.get("source_url"))
            url = url if isinstance(url, str) else None
        append({"id": aid, "title": title, "province": provinces[province[r]], "report_year": year[r] or None,
                "period": periods[period[r]], "published": pub, "event_date": ev, "n_figures": n_figures[r],
                "corrections": {}, "source_url": url})


def _fill_from_columns(rows: list[dict[str, Any]], ranks: list[int], snap: Any) -> None:
    """Many rows (`list --text`: ~88k of 100k), column by column: each column gathered by
    a C-level map over the ranks, then one dict per row."""
    if len(ranks) * 16 > len(snap):  # many rows: the string columns split whole, once
        for column in (snap.ids, snap.titles, snap.published, snap.event_date):
            as_list(column)  # puts the split list on the snapshot
    ids, titles, published, event_date = snap.ids, snap.titles, snap.published, snap.event_date
    provinces = [*snap.provinces, None]  # code -1 -> None
    periods = [*snap.periods, None]
    at = lambda column: map(column.__getitem__, ranks)  # noqa: E731
    none: dict[str, Any] = {}  # one for every uncorrected row (only written out; 88k made and freed cost ~25 ms)
    rows.extend({"id": aid, "title": title, "province": provinces[p], "report_year": y or None, "period": periods[q],
                 "published": pub, "event_date": ev, "n_figures": nf, "corrections": none, "source_url": url}
                for aid, title, p, y, q, pub, ev, nf, url in zip(
                    at(ids), at(titles), at(snap.province), at(snap.year), at(snap.period), at(published),
                    at(event_date), at(snap.n_figures), at(snap.source_urls)))
