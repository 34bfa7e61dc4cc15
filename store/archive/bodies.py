"""Content-addressed body files: one per article text, named by its content id.

An update writes a new file instead of changing one, so a crash before archive.json is
replaced leaves the old record and its text intact. Files are written without an fsync
each as they come; `sync` makes a whole batch durable at once, before archive.json (or a
segment) starts pointing at them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tongket.store.archive.layout import BODIES_DIR, body_file
from tongket.store.archive.storage import atomic_write_bytes, describe_os_error, fsync_dir, loads
from tongket.store.errors import StoreError


def sound(body: Any) -> bool:
    """The shape every body file is written in; anything else (a hand edit, a bit flip that
    still parses) is damage, and reads as a missing text rather than breaking its reader."""
    return (isinstance(body, dict) and isinstance(body.get("body"), str)
            and isinstance(body.get("figures", []), list) and all(isinstance(f, dict) for f in body.get("figures", []))
            and isinstance(body.get("search", ""), str))


JOURNAL_PREFIX = ".batch-"  # bodies/.batch-<pid>.journal: refs a batch created, until it commits


def journaled_refs(folder: Path) -> set[str]:
    """Refs that batches created but never committed (the batch was killed or failed before
    its record was written): what salvage must not turn into articles, whatever their times."""
    refs: set[str] = set()
    for journal in (folder / BODIES_DIR).glob(JOURNAL_PREFIX + "*.journal"):
        try:
            refs.update(journal.read_text(encoding="utf-8").split())
        except OSError:
            continue
    return refs


class Bodies:
    """The bodies/ folder of one archive, with the files written since the last sync."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._journal: Any = None  # open while a batch has created files it has not committed
        self._unsynced: list[Path] = []
        self._created: list[Path] = []  # files new in the current batch: a failed batch removes them
        self.new_texts: list[tuple[str, str]] = []  # (ref, folded text) written since the last write

    def path(self, ref: str) -> Path:
        return body_file(self.folder, ref)

    def write(self, ref: str, payload: bytes, search: str) -> bool:
        """Write the body file unless a sound one exists (same ref, same content): a missing
        or damaged one is rewritten, so ingesting its source again repairs it. True if written."""
        target = self.path(ref)
        existed = target.exists()
        if existed and self.read(ref) is not None:
            return False
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not existed:
                self._note(ref)
            atomic_write_bytes(target, payload, fsync=False)
            self._unsynced.append(target)
            if not existed:
                self._created.append(target)
        except OSError as exc:
            raise StoreError(f"cannot write the article text {target}: {describe_os_error(exc)}") from None
        self.new_texts.append((ref, search))
        return True

    def read(self, ref: str) -> dict[str, Any] | None:
        """The body file, or None when it is missing or damaged."""
        try:
            body = loads(self.path(ref).read_bytes())
        except (OSError, ValueError):
            return None
        return body if sound(body) else None

    def discard(self) -> None:
        """The batch failed: remove the files it created, so "nothing was changed" is true
        and no salvage later turns them into articles."""
        for path in self._created:
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                continue  # a read-only disk: the orphans stay, doctor --salvage ignores them
        created = set(self._created)
        self._unsynced = [p for p in self._unsynced if p not in created]
        self._created.clear()
        self.new_texts.clear()
        self._close_journal()

    def keep(self) -> None:
        """The batch is in the store of record: its files are no longer the batch's to remove."""
        self._created.clear()
        self._close_journal()

    def _journal_path(self) -> Path:
        return self.folder / BODIES_DIR / f"{JOURNAL_PREFIX}{os.getpid()}.journal"

    def _note(self, ref: str) -> None:
        """Journal a new file before it exists (flushed: a killed process loses nothing)."""
        if self._journal is None:
            self._journal = open(self._journal_path(), "a", encoding="utf-8")
        self._journal.write(ref + "\n")
        self._journal.flush()

    def _close_journal(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        try:
            self._journal_path().unlink()
        except OSError:
            pass

    def take_new_texts(self) -> list[tuple[str, str]]:
        items, self.new_texts = self.new_texts, []
        return items

    def sync(self) -> None:
        """Make the body files written since the last sync durable, with their folder entries,
        before a record points at them. One fsync each, from a few threads (the disk takes
        them in parallel: ~35 ms for 500 files), not sync(2): that flushes every dirty page of
        the machine, so its cost was whatever else was being written (~1 s at 100k)."""
        if not self._unsynced:
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=_SYNC_THREADS) as pool:
            failed = [f for f in pool.map(_fsync_file, self._unsynced) if f is not None]
            list(pool.map(fsync_dir, {p.parent for p in self._unsynced}))
        if failed:
            raise StoreError(failed[0])
        self._unsynced.clear()


_SYNC_THREADS = 8  # fsyncs in flight at once; the threads are joined before `sync` returns


def _fsync_file(path: Path) -> str | None:
    """fsync one written file; why it failed, or None."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None  # removed since (a failed batch's discard): nothing to make durable
    except OSError as exc:
        return f"cannot write the article text {path}: {describe_os_error(exc)}"
    try:
        os.fsync(fd)
    except OSError as exc:
        return f"cannot write the article text {path}: {describe_os_error(exc)}"
    finally:
        os.close(fd)
    return None
