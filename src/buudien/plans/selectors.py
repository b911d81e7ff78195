"""Reads for plans and indicator values; figures come from rollups, never raw entries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q, Sum

from buudien.counter.models import MonthlyRollup, Service, UnitMonthRollup
from buudien.dossiers.selectors import counts_by_subtree
from buudien.network.models import PostUnit
from buudien.plans.models import Indicator, ManualValue, Plan
from buudien.plans.periods import Period

LINE_KEYS = {"revenue_delivery": "delivery", "revenue_finance": "finance", "revenue_media": "media"}
# Which units a unit's plan is allocated to.
CHILD_KINDS = {"province": ("area",), "area": ("commune_point",), "office": ("commune_point",)}


def indicators() -> list[Indicator]:
    return list(Indicator.objects.all())


def plannable(*, with_manual: bool = True) -> list[Indicator]:
    """Indicators a plan can be set for (not ratios); the finance office's only if allowed."""
    qs = Indicator.objects.exclude(aggregation=Indicator.Aggregation.RATIO)
    if not with_manual:
        qs = qs.exclude(source=Indicator.Source.MANUAL)
    return list(qs)


def units_below(
    *, unit: PostUnit, kinds: Sequence[str] | None = None, open_only: bool = True
) -> list[PostUnit]:
    """The units a unit's plan is allocated to (by default: its areas or its points)."""
    wanted = CHILD_KINDS.get(unit.kind, ()) if kinds is None else kinds
    qs = PostUnit.objects.filter(path__startswith=unit.path, kind__in=wanted).exclude(pk=unit.pk)
    if open_only:
        qs = qs.exclude(status=PostUnit.Status.CLOSED)
    return list(qs.order_by("code"))


def _month_range(period: Period) -> tuple[dt.date, dt.date]:
    return period.first_day, dt.date(period.year, period.months[-1], 1)


def rollup_totals(unit_paths: list[str], period: Period) -> dict[str, dict[str, int]]:
    """Revenue by line, entries and point revenue for each unit subtree, in one query.

    The rollups are grouped by unit id only (no join), then folded into the subtrees here.
    """
    start, end = _month_range(period)
    common = _common_prefix(unit_paths)
    units = {
        pk: (path, kind)
        for pk, path, kind in PostUnit.objects.filter(path__startswith=common).values_list(
            "pk", "path", "kind"
        )
    }
    rows = (
        UnitMonthRollup.objects.filter(month__gte=start, month__lte=end, unit_id__in=list(units))
        .values_list("unit_id", "line")
        .annotate(rev=Sum("revenue"), n=Sum("count"))
        .order_by()
    )
    out: dict[str, dict[str, int]] = {p: defaultdict(int) for p in unit_paths}  # type: ignore[misc]
    for unit_id, line, rev, n in rows:
        path, kind = units[unit_id]
        for p in unit_paths:
            if path.startswith(p):
                t = out[p]
                t["revenue_total"] += rev
                t[f"revenue_{line}"] += rev
                t["entries"] += n
                if kind == PostUnit.Kind.COMMUNE_POINT:
                    t["point_revenue"] += rev
    return out


def payouts_by_subtree(unit_paths: list[str], period: Period) -> dict[str, tuple[int, int]]:
    """Pensions and allowances paid (count, amount) from the ledger's monthly rollups."""
    start, end = _month_range(period)
    common = _common_prefix(unit_paths)
    paths = dict(PostUnit.objects.filter(path__startswith=common).values_list("pk", "path"))
    rows = (
        MonthlyRollup.objects.filter(
            month__gte=start,
            month__lte=end,
            unit_id__in=list(paths),
            service__kind=Service.Kind.PAYOUT,
        )
        .values_list("unit_id")
        .annotate(n=Sum("count"), out=Sum("cash_out"), back=Sum("cash_in"))
        .order_by()
    )
    data = [(paths[u], n, out - back) for u, n, out, back in rows]
    return {
        p: (
            sum(n for path, n, _ in data if path.startswith(p)),
            sum(a for path, _, a in data if path.startswith(p)),
        )
        for p in unit_paths
    }


def monthly_revenue(unit_path: str, period: Period) -> dict[int, int]:
    """Revenue of a subtree month by month (for the trend chart)."""
    start, end = _month_range(period)
    ids = PostUnit.objects.filter(path__startswith=unit_path).values("pk")
    rows = (
        UnitMonthRollup.objects.filter(month__gte=start, month__lte=end, unit_id__in=ids)
        .values_list("month")
        .annotate(rev=Sum("revenue"))
        .order_by("month")
    )
    return {month.month: rev for month, rev in rows}


def active_points(unit_path: str, on: dt.date) -> int:
    return active_points_many([unit_path], on)[unit_path]


def active_points_many(unit_paths: list[str], on: dt.date) -> dict[str, int]:
    """Commune points open on a day, for each subtree, from one query."""
    prefix = _common_prefix(unit_paths)
    paths = list(
        PostUnit.objects.filter(kind=PostUnit.Kind.COMMUNE_POINT, path__startswith=prefix)
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=on))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        .values_list("path", flat=True)
    )
    return {p: sum(1 for x in paths if x.startswith(p)) for p in unit_paths}


def _common_prefix(unit_paths: list[str]) -> str:
    common = min(unit_paths, key=len) if unit_paths else "/"
    for p in unit_paths:
        while not p.startswith(common):
            common = common[: common.rstrip("/").rfind("/") + 1] or "/"
    return common


