"""The derived snapshot (store/snapshot.py) and the indexes built from it.

The snapshot is a cache: an archive opened through it must answer exactly as one loaded
from archive.json, and a stale or damaged snapshot must never be used. The lookup over the
snapshot's precomputed groups must return what a plain scan over every figure returns.
"""

from __future__ import annotations

import functools
import os
from collections import defaultdict
from pathlib import Path

import orjson
import pytest

from tongket.store.derived import snapshot as snapshots
from tongket.store.derived import snapshot_file
from tongket.store.archive.archive import Archive
from tongket.store.derived.index import ArchiveIndex
from tongket.store.derived.names import ProvinceNames, load_metric_names, load_province_table
from tongket.store.derived.scoring import label_score, metric_score, unit_score
from tongket.store.record import ArticleMeta, CompactFigure, FigureHit
from tongket.store.lang.text import fold_words as _fold_words
from tests.bench import stores

N_ARTICLES = 600
fold_words = functools.cache(_fold_words)  # the scan below folds every label of every query
CORRECTED_PROVINCE = "Bắc Giang"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated archive (the benchmark's ground-truth articles), with a few corrections."""
    folder = tmp_path_factory.mktemp("gen") / "store"
    stores.write_batch(folder, stores.truth_articles(N_ARTICLES, seed=3))
    archive = Archive.open(folder)
    rows = archive.articles()
    archive.correct(rows[0].id, province=CORRECTED_PROVINCE, report_year=2016)
    archive.correct(rows[7].id, title="Một tiêu đề đã sửa", period="quarter")
    return folder


def _reference(folder: Path) -> tuple[list[ArticleMeta], dict[str, list], dict[str, dict]]:
    """Metadata and compact figures straight from archive.json, corrections.json applied."""
    data = orjson.loads((folder / "archive.json").read_bytes())
    assert "corrections" not in data  # they live in corrections.json
    stored = orjson.loads((folder / "corrections.json").read_bytes())
    corrections = {d["id"]: d["fields"] for d in stored["corrections"].values()}
    metas, figs = [], {}
    for rec in data["articles"].values():
        eff = {**rec, **corrections.get(rec["id"], {})}
        metas.append(ArticleMeta(
            id=rec["id"], title=eff["title"], province=eff["province"], report_year=eff["report_year"],
            period=eff["period"], published=eff["published"], event_date=eff["event_date"],
            n_figures=len(rec["figs"]),
            corrected=tuple(k for k in ("province", "report_year", "period", "title") if k in corrections.get(rec["id"], {})),
        ))
        figs[rec["id"]] = rec["figs"]
    return metas, figs, corrections


def _scan_lookup(metas, figs, query, *, provinces, metric_names, province=None, year=None, period=None, limit=200):
    """Lookup by a plain scan over every figure, no precomputed groups: the behaviour the
    indexed lookup must reproduce (groups by folded label, metric key and folded unit, best
    group first, ties in that order; members newest first; a figure counts once)."""
    import re

    from tongket.store.derived.index import sort_newest_first

    words = fold_words(query).split()
    if year is None:
        years = [w for w in words if re.match(r"^(19[5-9]\d|20\d\d|2100)$", w)]
        if years:
            year = int(years[0])
            words = [w for w in words if w != years[0]]
    if province is None:
        found, rest = provinces.find_in_words(words)
        if found and rest:
            province, words = found, rest
    if not words:
        return []
    q = " ".join(words)
    order = sort_newest_first(metas)
    labels, units, keys = defaultdict(list), defaultdict(list), defaultdict(list)
    for m in order:
        for i, (_v, unit, label, key, *_rest) in enumerate(figs[m.id]):
            if label:
                labels[fold_words(label)].append((m, i))
            if unit:
                units[fold_words(unit)].append((m, i))
            if key:
                keys[key].append((m, i))
    groups = []
    for label, members in labels.items():
        if (s := label_score(q, words, label)) > 0:
            groups.append((s, members))
    for key, names in metric_names.items():
        if keys.get(key) and (s := metric_score(q, words, names)) > 0:
            groups.append((s, keys[key]))
    for unit, members in units.items():
        if (s := unit_score(q, words, unit)) > 0:
            groups.append((s, members))
    groups.sort(key=lambda g: -g[0])

    def allowed(m: ArticleMeta) -> bool:
        if province is not None:
            want = provinces.canonical(province) or province
            if not m.province or (provinces.canonical(m.province) or m.province) != want:
                return False
        if year is not None and m.report_year != int(year):
            return False
        return period is None or m.period == period

    hits, seen = [], set()
    for score, members in groups:
        for m, i in members:
            if (m.id, i) in seen or not allowed(m):
                continue
            seen.add((m.id, i))
            value, unit, label, key, display, qualifier, kind = CompactFigure.from_row(figs[m.id][i])
            hits.append(FigureHit(m.id, i, m.province, m.report_year, m.period, value, unit, label, key,
                                  display, round(score, 4), kind=kind, qualifier=qualifier))
            if len(hits) >= limit:
                return hits
    return hits


QUERIES = ["v", "va", "van", "van ban", "van ban d", "van ban den", "văn bản đến", "ty le", "tỷ lệ %",
           "ho so", "ho so truc tuyen", "cong dan den", "nghin ty dong", "ty dong", "incoming documents",
           "van ban den 2019", "van ban den kien giang", "quyet dinh", "%", "zzz"]


@pytest.mark.parametrize("filters", [{}, {"year": 2019}, {"province": "Kiên Giang"}, {"period": "half-year"},
                                     {"province": CORRECTED_PROVINCE, "year": 2016}])
def test_indexed_lookup_equals_a_plain_scan(generated: Path, filters: dict, archive_json_reads: list[Path]) -> None:
    archive = Archive.open(generated)
    assert not archive_json_reads  # opened from the snapshot, archive.json not parsed
    metas, figs, _ = _reference(generated)
    provinces = ProvinceNames({m.province for m in metas if m.province}, load_province_table())
    names = load_metric_names()
    for query in QUERIES:
        for limit in (200, 10**9):
            got = archive.lookup(query, limit=limit, **filters)
            want = _scan_lookup(metas, figs, query, provinces=provinces, metric_names=names, limit=limit, **filters)
            assert got == want, (query, filters, limit)
    # and the unlimited result is exactly the set of figures any group matches
    assert len(archive.lookup("van", limit=10**9, **filters)) > (0 if filters else 1000)


def test_snapshot_answers_like_archive_json(generated: Path, tmp_path: Path, archive_json_reads: list[Path]) -> None:
    import shutil

    fast = Archive.open(generated)
    assert not archive_json_reads
    copy = tmp_path / "no-snapshot"
    shutil.copytree(generated, copy)
    (copy / snapshots.SNAPSHOT_FILE).unlink()
    slow = Archive.open(copy)  # no snapshot: everything is built from archive.json's records
    assert archive_json_reads and set(archive_json_reads) == {copy / "archive.json"}
    archive_json_reads.clear()
    metas, _, corrections = _reference(generated)
    assert fast.articles() == slow.articles()
    assert {m.id for m in fast.articles()} == {m.id for m in metas}
    for kw in ({}, {"province": "Kiên Giang"}, {"year": 2016}, {"province": CORRECTED_PROVINCE, "merged": True},
               {"period": "unknown"}, {"year": "unknown"}, {"text": "tiêu đề đã sửa"}):
        assert fast.query(**kw) == slow.query(**kw), kw
        assert fast.province_counts(**{k: v for k, v in kw.items() if k != "province"}) == \
            slow.province_counts(**{k: v for k, v in kw.items() if k != "province"})
        assert fast.year_counts(**{k: v for k, v in kw.items() if k != "year"}) == \
            slow.year_counts(**{k: v for k, v in kw.items() if k != "year"})
    # and against a plain scan of archive.json's records
    from collections import Counter

    from tongket.store.derived.index import sort_newest_first

    order = sort_newest_first(metas)
    assert fast.articles() == order
    for kw in ({"province": "Kiên Giang"}, {"year": 2016}, {"period": "half-year"}, {"year": 2019, "period": "year"}):
        want = [m for m in order if all(getattr(m, {"year": "report_year"}.get(k, k)) == v for k, v in kw.items())]
        assert fast.query(**kw) == want, kw
        assert dict(fast.year_counts(**{k: v for k, v in kw.items() if k != "year"})) == \
            dict(Counter(m.report_year for m in order if all(getattr(m, {"year": "report_year"}.get(k, k)) == v
                                                             for k, v in kw.items() if k != "year")))
    assert dict(fast.province_counts()) == dict(Counter(m.province for m in order))
    assert dict(fast.period_counts(year=2016)) == dict(Counter(m.period for m in order if m.report_year == 2016))
    for m in fast.articles()[:20] + [fast.articles()[-1]]:
        assert fast.get(m.id) == slow.get(m.id)
        assert fast.resolve(m.id[:8]) == m.id
    assert not archive_json_reads  # all of the above without parsing archive.json again
    assert len(fast) == len(slow) == N_ARTICLES
    assert set(corrections) <= {m.id for m in fast.articles() if m.corrected}


def test_stale_snapshot_is_never_used(generated: Path, tmp_path: Path, archive_json_reads: list[Path]) -> None:
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(generated, folder)
    # archive.json replaced behind the snapshot's back (a crash between the two writes, or
    # an older tongket that does not know the snapshot): same content, new file
    data = orjson.dumps({k: v for k, v in orjson.loads((folder / "archive.json").read_bytes()).items()
                         if k != "_checksum"})  # as an older tongket writes it
    parsed_title = orjson.loads(data)["articles"]["5"]["title"]
    old_source = snapshot_file.read_source(folder / snapshots.SNAPSHOT_FILE)
    (folder / "archive.json").unlink()
    (folder / "archive.json").write_bytes(data.replace(orjson.dumps(parsed_title), '"Tiêu đề khác"'.encode()))
    archive = Archive.open(folder)
    assert archive_json_reads  # loaded from archive.json
    assert any(m.title == "Tiêu đề khác" for m in archive.articles())
    new_source = snapshot_file.read_source(folder / snapshots.SNAPSHOT_FILE)
    st = (folder / "archive.json").stat()
    assert new_source != old_source and new_source == (st.st_mtime_ns, st.st_size, st.st_ino)  # rebuilt
    archive_json_reads.clear()
    again = Archive.open(folder)
    assert not archive_json_reads and again.articles() == archive.articles()


def test_damaged_snapshot_falls_back_to_archive_json(generated: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(generated, folder)
    snap = folder / snapshots.SNAPSHOT_FILE
    want = Archive.open(folder).articles()
    raw = snap.read_bytes()
    snap.write_bytes(raw[: len(raw) // 2])
    os.utime(folder / "archive.json")  # irrelevant to the check, but a truncated file must not load
    archive = Archive.open(folder)
    assert archive.articles() == want


def test_writes_from_a_snapshot_opened_archive_keep_everything(generated: Path, tmp_path: Path,
                                                              archive_json_reads: list[Path]) -> None:
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(generated, folder)
    archive = Archive.open(folder)
    before = {m.id: m for m in archive.articles()}
    target = archive.articles()[3].id
    archive.correct(target, period="year")
    archive_json_reads.clear()
    reopened = Archive.open(folder)
    assert not archive_json_reads
    after = {m.id: m for m in reopened.articles()}
    assert after[target].period == "year" and "period" in after[target].corrected
    corrected_before = {aid for aid, m in before.items() if m.corrected}
    assert corrected_before <= {aid for aid, m in after.items() if m.corrected}
    other = Archive.open(folder)
    archive.correct(target, period=None)
    archive_json_reads.clear()
    assert other.reload_if_changed() and not archive_json_reads
    assert "period" not in other.index.meta(target).corrected


def test_snapshot_round_trip_and_empty_archive(tmp_path: Path) -> None:
    meta = ArticleMeta(id="a1", title="Tiêu đề", province=None, report_year=None, period=None, published=None,
                       event_date=None, n_figures=2, corrected=("title",))
    figs = {"a1": [[1.5, "%", "tỷ lệ", None, "1,5%"], [2.0, None, "", "k", "2"]]}
    snap = snapshots.build([meta], figs, source=(1, 2, 3), generation=4)
    path = tmp_path / "s"
    path.write_bytes(snapshot_file.encode(snap, [b'{"id":"a1"}']))
    assert snapshot_file.read(path, (1, 2, 4)) is None
    back = snapshot_file.read(path, (1, 2, 3))
    assert back is not None and back.meta(0) == meta and back.generation == 4
    assert [back.compact_figure(i).row() for i in range(2)] == figs["a1"]
    assert back.record_of(0) == {"id": "a1"}
    empty = snapshots.build([], {}, source=(5, 6, 7))
    path.write_bytes(snapshot_file.encode(empty, []))
    assert len(snapshot_file.read(path, (5, 6, 7))) == 0
    assert ArchiveIndex.from_snapshot(empty, text_of=lambda _i: "").lookup("van") == []
    assert len(Archive.open(tmp_path / "new")) == 0


def test_reader_sees_another_writers_articles_through_the_new_snapshot(generated: Path, tmp_path: Path,
                                                                      archive_json_reads: list[Path]) -> None:
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(generated, folder)
    reader, writer = Archive.open(folder), Archive.open(folder)
    article, _ = next(stores.truth_articles(1, seed=99))
    assert writer.ingest_article(article) == "added"
    archive_json_reads.clear()
    assert reader.reload_if_changed()
    assert not archive_json_reads  # the writer's snapshot, not a parse of archive.json
    assert len(reader) == N_ARTICLES + 1 and reader.get(article.id).article.body == article.body
    assert any(h.article_id == article.id for h in reader.lookup(article.figures[0].label, limit=10**9))


def test_many_batch_ingest_writes_one_fresh_snapshot_at_the_end(archive: Archive, fixture_files: list[Path],
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                archive_json_reads: list[Path]) -> None:
    import tongket.store.archive.writing as archive_module

    monkeypatch.setattr(archive_module, "INGEST_BATCH", 2)
    monkeypatch.setenv("TONGKET_NO_PARALLEL", "1")
    saves: list[str] = []  # the file effect: each write of archive.snapshot replaces the file once
    replace = os.replace

    def counting_replace(src, dst):  # type: ignore[no-untyped-def]
        if Path(dst).name == snapshots.SNAPSHOT_FILE:
            saves.append(str(dst))
        return replace(src, dst)

    monkeypatch.setattr(os, "replace", counting_replace)
    report = archive.ingest_files([(p, None) for p in fixture_files[:5]])
    monkeypatch.setattr(os, "replace", replace)
    assert len(report.added) == 5 and len(saves) == 1  # three archive.json writes, one snapshot
    st = (archive.path / "archive.json").stat()
    assert snapshot_file.read_source(archive.path / snapshots.SNAPSHOT_FILE) == (st.st_mtime_ns, st.st_size, st.st_ino)
    archive_json_reads.clear()
    again = Archive.open(archive.path)
    assert not archive_json_reads and again.articles() == archive.articles()
