"""Money as integer đồng: display, report style and receipt words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buudien.core.money import (
    amount_in_words,
    format_number,
    format_report,
    format_short,
    format_vnd,
    parse_amount,
)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (113_298_000_000, "113.298.000.000 ₫"),
        (0, "0 ₫"),
        (-1_500, "-1.500 ₫"),
        (999, "999 ₫"),
        (1_000, "1.000 ₫"),
    ],
)
def test_amounts_are_shown_with_dots_and_the_dong_sign(amount: int, text: str) -> None:
    assert format_vnd(amount) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (113_298_000_000, "113 tỷ 298 triệu đồng"),
        (217_000_000_000, "217 tỷ đồng"),
        (1_000_000_000, "1 tỷ đồng"),
        (1_800_000_000_000, "1 nghìn 800 tỷ đồng"),
        (2_000_500_000_000, "2 nghìn tỷ 500 triệu đồng"),
        (1_000_000_000_000, "1 nghìn tỷ đồng"),
    ],
)
def test_report_style_writes_nghin_ty_ty_and_trieu_groups(amount: int, text: str) -> None:
    assert format_report(amount) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (19_524_400_000, "19 tỷ 524 triệu đồng"),
        (19_524_500_000, "19 tỷ 525 triệu đồng"),
        (19_524_600_000, "19 tỷ 525 triệu đồng"),
        (1_000_499_999, "1 tỷ đồng"),
    ],
)
def test_report_style_rounds_to_millions_half_up(amount: int, text: str) -> None:
    assert format_report(amount) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (6_800_000, "6 triệu 800 nghìn đồng"),
        (500_000, "500 nghìn đồng"),
        (1_499, "1 nghìn đồng"),
        (1_500, "2 nghìn đồng"),
        (950, "950 đồng"),
        (0, "0 đồng"),
    ],
)
def test_report_style_below_one_ty_rounds_to_thousands(amount: int, text: str) -> None:
    assert format_report(amount) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (999_999_600, "1 tỷ đồng"),
        (999_999_400, "999 triệu 999 nghìn đồng"),
        (999_600, "1 triệu đồng"),
        (999_999_999_999, "1 nghìn tỷ đồng"),
    ],
)
def test_report_style_carries_a_rounding_across_a_boundary(amount: int, text: str) -> None:
    assert format_report(amount) == text


def test_report_style_writes_am_before_a_negative_amount() -> None:
    assert format_report(-6_800_000) == "âm 6 triệu 800 nghìn đồng"
    assert format_report(-113_298_000_000) == "âm 113 tỷ 298 triệu đồng"


@pytest.mark.parametrize(
    ("amount", "unit", "text"),
    [
        (6_800_000, "triệu", "6,8 triệu đồng"),
        (1_500_000_000, "tỷ", "1,5 tỷ đồng"),
        (7_000_000, "triệu", "7 triệu đồng"),
        (6_850_000, "triệu", "6,9 triệu đồng"),
        (6_849_999, "triệu", "6,8 triệu đồng"),
        (6_960_000, "triệu", "7 triệu đồng"),
        (1_234_560_000_000, "tỷ", "1.234,6 tỷ đồng"),
        (2_500, "nghìn", "2,5 nghìn đồng"),
        (-6_800_000, "triệu", "-6,8 triệu đồng"),
        (0, "triệu", "0 triệu đồng"),
    ],
)
def test_short_style_has_one_decimal_with_a_comma(amount: int, unit: str, text: str) -> None:
    assert format_short(amount, unit) == text


def test_short_style_uses_trieu_unless_told() -> None:
    assert format_short(6_800_000) == "6,8 triệu đồng"


def test_short_style_refuses_an_unknown_unit() -> None:
    with pytest.raises(ValueError, match="đồng"):
        format_short(1_000, "đồng")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (113_298_000_000, "Một trăm mười ba tỷ hai trăm chín mươi tám triệu đồng"),
        (0, "Không đồng"),
        (1, "Một đồng"),
        (10, "Mười đồng"),
        (11, "Mười một đồng"),
        (15, "Mười lăm đồng"),
        (20, "Hai mươi đồng"),
        (21, "Hai mươi mốt đồng"),
        (25_000, "Hai mươi lăm nghìn đồng"),
        (44, "Bốn mươi bốn đồng"),
        (105, "Một trăm linh năm đồng"),
        (111, "Một trăm mười một đồng"),
        (1_005, "Một nghìn không trăm linh năm đồng"),
        (1_010_000, "Một triệu không trăm mười nghìn đồng"),
        (1_000_000, "Một triệu đồng"),
        (1_000_000_000_000, "Một nghìn tỷ đồng"),
        (1_800_000_000_000, "Một nghìn tám trăm tỷ đồng"),
        (2_000_500_000_000, "Hai nghìn tỷ năm trăm triệu đồng"),
        (-21_000, "Âm hai mươi mốt nghìn đồng"),
    ],
)
def test_receipt_words_follow_vietnamese_reading_rules(amount: int, words: str) -> None:
    assert amount_in_words(amount) == words


@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_receipt_words_are_well_formed_for_any_amount(amount: int) -> None:
    words = amount_in_words(amount)
    assert "  " not in words
    assert words.endswith(" đồng")
    assert words[0].isupper()


@given(st.integers(min_value=0, max_value=10**18))
def test_a_displayed_amount_parses_back(amount: int) -> None:
    assert parse_amount(format_number(amount)) == amount
    assert parse_amount(format_vnd(amount)) == amount


@pytest.mark.parametrize(
    "text",
    [
        "1.500.000",
        "1 500 000",
        "1500000",
        "1.500.000 ₫",
        "1500000 ₫",
        "1.500.000đ",
        "1.500.000 đồng",
        " 1.500.000 ",
        "1\u00a0500\u00a0000",
    ],
)
def test_common_ways_of_writing_an_amount_are_accepted(text: str) -> None:
    assert parse_amount(text) == 1_500_000


@pytest.mark.parametrize(
    "text",
    ["12,5", "abc", "", "  ", "₫", "1.50.000", "1.500 000", "1₫500", "-5", "+5", "1.5", "١٢٣"],
)
def test_anything_but_whole_dong_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="Số tiền không hợp lệ"):
        parse_amount(text)
