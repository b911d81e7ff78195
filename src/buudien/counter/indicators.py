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
    return compute_months(user=user, codes=codes, unit_paths=unit_paths, spans=[(start, end)])[0]


def compute_months(
    *,
    user: Actor,
    codes: frozenset[str],
    unit_paths: Sequence[str],
    spans: Sequence[tuple[dt.date, dt.date]],
) -> list[dict[str, dict[str, int | None]]]:
    """The same figures for several spans of whole months (a trend line) from one read of
    the rollups; each span adds up its units as they were then."""
    networks = [
        network_selectors.network_then(user=user, paths=unit_paths, first_day=a, last_day=b)
        for a, b in spans
    ]
    units = {u.pk for network in networks for u in network.units}
    rows = (
        UnitMonthRollup.objects.filter(
            month__gte=min(a for a, _b in spans).replace(day=1),
            month__lte=max(b for _a, b in spans),
            unit_id__in=list(units),
        )
        .values_list("month", "unit_id", "line")
        .annotate(revenue=Sum("revenue"), n=Sum("count"))
        .order_by()
    )
    read = list(rows)
    return [
        _figures(
            network,
            [r[1:] for r in read if start.replace(day=1) <= r[0] <= end],
            codes,
            unit_paths,
            (start, end),
        )
        for network, (start, end) in zip(networks, spans, strict=True)
    ]


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
