"""The figure reader over the corpus: a few hand-checked figures per article (issue bar: 90%)."""

from __future__ import annotations

import json
from pathlib import Path

from tongket.store.parse.figures import extract_figures
from tongket.store.parse.article import parse_file
from tongket.store.record import Figure

from test_seed_figures import matches, units_agree

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"
LABELS = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))


def found_in(figs: list[Figure], want: dict) -> bool:
    """A labelled figure is found as a figure, or as the change read on a figure
    ("gần 40 nghìn văn bản đến, tăng 18,5%" files 18,5% as the change of 40000)."""
    if any(matches(f, want) for f in figs):
        return True
    return any(
        f.change and abs(f.change.value - want["value"]) < 1e-6 and units_agree(f.change.unit, want["unit"])
        for f in figs
    )


def wrong_value(figs: list[Figure], want: dict) -> bool:
    """The labelled text was read, but to another value."""
    raw = want["raw"]
    return any(raw in f.raw or f.raw in raw for f in figs if f.raw.strip())


def test_corpus_figures(capsys):
    labelled = found = wrong = 0
    missing = []
    for entry in LABELS:
        figs = list(parse_file(CORPUS / entry["file"]).figures)
        for want in entry["figures"]:
            labelled += 1
            if found_in(figs, want):
                found += 1
            elif wrong_value(figs, want):
                wrong += 1
                missing.append(f"{entry['file'][:3]} wrong: {want['raw']!r}")
            else:
                missing.append(f"{entry['file'][:3]} missing: {want['raw']!r}")
    with capsys.disabled():
        print(f"\ncorpus: labelled {labelled}, found {found}, wrong value {wrong}, missing {labelled - found - wrong}")
        for m in missing:
            print("  ", m)
    assert found >= 0.9 * labelled


def test_cut_off_excerpts_parse():
    for entry in LABELS:
        text = (CORPUS / entry["file"]).read_text(encoding="utf-8")
        for cut in (len(text) // 3, len(text) // 2, len(text) - 7):
            figs, warnings = extract_figures(text[:cut])
            for f in figs:
                assert text[:cut][f.span[0]:f.span[1]] == f.raw
