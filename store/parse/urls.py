"""What a page's address says: the day in its path, and the address of a saved page.

Portals file articles under month folders (`/202103/`, `/channel/4567/201911/`), put the
day in the slug (`…-02072020-a75233.html`, `/Pages/2023-1-7/…`) or number posts from a
timestamp (`…-192230411083512345.htm` is 2023-04-11). These are weaker than a stamp on the
page: a folder can be the month the page was filed, not written, so callers use them only
when the text has none and mark the result inferred.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import unquote, urlsplit

from tongket.store.lang.numbers import looks_like_year

WEB_ERA = 1995  # a date in a URL is no older than the web pages it names


@dataclass(frozen=True, slots=True)
class UrlDate:
    iso: str  # "2021-03-26" or, from a month folder, "2021-03"
    evidence: str


def _valid(y: int, m: int, d: int = 1) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return WEB_ERA <= y and looks_like_year(y)


_FORMS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    # /Pages/2023-1-7/…  /2021/03/26/…  /tin-tuc/2025/03/61-…  (year, month[, day])
    (re.compile(r"/((?:19|20)\d\d)[-/](\d{1,2})[-/](\d{1,2})(?=/)"), "ymd", "URL date folder"),
    # …-02072020-a75233.html: ddmmyyyy between hyphens in the slug
    (re.compile(r"-(\d{2})(\d{2})((?:19|20)\d\d)(?=[-./])"), "dmy", "URL date slug"),
    # …/d20170219070952126.htm, …-192230411083512345.htm: an id that opens with a timestamp
    (re.compile(r"[/\-]d?(?:19)?((?:20)\d\d)(\d\d)(\d\d)\d{4,}(?=\.\w+$|/?$)"), "ymd", "post id beginning with a date"),
    # …-192230411083512345.htm: a short prefix, then yymmdd and hhmmss (VTV/baomoi-style ids)
    (re.compile(r"-\d{0,3}?(\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])[0-5]\d[0-5]\d\d*(?=\.\w+$)"),
     "yymd", "post id beginning with a date"),
    # /202103/, /channel/4567/201911/
    (re.compile(r"/((?:19|20)\d\d)(0[1-9]|1[0-2])(?=/)"), "ym", "URL month folder"),
    # /tin-tuc/2025/03/…
    (re.compile(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])(?=/)"), "ym", "URL month folder"),
)


def url_date(url: str | None) -> UrlDate | None:
    """The day (or month) a page's address carries, with what it was read from."""
    if not url or not isinstance(url, str):
        return None
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return None
    for rx, order, what in _FORMS:
        for m in rx.finditer(path):
            g = [int(x) for x in m.groups()]
            if order == "dmy":
                d, mo, y = g
            elif order == "yymd":
                y, mo, d = 2000 + g[0], g[1], g[2]
            elif order == "ymd":
                y, mo, d = g
            else:
                (y, mo), d = g, None
            if d is None:
                if _valid(y, mo):
                    return UrlDate(f"{y:04d}-{mo:02d}", f"{what} {m.group(0).strip('/-')}")
            elif _valid(y, mo, d):
                return UrlDate(f"{y:04d}-{mo:02d}-{d:02d}", f"{what} {m.group(0).strip('/-')}")
    return None


# Where a browser or a CMS leaves the page's own address in saved HTML.
_SAVED_URL = (
    re.compile(r"<!--\s*saved from url=\(\d+\)\s*(\S+?)\s*-->", re.IGNORECASE),
    re.compile(r"<link\b[^>]*\brel=[\"']?canonical[\"']?[^>]*\bhref=[\"']([^\"'>\s]+)", re.IGNORECASE),
    re.compile(r"<link\b[^>]*\bhref=[\"']([^\"'>\s]+)[\"'][^>]*\brel=[\"']?canonical", re.IGNORECASE),
    re.compile(r"<meta\b[^>]*\bproperty=[\"']og:url[\"'][^>]*\bcontent=[\"']([^\"'>\s]+)", re.IGNORECASE),
    re.compile(r"<meta\b[^>]*\bcontent=[\"']([^\"'>\s]+)[\"'][^>]*\bproperty=[\"']og:url", re.IGNORECASE),
)


def saved_page_url(html: str) -> str | None:
    """The page's address as saved HTML records it: the canonical link, og:url, or the
    browser's "saved from url" comment; only absolute http(s) addresses count."""
    head = html[:200_000]
    for rx in _SAVED_URL:
        m = rx.search(head)
        if m and re.match(r"https?://\w", m.group(1), re.IGNORECASE):
            return m.group(1).replace("&amp;", "&")
    return None
