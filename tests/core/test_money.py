"""Money as integer đồng: display, report style and receipt words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buudien.core.money import (
    amount_in_words,
    format_report,
    format_short,
    format_vnd,
    parse_amount,
)


@pytest.mark.parametrize(
    ("amount", "text"),
    [(113_298_000_000, "113.298.000.000 ₫"), (0, "0 ₫"), (-1_500, "-1.500 ₫"), (999, "999 ₫")],
)
def test_amounts_are_shown_with_dots_and_the_dong_sign(amount: int, text: str) -> None:
    assert format_vnd(amount) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (113_298_000_000, "113 tỷ 298 triệu đồng"),
        (217_000_000_000, "217 tỷ đồng"),
        (19_524_400_000, "19 tỷ 524 triệu đồng"),
        (19_524_600_000, "19 tỷ 525 triệu đồng"),
        (1_800_000_000_000, "1 nghìn 800 tỷ đồng"),
        (2_000_500_000_000, "2 nghìn tỷ 500 triệu đồng"),
        (6_800_000, "6 triệu 800 nghìn đồng"),
        (500_000, "500 nghìn đồng"),
        (950, "950 đồng"),
        (0, "0 đồng"),
        (999_999_600, "1 tỷ đồng"),
        (-6_800_000, "âm 6 triệu 800 nghìn đồng"),
    ],
)
def test_report_style_rounds_as_the_published_reports(amount: int, text: str) -> None:
    assert format_report(amount) == text


def test_short_style_has_one_decimal_with_a_comma() -> None:
    assert format_short(6_800_000) == "6,8 triệu đồng"
    assert format_short(1_500_000_000, "tỷ") == "1,5 tỷ đồng"
    assert format_short(7_000_000) == "7 triệu đồng"
    assert format_short(6_850_000) == "6,9 triệu đồng"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (113_298_000_000, "Một trăm mười ba tỷ hai trăm chín mươi tám triệu đồng"),
        (21, "Hai mươi mốt đồng"),
        (15, "Mười lăm đồng"),
        (25_000, "Hai mươi lăm nghìn đồng"),
        (105, "Một trăm linh năm đồng"),
        (1_005, "Một nghìn không trăm linh năm đồng"),
        (1_010_000, "Một triệu không trăm mười nghìn đồng"),
        (1_000_000, "Một triệu đồng"),
        (1_000_000_000_000, "Một nghìn tỷ đồng"),
        (0, "Không đồng"),
        (11, "Mười một đồng"),
    ],
)
def test_receipt_words_follow_vietnamese_reading_rules(amount: int, words: str) -> None:
    assert amount_in_words(amount) == words


@given(st.integers(min_value=0, max_value=10**15))
def test_words_are_well_formed_for_any_amount(amount: int) -> None:
    words = amount_in_words(amount)
    assert "  " not in words
    assert words.endswith(" đồng")
    assert words[0].isupper()


@given(st.integers(min_value=0, max_value=10**15))
def test_a_displayed_amount_parses_back(amount: int) -> None:
    assert parse_amount(format_vnd(amount)[:-2]) == amount


@pytest.mark.parametrize("text", ["12,5", "abc", "", "1.50.000", "-5"])
def test_anything_but_whole_dong_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="Số tiền không hợp lệ"):
        parse_amount(text)


def test_common_ways_of_writing_an_amount_are_accepted() -> None:
    assert parse_amount("1.500.000") == 1_500_000
    assert parse_amount("1 500 000") == 1_500_000
    assert parse_amount("1500000 ₫") == 1_500_000
