"""Portal chrome: which lines of a scraped page are not the article.

The patterns are data (`data/boilerplate.json`) because every portal has its own widgets;
adding one is a data change. Only short lines are ever matched, so a real paragraph that
happens to start like a widget ("Đánh giá cao …") is never taken for chrome.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Boilerplate:
    stop: tuple[re.Pattern[str], ...]
    drop: tuple[re.Pattern[str], ...]
    head: tuple[re.Pattern[str], ...]
    max_line: int

    def _match(self, patterns: tuple[re.Pattern[str], ...], line: str) -> bool:
        s = line.strip()
        if not s or len(s) > self.max_line:
            return False
        return any(p.fullmatch(s) for p in patterns)

    def is_stop(self, line: str) -> bool:
        """Opens a trailing block (comments, related news, counters)."""
        return self._match(self.stop, line)

    def is_drop(self, line: str) -> bool:
        """Chrome wherever it appears (font-size switches, counters, share buttons)."""
        return self._match(self.drop, line)

    def is_head_chrome(self, line: str) -> bool:
        """Chrome of the page header (portal name, login links)."""
        return self._match(self.head, line) or self.is_drop(line)


@cache
def load_boilerplate() -> Boilerplate:
    raw = json.loads(resources.files("store").joinpath("data/boilerplate.json").read_text("utf-8"))

    def comp(key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in raw.get(key, ()))

    return Boilerplate(comp("stop"), comp("drop"), comp("head"), int(raw.get("max_line", 120)))


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
