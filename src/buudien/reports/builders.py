"""Report data: plan versus actual with drill-down, and the commune-point network report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum

from buudien.core.permissions import Target, require
from buudien.core.scoping import scoped
from buudien.counter.models import UnitMonthRollup
from buudien.network.models import CommunePointProfile, PostUnit
from buudien.plans import selectors as plan_selectors
from buudien.plans.models import Indicator, ManualValue, Plan
from buudien.plans.periods import Period

CHILD_KIND = {"province": "area", "area": "office", "office": "commune_point"}
LINES = [("DT_BCCP", "delivery"), ("DT_TCBC", "finance"), ("DT_PPTT", "media")]


def pct(actual: int | None, base: int | None) -> int | None:
    """A whole percentage, rounded half up, as the published reports give it."""
    if actual is None or not base:
        return None
    return (actual * 200 + base) // (2 * base)


@dataclass
class Row:
    indicator: Indicator
    actual: int | None
    plan: int | None
    last_year: int | None
    plan_label: str = ""

    @property
    def pct_plan(self) -> int | None:
        return pct(self.actual, self.plan)

    @property
    def pct_last_year(self) -> int | None:
        return pct(self.actual, self.last_year)

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator.code,
            "name": self.indicator.name,
            "measure": self.indicator.measure,
            "actual": self.actual,
            "plan": self.plan,
            "pct_plan": self.pct_plan,
            "same_period_last_year": self.last_year,
            "pct_last_year": self.pct_last_year,
            "plan_revision": self.plan_label,
        }


@dataclass
class ChildRow:
    unit: PostUnit
    rows: dict[str, Row]


@dataclass
class PlanActualReport:
    unit: PostUnit
    period: Period
    rows: list[Row]
    children: list[ChildRow] = field(default_factory=list)
    monthly: list[tuple[int, int, int | None]] = field(default_factory=list)

    def row(self, code: str) -> Row | None:
        return next((r for r in self.rows if r.indicator.code == code), None)

    @property
    def plan_labels(self) -> list[str]:
        return sorted({r.plan_label for r in self.rows if r.plan_label})

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": {"code": self.unit.code, "name": self.unit.name, "kind": self.unit.kind},
            "period": {
                "label": self.period.label,
                "year": self.period.year,
                "months": list(self.period.months),
            },
            "rows": [r.as_dict() for r in self.rows],
            "children": [
                {
                    "code": c.unit.code,
                    "name": c.unit.name,
                    "rows": [r.as_dict() for r in c.rows.values()],
                }
                for c in self.children
            ],
            "monthly_revenue": [{"month": m, "actual": a, "plan": p} for m, a, p in self.monthly],
        }


def _rows(units: list[PostUnit], period: Period, inds: list[Indicator]) -> dict[Any, list[Row]]:
    now = plan_selectors.values(units, period)
    before = plan_selectors.values(units, period.last_year())
    return _rows_from(units, period, inds, now, before)


def _rows_from(
    units: list[PostUnit],
    period: Period,
    inds: list[Indicator],
    now: dict[Any, dict[str, int | None]],
    before: dict[Any, dict[str, int | None]],
) -> dict[Any, list[Row]]:
    plans = plan_selectors.plans_for(units, period)
    out: dict[Any, list[Row]] = {}
    for unit in units:
        rows = []
        for ind in inds:
            plan = plans.get((unit.pk, ind.code))
            plan_value = None
            if plan is not None:
                plan_value = plan.for_months(list(period.months))
                if ind.aggregation != Indicator.Aggregation.SUM:
                    plan_value = plan.target
            rows.append(
                Row(
                    indicator=ind,
                    actual=now[unit.pk].get(ind.code),
                    plan=plan_value,
                    last_year=before[unit.pk].get(ind.code),
                    plan_label=plan.label if plan else "",
                )
            )
        out[unit.pk] = rows
    return out


def plan_vs_actual(
    user: Any, unit: PostUnit, period: Period, *, with_children: bool = True
) -> PlanActualReport:
    """Actual, plan, % of plan, same period last year and % of it, with the children."""
    require(user, "reports.view", Target(path=unit.path))
    inds = plan_selectors.indicators()
    children: list[PostUnit] = []
    if CHILD_KIND.get(unit.kind) and with_children:
        below = PostUnit.objects.filter(parent=unit)
        if unit.kind == "area":  # an area's drill-down goes straight to its offices and points
            below = PostUnit.objects.filter(
                path__startswith=unit.path, kind__in=["office", "commune_point"]
            ).exclude(pk=unit.pk)
        children = list(scoped(below, user).order_by("path"))
    everyone = [unit, *children]
    now = plan_selectors.values(everyone, period)
    before = plan_selectors.values(everyone, period.last_year())
    rows = _rows_from([unit], period, inds, now, before)[unit.pk]
    report = PlanActualReport(unit=unit, period=period, rows=rows)
    if children:
        revenue = [i for i in inds if i.code in {"DT_TONG", "DT_BCCP", "DT_TCBC", "DT_PPTT"}]
        child_rows = _rows_from(children, period, revenue, now, before)
        report.children = [
            ChildRow(c, {r.indicator.code: r for r in child_rows[c.pk]}) for c in children
        ]
    plan = plan_selectors.plan_for(unit, "DT_TONG", period)
    by_month = plan_selectors.monthly_revenue(unit.path, period)
    report.monthly = [
        (m, by_month.get(m, 0), int(plan.monthly[m - 1]) if plan else None) for m in period.months
    ]
    return report


@dataclass
class NetworkReport:
    unit: PostUnit
    period: Period
    points: int
    by_model: dict[str, int]
    by_area_class: dict[str, int]
    average_per_point_month: int | None
    average_last_year: int | None
    distribution: list[tuple[str, int]]
    top: list[tuple[PostUnit, int]]
    bottom: list[tuple[PostUnit, int]]
    above: dict[int, int]
    conversions: int
    no_internet: int
    no_mobile_data: int
    offline: int
    clerk_income: int | None
    thresholds: tuple[int, ...] = (20_000_000, 40_000_000)

    def share_above(self, threshold: int) -> int:
        return pct(self.above.get(threshold, 0), self.points) or 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code,
            "period": self.period.label,
            "points": self.points,
            "by_model": self.by_model,
            "by_area_class": self.by_area_class,
            "average_revenue_per_point_month": self.average_per_point_month,
            "average_revenue_per_point_month_last_year": self.average_last_year,
            "distribution": [{"band": b, "points": n} for b, n in self.distribution],
            "top": [{"code": u.code, "name": u.name, "revenue_per_month": v} for u, v in self.top],
            "bottom": [
                {"code": u.code, "name": u.name, "revenue_per_month": v} for u, v in self.bottom
            ],
            "above": {str(k): v for k, v in self.above.items()},
            "conversions_to_multi_service": self.conversions,
            "no_internet": self.no_internet,
            "no_mobile_data": self.no_mobile_data,
            "offline": self.offline,
            "clerk_income": self.clerk_income,
        }


BANDS = [
    (0, 5_000_000, "dưới 5 triệu"),
    (5_000_000, 10_000_000, "5–10 triệu"),
    (10_000_000, 20_000_000, "10–20 triệu"),
    (20_000_000, 40_000_000, "20–40 triệu"),
    (40_000_000, 10**18, "trên 40 triệu"),
]


def network_report(user: Any, unit: PostUnit, period: Period) -> NetworkReport:
    """Commune points: models, hardship, revenue per point per month, ranking, gaps."""
    require(user, "reports.view", Target(path=unit.path))
    P = CommunePointProfile  # noqa: N806 - a short alias for the choices
    rows = list(
        PostUnit.objects.filter(kind="commune_point", path__startswith=unit.path).values_list(
            "pk",
            "code",
            "name",
            "status",
            "opened_on",
            "closed_on",
            "profile__operating_model",
            "profile__converted_on",
            "profile__area_class",
            "profile__internet_type",
            "profile__mobile_coverage",
        )
    )
    last_period = period.last_year()
    months = len(period.months)

    def active_on(day: Any) -> int:
        return sum(
            1 for r in rows if (r[4] is None or r[4] <= day) and (r[5] is None or r[5] > day)
        )

    open_rows = [r for r in rows if r[3] != PostUnit.Status.CLOSED]
    points = [PostUnit(pk=r[0], code=r[1], name=r[2], kind="commune_point") for r in open_rows]
    revenue: dict[Any, int] = {}
    last_revenue = 0
    start = last_period.first_day
    end = period.first_day.replace(month=period.months[-1])
    current = {(period.year, m) for m in period.months}
    previous = {(last_period.year, m) for m in last_period.months}
    for unit_id, month, rev in (
        UnitMonthRollup.objects.filter(
            unit_id__in=[r[0] for r in rows], month__gte=start, month__lte=end
        )
        .values_list("unit_id", "month")
        .annotate(rev=Sum("revenue"))
        .order_by()
    ):
        if (month.year, month.month) in current:
            revenue[unit_id] = revenue.get(unit_id, 0) + rev
        elif (month.year, month.month) in previous:
            last_revenue += rev
    per_month = {p.pk: (revenue.get(p.pk, 0) + months // 2) // months for p in points}
    ranked = sorted(points, key=lambda p: (-per_month[p.pk], p.code))
    denom = active_on(period.last_day) * months
    denom_last = active_on(last_period.last_day) * months
    average = (sum(revenue.values()) + denom // 2) // denom if denom else None
    average_last = (last_revenue + denom_last // 2) // denom_last if denom_last else None
    labels = dict(P.AreaClass.choices)
    by_class = {str(label): 0 for label in labels.values()}
    for r in open_rows:
        if r[8]:
            by_class[str(labels[r[8]])] += 1
    no_mobile = {P.Coverage.NONE, P.Coverage.G2}
    incomes = list(
        ManualValue.objects.filter(
            unit_id__in=[p.pk for p in points],
            indicator_id="THU_NHAP_BQ",
            year=period.year,
            month__in=period.months,
        ).values_list("value", flat=True)
    )
    multi = sum(1 for r in open_rows if r[6] == P.OperatingModel.MULTI_SERVICE)
    return NetworkReport(
        unit=unit,
        period=period,
        points=len(points),
        by_model={"Đa dịch vụ": multi, "Truyền thống": len(points) - multi},
        by_area_class=by_class,
        average_per_point_month=average,
        average_last_year=average_last,
        distribution=[
            (label, sum(1 for p in points if lo <= per_month[p.pk] < hi)) for lo, hi, label in BANDS
        ],
        top=[(p, per_month[p.pk]) for p in ranked[:10]],
        bottom=[(p, per_month[p.pk]) for p in ranked[-10:][::-1]],
        above={t: sum(1 for p in points if per_month[p.pk] > t) for t in (20_000_000, 40_000_000)},
        conversions=sum(1 for r in open_rows if r[7] and r[7].year == period.year),
        no_internet=sum(1 for r in open_rows if r[9] == P.InternetType.NONE),
        no_mobile_data=sum(1 for r in open_rows if r[10] in no_mobile),
        offline=sum(1 for r in open_rows if r[9] == P.InternetType.NONE and r[10] in no_mobile),
        clerk_income=(sum(incomes) + len(incomes) // 2) // len(incomes) if incomes else None,
    )


def plans_in_use(unit: PostUnit, year: int) -> list[Plan]:
    return list(Plan.objects.filter(unit=unit, year=year).order_by("indicator__order", "revision"))
