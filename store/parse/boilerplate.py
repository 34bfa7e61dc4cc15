"""Portal chrome: which lines of a scraped page are not the article.

The patterns are data (`data/boilerplate.json`) because every portal has its own widgets;
adding one is a data change. Only short lines are ever matched, so a real paragraph that
happens to start like a widget ("Đánh giá cao …") is never taken for chrome. Breadcrumb
trails are the exception: they end in the headline, so they are matched up to a longer limit
but need the trail separators (">", "»") that prose does not use.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from tongket.store.lang.datafiles import data_json


@dataclass(frozen=True, slots=True)
class Boilerplate:
    stop: re.Pattern[str]
    drop: re.Pattern[str]
    head: re.Pattern[str]
    breadcrumb: re.Pattern[str]
    max_line: int
    max_breadcrumb: int

    def _match(self, pattern: re.Pattern[str], line: str) -> bool:
        s = line.strip()
        return bool(s) and len(s) <= self.max_line and pattern.fullmatch(s) is not None

    def is_stop(self, line: str) -> bool:
        """Opens a trailing block (comments, related news, counters, footer)."""
        return self._match(self.stop, line)

    def is_drop(self, line: str) -> bool:
        """Chrome wherever it appears (font-size switches, counters, share buttons, trails)."""
        return self._match(self.drop, line) or self.is_breadcrumb(line)

    def is_breadcrumb(self, line: str) -> bool:
        """A navigation trail ("Trang chủ > Tin tức > …", "> Tin tức > Văn phòng > …")."""
        s = line.strip()
        return bool(s) and len(s) <= self.max_breadcrumb and self.breadcrumb.fullmatch(s) is not None

    def is_head_chrome(self, line: str) -> bool:
        """Chrome of the page header (portal name, login links)."""
        return self._match(self.head, line) or self.is_drop(line)


def _combine(patterns: list[str]) -> re.Pattern[str]:
    """One alternation per category: a line is tested once, not once per pattern."""
    if not patterns:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@cache
def load_boilerplate() -> Boilerplate:
    raw = data_json("boilerplate.json")
    return Boilerplate(
        stop=_combine(raw.get("stop", [])),
        drop=_combine(raw.get("drop", [])),
        head=_combine(raw.get("head", [])),
        breadcrumb=_combine(raw.get("breadcrumb", [])),
        max_line=int(raw.get("max_line", 120)),
        max_breadcrumb=int(raw.get("max_breadcrumb", 300)),
    )


_SENTENCE_END = re.compile(r"[.!?…:;\"”)]\s*(?:/\.)?$|\./\.$")


def is_sentence(line: str) -> bool:
    """Ends like prose; captions, tag lines and headings do not."""
    return bool(_SENTENCE_END.search(line.strip()))


def is_tag_line(line: str) -> bool:
    """A comma list of short labels without final punctuation
    ("UBND tỉnh Bắc Giang, Văn phòng UBND tỉnh Bắc Giang, Tổng kết công tác văn phòng")."""
    s = line.strip()
    if is_sentence(s) or len(s) > 200:
        return False
    parts = [p.strip() for p in s.split(",")]
    return len(parts) >= 3 and all(0 < len(p) <= 60 and len(p.split()) <= 8 for p in parts)


def repeated_chrome(lines: list[str]) -> set[str]:
    """Non-sentence lines that a page repeats: tag lines shown under every block. A repeated
    caption is not in here: it keeps its first copy (see `is_caption_duplicate`)."""
    counts = Counter(s for s in (ln.strip() for ln in lines) if s and not is_sentence(s))
    return {s for s, n in counts.items() if n >= 2 and is_tag_line(s)}
