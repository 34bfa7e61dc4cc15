"""Turn one raw article (scraped text or saved HTML) into an `Article` record."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .figures import extract_figures
from .record import Article
from .text import clean_text


def article_id(title: str, body: str) -> str:
    """Content-based id: the cleaned title and body, so portal chrome (visit counters,
    clocks) that changes between scrapes does not change the id."""
    basis = " ".join((title + "\n" + body).split())
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


def parse_text(text: str, *, url: str | None = None) -> Article:
    """Parse plain article text (already decoded). Never raises on odd text."""
    text = clean_text(text)
    lines = [line.strip() for line in text.split("\n")]
    paras = [line for line in lines if line]
    title = paras[0] if paras else ""
    body = "\n\n".join(paras[1:])
    figures, warnings = extract_figures(body)
    return Article(
        id=article_id(title, body),
        title=title,
        title_derived=False,
        published=None,
        event_date=None,
        province=None,
        province_evidence=None,
        report_year=None,
        period=None,
        byline=None,
        officials=(),
        body=body,
        figures=tuple(figures),
        warnings=tuple(warnings),
        source_url=url,
    )


def parse_file(path: str | Path, *, url: str | None = None) -> Article:
    """Read, decode and parse one file; raises `InputError` naming the file and the problem."""
    data = Path(path).read_bytes()
    return parse_text(data.decode("utf-8-sig"), url=url)
