"""Citizen ids and mobile numbers: validated with a reason, normalised, masked."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buudien.core.errors import DomainError, ErrorCode
from buudien.core.ids import (
    BIRTH_PROVINCES,
    citizen_id_ok,
    is_valid_citizen_id,
    is_valid_phone,
    mask_citizen_id,
    mask_phone,
    normalise_phone,
    parse_citizen_id,
)

TODAY = dt.date(2026, 11, 24)


def test_a_valid_citizen_id_tells_province_sex_and_birth_year() -> None:
    cid = parse_citizen_id("004 185 001234", today=TODAY)
    assert cid.number == "004185001234"
    assert cid.province_code == "004"
    assert cid.province_name == "Cao Bằng"
    assert cid.sex == "female"
    assert cid.birth_year == 1985


@pytest.mark.parametrize(
    ("digit", "sex", "year"),
    [
        ("0", "male", 1903),
        ("1", "female", 1903),
        ("2", "male", 2003),
        ("3", "female", 2003),
        ("4", "male", 2103),
        ("5", "female", 2103),
        ("6", "male", 2203),
        ("7", "female", 2203),
        ("8", "male", 2303),
        ("9", "female", 2303),
    ],
)
def test_the_fourth_digit_gives_the_century_and_the_sex(digit: str, sex: str, year: int) -> None:
    cid = parse_citizen_id(f"079{digit}03001234", today=dt.date(2400, 1, 1))
    assert (cid.sex, cid.birth_year) == (sex, year)
    assert cid.province_name == "Hồ Chí Minh"


def test_the_63_provinces_of_circular_59_are_known() -> None:
    assert len(BIRTH_PROVINCES) == 63
    assert BIRTH_PROVINCES["001"] == "Hà Nội"
    assert BIRTH_PROVINCES["096"] == "Cà Mau"
    assert "003" not in BIRTH_PROVINCES


def test_a_birth_year_in_the_current_year_is_accepted() -> None:
    assert parse_citizen_id("001226001234", today=TODAY).birth_year == 2026
    assert is_valid_citizen_id("001226001234", today=TODAY)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("00418500123", "Số CCCD phải gồm đúng 12 chữ số."),
        ("0041850012345", "Số CCCD phải gồm đúng 12 chữ số."),
        ("00418500123a", "Số CCCD phải gồm đúng 12 chữ số."),
        ("001²85001234", "Số CCCD phải gồm đúng 12 chữ số."),
        ("", "Số CCCD phải gồm đúng 12 chữ số."),
        ("003185001234", "Mã tỉnh nơi đăng ký khai sinh 003 trong số CCCD không tồn tại."),
        ("097185001234", "Mã tỉnh nơi đăng ký khai sinh 097 trong số CCCD không tồn tại."),
        ("004231001234", "Năm sinh 2031 trong số CCCD nằm trong tương lai."),
        ("004427001234", "Năm sinh 2127 trong số CCCD nằm trong tương lai."),
    ],
)
def test_a_wrong_citizen_id_is_refused_with_the_reason(value: str, reason: str) -> None:
    with pytest.raises(DomainError) as exc:
        parse_citizen_id(value, today=TODAY)
    assert exc.value.message == reason
    assert exc.value.code == ErrorCode.CITIZEN_ID_INVALID
    assert exc.value.field == "citizen_id"
    assert not is_valid_citizen_id(value, today=TODAY)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(1990, 2400))
def test_the_quick_check_agrees_with_the_full_one(number: str, year: int) -> None:
    today = dt.date(year, 6, 1)
    assert citizen_id_ok(number, year) == is_valid_citizen_id(number, today=today)


@pytest.mark.parametrize(
    "value",
    [
        "+84 912 345 678",
        "84912345678",
        "0912.345.678",
        "0912-345-678",
        "(+84) 912345678",
        "0912345678",
        " 0912 345 678 ",
    ],
)
def test_mobile_numbers_are_normalised(value: str) -> None:
    assert normalise_phone(value) == "0912345678"
    assert is_valid_phone(value)


@pytest.mark.parametrize(
    "prefix",
    [
        *(f"03{d}" for d in "23456789"),
        *("052", "055", "056", "058", "059", "070", "076", "077", "078", "079"),
        *(f"08{d}" for d in "123456789"),
        *("090", "091", "092", "093", "094", "096", "097", "098", "099"),
    ],
)
def test_every_current_mobile_prefix_is_accepted(prefix: str) -> None:
    assert normalise_phone(f"{prefix}1234567") == f"{prefix}1234567"


@pytest.mark.parametrize(
    "prefix", ["031", "050", "051", "053", "057", "071", "075", "080", "095", "012", "024"]
)
def test_other_prefixes_are_refused(prefix: str) -> None:
    assert not is_valid_phone(f"{prefix}1234567")


@pytest.mark.parametrize(
    "value",
    ["12345", "0212345678", "0951234567", "091234567", "09123456789", "0912 345 67a", ""],
)
def test_a_wrong_mobile_number_is_refused(value: str) -> None:
    with pytest.raises(DomainError) as exc:
        normalise_phone(value)
    assert exc.value.message == (
        f"Số điện thoại di động không hợp lệ: {value}. Nhập 10 chữ số, ví dụ 0912 345 678."
    )
    assert exc.value.code == ErrorCode.PHONE_INVALID
    assert exc.value.field == "phone"
    assert not is_valid_phone(value)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("004085001234", "004******234"),
        ("123456789", "*******89"),
        ("12", "12"),
        ("", ""),
        (None, ""),
    ],
)
def test_citizen_ids_are_masked_in_lists(value: str | None, masked: str) -> None:
    assert mask_citizen_id(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("0912345678", "0912***678"), ("123456", "******"), ("", ""), (None, "")],
)
def test_phone_numbers_are_masked_in_lists(value: str | None, masked: str) -> None:
    assert mask_phone(value) == masked
