"""Report data: plan versus actual with drill-down, and the commune-point network report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext, gettext_lazy

from buudien.core.permissions import Target, require
from buudien.core.scoping import Actor, scope_of
from buudien.network import selectors as network_selectors
from buudien.network.selectors import UnitThen
from buudien.plans import selectors as plan_selectors
from buudien.plans.numbers import PERCENT_SCALE
from buudien.plans.periods import Period
from buudien.reports import figures
from buudien.reports.figures import LAST_YEAR, PLAN

if TYPE_CHECKING:
    from buudien.network.models import PostUnit
    from buudien.plans.models import Indicator

REVENUE = ("DT_TONG", "DT_BCCP", "DT_TCBC", "DT_PPTT")
# What the manager's home shows at a glance: the revenue, its three lines, the finance share.
AT_A_GLANCE = (*REVENUE, "TT_TCBC")
pct = figures.pct


def _api_number(ind: Indicator, value: int | None) -> int | float | None:
    """A figure for the API: a share as a percentage (71.12), anything else as it is."""
    if value is None or not ind.is_share:
        return value
    return round(value / PERCENT_SCALE, 2)


@dataclass
class Row:
    indicator: Indicator
    actual: int | None
    plan: int | None
    last_year: int | None
    plan_label: str = ""

    @property
    def pct_plan(self) -> int | None:
        """Attainment of the plan in %; none for a share (compared in points) or a loss."""
        return None if self.indicator.is_share else pct(self.actual, self.plan)

    @property
    def pct_last_year(self) -> int | None:
        return None if self.indicator.is_share else pct(self.actual, self.last_year)

    def _points(self, base: int | None) -> int | None:
        if not self.indicator.is_share or self.actual is None or base is None:
            return None
        return self.actual - base

    @property
    def points_vs_plan(self) -> int | None:
        """A share's difference from its plan, in hundredths of a percentage point."""
        return self._points(self.plan)

    @property
    def points_vs_last_year(self) -> int | None:
        return self._points(self.last_year)

    @property
    def shown_actual(self) -> str:
        return figures.cell(self.indicator, self.actual)

    @property
    def shown_plan(self) -> str:
        return figures.cell(self.indicator, self.plan)

    @property
    def shown_last_year(self) -> str:
        return figures.cell(self.indicator, self.last_year)

    @property
    def short_actual(self) -> str:
        return figures.short(self.indicator, self.actual)

    @property
    def short_plan(self) -> str:
        return figures.short(self.indicator, self.plan)

    @property
    def vs_plan(self) -> str:
        """'95%', '+2,3 điểm %', 'lỗ ít hơn KH 500 triệu đồng' (for tables)."""
        return figures.against(self.indicator, self.actual, self.plan, to=PLAN, short=True)

    @property
    def vs_last_year(self) -> str:
        return figures.against(
            self.indicator, self.actual, self.last_year, to=LAST_YEAR, short=True
        )

    def as_dict(self) -> dict[str, Any]:
        ind = self.indicator
        points = (self.points_vs_plan, self.points_vs_last_year)
        return {
            "indicator": ind.code,
            "name": ind.name,
            "measure": ind.measure,
            "actual": _api_number(ind, self.actual),
            "plan": _api_number(ind, self.plan),
            "pct_plan": self.pct_plan,
            "same_period_last_year": _api_number(ind, self.last_year),
            "pct_last_year": self.pct_last_year,
            "points_vs_plan": None if points[0] is None else round(points[0] / 100, 2),
            "points_vs_last_year": None if points[1] is None else round(points[1] / 100, 2),
            "against_plan": figures.against(ind, self.actual, self.plan, to=PLAN),
            "against_last_year": figures.against(ind, self.actual, self.last_year, to=LAST_YEAR),
            "plan_revision": self.plan_label,
        }


def _total(values: list[int | None]) -> int | None:
    return None if not values or any(v is None for v in values) else sum(v or 0 for v in values)


