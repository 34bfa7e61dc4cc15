"""The records one ingest batch reads and writes, fetched one by one.

A batch touches the few records its files belong to; fetching those (from the records in
memory, the session's committed changes, or the snapshot's stored copy) instead of loading
every stored record keeps the cost of a batch the cost of its files. Each record is handed
out as a private copy, so a batch that fails to commit leaves memory as it was; `changed`
says which records the batch really altered (what its segment must hold).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, MutableMapping

from tongket.store.archive.storage import dumps, loads


class BatchRecords(MutableMapping[str, dict[str, Any]]):
    """A mapping over the stored records, as `Merge` needs it, that remembers what it gave."""

    def __init__(self, fetch: Callable[[str], dict[str, Any] | None]) -> None:
        self._fetch = fetch
        self._touched: dict[str, dict[str, Any]] = {}
        self._before: dict[str, bytes] = {}

    def __getitem__(self, aid: str) -> dict[str, Any]:
        rec = self._touched.get(aid)
        if rec is None:
            found = self._fetch(aid)
            if found is None:
                raise KeyError(aid)
            before = dumps(found)
            rec = self._touched[aid] = loads(before)
            self._before[aid] = before
        return rec

    def __contains__(self, aid: object) -> bool:
        if not isinstance(aid, str):
            return False
        try:
            self[aid]
        except KeyError:
            return False
        return True

    def __setitem__(self, aid: str, rec: dict[str, Any]) -> None:
        self._touched[aid] = rec
        self._before.setdefault(aid, b"")

    def __delitem__(self, aid: str) -> None:
        raise TypeError("an ingest batch never deletes a record")

    def __iter__(self) -> Iterator[str]:
        return iter(self._touched)

    def __len__(self) -> int:
        return len(self._touched)

    def changed(self) -> dict[str, dict[str, Any]]:
        """The records this batch added or altered, by id."""
        return {aid: rec for aid, rec in self._touched.items() if dumps(rec) != self._before.get(aid)}
