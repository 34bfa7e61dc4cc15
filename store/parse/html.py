"""Main text and metadata from a saved HTML page.

trafilatura finds the article in most portal pages; for the rest (pages it returns nothing
for) a plain fallback drops scripts, styles and navigation and keeps the visible text.
A page with no article text at all is rejected with a clear reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tongket.store.errors import InputError
from tongket.store.parse.urls import saved_page_url



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
    """trafilatura writes table rows as "| a | b |": one line per cell, no rules."""
    out = []
    for line in text.split("\n"):
        s = line.strip()
        if s.startswith("|") or s.endswith("|"):
            if re.fullmatch(r"[|\-: ]+", s):
                continue
            out.extend(c.strip() for c in s.strip("|").split(" | ") if c.strip())
        else:
            out.append(line)
    return "\n".join(out)


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
    except Exception:  # noqa: BLE001 - a parser failure falls back to plain text
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
    except Exception:  # noqa: BLE001 - garbage markup: nothing usable
        return re.sub(r"<[^>]+>", " ", re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)).strip()
