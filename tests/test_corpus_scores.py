"""One score card for the parser over every labelled article (seeds and the 38-article corpus).

Prints counts per field so a change to the rules shows what it gained and what it broke;
asserts the seeds stay perfect and the corpus reaches the issue's bar (95% per labelled field).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tongket.store.lang.provinces import load_provinces
from tongket.store.parse.article import parse_file
from tongket.store.record import Article

from test_seed_figures import units_agree

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEEDS = json.loads((FIXTURES / "seeds" / "labels.json").read_text("utf-8"))
CORPUS = json.loads((FIXTURES / "corpus" / "labels.json").read_text("utf-8"))
# The corpus labels predate the "quarter" period: a quarterly report is labelled "other".
EQUIVALENT = {("other", "quarter")}
_STAMP = re.compile(r"(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4})|(\d{4})-(\d{2})-(\d{2})")


def label_day(written: str | None) -> str | None:
    """The ISO day of a publish stamp as the page writes it ("Thứ Sáu, 26/06/2020 05:41")."""
    if not written:
        return None
    m = _STAMP.search(written)
    if m is None:
        return None
    if m.group(4):
        return f"{m.group(4)}-{m.group(5)}-{m.group(6)}"
    return f"{int(m.group(3)):04d}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"


def figure_counts(article: Article, wants: list[dict]) -> tuple[int, int, int]:
    """(value found, value+unit found, kind right) over the labelled figures."""
    value = unit = kind = 0
    figs = list(article.figures)
    for want in wants:
        if want.get("optional"):
            continue

        def same(v: float | None) -> bool:
            return v is not None and abs(v - want["value"]) <= 1e-6 * max(1.0, abs(want["value"]))
        by_value = [f for f in figs if same(f.value)] + [f for f in figs if f.change and same(f.change.value)]
        if not by_value:
            continue
        value += 1
        with_unit = [f for f in figs if same(f.value) and units_agree(f.unit, want.get("unit"))]
        with_unit += [f for f in figs if f.change and same(f.change.value) and units_agree(f.change.unit, want.get("unit"))]
        if with_unit:
            unit += 1
            if any(f.kind == want.get("kind", "actual") for f in with_unit):
                kind += 1
    return value, unit, kind


def score(labels: list[dict], folder: Path, *, with_url: bool, null_province_counts: bool = False,
          equivalent: frozenset | set = frozenset(EQUIVALENT)) -> dict[str, list]:
    """Per field: [right, labelled, misses].

    `null_province_counts`: a label of no province (a national story) is scored too, as "none found".
    `equivalent`: (label, parsed) period pairs that mean the same thing under the labels' convention.
    """
    cat = load_provinces()
    card: dict[str, list] = {k: [0, 0, []] for k in (
        "fig value", "fig value+unit", "fig kind", "province", "report year", "period", "published")}

    def tally(field: str, ok: bool, name: str, detail: str) -> None:
        card[field][1] += 1
        if ok:
            card[field][0] += 1
        else:
            card[field][2].append(f"{name[:3]} {detail}")

    for lab in labels:
        url = lab.get("source") if with_url else None
        a = parse_file(folder / lab["file"], url=url)
        name = lab["file"]
        n = sum(1 for w in lab["figures"] if not w.get("optional"))
        v, u, k = figure_counts(a, lab["figures"])
        for field, got in (("fig value", v), ("fig value+unit", u), ("fig kind", k)):
            card[field][0] += got
            card[field][1] += n
            if got < n:
                card[field][2].append(f"{name[:3]} {n - got} of {n}")
        # with its URL an article's province is the site's; from the text alone, only a stated one
        hint = (lab.get("province") or lab.get("province_hint_from_source")) if with_url else lab["province"]
        hint = cat.canonical(hint.split(" (")[0]) if hint else None
        if hint or not with_url or (null_province_counts and "province" in lab and not lab["province"]):
            tally("province", a.province == hint, name, f"{a.province} ({a.province_evidence}) want {hint}")
        tally("report year", a.report_year == lab["report_year"], name,
              f"{a.report_year} ({a.report_year_evidence}) want {lab['report_year']}")
        tally("period", a.period == lab["period"] or (lab["period"], a.period) in equivalent, name,
              f"{a.period} ({a.period_evidence}) want {lab['period']}")
        want_day = label_day(lab.get("published"))
        if want_day:
            got_day = (a.published or "")[:10] or None
            tally("published", got_day == want_day, name, f"{a.published} ({a.published_evidence}) want {want_day}")
    return card


def show(title: str, card: dict[str, list]) -> None:
    print(f"\n{title}")
    for field, (right, total, misses) in card.items():
        pct = 100.0 * right / total if total else 100.0
        print(f"  {field:15s} {right:4d}/{total:<4d} {pct:5.1f}%")
        for m in misses:
            print(f"      {m}")


@pytest.fixture(scope="module")
def cards():
    return {
        "seeds": score(SEEDS, FIXTURES / "seeds", with_url=False),
        "corpus": score(CORPUS, FIXTURES / "corpus", with_url=True),
    }


def test_print_scores(cards, capsys):
    with capsys.disabled():
        show("seeds (text only)", cards["seeds"])
        show(f"corpus ({len(CORPUS)} articles, source URL given)", cards["corpus"])


def test_seeds_stay_perfect(cards):
    for field, (right, total, misses) in cards["seeds"].items():
        assert right == total, (field, misses)


@pytest.mark.parametrize("field", ["province", "report year", "period", "published"])
def test_corpus_metadata_bar(cards, field):
    right, total, misses = cards["corpus"][field]
    assert right >= 0.95 * total, misses
