"""Turn one raw article (scraped text or saved HTML) into an `Article` record.

Orchestration only: the page is split into a header zone (portal chrome, title, publish
stamp), the article, and trailing chrome; each field is then read by its own module.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from tongket.store.parse.boilerplate import is_sentence, load_boilerplate, repeated_chrome
from tongket.store.parse.dates import (
    find_event_date, find_published, is_clock_widget, plausible_stamp, published_in_line,
)
from tongket.store.errors import InputError
from tongket.store.parse.clause_unit import units_from_clause
from tongket.store.parse.figkind import classify
from tongket.store.parse.figures import extract_figures
from tongket.store.parse.decode import DEFAULT_MAX_BYTES, looks_like_html, read_source
from tongket.store.parse.html import HtmlArticle, extract_html
from tongket.store.parse.money import join_mixed_scales
from tongket.store.parse.people import byline_of, find_officials
from tongket.store.parse.period import detect_period
from tongket.store.parse.reportyear import decide_report_year
from tongket.store.parse.urls import url_date
from tongket.store.lang.provinces import load_provinces
from tongket.store.record import Article
from tongket.store.lang.text import clean_text
from tongket.store.lang.wordlists import alt, word_lists

_MARK_OPEN = re.compile(r"^\(?[A-ZĐ][A-Za-zĐđ]{1,6}\)?\s*[-–—]\s*")


@cache
def _date_open() -> re.Pattern[str]:
    """A lead that opens with its date ("Sáng nay 26/6", "Ngày 20/1", "Năm 2019,"), perhaps
    after a newspaper mark; the words are those of `data/dates.json`."""
    w = word_lists("dates.json")
    day = w["day"]
    return re.compile(
        rf"^(?:\(?[A-ZĐ][A-Za-zĐđ]{{1,6}}\)?\s*[-–—]\s*)?(?:(?:{alt(w['dayparts'], ' ')})\s+(?:{alt(w['lead_after_daypart'], ' ')})?\s*\(?\s*\d"
        rf"|(?:{w['during']}\s+)?{day}\s+\d|{w['year']}\s+(?:19|20)\d\d\s*,)",
        re.IGNORECASE,
    )


def article_id(title: str, body: str) -> str:
    """Content-based id: the cleaned title and body, so portal chrome (visit counters,
    clocks) that changes between scrapes does not change the id."""
    return _collapsed_sha1(title + "\n" + body).hexdigest()[:16]


def _collapsed_sha1(text: str, chunk: int = 1 << 16) -> "hashlib._Hash":
    """sha1 of `" ".join(text.split())`, a slice at a time: splitting a 5 MB body of short
    numbers at once makes a million strings (100 MB). A word cut by a slice edge is joined
    back (no space), and a run of spaces across an edge is one space."""
    digest = hashlib.sha1()
    started = gap = False
    for i in range(0, len(text), chunk):
        part = text[i : i + chunk]
        words = part.split()
        if words:
            joint = " " if started and (gap or part[0].isspace()) else ""
            digest.update((joint + " ".join(words)).encode("utf-8"))
            started = True
        gap = (gap and not words) or part[-1].isspace()
    return digest


def parse_text(text: str, *, url: str | None = None) -> Article:
    """Parse plain article text (already decoded); saved HTML is detected and extracted.
    Never raises on odd text: what cannot be settled becomes a warning."""
    if not isinstance(text, str):
        text = str(text or "")
    try:
        if looks_like_html(text):
            try:
                return parse_html(text, url=url)
            except InputError as exc:
                return _empty(url, (f"HTML: {exc.reason}",))
        return _parse(clean_text(text), url=url, html=None)
    except Exception as exc:  # noqa: BLE001 - last resort; the contract is "never raises"
        return _empty(url, (f"could not parse: {type(exc).__name__}",))


def parse_html(html: str, *, url: str | None = None, path: str = "<html>") -> Article:
    """Parse a saved web page. Raises `InputError` when the page holds no article text."""
    doc = extract_html(html, path)
    return _parse(clean_text(doc.text), url=url, html=doc)


def parse_file(path: str | Path, *, url: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Read, decode and parse one file; raises `InputError` naming the file and the problem."""
    text = read_source(path, max_bytes=max_bytes)
    if looks_like_html(text):
        return parse_html(text, url=url, path=str(path))
    return parse_text(text, url=url)


