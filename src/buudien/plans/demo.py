"""The demo's plans for each year from two years back to this one, the province's allocated to
its areas (this year's also to the points), and the finance office's figures for each month
that has ended.

A past year's plan is set so that the year ends near the published attainment (95% of the
total revenue plan); this year's is last year's outcome and some growth, so the dashboard
reads the year to date against a plan nobody has met yet."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from buudien.core import users
from buudien.network import selectors as network_selectors
from buudien.plans import selectors, services
from buudien.plans.models import Indicator, ManualValue, Plan
from buudien.plans.periods import Period

if TYPE_CHECKING:
    from buudien.core.models import User

PROVINCE_UNIT = "BDT04"
REVENUE_LINES = ("DT_BCCP", "DT_TCBC", "DT_PPTT")
# How far a past year ended from its plan, by business line (about 98% of the total).
ATTAINMENT = {"DT_BCCP": 0.92, "DT_TCBC": 1.03, "DT_PPTT": 0.85}
OTHER_ATTAINMENT = {"HS_NHAN": 0.97, "SO_GD": 0.99}
GROWTH = 1.08  # this year's plan over last year's outcome
# The finance office's figures: a share of the month's revenue, and how the year ended
# against its plan (the published report: 109%, 155%, 73%, 112%).
MANUAL = {
    "DT_TINH_LUONG": (0.86, 1.09),
    "CHENH_LECH": (0.22, 1.55),
    "CP_KHONG_LUONG": (0.50, 0.73),
    "QUY_LUONG": (0.25, 1.12),
}
# People enrolled in insurance: a year ends at the published 81% of its plan (15.959/19.668
# lượt người); the participants at the year's end at 95% of theirs.
ENROLMENTS, ENROLMENT_ATTAINMENT = ("BHXH_TN", "BHYT_HGD"), 0.81
PARTICIPANTS, PARTICIPANT_ATTAINMENT = ("BHXH_TN_DANG", "BHYT_HGD_DANG"), 0.95
# The demo holds the last 365 days of mail, so only this year has mail plans: the whole year
# at the pace so far, over how far it ends from its plan; the on-time rate's plan is 95%.
MAIL_ATTAINMENT = {"BC_DI": 0.96, "BC_DEN": 1.03}
DELIVERED, ON_TIME, ON_TIME_PLAN = "BC_PHAT", "BC_PHAT_DUNG_HAN", 0.95


def _millions(value: float) -> int:
    return round(value / 1_000_000) * 1_000_000


def _figures(actor: User, unit: Any, period: Period, codes: Sequence[str]) -> dict[str, int]:
    found = selectors.values(user=actor, units=[unit], period=period, codes=codes)[unit.pk]
    return {c: v or 0 for c, v in found.items()}


def _revenue_plan(actor: User, province: Any, year: int, today: dt.date) -> None:
    """The three lines and their total for the province, then each line to the areas."""
    if year < today.year:
        actual = _figures(actor, province, Period(year, "year", 12), REVENUE_LINES)
        lines = {c: _millions(actual[c] / ATTAINMENT[c]) for c in REVENUE_LINES}
    else:
        actual = _figures(actor, province, Period(year - 1, "year", 12), REVENUE_LINES)
        lines = {c: _millions(actual[c] * GROWTH) for c in REVENUE_LINES}
    if not all(lines.values()):
        return
    services.set_revenue_plan(actor=actor, unit=province, year=year, lines=lines)
    inds = {i.code: i for i in Indicator.objects.filter(code__in=REVENUE_LINES)}
    for code in REVENUE_LINES:
        services.allocate(actor=actor, parent=province, indicator=inds[code], year=year)
        if year == today.year:
            for area in selectors.units_below(unit=province):
                services.allocate(
                    actor=actor,
                    parent=area,
                    indicator=inds[code],
                    year=year,
                    kinds=("commune_point",),
                )


def _other_plans(actor: User, province: Any, year: int, today: dt.date) -> None:
    """Dossiers received and transactions: past years near their outcome, this year above."""
    inds = {i.code: i for i in Indicator.objects.filter(code__in=OTHER_ATTAINMENT)}
    basis = Period(year if year < today.year else year - 1, "year", 12)
    actual = _figures(actor, province, basis, list(inds))
    for code, ind in inds.items():
        factor = 1 / OTHER_ATTAINMENT[code] if year < today.year else GROWTH
        target = round(actual[code] * factor)
        if target > 0:
            services.set_plan(actor=actor, unit=province, indicator=ind, year=year, target=target)
            services.allocate(actor=actor, parent=province, indicator=ind, year=year)


def _mail_plans(actor: User, province: Any, year: int, today: dt.date) -> None:
    """Items sent and received for the province and its areas; delivered and delivered on
    time for the province (their ratio is the on-time rate)."""
    months = _months_ended(year, today)
    if year != today.year or not months:
        return
    codes = (*MAIL_ATTAINMENT, DELIVERED, ON_TIME)
    inds = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    so_far = _figures(actor, province, Period(year, "ytd", months[-1]), list(inds))
    pace = {code: so_far[code] * 12 / len(months) for code in inds}
    for code, attainment in MAIL_ATTAINMENT.items():
        target = round(pace.get(code, 0) / attainment)
        if code in inds and target > 0:
            services.set_plan(
                actor=actor, unit=province, indicator=inds[code], year=year, target=target
            )
            services.allocate(actor=actor, parent=province, indicator=inds[code], year=year)
    delivered = round(pace.get(DELIVERED, 0))
    if delivered > 0 and ON_TIME in inds:
        services.set_plan(
            actor=actor, unit=province, indicator=inds[DELIVERED], year=year, target=delivered
        )
        services.set_plan(
            actor=actor,
            unit=province,
            indicator=inds[ON_TIME],
            year=year,
            target=round(delivered * ON_TIME_PLAN),
        )


def _insurance_plans(actor: User, province: Any, year: int, today: dt.date) -> None:
    """People to enrol in each scheme (the whole year at the pace of its ended months, over
    the published attainment) and participants to have at its end, for the province and its
    areas; this year's enrolments also for the points."""
    months = _months_ended(year, today)
    if not months:
        return
    inds = {i.code: i for i in Indicator.objects.filter(code__in=ENROLMENTS + PARTICIPANTS)}
    basis = Period(year, "ytd", months[-1])
    actual = _figures(actor, province, basis, list(inds))
    for code, ind in inds.items():
        if code in ENROLMENTS:
            target = round(actual[code] * 12 / len(months) / ENROLMENT_ATTAINMENT)
        else:
            target = round(actual[code] / PARTICIPANT_ATTAINMENT)
        if target <= 0:
            continue
        services.set_plan(actor=actor, unit=province, indicator=ind, year=year, target=target)
        _allocate_by_outcome(actor, province, ind, basis, ("area",))
        if year == today.year and code in ENROLMENTS:
            for area in selectors.units_below(unit=province):
                _allocate_by_outcome(actor, area, ind, basis, ("commune_point",))


