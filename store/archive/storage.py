"""Crash-safe files for the archive: a TinyDB storage and an atomic file writer.

TinyDB's own JSONStorage rewrites its file in place, so a crash mid-write tears it
(tinydb #467). Here every write goes to a temp file in the same folder, is fsynced, and
replaces the old file with `os.replace`, then the folder is fsynced: after a crash or a
full disk the file on disk is the old one or the new one, never a mix. The previous good
file is kept as `<name>.bak` for recovery. orjson keeps Vietnamese as UTF-8 (no `\\u1ebf`
escapes) and is several times faster than the json module.

Checksum: every file this storage writes opens with `"_checksum":"<sha-256 of the rest>"`
(the document as serialised without that member), and a read verifies it: a flipped bit or
an edit outside tongket is reported as damage with the repair named, never read as data.
A file without the member (written by an older tongket, or by hand) is read unverified.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import orjson

from tongket.store.errors import StoreError

BACKUP_SUFFIX = ".bak"
CORRUPT_SUFFIX = ".corrupt-"  # archive.json.corrupt-20250101T120000: a damaged file kept aside
CHECKSUM_KEY = "_checksum"
_SEAL = b'{"' + CHECKSUM_KEY.encode() + b'":"'
_DIGEST_CHARS = 32


class EncodeError(StoreError, TypeError):
    """The data cannot be written as JSON (a bug, not a user error); nothing was written.

    Also a TypeError, which is what serialisers raise and what older callers catch."""


def describe_os_error(exc: OSError) -> str:
    """The OS error for people, with what it means for their data when that is known."""
    text = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return f"{text}: the disk is full; nothing was changed (free some space and try again)"
    if exc.errno == errno.EROFS:
        return f"{text}: the disk is mounted read-only; nothing was changed"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"{text}: the folder or file is read-only or not yours; nothing was changed"
    return text


def file_signature(path: Path) -> tuple[int, int, int] | None:
    """(mtime ns, size, inode) of a file, None when it is missing: how a reader tells that
    another process replaced it (every write is a new file, so a new inode)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def fsync_dir(folder: Path) -> None:
    """Make a rename inside `folder` durable (no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def temp_name(path: Path) -> Path:
    """The temp file a write of `path` goes through: hidden, in the same folder, named
    after the writing process so a leftover from a killed writer can be recognised."""
    return path.parent / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"


_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.\d+\.tmp$")


def stale_temps(folder: Path, name: str | None = None) -> list[Path]:
    """Temp files in `folder` left by writers that no longer run (killed mid-write).

    Safe to delete: a temp file only becomes a real file by a rename its writer makes."""
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        match = _TEMP.match(entry.name)
        if match and (name is None or match["name"] == name) and not _pid_alive(int(match["pid"])):
            found.append(Path(entry.path))
    return found


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but is not ours, or cannot tell: leave its files alone
    return True


def remove_stale_temps(folder: Path, name: str | None = None) -> int:
    """Delete the leftovers `stale_temps` finds; returns how many went."""
    removed = 0
    for path in stale_temps(folder, name):
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def atomic_write_bytes(
    path: Path, data: bytes | Iterable[bytes | memoryview], *, fsync: bool = True, backup: bool = False, overwrite: bool = True
) -> None:
    """Replace `path` with `data` (or its parts, written in turn) so that readers see the old or
    the new content, never a mix. `backup`: the replaced file is kept as `path.bak` (a hard link,
    so no copy). `overwrite=False`: FileExistsError if `path` exists, decided atomically (a hard
    link from the temp file), so a file created meanwhile by someone else is never replaced.
    """
    path = Path(path)
    folder = path.parent
    tmp = temp_name(path)
    try:
        with open(tmp, "wb") as handle:
            from tongket.store.archive.file_parts import write_parts  # views of a mapped file: its pages let go
            write_parts(handle, [data] if isinstance(data, bytes) else data)
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        if not overwrite:
            _link_new(tmp, path)
        else:
            if backup and path.exists():
                _keep_backup(path)
            os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    if fsync:
        fsync_dir(folder)


def _link_new(tmp: Path, path: Path) -> None:
    """Put `tmp` at `path` only if nothing is there yet; `tmp` is gone afterwards."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:  # no hard links here: check, then rename (a small window, but no link support)
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, "File exists", str(path)) from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def keep_corrupt_copy(path: Path) -> Path | None:
    """Keep the damaged `path` aside as `<name>.corrupt-<its mtime>` before anything replaces
    it; the same damaged file is kept once however often it is opened. None if impossible."""
    try:
        st = path.stat()
    except OSError:
        return None
    stamp = datetime.fromtimestamp(st.st_mtime, timezone.utc).strftime("%Y%m%dT%H%M%S")
    copy = path.with_name(f"{path.name}{CORRUPT_SUFFIX}{stamp}")
    try:
        if copy.exists():
            if copy.stat().st_size == st.st_size:
                return copy
            copy = path.with_name(f"{path.name}{CORRUPT_SUFFIX}{stamp}-{st.st_ino}")
            if copy.exists():
                return copy
        try:
            os.link(path, copy)
        except OSError:
            import shutil

            shutil.copyfile(path, copy)
    except OSError:
        return None
    return copy