def _empty(url: str | None, warnings: tuple[str, ...]) -> Article:
    return Article(
        id=article_id("", ""), title="", title_derived=True, published=None, event_date=None,
        province=None, province_evidence=None, report_year=None, period=None, byline=None,
        officials=(), body="", figures=(), warnings=warnings, source_url=url,
    )


# A station or newspaper mark before a headline: "(TTV) Phiên họp …" (kept for the province).
_TITLE_MARK = re.compile(r"^\([A-ZĐ][A-Za-zĐđ]{1,6}\)\s*[-–—:]?\s*(?=\w)")
# Prose ends with a stop; a headline may end with a closing quote or bracket but not a stop.
_PROSE_END = re.compile(r"(?:[.!?…:;]|\./\.)[\"”’)]*\s*$")


def _is_lead(line: str) -> bool:
    """First line of the article proper: a dated or marked opening, or a prose paragraph."""
    if _date_open().match(line) or (_MARK_OPEN.match(line) and len(line) > 40):
        return True
    return (_PROSE_END.search(line) is not None and len(line) >= 60) or len(line) >= 250


def _title_candidate(line: str) -> bool:
    bp = load_boilerplate()
    if bp.is_head_chrome(line) or is_clock_widget(line) or published_in_line(line, allow_bare=True):
        return False
    if byline_of(line) and (line.rstrip().endswith("|") or line.isupper()):
        return False
    return len(line.split()) >= 3 and not line.endswith(":")


def _derive_title(lead: str) -> str:
    """A short headline from the lead sentence, without the mark and the date clause."""
    s = _MARK_OPEN.sub("", lead, count=1)
    first, _, rest = s.partition(", ")
    if rest and _date_open().match(first + ","):
        s = rest
    s = re.split(r"(?<=[^\d\s][.!?])\s", s, maxsplit=1)[0].rstrip(" .;:,")
    if len(s) > 120:
        cut = s[:120]
        comma = max(cut.rfind(", "), cut.rfind("; "))
        s = cut[:comma] if comma >= 50 else cut.rsplit(" ", 1)[0] + "…"
    return s[:1].upper() + s[1:]