def _sum_rows(rows: list[Row]) -> Row:
    """Rows of one money indicator added up: actual, plan and last year (a plan only when
    every row has one)."""
    return Row(
        indicator=rows[0].indicator,
        actual=_total([r.actual for r in rows]),
        plan=_total([r.plan for r in rows]),
        last_year=_total([r.last_year for r in rows]),
    )


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
    plan_warning: str = ""

    def row(self, code: str) -> Row | None:
        return next((r for r in self.rows if r.indicator.code == code), None)

    @property
    def children_total(self) -> dict[str, Row]:
        """The revenue of the children added up, each subtree once (a point under a listed
        office is not counted again)."""
        paths = [c.unit.path for c in self.children]
        tops = [
            c
            for c in self.children
            if not any(p != c.unit.path and c.unit.path.startswith(p) for p in paths)
        ]
        return {
            code: _sum_rows([c.rows[code] for c in tops if code in c.rows])
            for code in REVENUE
            if tops
        }

    @property
    def line_rows(self) -> list[Row]:
        """The three business lines, for the table whose total is the total revenue."""
        return [r for c in REVENUE[1:] if (r := self.row(c)) is not None]

    @property
    def lines_total(self) -> Row | None:
        rows = self.line_rows
        return _sum_rows(rows) if rows else None

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
            "plan_warning": self.plan_warning,
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


def _rows(
    *, user: Actor, units: list[PostUnit], period: Period, inds: list[Indicator]
) -> dict[Any, list[Row]]:
    """Each unit's rows: actual, plan and last year's figure of each indicator."""
    codes = [i.code for i in inds]
    now = plan_selectors.values(user=user, units=units, period=period, codes=codes)
    before = plan_selectors.values(user=user, units=units, period=period.last_year(), codes=codes)
    plans = plan_selectors.planned(units=units, period=period)
    return {
        u.pk: [
            Row(
                indicator=ind,
                actual=now[u.pk].get(ind.code),
                plan=plans[u.pk][ind.code].value,
                last_year=before[u.pk].get(ind.code),
                plan_label=plans[u.pk][ind.code].label,
            )
            for ind in inds
        ]
        for u in units
    }


def _children(user: Actor, unit: PostUnit) -> list[PostUnit]:
    """The units a report drills down to: its children, except that an area's go straight to
    its offices and points."""
    if unit.kind != "area":
        return list(network_selectors.children(user=user, unit=unit))
    scope = scope_of(user)
    below = network_selectors.units_under(
        unit=unit, kinds=["office", "commune_point"], open_only=False
    )
    return sorted((u for u in below if scope.covers(u.path)), key=lambda u: u.path)


def _monthly(user: Actor, unit: PostUnit, period: Period) -> list[tuple[int, int, int | None]]:
    """Total revenue month by month with the month's plan (for the trend chart)."""
    plan = plan_selectors.plan_for(unit, "DT_TONG", period)
    found = plan_selectors.monthly_values(
        user=user, unit_path=unit.path, year=period.year, months=period.months, code="DT_TONG"
    )
    return [
        (m, found.get(m) or 0, int(plan.monthly[m - 1]) if plan else None) for m in period.months
    ]


def plan_vs_actual(
    user: Actor,
    unit: PostUnit,
    period: Period,
    *,
    with_children: bool = True,
    codes: tuple[str, ...] = (),
    with_monthly: bool = True,
) -> PlanActualReport:
    """Actual, plan, % of plan, same period last year and % of it, with the children; only
    the indicators asked for (`codes`), all of them by default."""
    require(user, "reports.view", Target(path=unit.path))
    every = plan_selectors.indicators()
    inds = [i for i in every if i.code in codes] if codes else list(every)
    children = _children(user, unit) if with_children else []
    if children:  # the children's revenue comes from the same reads as the unit's figures
        inds += [i for i in every if i.code in REVENUE and i not in inds]
    rows = _rows(user=user, units=[unit, *children], period=period, inds=inds)
    report = PlanActualReport(unit=unit, period=period, rows=rows[unit.pk])
    report.plan_warning = plan_selectors.revenue_plan(unit=unit, year=period.year).problem
    report.children = [
        ChildRow(c, {r.indicator.code: r for r in rows[c.pk] if r.indicator.code in REVENUE})
        for c in children
    ]
    if with_monthly:
        report.monthly = _monthly(user, unit, period)
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
    top: list[tuple[UnitThen, int]]
    bottom: list[tuple[UnitThen, int]]
    above: dict[int, int]
    conversions: int
    no_internet: int
    no_mobile_data: int
    offline: int
    clerk_income: int | None
    thresholds: tuple[int, ...] = (20_000_000, 40_000_000)
    multi_service: int = 0

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
    (0, 5_000_000, gettext_lazy("dưới 5 triệu")),
    (5_000_000, 10_000_000, gettext_lazy("5–10 triệu")),
    (10_000_000, 20_000_000, gettext_lazy("10–20 triệu")),
    (20_000_000, 40_000_000, gettext_lazy("20–40 triệu")),
    (40_000_000, 10**18, gettext_lazy("trên 40 triệu")),
]


