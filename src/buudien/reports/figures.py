"""How a figure reads: the same words and signs on the page, in the workbook, the PDF and prose.

- an amount of money: '113 tỷ 298 triệu đồng'; a loss: 'lỗ 1 tỷ 500 triệu đồng';
- a figure per person or per point: '216,9 triệu đồng/người';
- a share of another figure: '71,1%', compared with the plan and last year in percentage
  points ('tăng 2,3 điểm phần trăm'), never as a ratio of ratios;
- attainment of a plan: '95%', except where a percentage means nothing (a planned loss, an
  actual loss): then in words ('lỗ ít hơn kế hoạch 500 triệu đồng').
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext

from buudien.core.money import format_number, format_report, format_short, format_tenths
from buudien.plans.numbers import PERCENT_SCALE

if TYPE_CHECKING:
    from buudien.plans.models import Indicator

PLAN, LAST_YEAR = "plan", "last_year"


def _tenths(hundredths: int) -> str:
    """Hundredths as a number with at most one decimal: 7112 → '71,1' ('71.1' in English)."""
    tenths = (abs(hundredths) * 2 + 10) // 20
    sign = "-" if hundredths < 0 and tenths else ""
    return sign + format_tenths(tenths)


def percent(value: int) -> str:
    """A share in hundredths of a percent: 7112 → '71,1%'."""
    return _tenths(value * 100 // PERCENT_SCALE) + "%"


def pct(actual: int | None, base: int | None) -> int | None:
    """A whole percentage, rounded half up, as the published reports give it; none when a
    percentage means nothing (no base, a base of zero or less, an actual loss)."""
    if actual is None or base is None or base <= 0 or actual < 0:
        return None
    return (actual * 200 + base) // (2 * base)


def amount(ind: Indicator, value: int | None) -> str:
    """A figure in prose, with its unit: '113 tỷ 298 triệu đồng', '71,1%', '15.959 lượt người'."""
    if value is None:
        return "–"
    if ind.is_share:
        return percent(value)
    if ind.in_dong:
        if ind.per_unit or ind.is_ratio:
            return format_short(value) + ind.per_unit
        if value < 0:
            return gettext("lỗ %(amount)s") % {"amount": format_report(-value)}
        return format_report(value)
    return f"{format_number(value)} {ind.get_measure_display()}"


def cell(ind: Indicator, value: int | None) -> str:
    """A figure in a table: '113.298.200.000', '71,1%', '–' when there is none."""
    if value is None:
        return "–"
    if ind.is_share:
        return percent(value)
    return format_number(value)


def short(ind: Indicator, value: int | None) -> str:
    """A figure on a tile, with its unit: '113.298,2 triệu đồng', '71,1%', '1.204 giao dịch'."""
    if value is None:
        return "–"
    if ind.is_share:
        return percent(value)
    if ind.in_dong:
        return format_short(value) + ind.per_unit
    return f"{format_number(value)} {ind.get_measure_display()}"


def _loss(actual: int, base: int, what: str) -> str:
    """A comparison where a percentage means nothing: a planned loss, or a loss for a profit."""
    if base < 0 <= actual:
        return gettext("có lãi trong khi %(what)s lỗ %(amount)s") % {
            "what": what,
            "amount": format_report(-base),
        }
    if base > 0:
        return gettext("%(what)s lãi %(amount)s") % {"what": what, "amount": format_report(base)}
    if base == 0:
        return gettext("%(what)s hòa vốn") % {"what": what}
    if actual == base:
        return gettext("bằng %(what)s") % {"what": what}
    less = gettext("lỗ ít hơn %(what)s %(amount)s")
    more = gettext("lỗ nhiều hơn %(what)s %(amount)s")
    return (less if actual > base else more) % {
        "what": what,
        "amount": format_report(abs(actual - base)),
    }


def against(
    ind: Indicator, actual: int | None, base: int | None, *, to: str, short: bool = False
) -> str:
    """How the actual stands against the plan or last year, in prose or (short) in a table.

    'đạt 95% KH' / '95%'; 'tăng 2,3 điểm phần trăm so với KH' / '+2,3 điểm %';
    'lỗ ít hơn KH 500 triệu đồng'; '' when there is nothing to compare."""
    if actual is None or base is None:
        return ""
    what = gettext("KH") if to == PLAN else gettext("cùng kỳ")
    if ind.is_share:
        diff = actual - base
        if short:
            return ("+" if diff > 0 else "") + _tenths(diff) + " " + gettext("điểm %")
        if not diff:
            return gettext("bằng %(what)s") % {"what": what}
        up = gettext("tăng %(points)s điểm phần trăm so với %(what)s")
        down = gettext("giảm %(points)s điểm phần trăm so với %(what)s")
        return (up if diff > 0 else down) % {"points": _tenths(abs(diff)), "what": what}
    value = pct(actual, base)
    if value is not None:
        if short:
            return f"{value}%"
        if to == PLAN:
            return gettext("đạt %(pct)s%% %(what)s") % {"pct": value, "what": what}
        return gettext("bằng %(pct)s%% so với %(what)s") % {"pct": value, "what": what}
    if ind.signed:
        return _loss(actual, base, what)
    return ""
