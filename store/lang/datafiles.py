"""The vocabulary files of `store/lang/data/`, read by path next to this module.

Why not `importlib.resources`: importing it (and the zipfile, tempfile and shutil it pulls
in) cost every command ~6 ms before a single word was read, and the package is always a
folder on disk (a checkout, an editable install or an unpacked wheel). The files stay the
one source of truth: each is read when its reader first needs it, nothing is kept beside it.
"""

from __future__ import annotations

import json
import os
from typing import Any

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def data_text(name: str) -> str:
    """The text of `data/<name>` (UTF-8)."""
    with open(os.path.join(DATA_DIR, name), encoding="utf-8") as handle:
        return handle.read()


def data_json(name: str) -> Any:
    """`data/<name>` parsed as JSON."""
    return json.loads(data_text(name))