def _per_point_month(user: Actor, points: tuple[UnitThen, ...], period: Period) -> dict[Any, int]:
    """Each point's revenue per month it was open in the period."""
    found = plan_selectors.values_by_path(
        user=user, unit_paths=[p.path for p in points], period=period, codes=["DT_TONG"]
    )
    out = {}
    for p in points:
        months = p.months_open(period.first_day, period.last_day) or 1
        out[p.pk] = ((found[p.path].get("DT_TONG") or 0) * 2 + months) // (2 * months)
    return out


def _average_per_point(
    user: Actor, unit: PostUnit, period: Period, report: PlanActualReport | None
) -> tuple[int | None, int | None]:
    """Revenue per point per month, in the period and a year before (read off the plan report
    when it has the figure, so it is not read twice)."""
    row = report.row("DT_DIEM") if report is not None else None
    if row is not None:
        return row.actual, row.last_year
    found = [
        plan_selectors.values(user=user, units=[unit], period=when, codes=["DT_DIEM"])[unit.pk].get(
            "DT_DIEM"
        )
        for when in (period, period.last_year())
    ]
    return found[0], found[1]


def network_report(
    user: Actor, unit: PostUnit, period: Period, *, report: PlanActualReport | None = None
) -> NetworkReport:
    """Commune points as they were over the period: models, hardship, revenue per point per
    month, ranking, gaps. A past year's report counts the points open then, as they were."""
    require(user, "reports.view", Target(path=unit.path))
    points = network_selectors.network_then(
        user=user,
        paths=[unit.path],
        first_day=period.first_day,
        last_day=period.last_day,
        kinds=["commune_point"],
    ).units
    per_month = _per_point_month(user, points, period)
    ranked = sorted(points, key=lambda p: (-per_month[p.pk], p.code))
    average, average_last_year = _average_per_point(user, unit, period, report)
    labels = network_selectors.area_classes()
    by_class = dict.fromkeys(labels.values(), 0)
    for p in points:
        if p.area_class in labels:
            by_class[labels[p.area_class]] += 1
    multi = sum(1 for p in points if p.multi_service)
    return NetworkReport(
        unit=unit,
        period=period,
        points=len(points),
        by_model={gettext("Đa dịch vụ"): multi, gettext("Truyền thống"): len(points) - multi},
        multi_service=multi,
        by_area_class=by_class,
        average_per_point_month=average,
        average_last_year=average_last_year,
        distribution=[
            (str(label), sum(1 for p in points if lo <= per_month[p.pk] < hi))
            for lo, hi, label in BANDS
        ],
        top=[(p, per_month[p.pk]) for p in ranked[:10]],
        bottom=[(p, per_month[p.pk]) for p in ranked[-10:][::-1]],
        above={t: sum(1 for p in points if per_month[p.pk] > t) for t in (20_000_000, 40_000_000)},
        conversions=sum(
            1
            for p in points
            if p.converted_on and period.first_day <= p.converted_on <= period.last_day
        ),
        no_internet=sum(1 for p in points if p.no_internet),
        no_mobile_data=sum(1 for p in points if p.no_mobile_data),
        offline=sum(1 for p in points if p.no_internet and p.no_mobile_data),
        clerk_income=plan_selectors.pooled(
            user=user, code="THU_NHAP_BQ", unit_paths=[p.path for p in points], period=period
        ),
    )
