"""Decoding: every encoding a scraped Vietnamese article arrives in, and every way a file can
be unusable, ends as NFC text or one `InputError` line. All inputs are built in tmp_path."""

from __future__ import annotations

import gzip
import io
import json
import os
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongket.store.parse.decode import decode_bytes, decode_text, looks_like_html, read_source
from tongket.store.errors import InputError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ARTICLES = sorted(FIXTURES.glob("*/*.txt"))
TABLES = json.loads((Path(__file__).resolve().parent.parent / "store/lang/data/legacy_encodings.json").read_text("utf-8"))

SENTENCE = (
    "Văn phòng UBND tỉnh tổ chức hội nghị tổng kết công tác năm 2019, triển khai nhiệm vụ năm 2020. "
    "Báo cáo cho biết tỉnh đã giải quyết được 99% hồ sơ đúng hạn; đồng chí Phó Chủ tịch phát biểu chỉ đạo."
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------- legacy encoders (tests only)

_TONES = {"\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}


def to_tcvn3(text: str) -> str:
    """Unicode -> TCVN3 as it reads through Windows-1252, from the data table (lower-case codes
    for toned capitals, as the heading fonts do)."""
    reverse = {u: t for t, u in TABLES["tcvn3"]["map"].items()}
    return "".join(reverse.get(c, reverse.get(c.lower(), c)) for c in nfc(text))


def to_vni(text: str) -> str:
    """Unicode -> VNI as it reads through Windows-1252, from the data table."""
    vni = TABLES["vni"]
    letters = {u: k for k, u in vni["letters"].items()}
    circumflex = {"": "â", **{m: k for k, m in vni["circumflex_marks"].items() if m}}
    breve = {"": "ê", **{m: k for k, m in vni["breve_marks"].items() if m}}
    out = []
    for ch in nfc(text):
        low = ch.lower()
        if low in letters:
            seq = letters[low]
        else:
            parts = unicodedata.normalize("NFD", low)
            base, marks = parts[0], parts[1:]
            if not marks or base not in "aeiouy":
                out.append(ch)
                continue
            tone = "".join(m for m in marks if m in _TONES)
            shape = "".join(m for m in marks if m not in _TONES)
            if shape == "\u031b":
                seq = {"o": "ô", "u": "ö"}[base] + _TONES.get(tone, "")
            elif shape == "\u0302":
                seq = base + circumflex[tone]
            elif shape == "\u0306":
                seq = base + breve[tone]
            elif base == "i" and tone in ("\u0309", "\u0303", "\u0323"):
                seq = {"\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}[tone]
            elif base == "i":
                seq = nfc("i" + tone)
            elif base == "y" and tone == "\u0323":
                seq = "î"
            else:
                seq = base + _TONES[tone]
        out.append(seq.upper() if ch.isupper() else seq)
    return "".join(out)


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Windows writes it: base letters precomposed, tone marks combining."""
    out = bytearray()
    for ch in nfc(text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in parts if c in _TONES)
            base = nfc("".join(c for c in parts if c not in _TONES))
            out += (base + tones).encode("cp1258")
    return bytes(out)


def reason(data: bytes) -> str:
    with pytest.raises(InputError) as info:
        decode_bytes(data, "a.txt")
    assert str(info.value) == f"a.txt: {info.value.reason}"
    assert "\n" not in info.value.reason
    return info.value.reason


# ---------------------------------------------------------------- Unicode encodings


def test_utf8_plain_and_with_bom():
    assert decode_bytes(SENTENCE.encode("utf-8"), "a.txt") == SENTENCE
    assert decode_bytes(b"\xef\xbb\xbf" + SENTENCE.encode("utf-8"), "a.txt") == SENTENCE


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32(codec):
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(codec, b"")
    assert decode_bytes(bom + SENTENCE.encode(codec), "a.txt") == SENTENCE


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised(codec):
    assert decode_bytes(SENTENCE.encode(codec), "a.txt") == SENTENCE


def test_bom_followed_by_invalid_data():
    assert "UTF-16 byte-order mark but is not valid UTF-16" in reason(b"\xff\xfeA\x00\x00\xd8B\x00")


def test_nfd_input_comes_out_nfc():
    decomposed = unicodedata.normalize("NFD", SENTENCE)
    assert decomposed != SENTENCE
    assert decode_bytes(decomposed.encode("utf-8"), "a.txt") == SENTENCE


def test_mixed_line_endings_become_newlines():
    data = "Dòng một\r\nDòng hai\rDòng ba\nDòng bốn\u2028Dòng năm".encode()
    assert decode_bytes(data, "a.txt") == "Dòng một\nDòng hai\nDòng ba\nDòng bốn\nDòng năm"


def test_zero_width_and_bom_characters_removed_nbsp_kept():
    data = "\ufeffVăn\u200b phòng\u200c UBND\u2060 tỉnh\ufeff\u00a0Kiên\u00adGiang".encode()
    assert decode_bytes(data, "a.txt") == "Văn phòng UBND tỉnh\u00a0KiênGiang"


def test_dos_end_of_file_mark_dropped():
    assert decode_bytes(SENTENCE.encode() + b"\r\n\x1a", "a.txt") == SENTENCE + "\n"


def test_truncated_final_character_is_dropped():
    data = SENTENCE.encode() + "ễ".encode()[:2]
    assert decode_bytes(data, "a.txt") == SENTENCE


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_fixture_articles_pass_unchanged(path):
    """No legacy detection fires on real Unicode Vietnamese."""
    assert decode_bytes(path.read_bytes(), path.name) == nfc(path.read_text("utf-8")).replace("\r\n", "\n")


# ---------------------------------------------------------------- Windows-1258


def test_cp1258_sentence():
    data = to_cp1258(SENTENCE)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert b"\xcc" in data or b"\xec" in data  # really uses combining tone marks
    assert decode_bytes(data, "a.txt") == SENTENCE


@pytest.mark.parametrize("path", ARTICLES[:6], ids=lambda p: p.name)
def test_cp1258_articles(path):
    text = decode_bytes(path.read_bytes(), "a")
    assert decode_bytes(to_cp1258(text), "a") == text


def test_valid_utf8_wins_over_cp1258():
    # "Ä‘" is what Windows-1258 would show, but the bytes are valid UTF-8 "đ".
    assert decode_bytes("Đường đến trụ sở".encode(), "a.txt") == "Đường đến trụ sở"


# ---------------------------------------------------------------- TCVN3 / ABC (converted)


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [("B¸o c¸o", "Báo cáo"), ("V¨n phßng", "Văn phòng"), ("§¹i héi ®¹i biÓu", "Đại hội đại biểu")],
)
def test_tcvn3_examples(legacy, unicode):
    assert decode_bytes(legacy.encode("utf-8"), "a.txt") == unicode
    assert decode_bytes(legacy.encode("latin-1"), "a.txt") == unicode


def test_tcvn3_round_trip_of_sentence():
    legacy = to_tcvn3(SENTENCE.lower())
    assert legacy != SENTENCE.lower()
    assert decode_bytes(legacy.encode("cp1252"), "a.txt") == SENTENCE.lower()
    assert decode_bytes(legacy.encode("utf-8"), "a.txt") == SENTENCE.lower()


def test_tcvn3_heading_font_capitals():
    legacy = to_tcvn3("BÁO CÁO TỔNG KẾT CÔNG TÁC NĂM 2019\nVăn phòng tổng kết công tác")
    assert legacy.startswith("B¸O C¸O")
    assert decode_bytes(legacy.encode("utf-8"), "a.txt") == "BÁO CÁO TỔNG KẾT CÔNG TÁC NĂM 2019\nVăn phòng tổng kết công tác"


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_tcvn3_articles_round_trip(path):
    """TCVN3 plain text cannot say whether a toned letter was a capital ("Ủy"), so the
    round trip is exact up to letter case."""
    text = decode_bytes(path.read_bytes(), "a")
    assert decode_bytes(to_tcvn3(text).encode("utf-8"), "a").lower() == text.lower()


# ---------------------------------------------------------------- VNI (refused)

VNI_REASON = "looks like VNI-encoded Vietnamese (legacy font encoding); convert it to Unicode first"


def test_vni_examples_match_the_table():
    assert to_vni("Văn phòng") == "Vaên phoøng"
    assert to_vni("Báo cáo") == "Baùo caùo"


@pytest.mark.parametrize("encode", [lambda s: s.encode("cp1252"), lambda s: s.encode("utf-8")], ids=["cp1252", "utf8"])
def test_vni_is_refused_with_its_name(encode):
    assert reason(encode(to_vni(SENTENCE))) == VNI_REASON
    assert reason(encode("Vaên phoøng Baùo caùo")) == VNI_REASON


@pytest.mark.parametrize("path", ARTICLES[:6], ids=lambda p: p.name)
def test_vni_articles_refused(path):
    text = decode_bytes(path.read_bytes(), "a")
    assert reason(to_vni(text).encode("cp1252")) == VNI_REASON


# ---------------------------------------------------------------- no false alarms

ENGLISH = "The provincial office held its annual review meeting on Monday. It reported 99% of files on time."


@pytest.mark.parametrize(
    "text",
    [
        ENGLISH,
        "Le café où nous étions en août était très animé, et les élèves révisaient leurs leçons à côté.",
        "Die Prüfung für Bürger führt über Straßen, Gebäude und Brücken in München.",
        "Company® and Brand© reported ½ of sales in § 3 — “quoted” text…",
    ],
)
def test_other_languages_are_left_alone(text):
    assert decode_bytes(text.encode("utf-8"), "a.txt") == text


@pytest.mark.parametrize(
    "text",
    [
        "The \u201cannual\u201d review \u2013 it went well\u2026 Caf\u00e9 afterwards.",
        "Le café où nous étions en août était très animé, et les élèves révisaient leurs leçons à côté.",
    ],
)
def test_windows_1252_western_text(text):
    assert decode_bytes(text.encode("cp1252"), "a.txt") == text


def test_double_encoded_utf8_is_repaired():
    raw = SENTENCE.encode("utf-8")
    broken = "".join(bytes([b]).decode("cp1252", errors="replace") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b) for b in raw)
    assert broken.startswith("VÄƒn")
    assert decode_bytes(broken.encode("utf-8"), "a.txt") == SENTENCE


def test_damaged_utf8_is_named():
    data = SENTENCE.encode() + b"\xff\xfe rest" + SENTENCE.encode()
    assert "mostly UTF-8 but has" in reason(data)


def test_unknown_8bit_encoding():
    text = "Привет, как дела? Это текст на русском языке, сохранённый в KOI8-R, а не в UTF-8."
    assert "is not UTF-8 and does not read as Vietnamese" in reason(text.encode("koi8_r"))


# ---------------------------------------------------------------- not an article


def test_empty():
    assert reason(b"") == "is empty (0 bytes)"


@pytest.mark.parametrize("data", [b"   \n\t\r\n  ", b"\xef\xbb\xbf", "\u00a0\u200b \n".encode(), b"\xff\xfe \x00\n\x00"])
def test_whitespace_only(data):
    assert reason(data) == "has no text (only whitespace)"


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(20), "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20), "a JPEG image"),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "a GIF image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        (_zip(["[Content_Types].xml", "word/document.xml"]), "a Word document (.docx)"),
        (_zip(["notes.txt"]), "a ZIP archive"),
        (gzip.compress(SENTENCE.encode()), "a gzip-compressed file"),
    ],
    ids=["png", "jpeg", "gif", "pdf", "docx", "zip", "gzip"],
)
def test_binary_formats_named(data, kind):
    assert reason(data).startswith(f"is {kind}, not a text file")


def test_nul_bytes():
    assert reason(b"abc\x00def ghi jkl\x00\x00\x01mno") == "contains NUL bytes: it is binary data, not text"


def test_many_control_bytes():
    data = bytes(range(1, 32)) * 20 + SENTENCE.encode()
    assert "many control characters" in reason(data)


def test_almost_no_letters():
    assert "has almost no letters" in reason(b"1234 5678 9012 -- 3.14 ... 2,718 | 42 / 17")


def test_replacement_characters():
    assert "unreadable characters" in reason(("Vi\ufffd\ufffdt Nam \ufffd\ufffd \ufffd").encode())


def test_decode_text_skips_content_checks():
    assert decode_text(b"file,url\n1.txt,\n", "m.csv") == "file,url\n1.txt,\n"


# ---------------------------------------------------------------- HTML


def test_looks_like_html():
    assert looks_like_html("<!DOCTYPE html><html><head><title>x</title></head><body>y</body></html>")
    assert looks_like_html("\n  <html lang='vi'><body><p>Văn phòng</p></body></html>")
    assert looks_like_html('<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN"><html>')
    assert looks_like_html("<div class='a'><p>Một</p><p>Hai</p><span>Ba</span></div>")
    assert not looks_like_html("Bài viết nói về thẻ <p> trong HTML. " + SENTENCE)
    assert not looks_like_html(SENTENCE)
    for path in ARTICLES:
        assert not looks_like_html(path.read_text("utf-8")), path.name


# ---------------------------------------------------------------- read_source


def test_read_source_ok(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"\xef\xbb\xbf" + SENTENCE.encode() + b"\r\n")
    assert read_source(path) == SENTENCE + "\n"
    assert read_source(str(path)) == SENTENCE + "\n"


def source_reason(path, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        read_source(path, **kwargs)
    assert info.value.path == str(path)
    return info.value.reason


def test_read_source_directory(tmp_path):
    assert source_reason(tmp_path) == "is a folder, not a file"


def test_read_source_missing(tmp_path):
    assert source_reason(tmp_path / "nope.txt") == "does not exist"
    assert "part of the path is a file" in source_reason(Path(__file__) / "x.txt")


def test_read_source_broken_symlink(tmp_path):
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "gone.txt")
    assert source_reason(link).startswith("is a broken symbolic link")


def test_read_source_symlink_loop(tmp_path):
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    assert source_reason(tmp_path / "a.txt") == "is a symbolic link that loops back on itself"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_read_source_permission_denied(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(SENTENCE, "utf-8")
    path.chmod(0)
    try:
        assert source_reason(path) == "cannot be read: permission denied"
    finally:
        path.chmod(0o644)


def test_read_source_permission_denied_simulated(tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_text(SENTENCE, "utf-8")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("builtins.open", denied)
    assert source_reason(path) == "cannot be read: permission denied"


def test_read_source_other_os_error(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    path.write_text(SENTENCE, "utf-8")

    def failing(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("builtins.open", failing)
    assert source_reason(path) == "cannot be read: input/output error"


def test_read_source_over_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(SENTENCE.encode() * 40)
    size = path.stat().st_size
    assert source_reason(path, max_bytes=1000) == (
        f"is too large: {size / 1024:.1f} KiB ({size:,} bytes), over the limit of 1,000 bytes"
    )
    assert read_source(path, max_bytes=size) == SENTENCE * 40


def test_read_source_default_limit_is_5_mib(tmp_path):
    path = tmp_path / "big.txt"
    with open(path, "wb") as handle:
        handle.truncate(5 * 1024 * 1024 + 1)
    assert source_reason(path) == "is too large: 5.0 MiB (5,242,881 bytes), over the limit of 5.0 MiB (5,242,880 bytes)"


def test_read_source_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert source_reason(fifo) == "is not a regular file (a device, pipe or socket)"


def test_read_source_bad_name():
    assert source_reason("a\x00b.txt") == "is not a valid file name"


def test_read_source_decoding_errors_name_the_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.txt: is empty \(0 bytes\)$"):
        read_source(path)


# ---------------------------------------------------------------- nothing but InputError

_PREFIXES = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"PK\x03\x04", b"%PDF-"]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_PREFIXES), st.binary(max_size=400))
def test_arbitrary_bytes_give_text_or_input_error(prefix, data):
    try:
        result = decode_bytes(prefix + data, "x.txt")
    except InputError as exc:
        assert exc.reason and "\n" not in exc.reason
    else:
        assert isinstance(result, str)
        assert result == nfc(result)
        assert "\r" not in result and "\ufeff" not in result


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=0x1EFF), max_size=200),
    st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1", "cp1258"]),
)
def test_arbitrary_text_in_any_encoding_gives_text_or_input_error(text, codec):
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    try:
        assert isinstance(decode_bytes(data, "x.txt"), str)
    except InputError:
        pass
