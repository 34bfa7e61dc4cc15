"""One writer at a time: a file lock next to the archive.

TinyDB is not safe across processes (tinydb #91, #530); the app and a `tongket ingest`
in another terminal may both write. Each write takes this lock, re-reads the archive if
someone else changed it, applies its change and writes.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

from .errors import StoreError

LOCK_NAME = "archive.lock"


@contextmanager
def write_lock(folder: Path, *, timeout: float = 30.0) -> Iterator[None]:
    path = Path(folder) / LOCK_NAME
    lock = FileLock(str(path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise StoreError(f"another tongket process is writing the archive (lock {path} held for {timeout:.0f} s)") from None
    except OSError as exc:
        raise StoreError(f"cannot lock the archive at {path}: {exc.strerror or exc}") from None
    try:
        yield
    finally:
        lock.release()
