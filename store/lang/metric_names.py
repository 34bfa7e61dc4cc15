"""The names of the metric catalogue's entries (`data/metrics.json`), without the catalogue.

A lookup by metric name needs only (key, Vietnamese name, English name); the catalogue
(`metrics.py`) compiles every entry's match patterns (~100 ms) and its module defines the
entries' classes, which an archive open, asking for these names, need not pay for.
"""

from __future__ import annotations

from functools import cache

from tongket.store.lang.datafiles import data_json


@cache
def metric_names() -> tuple[tuple[str, str, str], ...]:
    """(key, Vietnamese name, English name) of every metric, in the catalogue's order."""
    return tuple((raw["key"], raw["name_vi"], raw["name_en"]) for raw in data_json("metrics.json")["metrics"])
