"""Vietnamese number formats."""

from __future__ import annotations

import pytest

from tongket.store.lang.numbers import parse_numeral, read_number, read_spelled


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("27.172", 27172),
        ("1.239.717", 1239717),
        ("94,03%", 94.03),
        ("16,%", 16),
        ("98,7 %", 98.7),
        ("03", 3),
        ("0,1", 0.1),
        ("9,3 nghìn tỷ", 9.3e12),
        ("16 ngàn", 16000),
        ("40 nghìn", 40000),
        ("2 triệu", 2e6),
        ("1,765 tỷ", 1.765e9),
        ("560 triệu", 560e6),
        ("hai", 2),
        ("mười hai", 12),
        ("hai mươi lăm", 25),
        ("ba trăm", 300),
        ("hai nghìn", 2000),
    ],
)
def test_read_number(text, value):
    assert read_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["13.1", "30.11.2019", "1.23", "37, 38 tỷ", "năm", "một", "abc", "", "1.2.3"])
def test_unreadable_is_none(text):
    assert read_number(text) is None


def test_parse_numeral_formats():
    assert parse_numeral("1,239,717") == 1239717  # English grouping, two or more groups
    assert parse_numeral("16,") == 16
    assert parse_numeral("x") is None


def test_read_spelled_needs_a_number_word():
    assert read_spelled(["hai", "ca", "nhan"]) == (2.0, 1)
    assert read_spelled(["mot", "so"]) is None
    assert read_spelled([]) is None