def describe_json_error(exc: Exception, raw: bytes) -> str:
    """Where and how a JSON file is broken: "cut off at byte 1,234 of 1,234 (…)" or
    "invalid JSON at line 3, column 7 (byte 120): …"."""
    pos = getattr(exc, "pos", None)
    msg = getattr(exc, "msg", None) or str(exc)
    if "UTF-8" in msg:  # orjson checks the encoding first and reports byte 0: find the real spot
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            if bad.reason == "unexpected end of data":
                msg, pos = "unexpected end of data", bad.start
            else:
                msg, pos = f"bytes that are not UTF-8 ({bad.reason})", bad.start
    if "end of data" in msg:
        return f"it is cut off (truncated): it ends at byte {len(raw):,}, in the middle of the data"
    if isinstance(pos, int):
        line = raw.count(b"\n", 0, pos) + 1
        column = pos - (raw.rfind(b"\n", 0, pos) + 1) + 1
        return f"invalid JSON at line {line}, column {column} (byte {pos:,}): {msg}"
    return f"invalid JSON: {msg}"


def _keep_backup(path: Path) -> None:
    """Point `path.bak` at the current file, itself atomically (link to a temp name, rename)."""
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    tmp = path.with_name(f".{path.name}.bak.tmp")
    try:
        tmp.unlink()
    except FileNotFoundError:
        pass
    try:
        try:
            os.link(path, tmp)
        except OSError:  # file systems without hard links: copy instead
            import shutil

            shutil.copyfile(path, tmp)
        os.replace(tmp, backup)
    except OSError:
        # A missing backup must not block saving the user's work; the write goes on.
        try:
            tmp.unlink()
        except OSError:
            pass


def checksum(payload: bytes | memoryview, prefix: bytes = b"") -> str:
    """sha-256 of `prefix + payload` (without joining them), as 32 hex characters."""
    digest = hashlib.sha256(prefix)
    digest.update(payload)
    return digest.hexdigest()[:_DIGEST_CHARS]


def seal(payload: bytes) -> bytes:
    """A serialised JSON object with its checksum as the first member."""
    if not payload.startswith(b"{"):
        raise ValueError("only a JSON object can carry a checksum")
    rest = payload[1:]
    joint = b"" if rest.lstrip().startswith(b"}") else b","
    return _SEAL + checksum(payload).encode() + b'"' + joint + rest


