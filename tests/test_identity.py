"""The identity maps an ingest merges by (store/archive/identity.py): saved as sorted tables
and searched in place, a session's changes over them, and the JSON object snapshots held
before that layout still read (the next save writes the tables)."""

from __future__ import annotations

import orjson

from tongket.store.archive.identity import Lookups


def _saved(lookups: Lookups) -> Lookups:
    decoded = Lookups.decode(b"".join(lookups.encode()))
    assert decoded is not None
    return decoded


def test_saved_maps_answer_as_the_records_they_were_made_from() -> None:
    records = [{"id": f"{i:016x}", "content_id": f"c{i:015x}", "source_paths": [f"/in/{i}.txt", f"/dup/{i}.txt"],
                **({"source_url": f"https://x.gov.vn/{i}"} if i % 3 else {})} for i in range(200)]
    saved = _saved(Lookups(records))
    for i in range(200):
        aid = f"{i:016x}"
        assert saved.by_content.get(f"c{i:015x}") == aid
        assert saved.by_path[f"/dup/{i}.txt"] == aid
        assert saved.url_for(f"/in/{i}.txt") == (f"https://x.gov.vn/{i}" if i % 3 else None)
    assert saved.by_content.get("c-not-there") is None and "/in/x.txt" not in saved.by_path


def test_changes_over_saved_maps_are_kept_through_the_next_save() -> None:
    odd = "/in/b\udce9d.txt"  # an undecodable byte in a file name, as os.fsdecode gives it
    saved = _saved(Lookups([{"id": "a1", "source_paths": ["/in/1.txt", odd]}, {"id": "b2", "source_paths": ["/in/2.txt"]}]))
    saved.by_path["/in/2.txt"] = "a1"  # a path that moved to another article
    saved.by_content.pop("b2")
    saved.add({"id": "c3", "source_paths": ["/in/0.txt"], "source_url": "https://x.gov.vn/c"})
    assert saved.by_url.setdefault("https://x.gov.vn/c", "zz") == "c3"
    again = _saved(saved)
    assert again.by_path.get(odd) == "a1" and again.by_path["/in/2.txt"] == "a1" and again.by_path["/in/0.txt"] == "c3"
    assert again.by_content.get("b2") is None and again.by_content.get("a1") == "a1"
    assert again.url_for("/in/0.txt") == "https://x.gov.vn/c"


def test_maps_saved_as_json_by_an_earlier_tongket_still_read() -> None:
    old = {"content": {"c1": "a1"}, "path": {"/in/1.txt": "a1"}, "url": {"https://x.gov.vn/1": "a1"},
           "url_of": {"a1": "https://x.gov.vn/1"}}
    lookups = Lookups.decode(orjson.dumps(old))
    assert lookups is not None and lookups.url_for("/in/1.txt") == "https://x.gov.vn/1"
    assert _saved(lookups).by_content["c1"] == "a1"
    assert Lookups.decode(b"[1, 2]") is None and Lookups.decode(b"not json") is None


def test_a_save_over_saved_maps_is_the_save_of_the_same_maps_made_anew() -> None:
    """Runs kept from the saved tables (their offsets shifted) and changes between them give
    the very bytes the same maps give when built from records."""
    import random

    rng = random.Random(7)
    records = {f"{i:04x}": {"id": f"{i:04x}", "source_paths": [f"/in/{i}.txt"],
                            **({"source_url": f"https://x.gov.vn/{i}"} if i % 2 else {})} for i in range(0, 400, 2)}
    saved = _saved(Lookups(records.values()))
    for i in rng.sample(range(400), 120):
        aid = f"{i:04x}"
        if aid in records and rng.random() < 0.3:
            del records[aid]
            saved.by_content.pop(aid)
            saved.by_path.pop(f"/in/{i}.txt")
            if i % 2:
                saved.by_url.pop(f"https://x.gov.vn/{i}")
                saved.url_of.pop(aid)
        elif aid not in records:
            records[aid] = {"id": aid, "source_paths": [f"/in/{i}.txt"], "source_url": f"https://y.gov.vn/{i}"}
            saved.add(records[aid])
    assert b"".join(saved.encode()) == b"".join(Lookups(records.values()).encode())
    assert b"".join(_saved(saved).encode()) == b"".join(Lookups(records.values()).encode())
