"""What a query's words can name besides a label: a province (with its aliases and 2025
merged unit) and a metric of the catalogue (by key or name). Shared by the index, the
archive's corrections check and the doctor."""

from __future__ import annotations

from functools import cache
from typing import Any, Iterable

from tongket.store.lang.metric_names import metric_names
from tongket.store.lang.provinces import load_provinces
from tongket.store.lang.text import fold, fold_words

ProvinceTable = Any  # lang.provinces' table: canonical(name), merged_unit(name)


def load_province_table() -> ProvinceTable:
    return load_provinces()


@cache
def load_metric_names() -> dict[str, tuple[str, ...]]:
    """Folded metric names by key, from the catalogue: the key itself as shown in the Metric
    column ("incoming_documents", also as words), and the Vietnamese and English names.
    Cached: the packaged catalogue does not change while the process runs."""
    names: dict[str, tuple[str, ...]] = {}
    for key, name_vi, name_en in metric_names():
        spelled = (key, key.replace("_", " "), name_vi, name_en)
        folded = dict.fromkeys(fold_words(n) for n in spelled if n)
        names[key] = tuple(n for n in folded if n)
    return names


class ProvinceNames:
    """Resolves what a user types ("kien giang", "Kiên Giang", an alias) to the archive's
    province names, through the province table (names, aliases, 2025 units) when given,
    else by folded equality with the names the archive already holds."""

    def __init__(self, known: Iterable[str], table: Any | None = None) -> None:
        self._table = table
        self._known = {fold(k).strip(): k for k in known if k}

    def canonical(self, name: str | None) -> str | None:
        if not name or not name.strip():
            return None
        if self._table is not None and (found := self._table.canonical(name)):
            return found
        return self._known.get(fold(name).strip())

    def merged_unit(self, name: str) -> str:
        if self._table is not None and (unit := self._table.merged_unit(name)):
            return unit
        return name

    def find_in_words(self, words: list[str]) -> tuple[str | None, list[str]]:
        """A province named inside a query ("van ban den kien giang"): the name and the
        remaining words. Longest run of words first."""
        for size in (4, 3, 2, 1):
            for start in range(0, len(words) - size + 1):
                phrase = " ".join(words[start : start + size])
                if size == 1 and len(phrase) < 4:
                    continue
                found = self.canonical(phrase)
                if found:
                    return found, words[:start] + words[start + size :]
        return None, words
