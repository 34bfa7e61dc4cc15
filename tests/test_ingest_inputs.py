"""Every kind of odd input, end to end through `tongket ingest`: each case is mixed into a
batch with a good file, into a store that already holds an article. A file tongket cannot
use fails alone, with one line naming it and saying why (exit 1); the good file is stored,
the old article stays, and nothing of the bad file reaches the store. A file it can use
(odd encodings, odd spacing, no date...) is stored correctly (exit 0). All inputs are
generated in tmp_path."""

from __future__ import annotations

import io
import os
import unicodedata
import zipfile
from pathlib import Path
from typing import Callable

import orjson
import pytest

from conftest import make_article
from tongket.store.parse import decode
from tongket.store.archive.archive import Archive
from tongket.store.cli.main import main
from test_decode import to_cp1258, to_tcvn3, to_vni

ROOT = Path(__file__).resolve().parent.parent
SEED = (ROOT / "fixtures" / "seeds" / "000_beb751c94c935b2e.txt").read_text(encoding="utf-8")
OTHER = (ROOT / "fixtures" / "seeds" / "002_f29c86931a869bbc.txt").read_text(encoding="utf-8")
ARTICLE = (
    "Văn phòng UBND tỉnh Kiên Giang tổng kết công tác năm 2019\n\n"
    "Sáng ngày 20/01/2020, Văn phòng UBND tỉnh Kiên Giang tổ chức hội nghị tổng kết công tác năm 2019. "
    "Trong năm, Văn phòng đã tiếp nhận 27.172 văn bản đến, phát hành 9.835 văn bản đi; "
    "tỷ lệ hồ sơ giải quyết đúng hạn đạt 94,03%.\n\n"
    "Năm 2020, Văn phòng tiếp tục đẩy mạnh cải cách hành chính và chuyển đổi số.\n"
)


class Case:
    """A bad or odd input: `make(folder)` creates it and returns the path to name on the
    command line (None: the folder) and any extra arguments."""

    def __init__(self, make: Callable[[Path], tuple[Path | None, list[str]]], reason: str | None,
                 check: Callable[[Path, Path], None] | None = None, env: dict[str, str] | None = None) -> None:
        self.make, self.reason, self.check, self.env = make, reason, check, env or {}


def _file(name: str, data: bytes | str, extra: list[str] | None = None):
    def make(folder: Path) -> tuple[Path | None, list[str]]:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return None, list(extra or [])
    return make


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _stored_body(store: Path, name: str) -> dict:
    data = orjson.loads((store / "archive.json").read_bytes())
    record = next(r for r in data["articles"].values() if any(p.endswith(name) for p in r["source_paths"]))
    return Archive.open(store).get(record["id"])  # the full stored article


def _check_text(name: str, *needles: str, absent: tuple[str, ...] = ()):
    def check(store: Path, folder: Path) -> None:
        stored = _stored_body(store, name)
        text = stored.article.title + "\n" + stored.article.body
        assert unicodedata.is_normalized("NFC", text)
        for needle in needles:
            assert needle in text, needle
        for bad in absent:
            assert bad not in text, bad
    return check


def _search_finds(query: str, name: str):
    def check(store: Path, folder: Path) -> None:
        hits = Archive.open(store).query(text=query)
        stored = _stored_body(store, name)
        assert stored.article.id in {m.id for m in hits}
    return check


def _figures_at_least(name: str, n: int):
    def check(store: Path, folder: Path) -> None:
        assert len(_stored_body(store, name).article.figures) >= n
    return check


def _manifest(rows: str, files: dict[str, str] | None = None):
    def make(folder: Path) -> tuple[Path | None, list[str]]:
        sub = folder.parent / "listed"
        sub.mkdir(exist_ok=True)
        for fname, text in (files or {}).items():
            (sub / fname).write_text(text, encoding="utf-8")
        (sub / "folder.txt").mkdir(exist_ok=True)
        manifest = sub / "manifest.csv"
        manifest.write_text(rows, encoding="utf-8")
        return None, ["--manifest", str(manifest)]
    return make


def _symlink(folder: Path) -> tuple[Path | None, list[str]]:
    (folder / "dangling.txt").symlink_to(folder / "gone-away.txt")
    return None, []


def _big(folder: Path) -> tuple[Path | None, list[str]]:
    with open(folder / "huge.txt", "wb") as handle:  # sparse: 5 MB + 1 byte, nearly free to make
        handle.truncate(decode.DEFAULT_MAX_BYTES + 1)
    return None, []


