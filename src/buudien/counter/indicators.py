"""The counter's indicators: revenue by business line, transactions, revenue per commune point.

Registered with the plans through this module (see `plans.registry`); figures come from the
ledger's monthly rollups, added up the unit tree as it was over the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Sum

from buudien.core.scoping import Actor
from buudien.counter.models import Line, UnitMonthRollup
from buudien.network import selectors as network_selectors

INDICATORS = (  # code, measure, how it adds up the tree
    ("DT_TONG", "dong", "sum"),
    ("DT_BCCP", "dong", "sum"),
    ("DT_TCBC", "dong", "sum"),
    ("DT_PPTT", "dong", "sum"),
    ("SO_GD", "count", "sum"),
    ("DT_DIEM", "dong", "ratio"),  # point revenue / months the points were open
)
BY_LINE = {Line.DELIVERY: "DT_BCCP", Line.FINANCE: "DT_TCBC", Line.MEDIA: "DT_PPTT"}
POINT = "commune_point"


def compute(
    *,
    user: Actor,
    codes: frozenset[str],
    unit_paths: Sequence[str],
    start: dt.date,
    end: dt.date,
) -> dict[str, dict[str, int | None]]:
    """Each subtree's revenue by line, transactions and revenue per point per month."""
    network = network_selectors.network_then(
        user=user, paths=unit_paths, first_day=start, last_day=end
    )
    rows = _read({u.pk for u in network.units}, start, end, by_month=False)
    return _figures(network, rows, codes, unit_paths, (start, end))


def compute_months(
    *,
    user: Actor,
    codes: frozenset[str],
    unit_paths: Sequence[str],
    spans: Sequence[tuple[dt.date, dt.date]],
) -> list[dict[str, dict[str, int | None]]]:
    """The same figures for several spans of whole months (a trend line) from one read of
    the rollups; each span adds up its units as they were then."""
    networks = network_selectors.networks_then(user=user, paths=unit_paths, spans=spans)
    units = {u.pk for network in networks for u in network.units}
    first, last = min(a for a, _b in spans), max(b for _a, b in spans)
    by_month: dict[dt.date, list[Sequence[Any]]] = {}
    for month, *row in _read(units, first, last, by_month=True):
        by_month.setdefault(month, []).append(row)
    return [
        _figures(
            network,
            [row for month, rows in by_month.items() if a <= month <= b for row in rows],
            codes,
            unit_paths,
            (a, b),
        )
        for network, (a, b) in zip(networks, spans, strict=True)
    ]


def _read(units: set[Any], start: dt.date, end: dt.date, *, by_month: bool) -> list[Any]:
    """The rollups' (unit, line, revenue, count) over whole months, each month apart or not
    (then with the month first)."""
    keys = ("month", "unit_id", "line") if by_month else ("unit_id", "line")
    return list(
        UnitMonthRollup.objects.filter(
            month__gte=start.replace(day=1), month__lte=end, unit_id__in=list(units)
        )
        .values_list(*keys)
        .annotate(revenue=Sum("revenue"), n=Sum("count"))
        .order_by()
    )


def _figures(
    network: network_selectors.NetworkThen,
    rows: Sequence[Sequence[Any]],
    codes: frozenset[str],
    unit_paths: Sequence[str],
    span: tuple[dt.date, dt.date],
) -> dict[str, dict[str, int | None]]:
    """A span's figures for each subtree, from its rollup rows (unit, line, revenue, count)."""
    kinds = {u.pk: u.kind for u in network.units}
    by_unit: dict[Any, dict[str, int]] = {}
    for unit_id, line, revenue, n in rows:
        if unit_id not in kinds:
            continue
        figures = by_unit.setdefault(unit_id, {})
        for key, value in (("DT_TONG", revenue), (BY_LINE[line], revenue), ("SO_GD", n)):
            figures[key] = figures.get(key, 0) + value
        if kinds[unit_id] == POINT:
            figures["point_revenue"] = figures.get("point_revenue", 0) + revenue
    if "DT_DIEM" in codes:
        for u in network.units:
            if u.kind == POINT:
                figures = by_unit.setdefault(u.pk, {})
                figures["point_months"] = u.months_open(*span)
    totals = network.add_up(by_unit, unit_paths)
    out: dict[str, dict[str, int | None]] = {}
    for path, t in totals.items():
        months = t.get("point_months", 0)
        out[path] = {code: t.get(code, 0) for code in codes if code != "DT_DIEM"}
        if "DT_DIEM" in codes:
            out[path]["DT_DIEM"] = (
                (t.get("point_revenue", 0) * 2 + months) // (2 * months) if months else None
            )
    return out
