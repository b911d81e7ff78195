"""Vietnamese personal identifiers: the 12-digit citizen id (CCCD) and mobile numbers."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from buudien.core.errors import DomainError, ErrorCode

# Province-of-birth codes of the citizen id (Circular 59/2021/TT-BCA), the 63 pre-2025 provinces.
BIRTH_PROVINCES = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

MOBILE_PREFIXES = (
    {f"03{d}" for d in "23456789"}
    | {"052", "055", "056", "058", "059", "070", "076", "077", "078", "079"}
    | {f"08{d}" for d in "123456789"}
    | {"090", "091", "092", "093", "094", "096", "097", "098", "099"}
)

_SEPARATORS = re.compile(r"[\s.\-()]")
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")
_TEN_DIGITS = re.compile(r"[0-9]{10}")


@dataclass(frozen=True)
class CitizenId:
    """What a valid CCCD number tells: province of birth registration, sex, birth year."""

    number: str
    province_code: str
    province_name: str
    sex: Literal["male", "female"]
    birth_year: int


def _bad_id(message: str) -> DomainError:
    """The error shown next to the citizen id field."""
    return DomainError(message, code=ErrorCode.CITIZEN_ID_INVALID, field="citizen_id")


def parse_citizen_id(value: str, *, today: dt.date | None = None) -> CitizenId:
    """Check a 12-digit CCCD: province-of-birth code, century/sex digit and birth year."""
    number = re.sub(r"\s", "", value or "")
    if not _TWELVE_DIGITS.fullmatch(number):
        raise _bad_id("Số CCCD phải gồm đúng 12 chữ số.")
    province = number[:3]
    if province not in BIRTH_PROVINCES:
        raise _bad_id(f"Mã tỉnh nơi đăng ký khai sinh {province} trong số CCCD không tồn tại.")
    century_digit = int(number[3])
    year = 1900 + 100 * (century_digit // 2) + int(number[4:6])
    today = today or dt.date.today()
    if year > today.year:
        raise _bad_id(f"Năm sinh {year} trong số CCCD nằm trong tương lai.")
    return CitizenId(
        number=number,
        province_code=province,
        province_name=BIRTH_PROVINCES[province],
        sex="female" if century_digit % 2 else "male",
        birth_year=year,
    )


def citizen_id_ok(number: str, this_year: int) -> bool:
    """The quick test of an already clean id for long lists; `parse_citizen_id` says why not."""
    return (
        len(number) == 12
        and number.isascii()
        and number.isdigit()
        and number[:3] in BIRTH_PROVINCES
        and 1900 + 100 * (int(number[3]) // 2) + int(number[4:6]) <= this_year
    )


def is_valid_citizen_id(value: str, *, today: dt.date | None = None) -> bool:
    """True when `parse_citizen_id` accepts the value."""
    try:
        parse_citizen_id(value, today=today)
    except DomainError:
        return False
    return True


def normalise_phone(value: str) -> str:
    """A Vietnamese mobile number in its 10-digit national form (0912345678)."""
    digits = _SEPARATORS.sub("", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not (_TEN_DIGITS.fullmatch(digits) and digits[:3] in MOBILE_PREFIXES):
        raise DomainError(
            f"Số điện thoại di động không hợp lệ: {value}. Nhập 10 chữ số, ví dụ 0912 345 678.",
            code=ErrorCode.PHONE_INVALID,
            field="phone",
        )
    return digits


def is_valid_phone(value: str) -> bool:
    """True when `normalise_phone` accepts the value."""
    try:
        normalise_phone(value)
    except DomainError:
        return False
    return True


def mask_citizen_id(value: str | None) -> str:
    """Keep the first and last three digits: 004******234."""
    if not value:
        return ""
    if len(value) == 12:
        return value[:3] + "*" * 6 + value[-3:]
    return "*" * max(0, len(value) - 2) + value[-2:]


def mask_phone(value: str | None) -> str:
    """Keep the prefix and the last three digits: 0912***678."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 7) + value[-3:]


def is_uuid(value: Any) -> bool:
    """Whether a value is a UUID or reads as one (a key typed in a URL, say)."""
    if isinstance(value, uuid.UUID):
        return True
    try:
        uuid.UUID(str(value))
    except (ValueError, TypeError):
        return False
    return True