def _allocate_by_outcome(
    actor: User, parent: Any, ind: Indicator, basis: Period, kinds: tuple[str, ...]
) -> None:
    """The parent's plan to its units by their share of last year's figure (of this one's
    while there was none last year)."""
    plan = selectors.plan_for(parent, ind.code, basis)
    children = selectors.units_below(unit=parent, kinds=kinds)
    if plan is None or not children:
        return
    weights = [0]
    for period in (basis.last_year(), basis):
        found = selectors.values(user=actor, units=children, period=period, codes=[ind.code])
        weights = [found[c.pk].get(ind.code) or 0 for c in children]
        if any(weights):
            break
    targets = services.split_exact(plan.target, weights)
    services.allocate(
        actor=actor,
        parent=parent,
        indicator=ind,
        year=basis.year,
        method="entered",
        entered={c.code: t for c, t in zip(children, targets, strict=True)},
        kinds=kinds,
    )


def _months_ended(year: int, today: dt.date) -> list[int]:
    last = 12 if year < today.year else today.month - 1
    return list(range(1, last + 1))


def _finance_office(
    actor: User, province: Any, year: int, today: dt.date, rng: random.Random
) -> None:
    """The province's monthly figures the finance office types in, and their yearly plans."""
    manual = {
        i.code: i
        for i in Indicator.objects.filter(source=Indicator.Source.MANUAL)
        if not i.derived and i.aggregation == Indicator.Aggregation.SUM
    }
    months = _months_ended(year, today)
    revenue = {
        m: _figures(actor, province, Period(year, "month", m), ["DT_TONG"])["DT_TONG"]
        for m in months
    }
    rows = []
    for code, (share, attainment) in MANUAL.items():
        if code not in manual:
            continue
        values = {m: int(revenue[m] * share * rng.uniform(0.9, 1.1)) for m in months}
        rows += [_value(province, code, year, m, v, actor=actor) for m, v in values.items()]
        whole_year = sum(values.values()) * 12 / len(months) if months else 0
        target = _millions(whole_year / attainment if year < today.year else whole_year * GROWTH)
        if target:
            services.set_plan(
                actor=actor, unit=province, indicator=manual[code], year=year, target=target
            )
    ManualValue.objects.bulk_create(rows)


def _value(
    unit: Any, code: str, year: int, month: int, value: int, *, actor: User | None
) -> ManualValue:
    return ManualValue(
        unit=unit, indicator_id=code, year=year, month=month, value=value, updated_by=actor
    )


def _at_the_units(
    actor: User, province: Any, year: int, today: dt.date, rng: random.Random
) -> None:
    """The workers (a level) each post office reports: its own staff and the clerks of its
    points, about 450 in the province, whose productivity the published report gives. Typed
    at the offices only, so that an area's and the province's are their sums."""
    levels = [
        i
        for i in Indicator.objects.filter(
            source=Indicator.Source.MANUAL, aggregation=Indicator.Aggregation.LEVEL
        )
        if not i.derived
    ]
    months = _months_ended(year, today)
    flt = network_selectors.UnitFilter(kind="office")
    rows, staff = [], 0
    for office in network_selectors.units(actor, flt):
        points = selectors.units_below(unit=office, kinds=("commune_point",))
        workers = rng.randint(10, 16) + sum(rng.choice((1, 1, 1, 2)) for _ in points)
        staff += workers
        for ind in levels:
            rows += [_value(office, ind.code, year, m, workers, actor=actor) for m in months]
    ManualValue.objects.bulk_create(rows)
    for ind in levels:
        services.set_plan(
            actor=actor, unit=province, indicator=ind, year=year, target=round(staff * 1.02)
        )


@transaction.atomic
def build(*, today: dt.date | None = None) -> list[tuple[str, str, str]]:
    """Plans and figures for the demo's years, once (skipped when the province has plans)."""
    today = today or timezone.localdate()
    actor = users.first_admin()
    if actor is None:
        return []
    province = network_selectors.unit(user=actor, code=PROVINCE_UNIT)
    if Plan.objects.filter(unit=province).exists():
        return []
    rng = random.Random(5)
    for year in range(today.year - 2, today.year + 1):
        _revenue_plan(actor, province, year, today)
        _other_plans(actor, province, year, today)
        _mail_plans(actor, province, year, today)
        _insurance_plans(actor, province, year, today)
        _finance_office(actor, province, year, today, rng)
        _at_the_units(actor, province, year, today, rng)
    return []