def read_checksum(path: Path) -> str | None:
    """The checksum a sealed file opens with (reads only its first bytes); None if it has none."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_SEAL) + _DIGEST_CHARS + 1)
    except OSError:
        return None
    if not head.startswith(_SEAL) or head[-1:] != b'"':
        return None
    return head[len(_SEAL):-1].decode("ascii", "replace")


def checksum_problem(raw: bytes, data: Any) -> str | None:
    """Why the checksum `seal` wrote does not match `raw` (the file's bytes, `data` parsed
    from them), or None: it matches, or the file carries none."""
    if not isinstance(data, dict) or CHECKSUM_KEY not in data:
        return None
    head = len(_SEAL) + _DIGEST_CHARS
    written = raw[len(_SEAL):head].decode("ascii", "replace") if raw.startswith(_SEAL) else None
    if written is None or raw[head:head + 1] != b'"' or written != data[CHECKSUM_KEY]:
        return "its checksum is not where tongket writes it (the file was rewritten outside tongket)"
    rest = memoryview(raw)[head + 1:]
    if rest[:1] == b",":
        rest = rest[1:]
    if checksum(rest, b"{") != written:
        return ("its checksum does not match its content (changed outside tongket: a damaged disk "
                "sector, a bit flip or a hand edit)")
    return None


def records_in(path: Path) -> int:
    """How many records the tables of a readable JSON file hold (besides `_meta`); 0 when
    it is missing or unreadable."""
    try:
        data = loads(path.read_bytes())
    except (OSError, ValueError):
        return 0
    if not isinstance(data, dict):
        return 0
    return sum(len(t) for name, t in data.items() if name not in ("_meta", CHECKSUM_KEY) and isinstance(t, dict))


def dumps(data: Any) -> bytes:
    """UTF-8 JSON, Vietnamese letters unescaped."""
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


def loads(data: bytes) -> Any:
    return orjson.loads(data)


class AtomicJSONStorage:
    """TinyDB storage: orjson on read, serialise-then-atomic-replace on write.

    Usable directly by TinyDB (`TinyDB(path, storage=AtomicJSONStorage)`); the archive
    calls `read`/`write` itself to write once per batch instead of once per document.
    TinyDB needs only `read`, `write`, `close`: not importing its `Storage` to subclass saves ~5 ms.
    """

    def __init__(self, path: str | Path, *, backup: bool = True, evidence: Path | None = None, **_: Any) -> None:
        self.path = Path(path)
        self.backup = backup
        self.evidence = evidence  # a folder whose content means this file existed (bodies/)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            lost = self.missing_problem()
            if lost:
                raise self.damaged(lost) from None
            return None
        except OSError as exc:
            raise StoreError(f"cannot read the archive {self.path}: {exc.strerror or exc}") from None
        if not raw.strip():
            if self._backup_has_data():  # our writes never leave an empty file: it was cut off
                raise self.damaged(f"it is empty ({len(raw)} bytes) while {self.path.name}{BACKUP_SUFFIX} is not (truncated)")
            return None
        try:
            data = loads(raw)
        except orjson.JSONDecodeError as exc:
            raise self.damaged(describe_json_error(exc, raw)) from None
        if not isinstance(data, dict):
            raise self.damaged("the top level is not a JSON object")
        problem = checksum_problem(raw, data)
        if problem:
            raise self.damaged(problem)
        data.pop(CHECKSUM_KEY, None)
        return data

    def missing_problem(self) -> str | None:
        """Why a missing file is lost data rather than a new archive, or None: its backup
        still holds records, or its companion folder (the article texts) is not empty."""
        backup = self.path.with_name(self.path.name + BACKUP_SUFFIX)
        held = records_in(backup)
        if held:
            return f"it is missing while {backup.name} still holds {held} records (deleted or lost)"
        if self.evidence is not None and any(self.evidence.glob("*/*.json")):
            return f"it is missing while {self.evidence.name}/ still holds article texts (deleted or lost)"
        return None

    def _backup_has_data(self) -> bool:
        try:
            return self.path.with_name(self.path.name + BACKUP_SUFFIX).stat().st_size > 2
        except OSError:
            return False

    def damaged(self, what: str) -> StoreError:
        """The error for a damaged file, after keeping a copy of it aside. tongket refuses
        to write over it until `tongket doctor` has restored or salvaged it."""
        copy = keep_corrupt_copy(self.path)
        kept = f"; a copy is kept as {copy.name}" if copy else ""
        return StoreError(
            f"the archive {self.path} is damaged: {what}{kept}; nothing will be written to it. "
            f"Run `tongket doctor` to see what can be recovered, then `tongket doctor --restore` "
            f"(previous version, {self.path.name}{BACKUP_SUFFIX}) or `tongket doctor --salvage` "
            f"(every readable article) - README: Recovery"
        )

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        try:
            payload = seal(dumps(data))  # serialise first: a failure here leaves the file untouched
        except TypeError as exc:  # orjson.JSONEncodeError is a TypeError
            raise EncodeError(
                f"cannot save the archive {self.path}: a record cannot be written as JSON ({exc}); "
                f"nothing was changed"
            ) from None
        remove_stale_temps(self.path.parent, self.path.name)
        try:
            atomic_write_bytes(self.path, payload, backup=self.backup)
        except OSError as exc:
            raise StoreError(f"cannot write the archive {self.path}: {describe_os_error(exc)}") from None

    def close(self) -> None:
        pass
