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
    )


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
    # Filled in from the article's own file when asked (`Archive.with_details`): what a
    # comparison must show to be honest and what an export must carry to be checked.
    qualifier: str | None = None
    of: float | None = None
    change: Change | None = None
    sentence: str = ""
    span: tuple[int, int] | None = None
    title: str = ""
    published: str | None = None
    source_url: str | None = None


@dataclass(frozen=True, slots=True)
class LookupResult:
    """Lookup matches (all, or the first ones shown) with the size of the whole answer."""

    hits: tuple[FigureHit, ...]
    total: int  # figures matching
    articles: int  # articles they come from


@dataclass(frozen=True, slots=True)
class IngestReport:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    failed: tuple[Rejection, ...] = ()