def _unreadable(folder: Path) -> tuple[Path | None, list[str]]:
    (folder / "secret.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "secret.txt").chmod(0)
    return None, []


NFD_ARTICLE = unicodedata.normalize("NFD", ARTICLE.replace("Kiên Giang", "Kiên Giang NFD"))
MESSY = ARTICLE.replace("\n\n", "\r\n\r\n", 1).replace("\n", "\r", 2).replace(" văn bản đến", "\u00a0văn\u200b bản đến")
LONG_LINE = ARTICLE + "\n" + ("Văn phòng tiếp tục cải cách hành chính " * 6000) + "\n"
MANY_FIGURES = ARTICLE + "\n" + " ".join(f"Huyện số {i} tiếp nhận {i + 3} văn bản đến." for i in range(3000)) + "\n"
MALFORMED = ARTICLE + "\nKinh phí 37, 38 tỷ đồng; tỷ lệ đạt 16,%; tăng 1.2.3.4 lần; giảm ,5%; 12/%/2019.\n"
HTML_SCRIPTS = (
    "<!doctype html><html><head><title>Cổng thông tin</title><style>body{color:red}</style>"
    "<script>var x = '27.172 văn bản';</script></head><body><nav>Trang chủ | Liên hệ</nav>"
    "<script>document.write('tin nóng')</script></body></html>"
)
HTML_ARTICLE = (
    "<!doctype html><html><head><title>Tổng kết năm 2019</title><script>var secret='xyz 123';</script>"
    "<style>p{margin:0}</style></head><body><article><h1>Văn phòng UBND tỉnh tổng kết năm 2019</h1>"
    + "".join(f"<p>{para}</p>" for para in ARTICLE.split("\n\n")) + "</article></body></html>"
)

REJECTED: dict[str, Case] = {
    "empty": Case(_file("empty.txt", b""), "is empty"),
    "whitespace-only": Case(_file("blank.txt", " \n\t\r\n \u00a0\n"), "only whitespace"),
    "png": Case(_file("image.txt", b"\x89PNG\r\n\x1a\n" + os.urandom(200)), "PNG image"),
    "pdf": Case(_file("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "PDF document"),
    "zip": Case(_file("report.htm", _zip()), "Word document"),
    "vni": Case(_file("vni.txt", to_vni(ARTICLE).encode("cp1252")), "VNI"),
    "broken-symlink": Case(_symlink, "broken symbolic link"),
    "over-5mb": Case(_big, "too large"),
    "over-max-bytes": Case(_file("over.txt", ARTICLE * 20, ["--max-bytes", "6000"]), "over the limit of 5.9 KiB"),
    "over-env-limit": Case(_file("env-limit.txt", ARTICLE * 20), "over the limit of 6.0 KiB",
                           env={"TONGKET_MAX_BYTES": "6K"}),
    "html-without-article": Case(_file("page.html", HTML_SCRIPTS), "no article text"),
    "unreadable": Case(_unreadable, "permission denied"),
    "manifest-missing-file": Case(_manifest("file,url\nnot-there.txt,https://x.gov.vn/a\n"), "does not exist"),
    "manifest-bad-url": Case(_manifest("file,url\nok.txt,javascript:alert(1)\n", {"ok.txt": OTHER}),
                             "not a web address"),
    "manifest-bad-row": Case(_manifest("file,url\n,https://x.gov.vn/a\n"), "line 2: no file given"),
    "manifest-folder": Case(_manifest("file,url\nfolder.txt,\n"), "is a folder, not a file"),
}

ACCEPTED: dict[str, Case] = {
    "utf8": Case(_file("plain.txt", ARTICLE), None, _check_text("plain.txt", "27.172 văn bản đến")),
    "utf8-bom": Case(_file("bom.txt", b"\xef\xbb\xbf" + ARTICLE.encode()), None,
                     _check_text("bom.txt", "Văn phòng", absent=("\ufeff",))),
    "utf16-le-bom": Case(_file("u16le.txt", ARTICLE.encode("utf-16")), None, _check_text("u16le.txt", "đúng hạn")),
    "utf16-be-bom": Case(_file("u16be.txt", b"\xfe\xff" + ARTICLE.encode("utf-16-be")), None,
                         _check_text("u16be.txt", "đúng hạn")),
    "cp1258": Case(_file("cp1258.txt", to_cp1258(ARTICLE)), None, _check_text("cp1258.txt", "tiếp nhận 27.172")),
    "nfd": Case(_file("nfd.txt", NFD_ARTICLE), None, _search_finds("Kiên Giang NFD", "nfd.txt")),
    "mixed-line-endings-nbsp-zero-width": Case(_file("messy.txt", MESSY.encode()), None,
                                               _search_finds("văn bản đến", "messy.txt")),
    "tcvn3-converted": Case(_file("tcvn3.txt", to_tcvn3(ARTICLE).encode("cp1252")), None,
                            _check_text("tcvn3.txt", "Văn phòng", "tổng kết")),
    "no-date-province-figures": Case(_file("bare.txt", "Một bài viết ngắn không có ngày tháng, không có tỉnh và "
                                                       "không có số liệu nào cả, chỉ có lời văn bình thường.\n"),
                                     None, _check_text("bare.txt", "lời văn")),
    "very-long-line": Case(_file("long.txt", LONG_LINE), None, _check_text("long.txt", "cải cách hành chính")),
    "thousands-of-figures": Case(_file("many.txt", MANY_FIGURES), None, _figures_at_least("many.txt", 1000)),
    "malformed-numbers": Case(_file("malformed.txt", MALFORMED), None, _check_text("malformed.txt", "37, 38 tỷ")),
    "html-with-scripts": Case(_file("article.html", HTML_ARTICLE), None,
                              _check_text("article.html", "27.172", absent=("secret", "margin"))),
    "control-characters": Case(_file("ctl.txt", ARTICLE.replace("tổng kết", "tổng\x1b[31m kết\x07", 1)), None,
                               _check_text("ctl.txt", "Văn phòng", absent=("\x1b", "\x07"))),
}


@pytest.fixture
def batch(tmp_path: Path, store_dir: Path) -> tuple[Path, Path, str]:
    """A folder holding one good article, and a store already holding another."""
    old = make_article("Bài đã lưu từ trước", province="Kiên Giang", year=2018)
    Archive.open(store_dir).ingest_article(old)
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good.txt").write_text(SEED, encoding="utf-8")
    return folder, store_dir, old.id


def _run(capsys, monkeypatch, case: Case, folder: Path, store: Path) -> tuple[int, str, str]:
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    target, extra = case.make(folder)
    code = main(["ingest", str(target or folder), *extra, "--store", str(store)])
    out, err = capsys.readouterr()
    return code, out, err


def _stored_names(store: Path) -> set[str]:
    data = orjson.loads((store / "archive.json").read_bytes())
    return {Path(p).name for r in data["articles"].values() for p in r["source_paths"]}


@pytest.mark.parametrize("name", REJECTED, ids=list(REJECTED))
def test_bad_input_fails_alone_with_one_clear_line(capsys, monkeypatch, batch, name: str) -> None:
    folder, store, old_id = batch
    case = REJECTED[name]
    if name == "unreadable" and hasattr(os, "geteuid") and os.geteuid() == 0:
        real_open = open  # root reads anything: make the read fail as it would for a user

        def denied(path, *args, **kwargs):
            if str(path).endswith("secret.txt"):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(decode, "open", denied, raising=False)
    before = _stored_names(store)
    code, out, err = _run(capsys, monkeypatch, case, folder, store)
    assert code == 1, out + err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err  # one failure, one line
    assert case.reason in lines[0], lines[0]
    assert lines[0].startswith("tongket: /")  # names the file (or the manifest) by path
    assert "failed 1" in out
    after = _stored_names(store)
    assert after - before <= {"good.txt", "ok.txt"}  # nothing of the bad file was stored
    if "--manifest" not in str(case.make):
        assert "good.txt" in after
    assert Archive.open(store).get(old_id)  # the article stored before is still there


@pytest.mark.parametrize("name", ACCEPTED, ids=list(ACCEPTED))
def test_odd_but_usable_input_is_stored_correctly(capsys, monkeypatch, batch, name: str) -> None:
    folder, store, old_id = batch
    case = ACCEPTED[name]
    code, out, err = _run(capsys, monkeypatch, case, folder, store)
    assert code == 0, err
    assert out.startswith("added 2,") and err == ""
    assert "good.txt" in _stored_names(store)
    case.check(store, folder)
    assert Archive.open(store).get(old_id)


def test_manifest_good_rows_still_go_in(capsys, batch) -> None:
    folder, store, _ = batch
    listed = folder.parent / "listed"
    listed.mkdir()
    (listed / "a.txt").write_text(OTHER, encoding="utf-8")
    (listed / "manifest.csv").write_text(
        "file,url\na.txt,https://vpubnd.gov.vn/a\nmissing.txt,https://vpubnd.gov.vn/b\na.txt,https://x.vn\n",
        encoding="utf-8")
    code = main(["ingest", "--manifest", str(listed / "manifest.csv"), "--store", str(store)])
    out, err = capsys.readouterr()
    assert code == 1 and out.startswith("added 1,")
    lines = err.strip().splitlines()
    assert len(lines) == 2 and all("manifest.csv" in line for line in lines)
    assert "line 3" in lines[0] or "line 3" in lines[1]


@pytest.mark.parametrize("value", ["lots", "-5", "5X", "0"])
def test_bad_size_limit_is_a_usage_error(capsys, batch, monkeypatch, value: str) -> None:
    folder, store, _ = batch
    monkeypatch.setenv("TONGKET_MAX_BYTES", value)
    code = main(["ingest", str(folder), "--store", str(store)])
    _, err = capsys.readouterr()
    assert code == 2 and "TONGKET_MAX_BYTES" in err and err.count("\n") == 1


def test_max_bytes_can_raise_the_limit(capsys, batch) -> None:
    folder, store, _ = batch
    (folder / "bigger.txt").write_text(ARTICLE + "\n" + "Văn phòng cải cách hành chính. " * 3000, encoding="utf-8")
    code = main(["ingest", str(folder), "--max-bytes", "50K", "--store", str(store)])
    out, err = capsys.readouterr()
    assert code == 1 and "bigger.txt" in err and "too large" in err
    code = main(["ingest", str(folder), "--max-bytes", "1M", "--store", str(store)])
    out, err = capsys.readouterr()
    assert code == 0 and "bigger.txt" in _stored_names(store)
