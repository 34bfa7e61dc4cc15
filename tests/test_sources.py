"""Choosing input files: folders, explicit paths and manifests; every unusable entry comes
back as a Rejection next to the files that are fine."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tongket.store.record import Rejection
from tongket.store.archive.sources import discover, is_web_url, read_manifest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def write(path: Path, text: str = "Văn phòng UBND tỉnh") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


# ---------------------------------------------------------------- discover


def test_folders_recursively_only_article_extensions(tmp_path):
    a = write(tmp_path / "b" / "a.txt")
    b = write(tmp_path / "a.HTML")
    c = write(tmp_path / "b" / "deep" / "c.htm")
    write(tmp_path / "notes.md")
    write(tmp_path / "b" / "data.csv")
    files, rejected = discover([tmp_path])
    assert files == sorted([a, b, c], key=str)
    assert rejected == []


def test_explicit_file_with_other_extension_is_kept(tmp_path):
    doc = write(tmp_path / "article.md")
    assert discover([doc]) == ([doc], [])


def test_duplicates_removed(tmp_path):
    a = write(tmp_path / "a.txt")
    (tmp_path / "same.txt").symlink_to(a)
    files, rejected = discover([tmp_path, a, tmp_path / "a.txt", tmp_path / "." / "a.txt"])
    assert len(files) == 1 and files[0].resolve() == a.resolve()
    assert rejected == []


def test_missing_path_rejected_others_kept(tmp_path):
    a = write(tmp_path / "a.txt")
    files, rejected = discover([tmp_path / "nope", a])
    assert files == [a]
    assert rejected == [Rejection(str(tmp_path / "nope"), "does not exist")]


def test_broken_symlink_given_explicitly(tmp_path):
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "gone.txt")
    assert discover([link]) == ([], [Rejection(str(link), "is a broken symbolic link")])


def test_broken_symlink_inside_folder(tmp_path):
    a = write(tmp_path / "a.txt")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "gone.png").symlink_to(tmp_path / "missing.png")  # not an article: ignored
    files, rejected = discover([tmp_path])
    assert files == [a]
    assert rejected == [Rejection(str(tmp_path / "gone.txt"), "is a broken symbolic link")]


def test_symlink_loops_end(tmp_path):
    a = write(tmp_path / "sub" / "a.txt")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    (tmp_path / "self").symlink_to(tmp_path / "self")  # a link to itself
    files, rejected = discover([tmp_path])
    assert [f.resolve() for f in files] == [a.resolve()]
    # the walk ends, and each loop is named rather than skipped in silence
    assert [r.path for r in rejected] == [str(tmp_path / "self"), str(tmp_path / "sub" / "loop")]
    assert all("symbolic link loop" in r.reason for r in rejected)


def test_linked_folder_is_followed(tmp_path):
    outside = write(tmp_path / "outside" / "x.txt")
    root = tmp_path / "root"
    root.mkdir()
    (root / "linked").symlink_to(tmp_path / "outside")
    files, _ = discover([root])
    assert [f.resolve() for f in files] == [outside.resolve()]


def test_hidden_entries_skipped(tmp_path):
    a = write(tmp_path / "a.txt")
    write(tmp_path / "._a.txt")
    write(tmp_path / ".git" / "x.txt")
    assert discover([tmp_path]) == ([a], [])


def test_strings_accepted(tmp_path):
    a = write(tmp_path / "a.txt")
    assert discover([str(tmp_path)]) == ([a], [])


@pytest.mark.skipif(os.geteuid() == 0, reason="root can list any folder")
def test_unreadable_folder(tmp_path):
    locked = tmp_path / "locked"
    write(locked / "a.txt")
    locked.chmod(0)
    try:
        files, rejected = discover([tmp_path])
    finally:
        locked.chmod(0o755)
    assert files == []
    assert rejected == [Rejection(str(locked), "cannot be listed: permission denied")]


def test_fixture_folder():
    files, rejected = discover([FIXTURES])
    assert rejected == []
    assert len(files) == len(list(FIXTURES.glob("*/*.txt")))
    assert files == sorted(files, key=str)


# ---------------------------------------------------------------- manifests


def test_fixture_manifest():
    rows, rejected = read_manifest(FIXTURES / "manifest.csv")
    assert rejected == []
    assert len(rows) == 18
    assert all(path.is_file() for path, _ in rows)
    urls = dict((path.name, url) for path, url in rows)
    assert urls["007_camau-vp-doandbqh-hdnd-2011.txt"] is None
    assert urls["001_thainguyen-vpubnd-2020.txt"].startswith("https://thainguyentv.vn/")


def test_csv_bad_rows_each_rejected_good_rows_kept(tmp_path, monkeypatch):
    a = write(tmp_path / "data" / "a.txt")
    b = write(tmp_path / "data" / "b.txt")
    c = write(tmp_path / "data" / "c.txt")
    write(tmp_path / "data" / "sub" / "x.txt")
    manifest = tmp_path / "data" / "list.csv"
    manifest.write_text(
        "\n".join(
            [
                "file,url",  # 1
                "a.txt,https://example.gov.vn/tin-tuc/1.html",  # 2
                "missing.txt,https://example.gov.vn/2",  # 3
                ",https://example.gov.vn/3",  # 4
                "b.txt,ftp://example.gov.vn/b",  # 5
                "c.txt,not a url",  # 6
                "",  # 7 blank: skipped
                "sub,https://example.gov.vn/4",  # 8
                "a.txt,https://example.gov.vn/again",  # 9
                "b.txt,http://",  # 10
                f"{c},  http://example.gov.vn/c  ",  # 11: absolute path, spaces trimmed
                "b.txt",  # 12: no url cell
            ]
        )
        + "\n",
        "utf-8",
    )
    monkeypatch.chdir(tmp_path)  # relative paths are relative to the manifest, not here
    rows, rejected = read_manifest(manifest)
    assert rows == [
        (a, "https://example.gov.vn/tin-tuc/1.html"),
        (c, "http://example.gov.vn/c"),
        (b, None),
    ]
    reasons = [(r.path, r.reason) for r in rejected]
    m = str(manifest)
    assert reasons == [
        (m, "line 3: file 'missing.txt' does not exist"),
        (m, "line 4: no file given (the 'file' value is missing or empty)"),
        (m, "line 5: URL 'ftp://example.gov.vn/b' is not a web address (expected http:// or https://host/…)"),
        (m, "line 6: URL 'not a url' is not a web address (expected http:// or https://host/…)"),
        (m, "line 8: 'sub' is a folder, not a file"),
        (m, "line 9: 'a.txt' is already listed on line 2"),
        (m, "line 10: URL 'http://' is not a web address (expected http:// or https://host/…)"),
    ]


def test_csv_from_excel_with_bom_and_other_column_order(tmp_path):
    a = write(tmp_path / "a.txt")
    manifest = tmp_path / "m.csv"
    manifest.write_bytes(b'\xef\xbb\xbfURL,Title,File\r\n"https://a.vn/x?a=1,2",T\xc3\xaan,a.txt\r\n')
    assert read_manifest(manifest) == ([(a, "https://a.vn/x?a=1,2")], [])


def test_csv_without_url_column(tmp_path):
    a = write(tmp_path / "a.txt")
    manifest = tmp_path / "m.csv"
    manifest.write_text("file\na.txt\n", "utf-8")
    assert read_manifest(manifest) == ([(a, None)], [])


def test_csv_without_file_column_is_one_rejection(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,url\na.txt,https://a.vn/\n", "utf-8")
    assert read_manifest(manifest) == (
        [],
        [Rejection(str(manifest), "has no 'file' column in its header (found: path, url)")],
    )


def test_jsonl_good_and_bad_lines(tmp_path):
    a = write(tmp_path / "a.txt")
    b = write(tmp_path / "b.txt")
    manifest = tmp_path / "m.jsonl"
    lines = [
        json.dumps({"file": "a.txt", "url": "https://baomoi.vn/a.epi"}),  # 1
        '{"file": "b.txt", "url": ',  # 2
        "[1, 2]",  # 3
        json.dumps({"url": "https://a.vn/"}),  # 4
        json.dumps({"file": "nope.txt"}),  # 5
        json.dumps({"file": "b.txt", "url": "javascript:alert(1)"}),  # 6
        json.dumps({"file": 7}),  # 7
        "",  # 8
        json.dumps({"file": "b.txt", "url": None}),  # 9
    ]
    manifest.write_text("\n".join(lines) + "\n", "utf-8")
    rows, rejected = read_manifest(manifest)
    assert rows == [(a, "https://baomoi.vn/a.epi"), (b, None)]
    reasons = [r.reason for r in rejected]
    assert reasons[0].startswith("line 2: is not valid JSON (")
    assert reasons[1:] == [
        "line 3: is not a JSON object with 'file' and 'url'",
        "line 4: no file given (the 'file' value is missing or empty)",
        "line 5: file 'nope.txt' does not exist",
        "line 6: URL 'javascript:alert(1)' is not a web address (expected http:// or https://host/…)",
        "line 7: 'file' is not a string",
    ]
    assert all(r.path == str(manifest) for r in rejected)


def test_jsonl_recognised_without_extension(tmp_path):
    a = write(tmp_path / "a.txt")
    manifest = tmp_path / "manifest"
    manifest.write_text('{"file": "a.txt", "url": "http://a.vn/"}\n', "utf-8")
    assert read_manifest(manifest) == ([(a, "http://a.vn/")], [])


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "does not exist"),
        (b"", "is empty (0 bytes)"),
        (b"\x89PNG\r\n\x1a\n" + bytes(16), "is a PNG image, not a text file; save the article as plain text (UTF-8) or HTML"),
        (b"\n\n", "has no header row (expected the columns file,url)"),
    ],
)
def test_unreadable_manifest_is_one_rejection(tmp_path, content, reason):
    manifest = tmp_path / "m.csv"
    if content is not None:
        manifest.write_bytes(content)
    assert read_manifest(manifest) == ([], [Rejection(str(manifest), reason)])


def test_manifest_that_is_a_folder(tmp_path):
    assert read_manifest(tmp_path) == ([], [Rejection(str(tmp_path), "is a folder, not a file")])


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://binhduong.gov.vn/tin-tuc/2025/03/61.html", True),
        ("http://vinhlong.gov.vn/chuyen-đoi-so/ctl/detail/mid/41537&ID=33520", True),
        ("HTTPS://EXAMPLE.COM", True),
        ("http://localhost:8000/a", True),
        ("http://127.0.0.1/a", True),
        ("ftp://example.com/a", False),
        ("example.com/a", False),
        ("https://", False),
        ("https:///path", False),
        ("http://exa mple.com/", False),
        ("http://[::1", False),
        ("http://nodot/", False),
    ],
)
def test_is_web_url(url, ok):
    assert is_web_url(url) is ok
