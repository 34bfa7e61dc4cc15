"""search.words over many ingest batches: blocks big enough to hold both kinds of postings
(lists for rare keys, bitmaps for common ones), appended one per batch and merged past eight
(the small ones first, then all). Whatever the blocks, a text query answers exactly what a
plain scan of every article's folded title and body answers, for needles of one to five
words cut anywhere in their first and last word, typed with accents or without."""

from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

from tongket.store.archive.archive import Archive  # noqa: E402
from tongket.store.derived import wordindex  # noqa: E402
from tongket.store.lang.text import fold  # noqa: E402
from tests.bench import generate as gen  # noqa: E402

# (batches, the blocks at the end): at the 9th batch the file holds 8 blocks and merges the
# shortest tail that the block before it outweighs (the first plan: all after the first;
# the second: the six small ones, the two big ones kept)
PLANS = [([160] + [20] * 9, [160, 140, 20, 20]), ([200, 150] + [20] * 7, [200, 150, 120, 20])]


def _needles(rng: random.Random, texts: list[str], n: int) -> list[str]:
    """Runs of 1-5 words of the given texts, the first and last cut anywhere."""
    out = []
    while len(out) < n:
        words = rng.choice(texts).split()
        k = rng.randint(1, 5)
        if len(words) < k:
            continue
        i = rng.randrange(len(words) - k + 1)
        run = words[i : i + k]
        run[0] = run[0][rng.randrange(len(run[0])) :]
        run[-1] = run[-1][: rng.randint(1, len(run[-1]))] if len(run) > 1 or rng.random() < 0.5 else run[-1]
        out.append(" ".join(run))
    return out


def _check(folder: Path, raw: list[str], seed: int) -> None:
    archive = Archive.open(folder)
    folded = {}
    for meta in archive.query():
        a = archive.get(meta.id).article
        folded[meta.id] = " ".join(fold(a.title + "\n" + a.body).split())
    rng = random.Random(seed)
    needles = _needles(rng, list(folded.values()), 90) + _needles(rng, raw, 60)  # folded, and as typed with accents
    needles += ["xyzzy plugh", "van ban den", "văn bản đến", "giải quyết đúng hạn", "n ban d"]
    for needle in needles:
        want = " ".join(fold(needle).split())
        assert {m.id for m in archive.query(text=needle)} == {i for i, t in folded.items() if want in t}, needle


def _block_counts(folder: Path) -> list[int]:
    raw = (folder / wordindex.WORDS_FILE).read_bytes()
    token = raw[len(wordindex.MAGIC) : len(wordindex.MAGIC) + wordindex._TOKEN_LEN]
    index = wordindex.WordIndex.load(folder, token, mapped=False)
    assert index is not None
    return [b.count for b in index.blocks]


@pytest.mark.parametrize("batches, blocks", PLANS)
def test_text_query_equals_a_plain_scan_across_blocks_and_merges(store_dir: Path, tmp_path: Path, batches: list[int],
                                                                  blocks: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    articles = list(gen.iter_articles(sum(batches), seed=5))
    files = []
    for art in articles:
        path = tmp_path / art.name
        path.write_text(art.text, encoding="utf-8")
        files.append(path)
    archive = Archive.open(store_dir)
    start = 0
    for i, n in enumerate(batches):
        archive.ingest_files([(f, None) for f in files[start : start + n]])
        start += n
        if i in (0, 3, 8, 9):
            _check(store_dir, [a.text for a in articles[:start]], seed=i)
    assert _block_counts(store_dir) == blocks
    # a whole-file rebuild (here of an older format) is built in parts, then merged
    monkeypatch.setattr(wordindex, "_BUILD_PART", 70)
    path = store_dir / "search.words"
    path.write_bytes(b"TONGKET-SEARCH-WORDS 1\n" + path.read_bytes()[23:])
    _check(store_dir, [a.text for a in articles], seed=11)
    assert path.read_bytes().startswith(wordindex.MAGIC)


@pytest.mark.parametrize("key", [b"\nvan ban den\n", b"\nban\n", b"\nvan ban\n", b"\nvan\n"])
def test_a_query_checks_the_bytes_it_reads_of_a_big_block(store_dir: Path, tmp_path: Path, key: bytes,
                                                          capsys: pytest.CaptureFixture) -> None:
    """A query checks only the chunks of the word index it reads (not the whole level); a
    key it reads that was changed on disk is found by that check, never believed."""
    articles = list(gen.iter_articles(150, seed=7))
    files = []
    for art in articles:
        path = tmp_path / art.name
        path.write_text(art.text, encoding="utf-8")
        files.append(path)
    Archive.open(store_dir).ingest_files([(f, None) for f in files])
    assert len(_block_counts(store_dir)) == 1
    path = store_dir / wordindex.WORDS_FILE
    data = path.read_bytes()
    at = data.index(key) + 1  # the key (a word, pair, window or middle word) in its vocabulary
    path.write_bytes(data[:at] + b"x" + data[at + 1 :])  # "xan ban den", "xan" ...: a same-length other key
    capsys.readouterr()
    _check(store_dir, [a.text for a in articles], seed=3)
    assert capsys.readouterr().err.count("rebuilding") == 1
