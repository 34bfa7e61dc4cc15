"""The metadata readers' word lists are data: each file says what each of its lists is for."""

import json
import unicodedata
from importlib import resources

import pytest

FILES = ("dates.json", "period.json", "people.json", "province_cues.json", "tables.json")


@pytest.mark.parametrize("name", FILES)
def test_every_list_is_documented(name: str) -> None:
    raw = json.loads(resources.files("tongket.store.lang").joinpath(f"data/{name}").read_text("utf-8"))
    doc = raw.pop("_doc")
    assert raw, name
    for key, value in raw.items():
        assert f"'{key}'" in doc, f"{name}: '{key}' is not explained in _doc"
        if isinstance(value, list):
            assert value and all(isinstance(w, str) and w.strip() == w and w for w in value), f"{name}: {key}"
            assert len(set(value)) == len(value), f"{name}: {key} lists a word twice"
        words = value if isinstance(value, list) else list(value) if isinstance(value, dict) else [value]
        for w in words:
            assert unicodedata.normalize("NFC", w) == w, f"{name}: {key}: {w!r} is not NFC"
