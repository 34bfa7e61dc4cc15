"""The snapshot's source URL column stays in step with archive.json: a URL learned by a
re-ingest (the content unchanged), articles added after it (spliced into the old columns),
and a snapshot of an older format (rebuilt, not believed). Through the command line, with
segments for any archive size (segments.MIN_BASE_BYTES), so a batch merges into the last
snapshot (snapshot_merge.py) as at 100k, and without, where it is built from the records."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from tongket.store.cli.main import main
from tongket.store.archive import segments
from tongket.store.archive.archive import Archive
from tongket.store.record import IngestReport
from tongket.store.derived import snapshot_file


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def urls(capsys, store: Path, *filters: str) -> dict[str, str | None]:
    """id -> source_url of `list --json`, each checked against `show --json`."""
    code, out, err = run(capsys, "list", "--json", "--store", str(store), *filters)
    assert code == 0, err
    rows = {r["id"]: r["source_url"] for r in json.loads(out)}
    for aid, url in rows.items():
        shown = json.loads(run(capsys, "show", aid, "--json", "--store", str(store))[1])
        assert shown["source_url"] == url
    return rows


def ingest(store: Path, page: Path, url: str | None = None) -> IngestReport:
    """One file ingested by an archive opened for it (its records not loaded, as a command's)."""
    return Archive.open(store).ingest_files([(page, url)])


def sample_files(tmp_path: Path, n: int) -> list[Path]:
    files = sorted(p for p in FIXTURES.rglob("*.txt") if p.parent.name != "expected")[:n]
    out = []
    for i, src in enumerate(files):
        out.append(tmp_path / f"page{i}.txt")
        shutil.copy(src, out[-1])
    return out


@pytest.mark.parametrize("grown", [True, False], ids=["segments", "base"])
def test_a_url_learned_by_reingest_is_listed_and_kept_when_articles_are_added(capsys, tmp_path: Path, monkeypatch,
                                                                               grown: bool) -> None:
    if grown:  # each batch after the first a segment: the snapshot merged, not built from the records
        monkeypatch.setattr(segments, "MIN_BASE_BYTES", 0)
        monkeypatch.setattr(segments, "MAX_SHARE", 1000.0)  # and not compacted into a new base
        monkeypatch.setenv("TONGKET_NO_PARALLEL", "1")
    store = tmp_path / "s"
    first, second, third = sample_files(tmp_path, 3)
    ingest(store, first)
    ingest(store, second, 'https://example.vn/b?q="x"\\')
    before = urls(capsys, store)
    assert sorted(before.values(), key=str) == [None, 'https://example.vn/b?q="x"\\']
    (aid_first,) = [aid for aid, url in before.items() if url is None]
    # the same content again, now with a URL: archive.json learns it, the list must too
    assert len(ingest(store, first, "https://example.vn/a").unchanged) == 1
    learned = urls(capsys, store)
    assert learned[aid_first] == "https://example.vn/a"
    # an article added after it: the old rows' URLs carried over into the merged snapshot
    ingest(store, third, "https://example.vn/d\u0085")
    added = urls(capsys, store)
    assert len(added) == 3 and {aid: added[aid] for aid in learned} == learned
    texts = urls(capsys, store, "--text", "a")  # the rows of a text filter: the same URLs
    assert texts and texts == {aid: added[aid] for aid in texts}
    assert len(list((store / segments.SEGMENTS_DIR).glob("*.json"))) == (3 if grown else 0)


def test_a_snapshot_of_the_older_format_is_rebuilt_with_its_urls(capsys, tmp_path: Path, monkeypatch) -> None:
    store = tmp_path / "s"
    (page,) = sample_files(tmp_path, 1)
    with monkeypatch.context() as patch:  # written by the tongket before the URL column
        patch.setattr(snapshot_file, "FORMAT", 7)
        assert run(capsys, "ingest", str(page), "--url", "https://example.vn/c", "--store", str(store))[0] == 0
    path = store / "archive.snapshot"
    assert snapshot_file.check(path, snapshot_file.read_source(path)) == "stale: written by another tongket version (other format)"
    assert list(urls(capsys, store).values()) == ["https://example.vn/c"]
    rebuilt = snapshot_file.read(path, snapshot_file.read_source(path))
    assert rebuilt is not None and rebuilt.source_urls == ["https://example.vn/c"]
