"""How the columns of a mapped snapshot (snapshot_file.py) are made when first read: arrays
cast in place, string columns read in place (`Strings`) until many of their items are asked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

if TYPE_CHECKING:
    from tongket.store.derived.snapshot import Snapshot

_SEP = "\x00"  # never in a title, id, date or display: clean_text strips control characters


def column(checked: Callable[[str], memoryview], name: str, kind: str, n: int) -> Callable[[], Any]:
    """The loader of one column: an array cast in place, or the strings split."""
    if kind == "s":
        return lambda: str(checked(name), "utf-8").split(_SEP) if n else []
    if kind == "b":
        return lambda: checked(name)
    fmt: Any = kind  # an array typecode
    return lambda: checked(name).cast(fmt)


def strings(checked: Callable[[str], memoryview], name: str, n: int, snap: Callable[[], Snapshot]) -> Callable[[], Any]:
    """The loader of a string column: a `Strings` over its bytes, which once split whole
    puts its list on the snapshot in its place."""
    def load() -> Strings:
        def whole(values: list[Any]) -> None:
            object.__setattr__(snap(), name, values)
        return Strings(checked(name), checked(name + "_at").cast("q"), n, name in NULLABLE, whole)
    return load


NULLABLE = ("published", "event_date")  # "" read back as None


class Strings(Sequence[Any]):
    """A string column read in place: an item is decoded when asked for, and after many
    asks (or any iteration or slice) the column is split whole, once. Why: splitting the
    titles, ids and dates at 100k cost ~45 ms of `list --province`, which shows 1.6k rows."""

    def __init__(self, blob: memoryview | bytes, starts: Sequence[int], n: int, nullable: bool,
                 whole: Callable[[list[Any]], None]) -> None:
        self._blob, self._starts, self._n, self._nullable, self._whole = blob, starts, n, nullable, whole
        self._all: list[Any] | None = None
        self._asked = 0

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: Any) -> Any:
        got = self._all
        if got is not None:
            return got[i]
        if not isinstance(i, int):
            return self.all()[i]
        self._asked += 1
        if self._asked * 16 > self._n:
            return self.all()[i]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("string column index out of range")
        value = str(self._blob[self._starts[i] : self._starts[i + 1] - 1], "utf-8")
        return (value or None) if self._nullable else value

    def __iter__(self) -> Iterator[Any]:
        return iter(self.all())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (list, Strings)) and self.all() == list(other)

    __hash__ = None  # type: ignore[assignment]

    def raw(self) -> tuple[memoryview | bytes, Sequence[int]]:
        """The column as stored: its NUL-joined UTF-8 bytes and where each item starts (n + 1
        offsets), for a merge to splice and a writer to copy without decoding an item."""
        return self._blob, self._starts

    def all(self) -> list[Any]:
        """Every value, the column split once (then kept, and put on the snapshot)."""
        if self._all is None:
            values: list[Any] = str(self._blob, "utf-8").split(_SEP) if self._n else []
            if self._nullable:
                values = [v or None for v in values]
            self._all = values
            self._whole(values)
        return self._all


class Pieces:
    """Bytes kept as the pieces they were made of (views of the old mapped snapshot and new
    bytes), joined only when read. Why: a merge writes them as they are (`parts`); joined,
    the figure displays were ~23 MB of the peak of adding 1k articles to 100k."""

    def __init__(self, parts: list[bytes | memoryview]) -> None:
        self.parts = parts
        self._size = sum(memoryview(p).nbytes for p in parts)
        self._joined: bytes | None = None

    def __len__(self) -> int:
        return self._size

    def __bytes__(self) -> bytes:
        if self._joined is None:
            self._joined = b"".join(self.parts)
        return self._joined

    def __getitem__(self, i: Any) -> Any:
        return bytes(self)[i]


def as_list(column: Sequence[Any]) -> Sequence[Any]:
    """A column whose items are read in C: a `Strings` split whole (its `__getitem__` is a
    Python call per item, which a map over 86k ranks pays 86k times), any other as it is."""
    return column.all() if isinstance(column, Strings) else column


def url_or_none(value: Any) -> str | None:
    """A record's "source_url" as the snapshot keeps it: a string, else None."""
    return value if isinstance(value, str) else None
