"""The user's corrections: loaded from corrections.json (or, in an archive written before
it existed, from archive.json's legacy table), validated, and written back on their own.

Corrections of removed articles are kept aside in a `removed` table, so that removing an
article and ingesting it again brings them back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from tongket.store.archive.layout import CORRECTIONS_FILE, CORRECTIONS_SCHEMA
from tongket.store.archive.storage import AtomicJSONStorage, file_signature
from tongket.store.derived.names import ProvinceNames
from tongket.store.errors import InputError, StoreError
from tongket.store.lang.years import YEARS  # one plausible-year rule for the parser and `set`
from tongket.store.lang.text import one_line
from tongket.store.record import CORRECTABLE, PERIODS

# The type each stored correction has: `set` writes nothing else, so another type is damage.
STORED_TYPES: dict[str, type] = {"province": str, "report_year": int, "period": str, "title": str}

Check = Callable[[str, str, Any], Any]  # (article id, field, value) -> value as stored, or InputError


def table_of(storage: AtomicJSONStorage, data: dict[str, Any], name: str) -> dict[str, Any]:
    """One TinyDB table of the file; a table that is not an object means damage."""
    table = data.get(name)
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise storage.damaged(f"its {name!r} table is a {type(table).__name__}, not an object")
    return table


def corrections_table(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """id -> corrected fields, from a TinyDB `corrections` table (malformed documents skipped)."""
    corrections: dict[str, dict[str, Any]] = {}
    for doc in table.values():
        if isinstance(doc, dict) and isinstance(doc.get("id"), str) and isinstance(doc.get("fields"), dict):
            if doc["fields"]:
                corrections[doc["id"]] = dict(doc["fields"])
    return corrections


class Corrections:
    """corrections.json of one archive: `data` is the effective id -> fields."""

    def __init__(self, folder: Path) -> None:
        self.file = folder / CORRECTIONS_FILE
        self.storage = AtomicJSONStorage(self.file)
        self.data: dict[str, dict[str, Any]] = {}
        self.removed: dict[str, dict[str, Any]] = {}  # corrections of removed articles
        # Values read from the file that `set` would refuse: kept in its `rejected` table (so
        # nothing the user wrote is lost), never applied; `problems` says why, one line each.
        self.rejected: dict[str, dict[str, Any]] = {}
        self.problems: list[str] = []
        self.signature: tuple[int, int, int] | None = None
        self.schema = CORRECTIONS_SCHEMA
        self.generation = 0

    def changed(self) -> bool:
        return file_signature(self.file) != self.signature

    def load(self, legacy: dict[str, dict[str, Any]], check: Check) -> None:
        """corrections.json when it exists (it is small: read on every open), else the
        legacy table. A damaged file is refused like a damaged archive; a value `check`
        refuses (a hand edit, a bit flip) is set aside in `rejected` with a line in `problems`."""
        signature = file_signature(self.file)
        data = self.storage.read()  # a missing file whose backup holds corrections is damage
        self.rejected, self.problems = {}, []
        if data is None:
            self.data = self._checked({aid: dict(f) for aid, f in legacy.items()}, check)
            self.removed = {}
            self.schema, self.generation = CORRECTIONS_SCHEMA, 0
        else:
            meta: Any = next(iter(table_of(self.storage, data, "_meta").values()), {})
            meta = meta if isinstance(meta, dict) else {}
            schema = meta.get("schema", CORRECTIONS_SCHEMA)
            if not isinstance(schema, int):
                raise self.storage.damaged(f"its schema version {schema!r} is not a number")
            self.schema = schema
            self.generation = int(meta.get("generation") or 0)
            self.rejected = corrections_table(table_of(self.storage, data, "rejected"))
            self.data = self._checked(corrections_table(table_of(self.storage, data, "corrections")), check)
            self.removed = self._checked(corrections_table(table_of(self.storage, data, "removed")), check)
        self.signature = signature

    def _checked(self, table: dict[str, dict[str, Any]], check: Check) -> dict[str, dict[str, Any]]:
        """The corrections of `table` that `set` would accept; the others go to `rejected`."""
        kept: dict[str, dict[str, Any]] = {}
        for aid, fields in table.items():
            good: dict[str, Any] = {}
            for name, value in fields.items():
                try:
                    if name not in STORED_TYPES:
                        raise InputError(aid, f"{name!r} cannot be corrected")
                    if not isinstance(value, STORED_TYPES[name]) or isinstance(value, bool):
                        raise InputError(aid, f"{name} {value!r} is a {type(value).__name__}, "
                                              f"not a {STORED_TYPES[name].__name__}")
                    good[name] = check(aid, name, value)
                except InputError as exc:
                    self.rejected.setdefault(aid, {})[name] = value
                    self.problems.append(one_line(f"{self.file}: a correction is set aside, not applied "
                                                  f"(kept in the file; `tongket set` it again): {exc}"))
            if good:
                kept[aid] = good
        return kept

    def write(self) -> None:
        """Write corrections.json (caller holds the lock): a few KB, archive.json untouched."""
        if self.schema > CORRECTIONS_SCHEMA:
            raise StoreError(
                f"the corrections {self.file} were written by a newer tongket (format {self.schema}); "
                f"upgrade tongket before changing them"
            )

        def table(items: dict[str, dict[str, Any]]) -> dict[str, Any]:
            return {str(i): {"id": aid, "fields": f} for i, (aid, f) in enumerate(items.items(), 1) if f}

        data = {
            "_meta": {"1": {"schema": CORRECTIONS_SCHEMA, "generation": self.generation + 1, "app": "tongket"}},
            "corrections": table(self.data),
        }
        if self.removed:
            data["removed"] = table(self.removed)
        if self.rejected:
            data["rejected"] = table(self.rejected)
        self.storage.write(data)
        self.generation += 1
        self.signature = file_signature(self.file)

    def set_aside(self, aids: list[str]) -> bool:
        """Move the corrections of removed articles aside; True if any moved."""
        moved = False
        for aid in aids:
            if aid in self.data:
                self.removed[aid] = self.data.pop(aid)
                moved = True
        return moved

    def bring_back(self, aids: list[str]) -> bool:
        """Corrections kept aside for articles that are back (re-ingested)."""
        moved = False
        for aid in aids:
            if aid in self.removed and aid not in self.data:
                self.data[aid] = self.removed.pop(aid)
                moved = True
        return moved


def validated(aid: str, name: str, value: Any, canonical_province: Callable[[str], str | None],
              provinces_known: bool) -> Any:
    """A correction as stored, or InputError naming the article and the problem."""
    if name == "title":
        title = one_line(str(value))  # no control or bidi characters: a title is shown on one line
        if not title:
            raise InputError(aid, "a title cannot be empty")
        return title
    if name == "report_year":
        try:
            year = int(value)
        except (TypeError, ValueError):
            raise InputError(aid, f"year must be a number, not {value!r}") from None
        if not YEARS[0] <= year <= YEARS[1]:
            raise InputError(aid, f"year {year} is out of range ({YEARS[0]}-{YEARS[1]})")
        return year
    if name == "period":
        period = str(value).strip().lower()
        if period not in PERIODS:
            raise InputError(aid, f"period must be one of {', '.join(PERIODS)}, not {value!r}")
        return period
    text = " ".join(str(value).split())
    if not text:
        raise InputError(aid, "a province cannot be empty (use None to clear the correction)")
    canonical = canonical_province(text)
    if canonical:
        return canonical
    if provinces_known:
        raise InputError(aid, f"unknown province {text!r}")
    return text


def catalogue_check(province_table: Any | None) -> Check:
    """The check of stored corrections: `set`'s rules, provinces against the catalogue alone
    (the names an archive holds come from its index, which reading corrections must not need)."""
    names = ProvinceNames((), province_table)
    return lambda aid, name, value: validated(aid, name, value, names.canonical, province_table is not None)
