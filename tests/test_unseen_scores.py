"""The parser on real pages it has never seen (fixtures/unseen), read with their URL as ingest reads them.

The labels were written by hand before the parser ran on these files; rules are never tuned to them.
Bars from issue 14: report year, period and province >= 95%, publish date >= 90%, figure values >= 97%.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_corpus_scores import score, show

UNSEEN = Path(__file__).resolve().parent.parent / "fixtures" / "unseen"
LABELS = json.loads((UNSEEN / "labels.json").read_text("utf-8"))
BARS = {"province": 0.95, "report year": 0.95, "period": 0.95, "published": 0.90, "fig value": 0.97}


@pytest.fixture(scope="module")
def card():
    return score(LABELS, UNSEEN, with_url=True, null_province_counts=True)


def test_print_unseen_scores(card, capsys):
    with capsys.disabled():
        show(f"unseen ({len(LABELS)} pages, source URL given)", card)


@pytest.mark.parametrize("field", sorted(BARS))
def test_unseen_bar(card, field):
    right, total, misses = card[field]
    assert right >= BARS[field] * total, misses