def _parse(text: str, *, url: str | None, html: HtmlArticle | None) -> Article:
    bp = load_boilerplate()
    lines = [ln.strip() for ln in text.split("\n")]
    lines = [ln for ln in lines if ln]
    warnings: list[str] = []

    lead = next((i for i, ln in enumerate(lines) if _is_lead(ln) and not bp.is_head_chrome(ln)), None)
    if lead is None:  # no prose: everything after the first plausible title is the article
        lead = min(1, len(lines))
    head = lines[:lead]

    # title: the longest plausible head line (portal names and menus are shorter or chrome)
    cands = [ln for ln in head if _title_candidate(ln)]
    title = _TITLE_MARK.sub("", max(cands, key=len), count=1) if cands else ""
    if html is not None and html.title and (not title or title not in lines):
        title = " ".join(html.title.split())
    head_title = max(cands, key=len) if cands else ""
    title_derived = False
    byline = next((b for b in (byline_of(ln) for ln in head if ln not in (title, head_title)) if b), None)

    # the article: from the lead to the first trailing-chrome block
    # the stamp first: a stamp that opens the lead ("(07:30 21/09/2022) Sáng nay…") is cut off it
    pub = find_published(lines, lead)
    if pub is not None and pub.prefix_end:
        lines[pub.line] = lines[pub.line].strip()[pub.prefix_end:].strip()

    tags = repeated_chrome(lines)
    removed: list[str] = []
    kept: list[str] = []
    seen_short: set[str] = set()
    for ln in lines[lead:]:
        if kept and bp.is_stop(ln):
            break
        if bp.is_drop(ln) or is_clock_widget(ln) or published_in_line(ln):
            continue
        if ln in tags:
            removed.append(ln)
            continue
        if len(ln) < 300:
            # a repeated caption, the headline again, or a repeat cut off by the excerpt
            if ln == title or ln == head_title or ln in seen_short or (kept and kept[-1].startswith(ln) and len(ln) >= 20):
                continue
            seen_short.add(ln)
        if kept and ln[:1].islower() and not is_sentence(kept[-1]):
            kept[-1] = f"{kept[-1]} {ln}"  # a hard-wrapped line continues the one above
            continue
        kept.append(ln)
    while kept and (b := byline_of(kept[-1])):
        byline = byline or b
        kept.pop()
    if not title and kept:
        title, title_derived = _derive_title(kept[0]), True
    body = "\n\n".join(kept)

    # dates: the page's stamp, else the saved page's metadata, else the URL (weaker)
    if url is None and html is not None:
        url = html.url
    published, pub_ev, pub_conf = None, None, "none"
    if pub is not None:
        published, pub_ev, pub_conf = pub.iso, pub.evidence, "stated"
    elif html is not None and html.date:
        published = html.date[:16] if "T" in html.date else html.date[:10]
        pub_ev, pub_conf = "saved page metadata", "stated"
    elif (ud := url_date(url)) is not None:
        published, pub_ev, pub_conf = ud.iso, ud.evidence, "inferred"
    if published is None:
        warnings.append("no publish date")
    event = find_event_date(kept[:6] + ([] if title_derived else [title]), published)
    event_date = event.iso if event else None
    ev_ev, ev_conf = None, "none"
    if event and event.iso:
        ev_ev = f"meeting day {event.day}/{event.month} in the lead" + ("" if event.year_stated else ", year from the publish date")
        ev_conf = "stated" if event.year_stated else "inferred"
    if pub_conf == "stated" and event and event.iso and event.year_stated and published and len(published) >= 10 \
            and not plausible_stamp(published, event.iso):
        warnings.append(f"publish date {published[:10]} does not fit the meeting of {event.iso}")
        pub_conf = "inferred"
        pub_ev = f"{pub_ev}; far from the meeting date"
    if event and event.warning:
        warnings.append(event.warning)
    elif event is None:
        warnings.append("no event date")

    # province, period, people
    text_head = "\n".join(head + removed)
    province, evidence = load_provinces().detect(text_head, body, url)
    if province is None:
        warnings.append("no province")
    per = detect_period("" if title_derived else title, kept)
    year = decide_report_year(per, event_date, published, pub_conf, ev_conf == "stated")
    if year.value is None:
        warnings.append("no report year")
    officials = find_officials(("" if title_derived else title + "\n") + body)
    if byline is None and html is not None and html.author:
        byline = " ".join(html.author.split())

    # the headline opens the body: headlines carry figures ("biểu dương 3 tập thể, 6 cá nhân")
    # and every figure's span must point into `body`; `title` stays the headline alone
    if title and not title_derived:
        body = f"{title}\n\n{body}" if body else title
    figures, fig_warnings = extract_figures(body)
    figures = units_from_clause(body, classify(body, join_mixed_scales(body, figures)))
    return Article(
        id=article_id(title, body),
        title=title,
        title_derived=title_derived,
        published=published,
        event_date=event_date,
        province=province,
        province_evidence=evidence,
        report_year=year.value,
        period=per.period,
        byline=byline,
        officials=officials,
        body=body,
        figures=tuple(figures),
        warnings=tuple(warnings) + tuple(fig_warnings),
        source_url=url,
        province_confidence=_province_confidence(evidence),
        published_evidence=pub_ev,
        published_confidence=pub_conf,
        event_date_evidence=ev_ev,
        event_date_confidence=ev_conf,
        report_year_evidence=year.evidence,
        report_year_confidence=year.confidence,
        period_evidence=per.period_evidence,
        period_confidence="stated" if per.period_evidence else ("inferred" if per.report_year else "none"),
    )


# Province evidence read from the site or a place name, not from the province's own name.
_INFERRED_PROVINCE = ("source URL", "URL path", "place ")


def _province_confidence(evidence: str | None) -> str:
    if evidence is None:
        return "none"
    return "inferred" if evidence.startswith(_INFERRED_PROVINCE) else "stated"
