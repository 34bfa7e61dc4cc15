"""The cyclic garbage collector paused while a big batch of new objects is made.

Why: making ~100k rows or records at once sets off full collections that walk everything
alive and find nothing to free (they are all kept); paused, the batch costs its own work
only. The collector's earlier state comes back however the block ends.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
