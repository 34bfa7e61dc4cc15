"""One writer at a time: a file lock next to the archive.

TinyDB is not safe across processes (tinydb #91, #530); the app and a `tongket ingest`
in another terminal may both write. Each write takes this lock, re-reads the archive if
someone else changed it, applies its change and writes.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tongket.store.errors import StoreError
from tongket.store.archive.storage import describe_os_error

LOCK_NAME = "archive.lock"


@contextmanager
def write_lock(folder: Path, *, timeout: float = 30.0) -> Iterator[None]:
    """Hold the archive's lock for a write; StoreError (one line) when it cannot be had."""
    path = Path(folder) / LOCK_NAME
    from filelock import FileLock, Timeout  # imported on the first write: ~40 ms a read-only command skips

    lock = FileLock(str(path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise StoreError(
            f"another tongket process has been writing the archive for over {timeout:.0f} s (lock {path}); "
            f"nothing was changed - try again when it has finished"
        ) from None
    except OSError as exc:
        raise StoreError(f"cannot lock the archive at {path}: {describe_os_error(exc)}") from None
    try:
        yield
    finally:
        lock.release()


def lock_is_held(folder: Path) -> bool:
    """True while another process holds the archive's lock (for `tongket doctor`)."""
    path = Path(folder) / LOCK_NAME
    if not path.exists():
        return False
    from filelock import FileLock, Timeout

    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return True
    except OSError:
        return False
    lock.release()
    return False
