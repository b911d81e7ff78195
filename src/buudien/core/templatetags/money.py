"""Template filters for integer đồng."""

from __future__ import annotations

from django import template

from buudien.core.money import format_number, format_report, format_vnd

register = template.Library()


@register.filter
def dong(value: int | str | None) -> str:
    """1350000 → '1.350.000' (no symbol, for tables)."""
    if value is None or value == "":
        return ""
    return format_number(int(value))


@register.filter
def vnd(value: int | str | None) -> str:
    if value is None or value == "":
        return ""
    return format_vnd(int(value))


@register.filter
def report_money(value: int | str | None) -> str:
    if value is None or value == "":
        return ""
    return format_report(int(value))
