"""Word wrapping that reports where each screen line starts and ends in the source text.

The detail pane must scroll to a figure's sentence and to search matches, which are given
as character offsets into the article body. Rich's wrapper returns new `Text` lines and
loses that mapping, so we wrap ourselves and keep (start, end) offsets per line.
"""

from __future__ import annotations

import re

from rich.cells import cell_len, get_character_cell_size

_WORD = re.compile(r"\S+\s*")


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """Split `text` into screen lines no wider than `width` cells.

    Returns (start, end) offsets into `text`; a line never includes its "\\n", trailing
    spaces stay on the line they follow (they are invisible), and words wider than the
    line are cut by cells. Every character except newlines belongs to exactly one line,
    so any offset can be mapped to a line with `line_of_offset`.
    """
    width = max(1, width)
    # Vietnamese text is one cell per character almost always: then cells are lengths,
    # and measuring every word (rich's slow path for non-ASCII letters) is skipped.
    measure = len if all(get_character_cell_size(ch) == 1 for ch in set(text) - {"\n"}) else cell_len
    lines: list[tuple[int, int]] = []
    pos = 0
    for para in text.split("\n"):
        para_start = pos
        pos += len(para) + 1
        if not para:
            lines.append((para_start, para_start))
            continue
        line_start = para_start
        line_cells = 0
        lead = len(para) - len(para.lstrip(" "))
        if lead:
            line_cells = measure(para[:lead])
        for match in _WORD.finditer(para, lead):
            word_start = para_start + match.start()
            word = match.group()
            word_core = word.rstrip()
            core_cells = measure(word_core)
            if line_cells and line_cells + core_cells > width:
                lines.append((line_start, word_start))
                line_start = word_start
                line_cells = 0
            if core_cells > width:
                # Fold a word longer than the line, cell by cell.
                offset = word_start
                for ch in word_core:
                    size = get_character_cell_size(ch)
                    if line_cells + size > width and line_cells:
                        lines.append((line_start, offset))
                        line_start = offset
                        line_cells = 0
                    line_cells += size
                    offset += 1
                line_cells += measure(word) - core_cells
                continue
            line_cells += measure(word)
        lines.append((line_start, para_start + len(para)))
    return lines


def line_of_offset(lines: list[tuple[int, int]], offset: int) -> int:
    """Index of the line holding character `offset` (binary search over line starts)."""
    lo, hi = 0, len(lines) - 1
    if hi < 0:
        return 0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if lines[mid][0] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo
