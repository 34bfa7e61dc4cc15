"""The archive façade: an archive folder, loaded into memory, with queries, ingest,
corrections and removal. Its rooms: layout.py (which file is where), codec.py (records in
and out of every on-disk shape), bodies.py (the text files), corrections.py (the user's
edits), ingest.py (parsing and merge rules), storage.py/lock.py (atomic writes, the lock),
derived/ (snapshot, indexes, packed search text). The façade itself is a stack of layers,
each its own module: state.py (what is held) < loading.py (reading) < views.py (derived
views) < writing.py (ingest, removal, the write of the store of record) < this file (queries
and corrections, the public API the app and the command line use).

The store of record (archive.json) is read only when something needs it: a write, or a
record the snapshot cannot give. Listing and looking up figures go through the snapshot.
The whole TinyDB file is written once per batch, so ingesting many files costs one write.
Reads never write the store of record; writes are the named methods `ingest_*`, `correct`
and `remove` (and `open`, which rebuilds a stale snapshot).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

from tongket.store.archive import codec
from tongket.store.archive.corrections import validated
from tongket.store.archive.temps import sweep_temps
from tongket.store.archive.ingest import normal_path
from tongket.store.archive.layout import ARCHIVE_FILE, CORRECTIONS_FILE, SCHEMA_VERSION, default_store_path
from tongket.store.archive.lock import write_lock
from tongket.store.archive.storage import describe_os_error
from tongket.store.derived import details, figure_rows_write
from tongket.store.derived.figure_rows import Pending
from tongket.store.derived.index import UNKNOWN
from tongket.store.archive.writing import Writing
from tongket.store.errors import InputError, StoreError
from tongket.store.record import CORRECTABLE, ArticleMeta, FigureHit, LookupResult, StoredArticle

__all__ = ["ARCHIVE_FILE", "CORRECTIONS_FILE", "CORRECTABLE", "SCHEMA_VERSION", "UNKNOWN_PROVINCE", "Archive",
           "default_store_path"]

UNKNOWN_PROVINCE = UNKNOWN  # province filter value meaning "no province"


class Archive(Writing):
    """An archive folder, loaded into memory, with queries, ingest, corrections and removal."""

    @classmethod
    def open(cls, path: str | Path | None = None) -> "Archive":
        """Open (creating if missing) the archive folder; StoreError if it cannot be read.
        A snapshot that does not match archive.json is rebuilt and saved here, so that
        later reads never write."""
        folder = Path(path).expanduser() if path is not None else default_store_path()
        if folder.exists() and not folder.is_dir():
            raise StoreError(f"the archive path {folder} is a file, not a folder")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the archive folder {folder}: {describe_os_error(exc)}") from None
        if not folder.is_dir():
            raise StoreError(f"the archive path {folder} is not a folder")
        archive = cls(folder)
        archive._load()
        if archive._records_data is not None and archive._signature is not None:
            archive._save_rebuilt_snapshot()
        return archive

    def __len__(self) -> int:
        if self._records_data is None:
            return len(self.index)
        return len(self._records_data)

    def articles(self) -> list[ArticleMeta]:
        """All articles, newest first."""
        return self.index.all()

    def query(
        self,
        *,
        province: str | None = None,
        year: int | None = None,
        period: str | None = None,
        text: str | None = None,
        merged: bool = False,
    ) -> list[ArticleMeta]:
        return self.index.select(province=province, year=year, period=period, text=text, merged=merged)

    def province_counts(self, *, merged: bool = False, year=None, period=None, text=None) -> list[tuple[str | None, int]]:
        return self.index.province_counts(merged=merged, year=year, period=period, text=text)

    def year_counts(self, *, province=None, period=None, text=None, merged=False) -> list[tuple[int | None, int]]:
        return self.index.year_counts(province=province, period=period, text=text, merged=merged)

    def period_counts(self, *, province=None, year=None, text=None, merged=False) -> list[tuple[str | None, int]]:
        return self.index.period_counts(province=province, year=year, text=text, merged=merged)

    def get(self, id_or_prefix: str) -> StoredArticle:
        """The full article (body read from its own file) with the user's corrections applied."""
        aid = self.resolve(id_or_prefix)
        record = self._record(aid)
        ref = record.get("body_ref", aid)
        note = f"article text missing or damaged in the archive ({self._bodies.path(ref)})"
        corrections = self._corrections.get(aid, {})
        return StoredArticle(
            article=codec.article_of(aid, record, self._bodies.read(ref), corrections, note),
            corrections=dict(corrections),
            source_paths=tuple(record.get("source_paths") or ()),
            ingested_at=record.get("ingested_at", ""),
        )

    def corrections_of(self, aid: str) -> dict[str, Any]:
        """The user's corrections of one article: field -> corrected value."""
        return dict(self._corrections.get(aid, {}))

    def source_url(self, aid: str) -> str | None:
        """The page an article was saved from, without reading its body file."""
        return self._record(aid, figures=False).get("source_url")

    def lookup(
        self,
        query: str,
        *,
        province: str | None = None,
        year: int | None = None,
        period: str | None = None,
        merged: bool = False,
        limit: int | None = 200,
    ) -> list[FigureHit]:
        """Figures whose label, unit or metric name matches, best first; filters apply.
        `limit=None`: every match."""
        return self.index.lookup(query, province=province, year=year, period=period, merged=merged, limit=limit)

    def lookup_counted(self, query: str, *, limit: int | None = None, **filters: Any) -> LookupResult:
        """Like `lookup`, with the number of matching figures and articles."""
        return self.index.lookup_counted(query, limit=limit, **filters)

    def with_details(self, hits: Iterable[FigureHit]) -> list[FigureHit]:
        """The hits with sentence, qualifier, kind, change and source read from their articles."""
        return details.with_details(hits, self._body_of, self.index.meta)

    def figure_rows(self, **filters: Any) -> Iterator[tuple[Any, ...]]:
        """Every figure of the filtered articles as a `details.FIGURE_COLUMNS` row, streamed."""
        provinces = self.index.provinces
        return details.figure_rows(self.query(**filters), self._body_of, provinces.merged_unit)

    def export_figures(self, out: BinaryIO, fmt: str, *, bom: bool = False, **filters: Any) -> int:
        """`figure_rows` written to `out` as CSV or JSON lines, mostly from the pre-encoded
        figures.rows (derived/figure_export.py); returns the number of figures."""
        from tongket.store.derived import figure_export  # only `tongket figures` writes rows

        metas = self.query(**filters)
        written = figure_export.write(out, fmt, metas, folder=self.path, ref_of=self._body_ref, bom=bom,
                                      merged_unit=self.index.provinces.merged_unit, save=self._save_figure_rows)
        if not any(filters.values()) and written.entries * 3 >= len(metas) * 4:  # a quarter may be dead
            live = {r for m in metas if (r := self._body_ref(m.id))}
            self._when_lock_free(lambda: figure_rows_write.compact(self.path, live))
        return written.figures

    def _save_figure_rows(self, records: list[Pending]) -> bool:
        return self._when_lock_free(lambda: figure_rows_write.append(self.path, records))

    def ids_from(self, source: str | Path) -> list[str]:
        """Articles read from a path, or from any file under a folder."""
        target = normal_path(source) or str(source)
        prefix = target.rstrip("/") + "/"
        return sorted(aid for aid, rec in self._loaded_records().items()
                      if any(p == target or p.startswith(prefix) for p in rec.get("source_paths") or ()))

    def correct(self, id_or_prefix: str, **fields: Any) -> StoredArticle:
        """Record the user's corrections (province, report_year, period, title); None clears one."""
        unknown = set(fields) - set(CORRECTABLE)
        if unknown:
            raise InputError(id_or_prefix, f"cannot correct {', '.join(sorted(unknown))} (only {', '.join(CORRECTABLE)})")
        with write_lock(self.path):
            self.reload_if_changed()
            self._check_writable(records=False)  # archive.json is neither read nor written
            aid = self.resolve(id_or_prefix)
            current = dict(self._corrections.get(aid, {}))
            for name, value in fields.items():
                if value is None:
                    current.pop(name, None)
                else:
                    current[name] = validated(aid, name, value, self._provinces().canonical,
                                              self._province_table is not None)
            before = dict(self._corrections)
            self._corrections[aid] = current
            if not current:
                del self._corrections[aid]
            try:
                self._corr.write()
            except StoreError:
                self._corr.data = before
                raise
            if self._index is not None:
                self._index.set_corrections(self._corrections)
            try:
                sweep_temps(self.path)  # every successful write clears leftovers of killed writers
            except OSError:
                pass
        return self.get(aid)
