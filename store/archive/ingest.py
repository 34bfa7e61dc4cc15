"""Ingest: parsing files (in worker processes for big batches) and the merge rules that
decide which stored article a parsed file belongs to.

Identity: each source (a path, else a URL) points at the text it last held. While two
sources hold the same text they share one article; when one of them changes it moves to
an article of its own (keeping the URL and corrections learned so far). A later parse
may add what the archive knows (a URL, a path), never drop it.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import Any, Callable, Iterator, MutableMapping, NamedTuple

import zlib

import orjson

from tongket.store.archive import codec
from tongket.store.archive.identity import Lookups
from tongket.store.derived import figure_rows, textindex
from tongket.store.errors import InputError, TongketError
from tongket.store.record import Article, Rejection

INGEST_BATCH = 500  # articles parsed between two writes of archive.json
PARALLEL_THRESHOLD = 200  # files; below this, starting worker processes costs more than it saves
EMPTY_TEXT = "no article text found (an empty page, a placeholder or boilerplate only)"


class Prepared(NamedTuple):
    """One parse result reduced to what storing it needs: the archive.json fields, the
    fingerprint, the compact figures and the finished bytes of its body file. Built where
    the file was parsed (a worker process), so the folding and serialising run in parallel
    and only plain values travel back, which pickle far cheaper than the Article."""

    id: str
    source_url: str | None
    fields: dict[str, Any]
    fingerprint: str
    figs: list[list[Any]]
    payload: bytes  # the body file: body, full figures, folded search text, meta
    search: str  # the folded text for search.txt
    rows: figure_rows.Encoded | None = None  # its figures.rows texts (None: left to the first export)
    payload_crc: int = 0


ROWS_MAX_BYTES = 4 << 20  # a bigger body file is encoded by its first export, not during ingest


def encoded_rows(payload: bytes) -> figure_rows.Encoded | None:
    """The body file's figures.rows texts, encoded from exactly the bytes an export would
    read. A body over ROWS_MAX_BYTES (tens of thousands of figures; a typical one is ~20 KB)
    is left to the export: decoding it during ingest raised the peak memory by a third."""
    if len(payload) > ROWS_MAX_BYTES:
        return None
    try:
        encoded = figure_rows.encode(orjson.loads(payload))
    except ValueError:
        return None
    return encoded if encoded.storable else None


def prepare(article: Article, source_path: str | None) -> Prepared:
    """Run in the parser workers: besides the body file, its export rows are encoded here
    (~1 ms an article), not in the ingesting process."""
    search = textindex.search_text(article.title, article.body)
    payload = codec.body_payload(article, search, source_path)
    return Prepared(
        article.id,
        article.source_url,
        codec.parsed_fields(article),
        codec.fingerprint(article),
        codec.compact_figures(article),
        payload,
        search,
        encoded_rows(payload),
        zlib.crc32(payload),
    )


def _warm_parser() -> None:
    from tongket.store.parse.article import parse_text

    parse_text("Văn phòng UBND tỉnh\n\nNăm 2019 tiếp nhận 1.000 văn bản đến.")


def parse_packed(item: tuple[str, str | None, int | None, str | None]) -> Prepared | Rejection:
    """Parse one file and prepare it for storing (run in the workers)."""
    result = parse_one(Path(item[0]), item[1], item[2])
    if isinstance(result, Rejection):
        return result
    try:
        return prepare(result, item[3])
    except (TypeError, ValueError) as exc:  # an unserialisable value: a rejection, as in parse_one
        return Rejection(str(item[0]), f"could not be parsed ({type(exc).__name__}: {exc})")


class FileParser:
    """Parses files in order, spreading big batches over the CPUs: parsing (pure Python)
    is the slow part of ingest. Workers are forked only while this process has a single
    thread (the app ingests from a thread, and forking a threaded process can deadlock);
    otherwise they start with forkserver/spawn. Where worker processes cannot start, it
    parses in-process."""

    def __init__(self, total: int, *, max_bytes: int | None = None) -> None:
        self._max_bytes = max_bytes
        self._workers = min(os.cpu_count() or 1, 8)
        self._parallel = (
            total >= PARALLEL_THRESHOLD and self._workers > 1 and not os.environ.get("TONGKET_NO_PARALLEL")
        )
        self._pool: Any = None

    def __enter__(self) -> "FileParser":
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _start_pool(self) -> Any:
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            methods = multiprocessing.get_all_start_methods()
            if "fork" in methods and threading.active_count() == 1:
                method = "fork"  # cheapest, and safe while no other thread exists
                _warm_parser()  # load the parser's tables once, before the workers copy us
            else:
                method = "forkserver" if "forkserver" in methods else "spawn"
            context = multiprocessing.get_context(method)
            self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=context)
        return self._pool

    def word_block(self, folder: Path, token: bytes, first: int, texts: list[bytes], plan: Any) -> Any:
        """A future of the word block of `texts` (search.words, entries first…) and of the
        merge `plan` names (`wordindex.blocks_for`), made by a worker while this process
        stores on; None without workers (made by the caller). Asked for every batch
        (ingest_files): queued behind the next batch's files, it takes the CPU it took here,
        and the last one is made while the snapshot is merged and written. Made here, its
        tables left ~30 MB of freed memory in this process that the snapshot step's peak
        (adding 1k to 100k) then stood on."""
        if not self._parallel or self._pool is None:
            return None
        from tongket.store.derived import wordindex

        try:
            return self._pool.submit(wordindex.blocks_for, folder, token, first, texts, plan)
        except (OSError, RuntimeError):  # the pool is broken or shut down: built by the caller
            return None

    def map(self, chunk: list[tuple[Path, str | None, str | None]]) -> Iterator[Prepared | Rejection]:
        """Results for (path, url, source path) in order. With workers, the whole chunk is
        queued right away, so the caller can store one batch while the next is parsed."""
        packed = [(str(p), u, self._max_bytes, s) for p, u, s in chunk]
        results = None
        if self._parallel:
            try:
                results = self._start_pool().map(parse_packed, packed, chunksize=8)
            except (OSError, RuntimeError, ValueError):  # workers unavailable: parse in-process
                self._parallel = False
                self.__exit__()
        return self._collect(packed, results)

    def _collect(self, packed: list[tuple[str, str | None, int | None, str | None]], results: Any) -> Iterator[Prepared | Rejection]:
        from concurrent.futures.process import BrokenProcessPool

        done = 0
        if results is not None:
            try:
                for result in results:
                    done += 1
                    yield result
                return
            except (BrokenProcessPool, OSError, RuntimeError):  # workers died: finish in-process
                self._parallel = False
                self.__exit__()
        for item in packed[done:]:
            yield parse_packed(item)


def normal_path(path: str | Path | None) -> str | None:
    if path is None:
        return None
    try:
        return str(Path(path).expanduser().resolve())
    except OSError:
        return str(path)


class PathNormaliser:
    """`normal_path` for many files, most of them in a few folders: each folder is resolved
    once, and a file that is not a symlink itself (one lstat) resolves to its resolved
    folder + its name, as `Path.resolve` would give (~0.18 ms a file through pathlib).
    Anything else (a symlink, "~", an odd name, an error) takes `normal_path`."""

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}

    def __call__(self, path: str | Path) -> str | None:
        text = os.fspath(path)
        folder, name = os.path.split(text)
        if not name or name in (".", "..") or text.startswith("~") or "\0" in text:
            return normal_path(path)
        try:
            if stat.S_ISLNK(os.lstat(text).st_mode):
                return normal_path(path)
        except (OSError, ValueError):
            return normal_path(path)
        real = self._folders.get(folder)
        if real is None:
            resolved = normal_path(folder or ".")
            if resolved is None:
                return normal_path(path)
            real = self._folders[folder] = resolved
        return os.path.join(real, name)


def parse_one(path: Path, url: str | None, max_bytes: int | None = None) -> Article | Rejection:
    """Parse one file; any failure becomes a Rejection with a one-line reason, and so does
    a page without article text (it would share the empty text's id with every other)."""
    from tongket.store.parse.article import parse_file

    try:
        if max_bytes is None:
            article = parse_file(path, url=url)
        else:
            article = parse_file(path, url=url, max_bytes=max_bytes)
    except InputError as exc:
        return Rejection(str(path), exc.reason)
    except TongketError as exc:
        return Rejection(str(path), str(exc))
    except OSError as exc:
        return Rejection(str(path), exc.strerror or str(exc))
    except UnicodeError as exc:
        return Rejection(str(path), f"cannot decode the text ({getattr(exc, 'reason', exc)})")
    except RecursionError:
        return Rejection(str(path), "the file is nested too deeply to parse")
    except MemoryError:
        return Rejection(str(path), "the file is too large to parse")
    except Exception as exc:  # the documented boundary: a parser bug must not stop a batch
        return Rejection(str(path), f"could not be parsed ({type(exc).__name__}: {exc})")
    if not article.body.strip():  # the parser's own failure note, when it left one
        return Rejection(str(path), "; ".join(article.warnings) if article.warnings else EMPTY_TEXT)
    return article


class Merge:
    """The merge rules for one batch, over the records it touches (`records` fetches them). `write_body` stores
    a prepared text (True if it wrote a file); `corrections_for` / `copy_corrections` carry the user's edits over
    when a source moves to an article of its own."""

    def __init__(self, records: MutableMapping[str, dict[str, Any]], lookups: Lookups,
                 write_body: Callable[[Prepared], bool], copy_corrections: Callable[[str, str], None],
                 now: Callable[[], str]) -> None:
        self.records = records
        self.lookups = lookups
        self._write_body = write_body
        self._copy_corrections = copy_corrections
        self._now = now
        self.dirty = False
        self.replaced_text = False
        self.split: list[str] = []  # sources that moved out of a shared article

    def _detach(self, source: str | None, keep: str) -> None:
        """The source now holds another text: it no longer points at its old article."""
        if not source:
            return
        for aid in [a for a in (self.lookups.by_path.get(source),) if a and a != keep]:
            rec = self.records.get(aid)
            if rec and source in rec.get("source_paths", ()):
                rec["source_paths"].remove(source)
                self.dirty = True
        self.lookups.by_path[source] = keep

    def apply(self, article: Prepared, source: str | None) -> str:
        """Merge one parsed article; "added", "updated" or "unchanged"."""
        aid = self.lookups.by_content.get(article.id)
        if aid is not None:  # this text is stored already
            rec = self.records[aid]
            # a missing or damaged text file is rewritten (doctor's advice: ingest it again)
            status = "updated" if self._write_body(article) else "unchanged"
            self._detach(source, aid)
            if source and source not in rec["source_paths"]:
                rec["source_paths"].append(source)
                self.dirty = True
            if article.source_url and not rec.get("source_url"):
                rec["source_url"] = article.source_url
                self.lookups.learn_url(aid, article.source_url)
                self.dirty = True
            if rec.get("fingerprint") != article.fingerprint and (article.source_url or not rec.get("source_url")):
                # Same text, another parse (a better parser, or a URL learned): refresh.
                # A parse without the URL the record knows is less informed: keep the record.
                codec.fill_record(rec, article.id, article.fields, article.figs, article.fingerprint)
                status = "updated"
                self.dirty = True
            return status
        old = (self.lookups.by_path.get(source) if source else None) or (
            self.lookups.by_url.get(article.source_url) if article.source_url else None
        )
        self._write_body(article)
        self.dirty = True
        if old is not None and old in self.records:
            rec = self.records[old]
            others = [p for p in rec["source_paths"] if p != source]
            if not others:  # its only source was edited: keep the id and the corrections
                self.lookups.by_content.pop(rec.get("content_id", old), None)
                self.replaced_text = self.replaced_text or rec.get("body_ref") != article.id
                codec.fill_record(rec, article.id, article.fields, article.figs, article.fingerprint)
                rec["updated_at"] = self._now()
                self.lookups.by_content[article.id] = old
                return "updated"
            # Shared with other sources that still hold the old text: this one moves out.
            rec["source_paths"] = others
            new = self._new_record(article, source)
            if rec.get("source_url") and not new.get("source_url") and not article.source_url:
                new["source_url"] = rec["source_url"]
            self._copy_corrections(old, new["id"])
            self.split.append(source or article.id)
            return "added"
        self._new_record(article, source)
        return "added"

    def _new_record(self, article: Prepared, source: str | None) -> dict[str, Any]:
        rec: dict[str, Any] = {"id": article.id, "source_paths": [source] if source else [], "ingested_at": self._now()}
        codec.fill_record(rec, article.id, article.fields, article.figs, article.fingerprint)
        self.records[article.id] = rec
        self.lookups.add(rec)
        if source:
            self.lookups.by_path[source] = article.id
        return rec
