"""Shared test fixtures. Every test runs against a temporary store: TONGKET_STORE points
into tmp_path, so nothing ever touches the user's real archive."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import pytest

from tongket.store.archive.archive import Archive
from tongket.store.record import Article, Figure

FIXTURES = Path(str(resources.files("fixtures")))


@pytest.fixture(autouse=True)
def _temporary_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    store = tmp_path / "store"
    monkeypatch.setenv("TONGKET_STORE", str(store))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return store


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def archive_json_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every parse of an archive.json in this test, in order. A read the snapshot should
    answer must leave it empty: at 100k articles that parse is seconds and gigabytes."""
    from tongket.store.archive.storage import AtomicJSONStorage

    reads: list[Path] = []
    real = AtomicJSONStorage.read

    def counting(self: AtomicJSONStorage):  # type: ignore[no-untyped-def]
        if self.path.name == "archive.json":
            reads.append(self.path)
        return real(self)

    monkeypatch.setattr(AtomicJSONStorage, "read", counting)
    return reads


@pytest.fixture
def archive(store_dir: Path) -> Archive:
    return Archive.open(store_dir)


@pytest.fixture
def fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("seeds/*.txt")) + sorted(FIXTURES.glob("corpus/*.txt"))


def figure(label: str, value: float, unit: str | None = None, key: str | None = None) -> Figure:
    raw = f"{value:g} {unit or ''}".strip()
    return Figure(value=value, unit=unit, label=label, raw=raw, display=raw, sentence=f"{label} {raw}.",
                  span=(0, len(raw)), sentence_span=(0, len(raw) + len(label) + 2), key=key)


def make_article(title: str, body: str = "", *, province: str | None = None, year: int | None = None,
                 period: str | None = None, published: str | None = None, figures: tuple[Figure, ...] = (),
                 url: str | None = None) -> Article:
    """A hand-made parsed article, so archive tests do not depend on the parser's progress."""
    body = body or f"Nội dung của bài {title}."
    aid = hashlib.sha1(f"{title}\n{body}".encode()).hexdigest()[:16]
    return Article(id=aid, title=title, title_derived=False, published=published, event_date=None,
                   province=province, province_evidence=None, report_year=year, period=period, byline=None,
                   officials=(), body=body, figures=figures, warnings=(), source_url=url)


def ingest_dossiers(archive: Archive) -> None:
    """"hồ sơ": three half-year figures of dossiers_received, one year figure of dossiers_resolved."""
    for i, province in enumerate(("Kiên Giang", "Bạc Liêu", "Cà Mau")):
        archive.ingest_article(make_article(
            f"Sơ kết 6 tháng 2021 {province}", province=province, year=2021, period="half-year",
            published=f"2021-07-1{i}", figures=(figure("hồ sơ tiếp nhận", 100 + i, "hồ sơ", key="dossiers_received"),)))
    archive.ingest_article(make_article(
        "Tổng kết 2021", province="Kiên Giang", year=2021, period="year", published="2022-01-10",
        figures=(figure("hồ sơ đã giải quyết", 950, "hồ sơ", key="dossiers_resolved"),)))
