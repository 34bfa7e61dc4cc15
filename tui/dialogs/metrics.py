"""The metric catalogue as picker choices: each metric with how many figures and provinces
the archive has for it, and the frequent labels filed under no metric, so a user sees what
the catalogue misses and can look those up by label."""

from __future__ import annotations

from typing import Callable

from tongket.store.lang.metrics import load_catalogue

from .picker import Choice


def metric_choices(catalogue: Callable[[], tuple[dict[str, tuple[int, int]], list[tuple[str, int]]]]
                   ) -> tuple[list[Choice], list[Choice]]:
    """(metrics, unmatched labels) from the gateway's `catalogue_function()`; metrics with
    figures first, most figures first."""
    counts, labels = catalogue()
    metrics = []
    for m in load_catalogue().entries:
        figures, provinces = counts.get(m.key, (0, 0))
        label = f"{m.key} · {m.name_vi} ({provinces} provinces)"
        metrics.append(Choice(m.key, label, figures, also=(m.name_en, m.name_vi)))
    metrics.sort(key=lambda c: -c.count)
    unmatched = [Choice(label, label, n) for label, n in labels]
    return metrics, unmatched
