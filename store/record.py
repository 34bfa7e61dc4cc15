"""Frozen records passed between the parser, the store and the app.

Records are immutable so that an index or a widget can hold them without fearing that
another part of the program changes them underneath (TinyDB hands out its cached dicts,
tinydb #516).
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field, fields, is_dataclass, replace
from types import UnionType
from typing import Any, NamedTuple, Sequence, Union, get_args, get_origin, get_type_hints

PERIODS = ("year", "half-year", "quarter", "term", "other")
FIGURE_KINDS = ("actual", "target", "rank")
CORRECTABLE = ("province", "report_year", "period", "title")  # the fields a user correction may set (in bit order in the snapshot)
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


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = get_type_hints(cls)
    return hints


_HINTS: dict[type, dict[str, Any]] = {}  # a cache of resolved annotations, filled once per class


def _blank(tp: Any) -> Any:
    """A value for a required field missing from an old or damaged record."""
    if get_origin(tp) is tuple:
        args = get_args(tp)
        return () if not args or args[-1] is Ellipsis else tuple(_blank(a) for a in args)
    return {str: "", bool: False, int: 0, float: 0.0}.get(tp)


def _convert(tp: Any, value: Any) -> Any:
    """A plain JSON value back into the annotated type: nested dataclasses, tuples, optionals."""
    if value is None:
        return None
    origin = get_origin(tp)
    if origin in (Union, UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        return _convert(members[0], value) if len(members) == 1 else value
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v) for v in value)
        return tuple(_convert(a, v) for a, v in zip(args, value)) if args else tuple(value)
    if isinstance(tp, type) and is_dataclass(tp) and isinstance(value, dict):
        return from_plain(tp, value)
    return value


def from_plain(cls: type, data: dict[str, Any]) -> Any:
    """Generic over the dataclass's fields, so a field added to a record flows to disk and
    back without edits here; a record written before the field existed gets its default."""
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for f in fields(cls):
        if data.get(f.name) is not None:
            values[f.name] = _convert(hints[f.name], data[f.name])
        elif f.default is not MISSING:
            values[f.name] = f.default
        elif f.default_factory is not MISSING:
            values[f.name] = f.default_factory()
        else:
            values[f.name] = _blank(hints[f.name])
    return cls(**values)


def article_from_dict(data: dict[str, Any]) -> Article:
    article = from_plain(Article, data)
    return replace(article, **{f"{name}_confidence": _confidence(data, name) for name in EVIDENCED})


class CompactFigure(NamedTuple):
    """A figure as archive.json and the snapshot keep it (a JSON array on disk): enough to
    list, look up and compare it without reading the article's body file. The array
    leaves out trailing defaults (no qualifier, an actual result), so most rows stay short."""

    value: float
    unit: str | None
    label: str
    key: str | None
    display: str
    qualifier: str | None = None
    kind: str = "actual"

    @classmethod
    def of(cls, figure: Figure) -> "CompactFigure":
        return cls(figure.value, figure.unit, figure.label, figure.key, figure.display, figure.qualifier, figure.kind)

    @classmethod
    def from_row(cls, row: Any) -> "CompactFigure":
        """From a stored array (or a full figure dict, as body files keep them)."""
        if isinstance(row, dict):
            return cls(row.get("value"), row.get("unit"), row.get("label", ""), row.get("key"),  # type: ignore[arg-type]
                       row.get("display", ""), row.get("qualifier"), row.get("kind") or "actual")
        return cls(*row)

    def row(self) -> list[Any]:
        """The on-disk form (orjson writes lists, not named tuples), trailing defaults left out."""
        if self.kind != "actual":
            return list(self)
        if self.qualifier is not None:
            return list(self[:6])
        return list(self[:5])

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


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

    hits: Sequence[FigureHit]  # a tuple, or FigureHits made when read
    total: int  # figures matching
    articles: int  # articles they come from


@dataclass(frozen=True, slots=True)
class IngestReport:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    failed: tuple[Rejection, ...] = ()
    split: tuple[str, ...] = ()  # sources (among `added`) that left an article shared with copies they no longer match
