"""The article pane's page: title, metadata and body as one plain text with style spans.

Kept apart from the widget (`article_view.ArticleView`), which only wraps, styles and
scrolls it: what a page says about an article (a corrected field, an inferred one and its
evidence) is decided here, from the record alone, and tested without an app.
"""

from __future__ import annotations

from dataclasses import dataclass

from tongket.store.lang.text import one_line
from tongket.store.present.display import date_label, period_label
from tongket.store.record import StoredArticle

from .article_text import Span, safe_same_length


@dataclass(frozen=True, slots=True)
class ArticlePage:
    plain: str
    spans: list[Span]
    body_start: int  # offset of the body in `plain`: figure spans are relative to it


def article_page(stored: StoredArticle) -> ArticlePage:
    """Title, metadata lines and body as one text with its style spans."""
    article = stored.article
    corrected = set(stored.corrections or {})
    parts: list[str] = []
    spans: list[Span] = []
    pos = 0

    def add(text: str, component: str | None = None) -> None:
        nonlocal pos
        text = safe_same_length(text)
        if component and text:
            spans.append(Span(pos, pos + len(text), component))
        parts.append(text)
        pos += len(text)

    def field(label: str, value: str, *, is_corrected: bool = False, note: str = "", inferred: bool = False) -> None:
        """One metadata line; an inferred value is dimmed (a correction outranks both)."""
        if not value:
            return
        add(f"{label:<11} ", "article-view--label")
        style = "article-view--corrected" if is_corrected else ("article-view--muted" if inferred else None)
        add(one_line(value), style)
        if note and not is_corrected:
            add("  " + one_line(note), "article-view--muted")
        if is_corrected:
            add("  ✎ corrected", "article-view--corrected")
        add("\n")

    title = one_line(article.title) or "(untitled)"
    add(title, "article-view--corrected" if "title" in corrected else "article-view--title")
    if "title" in corrected:
        add("  ✎ corrected", "article-view--corrected")
    elif article.title_derived:
        add("  (title derived from the text)", "article-view--muted")
    add("\n\n")

    def why(evidence: str | None, confidence: str) -> str:
        if not evidence:
            return ""
        return f"({'inferred: ' if confidence == 'inferred' else ''}{evidence})"

    field("Province", article.province or "unknown", is_corrected="province" in corrected,
          note=why(article.province_evidence, article.province_confidence),
          inferred=article.province_confidence == "inferred")
    report = " · ".join(
        p for p in (str(article.report_year) if article.report_year else "", period_label(article.period)) if p
    )
    field(
        "Report",
        report or "unknown",
        is_corrected=bool({"report_year", "period"} & corrected),
        note=why(article.report_year_evidence, article.report_year_confidence),
        inferred=article.report_year_confidence == "inferred",
    )
    field("Published", (article.published or "").replace("T", " "),
          note=why(article.published_evidence, article.published_confidence),
          inferred=article.published_confidence == "inferred")
    field("Event date", date_label(article.event_date),
          note=why(article.event_date_evidence, article.event_date_confidence),
          inferred=article.event_date_confidence == "inferred")
    field("Byline", article.byline or "")
    if article.officials:
        field("Officials", "; ".join(f"{o.name} ({o.role})" if o.role else o.name for o in article.officials))
    field("Source", article.source_url or (stored.source_paths[0] if stored.source_paths else ""))
    field("Figures", str(len(article.figures)) if article.figures else "none found")
    field("Id", article.id)
    add("─" * 40, "article-view--rule")
    add("\n\n")
    body_start = pos
    body = safe_same_length(article.body)
    if len(body) != len(article.body):  # pragma: no cover - safe_same_length keeps length
        body = article.body
    parts.append(body)
    for fig in article.figures:
        start, end = fig.span
        if 0 <= start < end <= len(body):
            spans.append(Span(pos + start, pos + end, "article-view--figure"))
    pos += len(body)
    if not body.strip():
        add("(no body text)", "article-view--muted")
    return ArticlePage("".join(parts), spans, body_start)
