"""Vietnamese personal identifiers (placeholder until the full module lands)."""

from __future__ import annotations

import re

from buudien.core.errors import DomainError, ErrorCode

_PREFIXES = (
    {f"03{d}" for d in "23456789"}
    | {"052", "055", "056", "058", "059", "070"}
    | {f"07{d}" for d in "6789"}
    | {f"08{d}" for d in "123456789"}
    | {f"09{d}" for d in "01234"}
    | {f"09{d}" for d in "6789"}
)


def normalise_phone(value: str) -> str:
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not (len(digits) == 10 and digits.isdigit() and digits[:3] in _PREFIXES):
        raise DomainError(
            f"Số điện thoại di động không hợp lệ: {value}. Nhập 10 chữ số, ví dụ 0912 345 678.",
            code=ErrorCode.PHONE_INVALID,
            field="phone",
        )
    return digits
