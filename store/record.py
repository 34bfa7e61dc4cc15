"""Frozen records passed between the parser, the store and the app.

Records are immutable so that an index or a widget can hold them without fearing that
another part of the program changes them underneath (TinyDB hands out its cached dicts,
tinydb #516).
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any, NamedTuple

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
    """Generic over Article's fields, so a field added to Article flows to disk and back
    without edits here; a record written before the field existed gets its default."""
    values: dict[str, Any] = {}
    for f in fields(Article):
        if f.name in data and data[f.name] is not None:
            value = data[f.name]
            if f.name == "officials":
                value = tuple(Official(**o) for o in value)
            elif f.name == "figures":
                value = tuple(figure_from_dict(x) for x in value)
            elif str(f.type).startswith("tuple") and isinstance(value, list):
                value = tuple(value)
        elif f.default is not MISSING:
            value = f.default
        elif f.default_factory is not MISSING:
            value = f.default_factory()
        else:  # a required field missing from an old or damaged record
            value = {"str": "", "bool": False}.get(str(f.type).split(" ")[0], None)
            value = () if str(f.type).startswith("tuple") else value
        values[f.name] = value
    return Article(**values)


class CompactFigure(NamedTuple):
    """A figure as archive.json and the snapshot keep it (a JSON array on disk): enough to
    list and look it up without reading the article's body file."""

    value: float
    unit: str | None
    label: str
    key: str | None
    display: str

    @classmethod
    def of(cls, figure: Figure) -> "CompactFigure":
        return cls(figure.value, figure.unit, figure.label, figure.key, figure.display)

    @classmethod
    def from_row(cls, row: Any) -> "CompactFigure":
        """From a stored array (or a full figure dict, as body files keep them)."""
        if isinstance(row, dict):
            return cls(row.get("value"), row.get("unit"), row.get("label", ""), row.get("key"),  # type: ignore[arg-type]
                       row.get("display", ""))
        return cls(*row)

    def row(self) -> list[Any]:
        """The on-disk form (orjson writes lists, not named tuples)."""
        return list(self)

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


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
    split: tuple[str, ...] = ()  # sources (among `added`) that left an article shared with copies they no longer match
