"""Benchmark archives (store folders) built once and cached in the benchmark's temp folder.

Two kinds:

* the **ingested** store: what `tongket ingest FOLDER --store DIR` produces from the
  generated text files (the ingest-rate measurement makes it);
* the **truth** store, which the app measurements open: the same articles with the
  generator's ground truth (province, year, period, published date and the ~15 figures of
  each article, with labels, spans and sentences), written in one batch. The app timings
  then do not depend on how far the parser and figure reader have got: every article has
  its province, year and figures, as a finished parser would give.

The truth store is written through `Archive._apply` + one `Archive._write` (one write of
archive.json for the whole batch; `ingest_article` writes archive.json once per article,
which is quadratic at 100k). Cached under a key of size, seed, generator version and the store's schema version
(`--rebuild` in the runner forces a fresh build after a change to store/).
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import Any, Iterable, Iterator

from . import generate as gen

REPO = gen.REPO


def store_format() -> str:
    """The on-disk format the store code writes: its schema version. A store written under
    the same schema is readable by the current code (that is what the version promises), so
    the cached 100k store survives edits to store/; `--rebuild` forces a fresh one."""
    try:
        from tongket.store.archive.archive import SCHEMA_VERSION

        return f"schema{SCHEMA_VERSION}"
    except Exception:
        return "schema0"


# --------------------------------------------------------------------------- truth records


def _sentence_bounds(body: str, start: int, end: int) -> tuple[int, int]:
    left = max(body.rfind(". ", 0, start), body.rfind("\n", 0, start))
    left = 0 if left < 0 else left + (2 if body[left] == "." else 1)
    right_candidates = [i for i in (body.find(". ", end), body.find("\n", end)) if i >= 0]
    right = min(right_candidates) + 1 if right_candidates else len(body)
    return left, min(right, len(body))


def truth_article(art: gen.GenArticle, province_canonical=None):
    """The `Article` a finished parser would produce for a generated article."""
    from tongket.store.parse.article import article_id
    from tongket.store.record import Article, Change, Figure
    from tongket.store.lang.text import clean_text

    text = clean_text(art.text)
    paras = [line.strip() for line in text.split("\n") if line.strip()]
    title = paras[0] if paras else ""
    body = "\n\n".join(paras[1:])
    figures = []
    cursor = 0
    for f in art.figures:
        start = body.find(f["raw"], cursor)
        if start < 0:
            start = body.find(f["raw"])
        end = start + len(f["raw"])
        cursor = end
        s0, s1 = _sentence_bounds(body, start, end)
        qual = f.get("qualifier")
        display = f["raw"][len(qual) + 1:] if qual and f["raw"].startswith(qual + " ") else f["raw"]
        ch = f.get("change")
        figures.append(Figure(
            value=float(f["value"]), unit=f["unit"], label=f["label"], raw=f["raw"], display=display,
            sentence=body[s0:s1], span=(start, end), sentence_span=(s0, s1), key=f.get("key"), qualifier=qual,
            of=float(f["of"]) if f.get("of") is not None else None,
            change=Change(value=float(ch["value"]), unit=ch["unit"], direction=ch["direction"], vs=ch["vs"]) if ch else None,
        ))
    province = art.province
    if province_canonical is not None:
        province = province_canonical(province) or province
    return Article(
        id=article_id(title, body), title=title, title_derived=False, published=art.published,
        event_date=art.published[:10], province=province, province_evidence=f"UBND {gen.admin(art.province)}",
        report_year=art.report_year, period=art.period, byline=None, officials=(), body=body,
        figures=tuple(figures), warnings=(), source_url=art.url,
    )


def _canonical():
    try:
        from tongket.store.lang.provinces import load_provinces

        table = load_provinces()
        return table.canonical
    except Exception:
        return None


def truth_articles(n: int, seed: int, corpus: Path | None = None) -> Iterator[tuple[Any, str | None]]:
    canon = _canonical()
    for art in gen.iter_articles(n, seed):
        yield truth_article(art, canon), str(corpus / art.name) if corpus else None


def write_batch(store_dir: Path, items: Iterable[tuple[Any, str | None]]) -> int:
    """Write many Article records into the archive at `store_dir` as ingest does (batches,
    one snapshot at the end), then compact them into one archive.json (the steady state)."""
    from tongket.store.archive.archive import Archive
    from tongket.store.archive.ingest import INGEST_BATCH, normal_path, prepare

    archive = Archive.open(store_dir)
    batch: list[tuple[Any, str | None]] = []
    count = 0
    with archive._one_snapshot(True):
        for article, source in items:
            path = normal_path(source)
            batch.append((prepare(article, path), path))
            count += 1
            if len(batch) >= INGEST_BATCH:
                archive._store_batch(batch, [])
                batch = []
        if batch:
            archive._store_batch(batch, [])
    archive.compact()
    return count


def _ensure_snapshot(folder: Path) -> None:
    """A store cached before the snapshot existed (or from an older snapshot format) gets its
    snapshot here, once (one full load of archive.json), its packed search text (one read of
    every body file) and its figure counts, so no timed run pays for them."""
    try:
        from tongket.store.archive.archive import Archive

        archive = Archive.open(folder)
        archive.articles()  # rebuilds and saves archive.snapshot when missing or stale
        archive.query(text="van ban den")  # writes the packed search text (search.txt) when missing
        from tongket.store.derived import figure_counts

        snapshot = archive.index.snapshot
        if figure_counts.read(snapshot) is None:  # cached before figures.counts: what an ingest writes now
            figure_counts.save(folder, snapshot)
    except Exception:
        pass


def ensure_truth_store(n: int, root: Path, seed: int = 0, *, corpus: Path | None = None, quiet: bool = True,
                       rebuild: bool = False) -> Path:
    folder = root / f"store-truth-{gen.size_name(n)}-s{seed}-v{gen.GEN_VERSION}-{store_format()}"
    marker = folder / ".complete"
    if marker.exists() and not rebuild:
        _ensure_snapshot(folder)
        return folder
    for stale in root.glob(f"store-truth-{gen.size_name(n)}-s{seed}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    t0 = time.perf_counter()
    count = write_batch(folder, truth_articles(n, seed, corpus))
    marker.write_text(f"{count}\n")
    if not quiet:
        print(f"built truth store of {count} articles in {time.perf_counter() - t0:.1f}s -> {folder}", file=sys.stderr)
    return folder


def main() -> int:
    import argparse

    ap = argparse.ArgumentParser(description="build (or find) the cached truth store")
    ap.add_argument("--size", default="1k")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--root", type=Path, required=True)
    args = ap.parse_args()
    print(ensure_truth_store(gen.parse_size(args.size), args.root, args.seed, quiet=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