def manual_totals(unit_paths: list[str], period: Period) -> dict[str, dict[str, int]]:
    rows = (
        ManualValue.objects.filter(year=period.year, month__in=period.months)
        .values("unit__path", "indicator_id", "indicator__aggregation")
        .annotate(total=Sum("value"), n=Count("pk"))
        .order_by()
    )
    sums: dict[str, dict[str, list[int]]] = {p: defaultdict(lambda: [0, 0]) for p in unit_paths}
    for r in rows:
        for p in unit_paths:
            if r["unit__path"].startswith(p):
                acc = sums[p][r["indicator_id"]]
                acc[0] += r["total"]
                acc[1] += r["n"]
    aggregation = {i.code: i.aggregation for i in Indicator.objects.filter(source="manual")}
    out: dict[str, dict[str, int]] = {}
    for p, per in sums.items():
        out[p] = {}
        for code, (total, n) in per.items():
            if aggregation.get(code) == Indicator.Aggregation.AVERAGE:
                out[p][code] = (total + n // 2) // n if n else 0
            else:
                out[p][code] = total
    return out


def values(units: list[PostUnit], period: Period) -> dict[Any, dict[str, int | None]]:
    """Every indicator's actual value for each unit's subtree over the period."""
    paths = [u.path for u in units]
    computed = rollup_totals(paths, period)
    for path, (received, returned) in counts_by_subtree(
        paths, period.first_day, period.last_day
    ).items():
        computed[path]["dossiers_received"] = received
        computed[path]["dossiers_returned"] = returned
    for path, (paid, amount) in payouts_by_subtree(paths, period).items():
        computed[path]["payouts_paid"] = paid
        computed[path]["payouts_amount"] = amount
    manual = manual_totals(paths, period)
    inds = indicators()
    points = (
        active_points_many(paths, period.last_day)
        if any(i.computed_key == "revenue_per_point_month" for i in inds)
        else {}
    )
    result: dict[Any, dict[str, int | None]] = {}
    for unit in units:
        c = computed[unit.path]
        m = manual[unit.path]
        vals: dict[str, int | None] = {}
        for ind in inds:
            if ind.aggregation == Indicator.Aggregation.RATIO:
                continue
            if ind.source == Indicator.Source.COMPUTED:
                if ind.computed_key == "revenue_per_point_month":
                    denom = points[unit.path] * len(period.months)
                    vals[ind.code] = (c["point_revenue"] + denom // 2) // denom if denom else None
                else:
                    vals[ind.code] = c.get(ind.computed_key, 0)
            elif ind.aggregation != Indicator.Aggregation.RATIO:
                vals[ind.code] = m.get(ind.code)
        for ind in inds:
            if ind.aggregation == Indicator.Aggregation.RATIO:
                num = vals.get(ind.numerator_id or "")
                den = vals.get(ind.denominator_id or "")
                scale = 100 if ind.measure == Indicator.Measure.PERCENT else 1
                vals[ind.code] = (
                    None if num is None or not den else ((num * scale * 2 + den) // (2 * den))
                )
        result[unit.pk] = vals
    return result


def plan_for(unit: PostUnit, indicator_code: str, period: Period) -> Plan | None:
    """The revision in force at the end of the period (the first one if none yet)."""
    revisions = list(
        Plan.objects.filter(unit=unit, indicator_id=indicator_code, year=period.year).order_by(
            "-revision"
        )
    )
    for plan in revisions:
        if plan.effective_from <= period.last_day:
            return plan
    return revisions[-1] if revisions else None


def plans_for(units: list[PostUnit], period: Period) -> dict[tuple[Any, str], Plan]:
    """The plan revision in force for each unit and indicator, in one query."""
    found: dict[tuple[Any, str], Plan] = {}
    first: dict[tuple[Any, str], Plan] = {}
    for plan in Plan.objects.filter(unit__in=units, year=period.year).order_by("revision"):
        key = (plan.unit_id, plan.indicator_id)
        first.setdefault(key, plan)
        if plan.effective_from <= period.last_day:
            found[key] = plan
    return first | found


def revisions(*, unit: PostUnit, year: int, with_manual: bool = True) -> list[Plan]:
    """Every revision of a unit's plans for a year; the finance office's only if allowed."""
    qs = Plan.objects.filter(unit=unit, year=year)
    if not with_manual:
        qs = qs.exclude(indicator__source=Indicator.Source.MANUAL)
    return list(
        qs.select_related("indicator", "created_by").order_by("indicator__order", "revision")
    )


def allocation_gap(
    *, parent: PostUnit, indicator: Indicator, year: int, kinds: Sequence[str] = ("area",)
) -> tuple[int, int]:
    """(parent target, sum of the children's targets) with the revisions in force."""
    period = Period(year, "year", 12)
    parent_plan = plan_for(parent, indicator.code, period)
    children = units_below(unit=parent, kinds=kinds, open_only=False)
    found = plans_for(children, period)
    total = sum(p.target for (_u, code), p in found.items() if code == indicator.code)
    return (parent_plan.target if parent_plan else 0), total


def allocation_gaps(
    *, unit: PostUnit, year: int, with_manual: bool
) -> list[tuple[Indicator, int, int, int]]:
    """For each indicator: the unit's target, its children's, and the difference."""
    kinds = CHILD_KINDS.get(unit.kind)
    if not kinds:
        return []
    gaps = []
    for ind in plannable(with_manual=with_manual):
        parent, children = allocation_gap(parent=unit, indicator=ind, year=year, kinds=kinds)
        if parent or children:
            gaps.append((ind, parent, children, parent - children))
    return gaps


def manual_rows(*, unit: PostUnit, year: int, month: int) -> list[tuple[Indicator, Any]]:
    """Each manual indicator with the unit's figure for the month (None when not entered)."""
    current = {
        v.indicator_id: v.value
        for v in ManualValue.objects.filter(unit=unit, year=year, month=month)
    }
    return [(i, current.get(i.code)) for i in Indicator.objects.filter(source="manual")]
