"""The parser against arbitrary and mangled text (hypothesis): it never raises, always
returns an Article, and every figure points at the text it was read from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongket.store.errors import InputError
from tongket.store.parse.article import parse_file, parse_text
from tongket.store.record import Article
from tongket.store.lang.text import fold

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "fixtures").glob("*/*.txt"))]
NUMBER_WORDS = {"mot", "hai", "ba", "bon", "tu", "nam", "lam", "sau", "bay", "tam", "chin", "muoi", "muoi",
                "tram", "nghin", "ngan", "trieu", "ty", "ti", "chuc", "mươi", "linh", "le", "ruoi", "nua"}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that stress the figure reader: numbers in every local shape, slashes, percent signs.
TOKENS = st.sampled_from([
    "27.172", "94,03", "37, 38 tỷ", "16,%", "1.239.717", "9,3 nghìn tỷ đồng", "100%", "%", "/", "//", "20/01/2020",
    "13.1", "1.23", ",", ".", "tăng 10,02% so với cùng kỳ", "hai cá nhân", "văn bản đến", "0", "-5", "1e9",
    "1,239,717", "½", "٣", "²", "\u00a0", "\u200b", "\n", "\n\n", "(", ")", ":", ";", "năm 2019", "tỷ lệ đạt",
])
UNICODE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def _check(article: Article) -> None:
    assert isinstance(article, Article)
    body = article.body
    for fig in article.figures:
        start, end = fig.span
        assert 0 <= start <= end <= len(body)
        assert body[start:end] == fig.raw, (fig.span, fig.raw)
        folded = fold(fig.raw)
        assert re.search(r"\d", fig.raw) or set(re.findall(r"\w+", folded)) & NUMBER_WORDS, fig.raw
        s_start, s_end = fig.sentence_span
        assert body[s_start:s_end] == fig.sentence, (fig.sentence_span, fig.sentence)


@st.composite
def mutated_fixture(draw) -> str:
    """A fixture article with chunks inserted, deleted, duplicated or replaced."""
    text = draw(st.sampled_from(FIXTURES))
    for _ in range(draw(st.integers(1, 6))):
        if not text:
            break
        i = draw(st.integers(0, len(text)))
        j = min(len(text), i + draw(st.integers(0, 300)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate", "replace"]))
        piece = draw(st.one_of(TOKENS, UNICODE, st.lists(TOKENS, max_size=8).map(" ".join)))
        if action == "insert":
            text = text[:i] + piece + text[i:]
        elif action == "delete":
            text = text[:i] + text[j:]
        elif action == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        else:
            text = text[:i] + piece + text[j:]
    return text


@SETTINGS
@given(st.text(max_size=400))
def test_arbitrary_text(text: str) -> None:
    _check(parse_text(text))


@SETTINGS
@given(st.lists(st.one_of(TOKENS, UNICODE), max_size=60).map(" ".join))
def test_number_soup(text: str) -> None:
    _check(parse_text("Văn phòng UBND tỉnh Kiên Giang\n\n" + text))


@SETTINGS
@given(mutated_fixture())
def test_mutated_fixtures(text: str) -> None:
    _check(parse_text(text))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300) | mutated_fixture().map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_parse_file_is_an_article_or_an_input_error(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("p") / "x.txt"
    path.write_bytes(data)
    try:
        article = parse_file(path)
    except InputError as exc:
        assert exc.path and exc.reason and "\n" not in exc.reason
    else:
        _check(article)


@pytest.mark.parametrize("text", [
    "", " ", "\x00", "%", "/", "16,%", "37, 38 tỷ", "1" * 5000, "<html>", "<p>" * 50,
    "Năm 2019 tiếp nhận 27.172 văn bản đến, đạt 94,03%.", "tăng 10,02% so với cùng kỳ năm 2018 (9.000 văn bản)",
])
def test_known_odd_texts(text: str) -> None:
    _check(parse_text(text))
