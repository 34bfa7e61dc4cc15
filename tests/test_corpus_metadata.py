"""Corpus labels: stated provinces, report years and periods are recovered from text or URL."""

import json
from pathlib import Path

import pytest

from tongket.store.parse.article import parse_file
from tongket.store.lang.provinces import load_provinces

CORPUS = Path(__file__).parent.parent / "fixtures" / "corpus"
LABELS = json.loads((CORPUS / "labels.json").read_text("utf-8"))

# The corpus labels predate the "quarter" period: a quarterly report is labelled "other".
EQUIVALENT = {("other", "quarter")}


@pytest.fixture(scope="module")
def parsed():
    return {lab["file"]: parse_file(CORPUS / lab["file"], url=lab.get("source")) for lab in LABELS}


@pytest.mark.parametrize("lab", LABELS, ids=lambda lab: lab["file"])
def test_corpus_fields(parsed, lab):
    a = parsed[lab["file"]]
    if lab["province"]:
        assert a.province == lab["province"]
    assert a.report_year == lab["report_year"]
    assert a.period == lab["period"] or (lab["period"], a.period) in EQUIVALENT
    assert a.title and a.body
    assert a.source_url == lab.get("source")


def test_corpus_published_when_labelled(parsed):
    assert parsed["016_haiduong-dangbo-vpubnd-daihoi-2020.txt"].published == "2020-06-01T18:56"
    assert parsed["034_bariavungtau-condao-motcua-quy1-2021.txt"].published == "2021-03-26"
    assert parsed["022_langson-sotuphap-dienhinh-6thang-2020.txt"].published is None  # clock widget


def test_corpus_province_recovery(parsed, capsys):
    cat = load_provinces()
    hits = misses = wrong = 0
    for lab in LABELS:
        hint = lab.get("province") or lab.get("province_hint_from_source")
        hint = cat.canonical(hint.split(" (")[0]) if hint else None
        got = parsed[lab["file"]].province
        if got is None:
            misses += 1
        elif got == hint:
            hits += 1
        else:
            wrong += 1
    with capsys.disabled():
        print(f"\ncorpus provinces: {hits} match hint, {misses} not found, {wrong} differ (of {len(LABELS)})")
    assert wrong == 0
    assert hits >= len(LABELS) - 1  # 007 has no URL and no province in its text


def test_corpus_trailing_chrome_removed(parsed):
    assert not parsed["031_quangnam-sonoivu-2019.txt"].body.rstrip().endswith("TAGS")
    body = parsed["034_bariavungtau-condao-motcua-quy1-2021.txt"].body
    assert "Tin tức liên quan" not in body and "\nĐánh giá" not in body
    assert parsed["031_quangnam-sonoivu-2019.txt"].byline == "NGUYÊN ĐOAN"
