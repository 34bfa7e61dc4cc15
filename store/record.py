"""Frozen records passed between the parser, the store and the app.

Records are immutable so that an index or a widget can hold them without fearing that
another part of the program changes them underneath (TinyDB hands out its cached dicts,
tinydb #516).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PERIODS = ("year", "half-year", "quarter", "term", "other")
FIGURE_KINDS = ("actual", "target", "rank")
# How a metadata field was decided: written on the page, derived by a rule from other
# evidence (a URL date, the month of a review meeting), or not at all.
CONFIDENCES = ("stated", "inferred", "none")
# Metadata fields that carry `<field>_evidence` and `<field>_confidence`.
EVIDENCED = ("published", "event_date", "report_year", "period", "province")


@dataclass(frozen=True, slots=True)
class Change:
    """A year-over-year change written next to a figure ("tăng 10,02% so với cùng kỳ")."""

    value: float
    unit: str | None
    direction: str  # "up", "down" or "same"
    vs: str | None = None  # what it is compared with: "cùng kỳ", "năm 2018"


@dataclass(frozen=True, slots=True)
class Figure:
    """One quantity the article reports, with where it was read from.

    `span` covers `raw` in the article body (so it always holds the number);
    `sentence_span` covers `sentence`.
    """

    value: float
    unit: str | None
    label: str
    raw: str
    display: str  # the number and unit as written, for showing: "9,3 nghìn tỷ đồng"
    sentence: str
    span: tuple[int, int]
    sentence_span: tuple[int, int]
    key: str | None = None
    qualifier: str | None = None
    of: float | None = None
    change: Change | None = None
    kind: str = "actual"  # one of FIGURE_KINDS: a result, a target or plan, or a rank


@dataclass(frozen=True, slots=True)
class Official:
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class Article:
    """A parsed article. `id` is content-based: the same text from two paths is one article."""

    id: str
    title: str
    title_derived: bool
    published: str | None
    event_date: str | None
    province: str | None
    province_evidence: str | None
    report_year: int | None
    period: str | None
    byline: str | None
    officials: tuple[Official, ...]
    body: str
    figures: tuple[Figure, ...]
    warnings: tuple[str, ...] = ()
    source_url: str | None = None
    # why each metadata field has its value ("stamp under the headline", "district Mường Tè
    # → Lai Châu") and how sure that is (one of CONFIDENCES); records stored before these
    # fields existed load with None / "none"
    province_confidence: str = "none"
    published_evidence: str | None = None
    published_confidence: str = "none"
    event_date_evidence: str | None = None
    event_date_confidence: str = "none"
    report_year_evidence: str | None = None
    report_year_confidence: str = "none"
    period_evidence: str | None = None
    period_confidence: str = "none"

    def to_dict(self) -> dict[str, Any]:
        return article_to_dict(self)


def article_to_dict(article: Article) -> dict[str, Any]:
    """Plain JSON-ready dict with the field names the command line promises."""
    data = asdict(article)
    for fig in data["figures"]:
        fig["span"] = list(fig["span"])
        fig["sentence_span"] = list(fig["sentence_span"])
    data["officials"] = [dict(o) for o in data["officials"]]
    data["warnings"] = list(data["warnings"])
    return data


def evidence_fields(article: Article) -> dict[str, str | None]:
    """How each metadata field was decided (`<field>_evidence`, `<field>_confidence`),
    without `province_evidence`, which is stored with the parsed fields."""
    names = [f"{n}_{k}" for n in EVIDENCED for k in ("evidence", "confidence")]
    return {n: getattr(article, n) for n in names if n != "province_evidence"}


def figure_from_dict(data: dict[str, Any]) -> Figure:
    change = data.get("change")
    return Figure(
        value=data["value"],
        unit=data.get("unit"),
        label=data.get("label", ""),
        raw=data.get("raw", ""),
        display=data.get("display", ""),
        sentence=data.get("sentence", ""),
        span=tuple(data.get("span", (0, 0))),
        sentence_span=tuple(data.get("sentence_span", (0, 0))),
        key=data.get("key"),
        qualifier=data.get("qualifier"),
        of=data.get("of"),
        change=Change(**change) if change else None,
        kind=data.get("kind", "actual"),
    )


def article_from_dict(data: dict[str, Any]) -> Article:
    return Article(
        id=data["id"],
        title=data.get("title", ""),
        title_derived=bool(data.get("title_derived", False)),
        published=data.get("published"),
        event_date=data.get("event_date"),
        province=data.get("province"),
        province_evidence=data.get("province_evidence"),
        report_year=data.get("report_year"),
        period=data.get("period"),
        byline=data.get("byline"),
        officials=tuple(Official(**o) for o in data.get("officials", ())),
        body=data.get("body", ""),
        figures=tuple(figure_from_dict(f) for f in data.get("figures", ())),
        warnings=tuple(data.get("warnings", ())),
        source_url=data.get("source_url"),
        **{f"{name}_evidence": data.get(f"{name}_evidence") for name in EVIDENCED if name != "province"},
        **{f"{name}_confidence": _confidence(data, name) for name in EVIDENCED},
    )


def _confidence(data: dict[str, Any], name: str) -> str:
    """A record stored before confidences existed: a value with evidence was read from the page."""
    conf = data.get(f"{name}_confidence")
    if conf in CONFIDENCES:
        return conf
    return "stated" if data.get(name) is not None and data.get(f"{name}_evidence") else "none"


@dataclass(frozen=True, slots=True)
class Rejection:
    """A file the parser or decoder refused, with a one-line reason for the user."""

    path: str
    reason: str
    details: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """One row of the article list: what listing and filtering need, without the body."""

    id: str
    title: str
    province: str | None
    report_year: int | None
    period: str | None
    published: str | None
    event_date: str | None
    n_figures: int
    corrected: tuple[str, ...] = ()  # names of fields the user corrected


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as the archive holds it: the parsed record with the user's corrections
    applied, the corrections themselves, and where it came from."""

    article: Article
    corrections: dict[str, Any]
    source_paths: tuple[str, ...]
    ingested_at: str


@dataclass(frozen=True, slots=True)
class FigureHit:
    """A figure found by a lookup, with the article context a result row shows."""

    article_id: str
    figure_index: int  # position in the article's `figures`
    province: str | None
    report_year: int | None
    period: str | None
    value: float
    unit: str | None
    label: str
    key: str | None
    display: str
    score: float
    kind: str = "actual"


@dataclass(frozen=True, slots=True)
class IngestReport:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    failed: tuple[Rejection, ...] = ()
