"""The command line carries how each metadata field was decided, through ingest and show."""

from __future__ import annotations

import json
from pathlib import Path

from tongket.store.cli.main import main

TEXT = ("Đảng ủy Văn phòng UBND tỉnh tổng kết công tác năm 2021\n"
        "Chiều 8/1, Đảng ủy Văn phòng UBND tỉnh tổ chức hội nghị tổng kết công tác năm 2021.\n")
URL = "https://baothainguyen.vn/thoi-su-trong-tinh/202201/tong-ket-367F919"


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_show_carries_evidence_and_confidence(capsys, tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text(TEXT, encoding="utf-8")
    store = str(tmp_path / "store")
    assert run(capsys, "--store", store, "ingest", str(src), "--url", URL)[0] == 0
    aid = json.loads(run(capsys, "--store", store, "list", "--json")[1])[0]["id"]
    record = json.loads(run(capsys, "--store", store, "show", aid, "--json")[1])
    assert record["published"] == "2022-01" and record["published_confidence"] == "inferred"
    assert "month folder" in record["published_evidence"]
    assert record["report_year"] == 2021 and record["report_year_confidence"] == "stated"
    assert record["province"] == "Thái Nguyên" and record["province_confidence"] == "inferred"
    code, out = run(capsys, "--store", store, "show", aid)
    assert code == 0 and "inferred: URL month folder 202201" in " ".join(out.split())
    # a correction wins and the parser's evidence for it is no longer printed
    assert run(capsys, "--store", store, "set", aid, "--province", "Bắc Kạn")[0] == 0
    out = " ".join(run(capsys, "--store", store, "show", aid)[1].split())
    assert "Bắc Kạn (corrected)" in out and "source URL domain" not in out


def test_parse_prints_evidence(capsys, tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text(TEXT, encoding="utf-8")
    code, out = run(capsys, "parse", str(src), "--url", URL)
    assert code == 0 and "inferred: source URL domain baothainguyen.vn" in " ".join(out.split())
