"""Two tongket processes on one archive: the lock makes writes take turns and no update is
lost; an open archive (the app) notices what another process wrote."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import orjson
import pytest

from conftest import make_article
from tongket.store.archive.archive import Archive
from tongket.store.errors import StoreError
from tongket.store.archive.lock import lock_is_held, write_lock

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "fixtures" / "seeds").glob("*.txt"))
RUNNER = (
    "import sys, tongket.store.archive.writing as a; a.INGEST_BATCH = 5; "  # many writes, so the two really interleave
    "from tongket.store.cli.main import main; sys.exit(main(sys.argv[1:]))"
)


def _make_folder(folder: Path, tag: str, n: int) -> None:
    folder.mkdir(parents=True)
    seeds = [p.read_text(encoding="utf-8") for p in SEEDS]
    for i in range(n):
        text = seeds[i % len(seeds)][: 600 + 40 * i]
        (folder / f"{tag}{i:02d}.txt").write_text(f"{text}\n\nNăm 2019 nhóm {tag} bài {i} có {i + 7} văn bản.\n",
                                                  encoding="utf-8")


def _ingest(folder: Path, store: Path) -> subprocess.Popen:
    env = {**os.environ, "TONGKET_NO_PARALLEL": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", RUNNER, "ingest", str(folder), "--store", str(store)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)


def _paths(store: Path) -> set[str]:
    data = orjson.loads((store / "archive.json").read_bytes())
    return {Path(p).name for r in data["articles"].values() for p in r["source_paths"]}


def test_two_ingests_at_once_keep_both_sets(tmp_path: Path, store_dir: Path) -> None:
    _make_folder(tmp_path / "a", "a", 40)
    _make_folder(tmp_path / "b", "b", 40)
    procs = [_ingest(tmp_path / "a", store_dir), _ingest(tmp_path / "b", store_dir)]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        assert out.decode().startswith("added 40,")
    names = _paths(store_dir)
    assert {f"a{i:02d}.txt" for i in range(40)} <= names
    assert {f"b{i:02d}.txt" for i in range(40)} <= names
    assert len(Archive.open(store_dir)) == 80


def test_a_correction_during_an_ingest_survives(tmp_path: Path, store_dir: Path) -> None:
    app = Archive.open(store_dir)  # the app, open the whole time
    app.ingest_article(make_article("Bài có sẵn", province="Kiên Giang", year=2019))
    target = app.articles()[0].id
    _make_folder(tmp_path / "a", "a", 40)
    proc = _ingest(tmp_path / "a", store_dir)
    corrections = 0
    while proc.poll() is None or corrections == 0:  # correct again and again while it ingests
        corrections += 1
        app.correct(target, report_year=2000 + corrections % 20)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    fresh = Archive.open(store_dir)
    assert len(fresh) == 41  # every ingested article is there...
    assert fresh.get(target).article.report_year == 2000 + corrections % 20  # ...and the last correction too
    assert app.reload_if_changed() in (True, False) and len(app) == 41


def test_open_archive_notices_another_process(tmp_path: Path, store_dir: Path) -> None:
    app = Archive.open(store_dir)
    assert app.reload_if_changed() is False
    _make_folder(tmp_path / "a", "a", 3)
    proc = _ingest(tmp_path / "a", store_dir)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert app.reload_if_changed() is True
    assert len(app) == 3 and app.reload_if_changed() is False


def test_two_instances_in_one_process_lose_nothing(store_dir: Path) -> None:
    """The app's worker thread and a second Archive writing at once: each write re-reads first."""
    first, second = Archive.open(store_dir), Archive.open(store_dir)
    errors: list[BaseException] = []

    def add(archive: Archive, tag: str) -> None:
        try:
            for i in range(15):
                archive.ingest_article(make_article(f"{tag} {i}"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(a, t)) for a, t in ((first, "một"), (second, "hai"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert len(Archive.open(store_dir)) == 30


def test_lock_held_elsewhere_is_a_clear_error(store_dir: Path) -> None:
    store_dir.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from tongket.store.archive.lock import write_lock\n"
         "with write_lock(sys.argv[1]):\n    print('held', flush=True); time.sleep(30)", str(store_dir)],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == b"held"
        assert lock_is_held(store_dir)
        with pytest.raises(StoreError, match="another tongket process .* nothing was changed"):
            with write_lock(store_dir, timeout=0.2):
                pass
    finally:
        holder.kill()
        holder.wait()
    assert not lock_is_held(store_dir)
