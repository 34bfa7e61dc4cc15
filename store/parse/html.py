"""Main text and metadata from a saved HTML page.

trafilatura finds the article in most portal pages; for the rest (pages it returns nothing
for) a plain fallback drops scripts, styles and navigation and keeps the visible text.
A page with no article text at all is rejected with a clear reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from lxml.etree import LxmlError

from tongket.store.errors import InputError
from tongket.store.parse.clause_unit import unit_named_in
from tongket.store.parse.urls import saved_page_url
from tongket.store.lang.wordlists import alt, word_lists

# What reading hostile markup can raise: lxml's own errors (empty or broken document),
# ValueError (a str that declares an encoding, NUL bytes), RecursionError (markup nested
# thousands deep), TypeError/AttributeError from an extractor meeting a tree it did not expect.
_MARKUP_ERRORS = (LxmlError, ValueError, RecursionError, TypeError, AttributeError)



@dataclass(frozen=True, slots=True)
class HtmlArticle:
    text: str  # paragraphs separated by newlines
    title: str | None
    date: str | None  # ISO date or datetime as the page's metadata states it
    author: str | None
    url: str | None = None  # the page's own address: canonical link, og:url, "saved from url"


def extract_html(html: str, path: str = "<html>") -> HtmlArticle:
    """Article text and metadata; raises `InputError(path, ...)` when there is no article."""
    text, title, date, author = _with_trafilatura(html)
    if not text or len(text.strip()) < 40:
        text = _fallback_text(html)
    text = _untable(text or "")
    if not text or len(re.sub(r"\W", "", text)) < 40:
        raise InputError(path, "no article text found in HTML")
    if title:
        title = _untable(title).split("\n")[0] or None
    return HtmlArticle(text=text, title=title, date=date, author=author, url=saved_page_url(html))


def _untable(text: str) -> str:
    """trafilatura writes table rows as "| a | b |". A table with a label column and a
    column per year or period becomes one sentence per row ("Văn bản đến Năm 2022 là
    40.120; …") so each cell is read as a figure of its column; other tables become one
    line per cell."""
    out: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        out.extend(_table_lines(table))
        table.clear()

    for line in text.split("\n"):
        s = line.strip()
        if s.startswith("|") or s.endswith("|"):
            if not re.fullmatch(r"[|\-: ]+", s):
                table.append([c.strip() for c in s.strip("|").split(" | ")])
            continue
        flush()
        out.append(line)
    flush()
    return "\n".join(out)


@cache
def _table_words() -> tuple[re.Pattern[str], str]:
    """A column head that names a period, and the word joining a row to its cell (`data/tables.json`)."""
    w = word_lists("tables.json")
    return re.compile(rf"(?:19|20)\d\d|{alt(w['period_heads'], ' ')}", re.IGNORECASE), w["copula"]


_CELL_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*\s*%?")


def _table_lines(rows: list[list[str]]) -> list[str]:
    period_head, copula = _table_words()
    if len(rows) >= 2 and len(rows[0]) >= 2 and all(period_head.search(h) for h in rows[0][1:]):
        lines = []
        for row in rows[1:]:
            label, cells = row[0], row[1:]
            unit = unit_named_in(label)  # "Văn bản đến": the cells count văn bản
            parts = [f"{label} {head} {copula} {cell}{' ' + unit if unit and not cell.endswith('%') else ''}"
                     for head, cell in zip(rows[0][1:], cells) if _CELL_NUMBER.fullmatch(cell)]
            if label and parts:
                lines.append("; ".join(parts) + ".")
        if lines:
            return lines
    return [c for row in rows for c in row if c]


def _with_trafilatura(html: str) -> tuple[str | None, str | None, str | None, str | None]:
    try:
        import trafilatura
        from trafilatura.settings import use_config

        cfg = use_config()
        cfg.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
        doc = trafilatura.bare_extraction(
            html, include_comments=False, include_tables=True, favor_recall=True, config=cfg,
            with_metadata=True,
        )
    except _MARKUP_ERRORS:  # the page defeats the extractor: fall back to plain text
        return None, None, None, None
    if doc is None:
        return None, None, None, None
    get = (lambda k: getattr(doc, k, None)) if not isinstance(doc, dict) else doc.get
    text = get("text")
    return text, get("title"), get("date"), get("author")


def _fallback_text(html: str) -> str:
    try:
        from lxml import html as lxml_html
        from lxml_html_clean import Cleaner

        cleaner = Cleaner(scripts=True, javascript=True, style=True, comments=True, forms=True,
                          kill_tags=["nav", "header", "footer", "aside", "noscript", "iframe", "svg"])
        tree = lxml_html.fromstring(html)
        tree = cleaner.clean_html(tree)
        blocks = []
        for el in tree.iter("p", "h1", "h2", "h3", "li", "td", "div", "br"):
            own = " ".join((el.text or "").split())
            if el.tag == "div" and len(el):
                continue
            txt = " ".join(el.text_content().split()) if el.tag != "div" else own
            if txt:
                blocks.append(txt)
        text = "\n".join(dict.fromkeys(blocks))
        if not text.strip():
            text = "\n".join(ln.strip() for ln in tree.text_content().splitlines() if ln.strip())
        return text
    except _MARKUP_ERRORS:  # garbage markup: nothing usable
        return re.sub(r"<[^>]+>", " ", re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)).strip()
