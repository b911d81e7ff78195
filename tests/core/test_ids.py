"""Citizen ids and mobile numbers: validated with a reason, normalised, masked."""

from __future__ import annotations

import datetime as dt

import pytest

from buudien.core.errors import DomainError
from buudien.core.ids import (
    is_valid_citizen_id,
    mask_citizen_id,
    mask_phone,
    normalise_phone,
    parse_citizen_id,
)


def test_a_valid_citizen_id_tells_province_sex_and_birth_year() -> None:
    cid = parse_citizen_id("004 185 001234")
    assert cid.number == "004185001234"
    assert cid.province_name == "Cao Bằng"
    assert cid.sex == "female"
    assert cid.birth_year == 1985
    assert parse_citizen_id("001203001234").birth_year == 2003
    assert parse_citizen_id("001203001234").sex == "male"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("00418500123", "đúng 12 chữ số"),
        ("00418500123a", "đúng 12 chữ số"),
        ("003185001234", "Mã tỉnh nơi đăng ký khai sinh 003"),
        ("004231001234", "Năm sinh 2031"),
    ],
)
def test_a_wrong_citizen_id_is_refused_with_the_reason(value: str, reason: str) -> None:
    with pytest.raises(DomainError, match=reason) as exc:
        parse_citizen_id(value, today=dt.date(2026, 11, 24))
    assert exc.value.field == "citizen_id"
    assert not is_valid_citizen_id(value) or reason.startswith("Năm")


@pytest.mark.parametrize(
    "value", ["+84 912 345 678", "84912345678", "0912.345.678", "0912-345-678", "(+84) 912345678"]
)
def test_mobile_numbers_are_normalised(value: str) -> None:
    assert normalise_phone(value) == "0912345678"


@pytest.mark.parametrize("value", ["12345", "0212345678", "0951234567", "091234567", ""])
def test_a_wrong_mobile_number_is_refused(value: str) -> None:
    with pytest.raises(DomainError, match="Số điện thoại di động không hợp lệ") as exc:
        normalise_phone(value)
    assert exc.value.field == "phone"


def test_personal_data_is_masked_in_lists() -> None:
    assert mask_citizen_id("004085001234") == "004******234"
    assert mask_citizen_id(None) == ""
    assert mask_phone("0912345678") == "0912***678"
    assert mask_phone("") == ""
