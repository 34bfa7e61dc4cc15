"""One accepted input file cannot exhaust memory: parsing stays under 50x the file's size and
under 300 MB, measured as the peak resident size of a fresh child process (not timed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tongket.store.cli.main import main
from tongket.store.parse.article import parse_text

_CHILD = r"""
import json, resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))  # a regression fails, not the machine
from tongket.store.parse.article import parse_file
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
article = parse_file(Path(sys.argv[1]), max_bytes=10**8)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"base_kb": base, "peak_kb": peak, "figures": len(article.figures),
                  "longest_sentence": max((len(f.sentence) for f in article.figures), default=0),
                  "warnings": list(article.warnings)}))
"""

HEAD = "Văn phòng UBND tỉnh Kiên Giang tổng kết công tác năm 2019\n\n"


def _measure(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


BODIES = {
    # one run-on "sentence" of the same figures (used to cost a copy of the sentence per figure)
    "repeated": lambda: "Trung tâm đã tiếp nhận 1.234 hồ sơ, giải quyết 99,5% hồ sơ, tăng 10% so với cùng kỳ, " * 9000,
    # a long list of distinct numbers without a full stop
    "numbers": lambda: "".join(f"đơn vị tiếp nhận {i} hồ sơ, " for i in range(40000)),
}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_parsing_a_large_file_stays_bounded(tmp_path: Path, name: str) -> None:
    body = BODIES[name]()
    path = tmp_path / f"{name}.txt"
    path.write_text(HEAD + body + ".\n", encoding="utf-8")
    size = path.stat().st_size
    got = _measure(path)
    grown = (got["peak_kb"] - got["base_kb"]) * 1024
    assert grown < 50 * size, f"{name}: {grown / 1e6:.0f} MB for a {size / 1e6:.1f} MB file"
    assert got["peak_kb"] * 1024 < 300e6
    assert got["figures"] > 0
    assert got["longest_sentence"] <= 1000


def test_a_run_on_sentence_is_cut_and_figures_keep_their_text() -> None:
    body = "".join(f"đơn vị {i} tiếp nhận {i + 100} hồ sơ, " for i in range(200))
    article = parse_text(HEAD + body + ".")
    assert article.figures
    for fig in article.figures:
        assert len(fig.sentence) <= 1000
        assert article.body[fig.sentence_span[0]:fig.sentence_span[1]] == fig.sentence
        assert fig.sentence_span[0] <= fig.span[0] and fig.span[1] <= fig.sentence_span[1]


def test_a_file_past_the_figure_limit_is_stored_with_a_warning(tmp_path: Path, capsys) -> None:
    path = tmp_path / "many.txt"
    path.write_text(HEAD + "".join(f"đơn vị tiếp nhận {i} hồ sơ, " for i in range(6000)) + ".\n", encoding="utf-8")
    assert main(["ingest", str(path)]) == 0
    capsys.readouterr()
    assert main(["list", "--json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert main(["show", record["id"], "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert any("stopped after" in w for w in shown["warnings"])
    assert 0 < len(shown["figures"]) <= 5000
