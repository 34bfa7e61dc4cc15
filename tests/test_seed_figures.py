"""Every hand-checked figure of the seed articles is read, and no trap becomes a figure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tongket.store.parse.figures import extract_figures
from tongket.store.parse.article import parse_file
from tongket.store.record import Figure
from tongket.store.lang.text import clean_text, fold

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
LABELS = json.loads((SEEDS / "labels.json").read_text(encoding="utf-8"))


def units_agree(found: str | None, labelled: str | None) -> bool:
    """Equal, or one is the other with more words ("lượt công dân" is a "lượt")."""
    a, b = fold(found or ""), fold(labelled or "")
    return a == b or a.startswith(b + " ") or b.startswith(a + " ") or a.startswith(b + ",")


def matches(fig: Figure, want: dict) -> bool:
    if abs(fig.value - want["value"]) > 1e-6 * max(1.0, abs(want["value"])):
        return False
    if not units_agree(fig.unit, want.get("unit")):
        return False
    return "of" not in want or fig.of == want["of"]


def change_ok(fig: Figure, want: dict) -> bool:
    c = fig.change
    return (
        c is not None
        and abs(c.value - want["value"]) < 1e-6
        and units_agree(c.unit, want["unit"])
        and c.direction == want["direction"]
    )


def check(figs: list[Figure], entry: dict) -> tuple[list[str], list[Figure]]:
    problems, used = [], set()
    for want in entry["figures"]:
        cands = [i for i, f in enumerate(figs) if matches(f, want) and i not in used]
        if "change" in want:
            cands = [i for i in cands if change_ok(figs[i], want["change"])] or cands
        if "qualifier" in want:
            cands = [i for i in cands if figs[i].qualifier == want["qualifier"]] or cands
        if not cands:
            if not want.get("optional"):
                problems.append(f"missing {want['raw']!r} ({want['value']} {want['unit']})")
            continue
        i = cands[0]
        used.add(i)
        if "change" in want and not change_ok(figs[i], want["change"]):
            problems.append(f"change not read for {want['raw']!r}: {figs[i].change}")
        if "qualifier" in want and figs[i].qualifier != want["qualifier"]:
            problems.append(f"qualifier for {want['raw']!r}: {figs[i].qualifier!r}")
    real = {w["value"] for w in entry["figures"]}
    for f in figs:
        if f.value in entry.get("trap_values", []) and f.value not in real:
            problems.append(f"trap value read as a figure: {f.raw!r}")
    extras = [f for i, f in enumerate(figs) if i not in used]
    return problems, extras


@pytest.mark.parametrize("entry", LABELS, ids=[e["file"][:3] for e in LABELS])
def test_seed_figures_through_parser(entry):
    article = parse_file(SEEDS / entry["file"])
    problems, extras = check(list(article.figures), entry)
    for f in extras:
        print(f"extra in {entry['file'][:3]}: {f.value:g} {f.unit} | {f.label} | {f.raw!r}")
    assert not problems, problems
    assert len(extras) <= 3


@pytest.mark.parametrize("entry", LABELS, ids=[e["file"][:3] for e in LABELS])
def test_seed_figures_on_raw_text(entry):
    """The reader must not depend on the portal chrome being removed first."""
    body = clean_text((SEEDS / entry["file"]).read_text(encoding="utf-8"))
    figs, warnings = extract_figures(body)
    problems, _ = check(figs, entry)
    assert not problems, problems
    for f in figs:
        assert body[f.span[0]:f.span[1]] == f.raw
        assert body[f.sentence_span[0]:f.sentence_span[1]] == f.sentence


def test_seed_counts(capsys):
    labelled = found = extras = 0
    for entry in LABELS:
        figs = list(parse_file(SEEDS / entry["file"]).figures)
        problems, extra = check(figs, entry)
        n = sum(1 for w in entry["figures"] if not w.get("optional"))
        labelled += n
        found += n - sum(1 for p in problems if p.startswith("missing"))
        extras += len(extra)
    with capsys.disabled():
        print(f"\nseeds: labelled {labelled}, found {found}, extras {extras}")
    assert found == labelled
