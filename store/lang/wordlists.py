"""The metadata readers' Vietnamese words (`data/dates.json`, `period.json`, `people.json`…),
read once per process, and the regex alternation made from a list.

The readers keep only the regex machinery in code and take the words from here, so a missing
weekday spelling or role title is a one-line data fix. Lists keep the file's order: in a regex
alternation the first word that matches wins, so a longer word is listed before its prefix.
"""

from __future__ import annotations

import re
from functools import cache
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from tongket.store.lang.datafiles import data_json


@cache
def word_lists(name: str) -> Mapping[str, Any]:
    """The lists of `data/<name>` (its `_doc` left out), lists as tuples."""
    raw = data_json(name)
    return MappingProxyType({k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k != "_doc"})


def alt(words: Iterable[str], space: str = r"\s+") -> str:
    """`words` as a regex alternation, in their order; a space in a word matches `space`
    (any run of white space by default, `" "` for exactly one). A string is one word."""
    if isinstance(words, str):
        words = (words,)
    return "|".join(re.escape(w).replace(r"\ ", space) for w in words)
