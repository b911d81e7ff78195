"""Money is integer đồng: display, report style and words for receipts.

Numbers and report-style amounts follow the active language: '1.350.000' and '113 tỷ 298 triệu
đồng' in Vietnamese, '1,350,000' and '113.3 billion dong' in English. Amounts in words stay
Vietnamese (they are the legal wording of a receipt)."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext

from buudien.core.language import english as _english

TY = 1_000_000_000
TRIEU = 1_000_000
NGHIN = 1_000

DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
GROUPS = ["", "nghìn", "triệu", "tỷ"]
# The words a typed or imported amount may end with.
CURRENCY_WORDS = "₫|vnđ|vnd|đồng|đ"
_ENGLISH_UNITS = {"nghìn": "thousand", "triệu": "million", "tỷ": "billion"}


def format_number(amount: int) -> str:
    """Digits grouped for tables and counts: 1350000 → '1.350.000' ('1,350,000' in English)."""
    sign = "-" if amount < 0 else ""
    grouped = f"{abs(amount):,}"
    return sign + (grouped if _english() else grouped.replace(",", "."))


def format_tenths(tenths: int) -> str:
    """A count of tenths with its decimal mark: 68 → '6,8' ('6.8' in English), 70 → '7'."""
    whole, tenth = divmod(tenths, 10)
    mark = "." if _english() else ","
    return format_number(whole) + (f"{mark}{tenth}" if tenth else "")


def _report_english(amount: int) -> str:
    """'113.3 billion dong', '298.5 million dong', '12,500 dong'."""
    if amount < TRIEU:
        return f"{format_number(amount)} dong"
    millions = _round_to(amount * 10, TRIEU)
    if millions < 10_000:
        return f"{format_tenths(millions)} million dong"
    return f"{format_tenths(_round_to(amount * 10, TY))} billion dong"


def format_vnd(amount: int) -> str:
    """113298000000 → '113.298.000.000 ₫'."""
    return format_number(amount) + " ₫"


def _round_to(amount: int, unit: int) -> int:
    """Round a non-negative amount half up to a whole number of `unit`."""
    return (amount + unit // 2) // unit


def format_report(amount: int) -> str:
    """Report style: '113 tỷ 298 triệu đồng', rounded to millions from one tỷ up
    ('113.3 billion dong' in English)."""
    if amount < 0:
        return ("minus " if _english() else "âm ") + format_report(-amount)
    if _english():
        return _report_english(amount)
    if amount < NGHIN:
        return f"{amount} đồng"
    if amount < TY and _round_to(amount, NGHIN) * NGHIN < TY:
        thousands = _round_to(amount, NGHIN)
        trieu, nghin = divmod(thousands, 1000)
        parts = []
        if trieu:
            parts.append(f"{trieu} triệu")
        if nghin:
            parts.append(f"{nghin} nghìn")
        return " ".join(parts) + " đồng"
    millions = _round_to(amount, TRIEU)
    ty, trieu = divmod(millions, 1000)
    nghin_ty, ty = divmod(ty, 1000)
    parts = []
    if nghin_ty:
        parts.append(f"{nghin_ty} nghìn" + ("" if ty else " tỷ"))
    if ty:
        parts.append(f"{ty} tỷ")
    if trieu:
        parts.append(f"{trieu} triệu")
    return " ".join(parts) + " đồng"


_UNITS = {"nghìn": NGHIN, "triệu": TRIEU, "tỷ": TY}


def format_short(amount: int, unit: str = "triệu") -> str:
    """One decimal: 6_800_000 → '6,8 triệu đồng' ('6.8 million dong' in English)."""
    size = _UNITS.get(unit)
    if size is None:
        raise ValueError(f"Unknown unit {unit!r}; use one of {', '.join(_UNITS)}.")
    tenths = _round_to(abs(amount) * 10, size)
    sign = "-" if amount < 0 and tenths else ""
    if _english():
        return f"{sign}{format_tenths(tenths)} {_ENGLISH_UNITS[unit]} dong"
    return f"{sign}{format_tenths(tenths)} {unit} đồng"


def _three(n: int, *, full: bool) -> list[str]:
    """Words for 0-999; `full` reads a zero hundreds ('không trăm') inside a larger number."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if hundreds or full:
                words.append("linh")
            words.append(DIGITS[units])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _words(n: int) -> list[str]:
    """Words for any non-negative number; above a thousand tỷ the tỷ count is read again."""
    if n == 0:
        return ["không"]
    if n >= 1000 * TY:
        high, low = divmod(n, TY)
        words = [*_words(high), "tỷ"]
        if low:
            words += _groups(low, leading=False)
        return words
    return _groups(n, leading=True)


def _groups(n: int, *, leading: bool) -> list[str]:
    """Words for n < 1000 tỷ; `leading` is False for the tail after a repeated 'tỷ'."""
    groups = []
    while n:
        n, g = divmod(n, 1000)
        groups.append(g)
    if not leading:
        groups += [0] * (4 - len(groups))
    words: list[str] = []
    first = True
    for index in range(len(groups) - 1, -1, -1):
        g = groups[index]
        if g == 0:
            continue
        words += _three(g, full=not (first and leading))
        if GROUPS[index]:
            words.append(GROUPS[index])
        first = False
    return words


def amount_in_words(amount: int) -> str:
    """'Một trăm mười ba tỷ hai trăm chín mươi tám triệu đồng' for 113_298_000_000."""
    text = " ".join(_words(abs(amount))) + " đồng"
    if amount < 0:
        text = "âm " + text
    return text[0].upper() + text[1:]


# One separator used throughout ("1.500.000", "1 500 000") or none at all ("1500000").
_AMOUNT = re.compile(r"[0-9]{1,3}(?:([., ])[0-9]{3})(?:\1[0-9]{3})*|[0-9]+")
_CURRENCY = re.compile(rf"\s*(?:{CURRENCY_WORDS})$", re.IGNORECASE)
_NO_BREAK_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def parse_amount(text: str) -> int:
    """'1.500.000', '1,500,000', '1 500 000', '1500000 ₫' → 1500000; anything else is refused."""
    typed = unicodedata.normalize("NFC", text or "").translate(_NO_BREAK_SPACES).strip()
    cleaned = _CURRENCY.sub("", typed)
    if not _AMOUNT.fullmatch(cleaned):
        raise ValueError(
            gettext("Số tiền không hợp lệ: «%(text)s». Nhập số đồng, ví dụ 1.500.000.")
            % {"text": text}
        )
    return int(re.sub(r"[., ]", "", cleaned))
