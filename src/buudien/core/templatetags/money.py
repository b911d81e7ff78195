"""Template filters for integer đồng."""

from __future__ import annotations

from django import template

from buudien.core.money import format_number, format_report, format_vnd

register = template.Library()


def _whole(value: int | str | None) -> int | None:
    """The number to format; None for nothing to show. Text that is not a number (what a
    person typed into a form that came back with an error) is shown as typed."""
    if value is None or value == "":
        return None
    return int(value)


@register.filter
def dong(value: int | str | None) -> str:
    """1350000 → '1.350.000' (no symbol, for tables)."""
    try:
        number = _whole(value)
    except (TypeError, ValueError):
        return str(value)
    return "" if number is None else format_number(number)


@register.filter
def vnd(value: int | str | None) -> str:
    try:
        number = _whole(value)
    except (TypeError, ValueError):
        return str(value)
    return "" if number is None else format_vnd(number)


@register.filter
def report_money(value: int | str | None) -> str:
    try:
        number = _whole(value)
    except (TypeError, ValueError):
        return str(value)
    return "" if number is None else format_report(number)
