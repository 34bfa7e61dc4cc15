"""The bundled sample: every fixture article is listed, shipped and loads once."""

from __future__ import annotations

import os
import subprocess
import sysconfig
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from conftest import FIXTURES, make_article
from tongket.store.archive.archive import Archive
from tongket.store.archive.sample import app_store, load_sample, sample_sources
from tongket.store.errors import StoreError

ROOT = Path(__file__).resolve().parent.parent


def test_manifest_lists_every_fixture_article() -> None:
    with sample_sources() as sources:
        listed = {p.resolve() for p, _ in sources}
        assert all(p.is_file() for p in listed)
    on_disk = {p.resolve() for p in FIXTURES.rglob("*.txt")}
    # every listed file ships; the seeds are all in the sample (the corpus holds more
    # labelled articles for the parser's tests than the sample needs)
    assert listed <= on_disk
    assert {p.resolve() for p in FIXTURES.glob("seeds/*.txt")} <= listed


def test_load_sample_is_idempotent(archive: Archive) -> None:
    first = load_sample(archive)
    assert first.failed == () and len(first.added) == len(archive) > 0
    second = load_sample(archive)
    assert second.added == () and len(second.unchanged) == len(archive)


def test_urls_from_the_manifest_are_kept(archive: Archive) -> None:
    load_sample(archive)
    with_url = [archive.get(m.id).article.source_url for m in archive.articles()]
    assert sum(1 for u in with_url if u and u.startswith("http")) >= 10


def test_first_launch_shows_the_sample_apart_from_the_users_archive(store_dir: Path) -> None:
    path, is_sample = app_store(None)  # TONGKET_STORE points at store_dir
    assert is_sample and path != store_dir and len(Archive.open(path)) > 0
    assert not (store_dir / "archive.json").exists()  # the user's own archive holds nothing
    with pytest.raises(StoreError):
        Archive.open(path).correct(Archive.open(path).articles()[0].id, title="x")  # read-only
    assert app_store(store_dir) == (path, True)  # built once, shown again while still empty
    Archive.open(store_dir).ingest_article(make_article("Bài của tôi", province="Kiên Giang"))
    assert app_store(store_dir) == (store_dir, False)
    assert [m.title for m in Archive.open(store_dir).articles()] == ["Bài của tôi"]


def test_app_launch_without_terminal_shows_the_list(capsys, store_dir: Path) -> None:
    from tongket.tui.cli import main as tongket

    assert tongket([]) == 0  # stdin is not a terminal under pytest: the list instead of the app
    out, err = capsys.readouterr()
    assert "articles" in out and "sample" in err


def _globs() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["setuptools"]["package-data"]["tongket.fixtures"]


def test_package_data_covers_the_fixtures() -> None:
    """Every file of the sample matches a package-data pattern, so a wheel ships it."""
    patterns = _globs()
    for path in FIXTURES.rglob("*"):
        if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts:
            rel = path.relative_to(FIXTURES)
            assert any(rel.match(p) or (p.startswith("**/") and rel.match(p[3:])) for p in patterns), rel


@pytest.mark.skipif(not os.environ.get("TONGKET_WHEEL_TEST"), reason="builds a wheel (set TONGKET_WHEEL_TEST=1)")
def test_built_wheel_contains_the_sample(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
                   check=True)
    (wheel,) = tmp_path.glob("tongket-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in FIXTURES.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert f"tongket/fixtures/{path.relative_to(FIXTURES).as_posix()}" in names
    # One top-level name: nothing called store, tui or fixtures lands in site-packages.
    assert {name.split("/")[0] for name in names} == {"tongket", "tongket-0.1.0.dist-info"}


@pytest.mark.skipif(not os.environ.get("TONGKET_WHEEL_TEST"), reason="builds a venv (set TONGKET_WHEEL_TEST=1)")
def test_installed_wheel_adds_only_tongket(tmp_path: Path) -> None:
    """Installed into a scratch venv (dependencies seen from this one), only `tongket` is a new import name."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
                   check=True)
    (wheel,) = tmp_path.glob("tongket-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # The dependencies come from this environment (a plain path entry: its editable finder is not loaded).
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    before = set(os.listdir(site))
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    added = {name for name in set(os.listdir(site)) - before if not name.endswith(".dist-info")}
    assert added == {"tongket"}
    probe = "import tongket.store.parse.article, tongket.tui.cli, importlib.metadata as m; print(m.version('tongket'))"
    out = subprocess.run([python, "-c", probe], cwd=tmp_path, check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "0.1.0"
