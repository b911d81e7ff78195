"""UPU S10 item identifiers: two service letters, an eight-digit serial, its check digit and
the country (RR123456785VN). A mistyped id is refused with what is wrong in it."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from buudien.core.errors import DomainError, ErrorCode

WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
COUNTRY = "VN"
_SHAPE = re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$")
_SEPARATORS = re.compile(r"[\s\-.]")


def check_digit(serial: str) -> int:
    """The S10 check digit of an eight-digit serial (weights 8 6 4 2 3 5 9 7, modulus 11)."""
    total = sum(int(d) * w for d, w in zip(serial, WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def make(prefix: str, serial: int, country: str = COUNTRY) -> str:
    """The S10 id of a serial under a service's two letters."""
    if not 0 <= serial < 10**8:
        raise ValueError(serial)
    digits = f"{serial:08d}"
    return f"{prefix}{digits}{check_digit(digits)}{country}"


def _bad(message: str) -> DomainError:
    return DomainError(message, code=ErrorCode.S10_INVALID, field="s10")


def parse(value: str) -> str:
    """The id as stored (upper case, no spaces), or a message that says what is wrong."""
    text = _SEPARATORS.sub("", value or "").upper()
    if not text:
        raise _bad(_("Hãy nhập số hiệu bưu gửi (ví dụ RR123456785VN)."))
    if len(text) != 13:
        raise _bad(
            _("Số hiệu bưu gửi có 13 ký tự (2 chữ, 9 số, 2 chữ); «%(id)s» có %(n)s ký tự.")
            % {"id": text[:20], "n": len(text)}
        )
    if not _SHAPE.match(text):
        raise _bad(
            _("Số hiệu «%(id)s» sai dạng: 2 chữ cái, 9 chữ số, rồi 2 chữ cái mã nước.")
            % {"id": text}
        )
    expected = check_digit(text[2:10])
    if int(text[10]) != expected:
        raise _bad(
            _("Số hiệu «%(id)s» sai số kiểm tra (chữ số thứ 11 phải là %(d)s): có thể gõ nhầm.")
            % {"id": text, "d": expected}
        )
    return text


def is_valid(value: str) -> bool:
    try:
        parse(value)
    except DomainError:
        return False
    return True
