"""Plans, revisions, allocation down the tree and manual figures: atomic and audited.

The rules, as the finance office states them:

- a plan is negative only for an indicator that may be a loss (margin, profit): a planned loss;
- a sum is phased over the twelve months; a level (workers) or a rate is the same each month;
- a ratio of two indicators (productivity, a share) has no plan of its own: it is the ratio of
  their plans;
- a unit's total-revenue plan equals the sum of its three business lines' plans. Once all four
  are set, a plan that breaks the sum is refused with the gap named; until then the plans page
  shows what is missing. `set_revenue_plan` sets the three lines and their total together (the
  way to revise them), and allocating a line down the tree sets each child's total to the sum
  of its lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from buudien.core import audit
from buudien.core.errors import DomainError
from buudien.core.money import format_number
from buudien.core.permissions import Target, require
from buudien.plans import selectors
from buudien.plans.errors import PlanCode, PlanError
from buudien.plans.models import Indicator, ManualValue, Plan
from buudien.plans.numbers import round_half_away
from buudien.plans.periods import Period
from buudien.plans.selectors import REVENUE_LINES, REVENUE_TOTAL

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit

MAX_VALUE = 10**16
MIN_YEAR, MAX_YEAR = 2000, 2100


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(
            _("Năm phải từ %(min)s đến %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR},
            field="year",
        )


def split_exact(total: int, weights: Sequence[int | float]) -> list[int]:
    """Split an integer in proportion to weights; the parts add up exactly (largest remainder).

    A negative total (a planned loss) splits like its opposite; weights of mixed signs split
    evenly."""
    if total < 0:
        return [-part for part in split_exact(-total, weights)]
    wsum = sum(weights)
    if wsum <= 0 or any(w < 0 for w in weights):
        weights = [1] * len(weights)
        wsum = len(weights)
    raw = [Fraction(total) * Fraction(w) / Fraction(wsum) for w in weights]
    parts = [int(x) for x in raw]
    short = total - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[:short]:
        parts[i] += 1
    return parts


def _check_target(indicator: Indicator, target: int, *, field: str = "target") -> None:
    """A yearly target the indicator can have: within bounds, negative only for a loss."""
    if indicator.derived:
        raise PlanError(
            _("%(name)s là tỷ số: kế hoạch của nó tính từ kế hoạch của %(num)s và %(den)s.")
            % {
                "name": indicator.name,
                "num": indicator.numerator_id,
                "den": indicator.denominator_id,
            },
            code=PlanCode.DERIVED,
            field="indicator",
        )
    if target < 0 and not indicator.signed:
        raise PlanError(
            _(
                "Kế hoạch %(name)s không được âm: chỉ chỉ tiêu lãi, lỗ (như chênh lệch thu chi) "
                "mới có kế hoạch lỗ."
            )
            % {"name": indicator.name},
            code=PlanCode.NEGATIVE_NOT_ALLOWED,
            field=field,
        )
    if not -MAX_VALUE <= target <= MAX_VALUE:
        raise DomainError(_("Kế hoạch năm không hợp lệ."), field=field)


def _check_monthly(indicator: Indicator, target: int, monthly: Sequence[int]) -> list[int]:
    """Twelve months that add up to the year (a sum) or average to it (a level, a rate)."""
    months = [int(v) for v in monthly]
    if len(months) != 12 or (not indicator.signed and any(v < 0 for v in months)):
        raise DomainError(_("Phân bổ tháng cần 12 số không âm."), field="monthly")
    if indicator.aggregation == Indicator.Aggregation.SUM:
        if sum(months) != target:
            raise DomainError(
                _("Tổng 12 tháng (%(sum)s) phải bằng kế hoạch năm (%(target)s).")
                % {"sum": format_number(sum(months)), "target": format_number(target)},
                field="monthly",
            )
    elif (average := round_half_away(Fraction(sum(months), 12))) != target:
        raise DomainError(
            _("Bình quân 12 tháng (%(avg)s) phải bằng kế hoạch năm (%(target)s).")
            % {"avg": format_number(average), "target": format_number(target)},
            field="monthly",
        )
    return months


def phase(
    target: int,
    *,
    by: str = "even",
    actor: User | None = None,
    unit: PostUnit | None = None,
    indicator: Indicator | None = None,
    year: int | None = None,
) -> list[int]:
    """Monthly phasing of a sum: even, or following last year's months; a level stays flat."""
    if indicator is not None and indicator.aggregation != Indicator.Aggregation.SUM:
        return [target] * 12
    if by != "last_year" or actor is None or unit is None or indicator is None or year is None:
        return split_exact(target, [1] * 12)
    weights = [
        selectors.values(
            user=actor, units=[unit], period=Period(year - 1, "month", m), codes=[indicator.code]
        )[unit.pk].get(indicator.code)
        or 0
        for m in range(1, 13)
    ]
    return split_exact(target, weights)


def _write_plan(
    *,
    actor: User,
    unit: PostUnit,
    indicator: Indicator,
    year: int,
    target: int,
    monthly: list[int],
    effective_from: dt.date | None,
    note: str,
) -> Plan:
    """Write a plan as the next revision of the unit's plan of the indicator, audited."""
    last = Plan.objects.filter(unit=unit, indicator=indicator, year=year).aggregate(
        r=Max("revision")
    )["r"]
    revision = 0 if last is None else last + 1
    if revision and effective_from is None:
        raise DomainError(_("Điều chỉnh kế hoạch cần ngày áp dụng."), field="effective_from")
    plan = Plan.objects.create(
        unit=unit,
        indicator=indicator,
        year=year,
        revision=revision,
        effective_from=effective_from or dt.date(year, 1, 1),
        target=target,
        monthly=monthly,
        note=note,
        created_by=actor,
    )
    previous = (
        Plan.objects.filter(unit=unit, indicator=indicator, year=year, revision=revision - 1)
        .order_by()
        .first()
    )
    audit.record(
        actor=actor,
        action="plans.plan_revised" if revision else "plans.plan_set",
        instance=plan,
        before=audit.snapshot(previous) if previous else None,
        after=audit.snapshot(plan),
        unit_path=unit.path,
        note=note,
    )
    return plan


def _check_revenue_lines(*, unit: PostUnit, year: int, code: str) -> None:
    """Refuse a revenue plan that leaves the total unequal to the sum of the three lines."""
    if code not in (REVENUE_TOTAL, *REVENUE_LINES):
        return
    check = selectors.revenue_plan(unit=unit, year=year)
    if check.missing or not check.gap:
        return
    names = check.names
    raise PlanError(
        _(
            "Kế hoạch %(total_name)s của %(unit)s (%(total)s) phải bằng tổng kế hoạch "
            "%(lines)s (%(sum)s); đang lệch %(gap)s. Hãy giao kế hoạch doanh thu theo ba nhóm "
            "dịch vụ: tổng doanh thu được tính từ ba nhóm."
        )
        % {
            "total_name": names.get(REVENUE_TOTAL, REVENUE_TOTAL).lower(),
            "unit": unit.name,
            "total": format_number(check.total or 0),
            "lines": ", ".join(names.get(c, c).lower() for c in REVENUE_LINES),
            "sum": format_number(check.lines_sum),
            "gap": format_number(check.gap),
        },
        code=PlanCode.REVENUE_LINES_MISMATCH,
        field="target",
    )


@transaction.atomic
def set_plan(
    *,
    actor: User,
    unit: PostUnit,
    indicator: Indicator,
    year: int,
    target: int,
    monthly: Sequence[int] | None = None,
    effective_from: dt.date | None = None,
    note: str = "",
) -> Plan:
    """Give a unit its yearly target; a second call is a revision, the first is kept."""
    require(actor, "plans.manage", Target(path=unit.path))
    _check_year(year)
    _check_target(indicator, target)
    wanted = monthly if monthly is not None else phase(target, indicator=indicator)
    months = _check_monthly(indicator, target, wanted)
    plan = _write_plan(
        actor=actor,
        unit=unit,
        indicator=indicator,
        year=year,
        target=target,
        monthly=months,
        effective_from=effective_from,
        note=note,
    )
    _check_revenue_lines(unit=unit, year=year, code=indicator.code)
    return plan


@transaction.atomic
def set_revenue_plan(
    *,
    actor: User,
    unit: PostUnit,
    year: int,
    lines: Mapping[str, int],
    phasing: str = "even",
    effective_from: dt.date | None = None,
    note: str = "",
) -> list[Plan]:
    """Set a unit's three business-line plans and its total-revenue plan, their sum, together."""
    require(actor, "plans.manage", Target(path=unit.path))
    _check_year(year)
    inds = {i.code: i for i in Indicator.objects.filter(code__in=(REVENUE_TOTAL, *REVENUE_LINES))}
    plans = []
    total_monthly = [0] * 12
    for code in REVENUE_LINES:
        if lines.get(code) is None:
            raise DomainError(_("Cần kế hoạch %(name)s.") % {"name": inds[code].name}, field=code)
        target = int(lines[code])
        _check_target(inds[code], target, field=code)
        monthly = phase(target, by=phasing, actor=actor, unit=unit, indicator=inds[code], year=year)
        total_monthly = [a + b for a, b in zip(total_monthly, monthly, strict=True)]
        plans.append(
            _write_plan(
                actor=actor,
                unit=unit,
                indicator=inds[code],
                year=year,
                target=target,
                monthly=monthly,
                effective_from=effective_from,
                note=note,
            )
        )
    plans.append(
        _write_plan(
            actor=actor,
            unit=unit,
            indicator=inds[REVENUE_TOTAL],
            year=year,
            target=sum(total_monthly),
            monthly=total_monthly,
            effective_from=effective_from,
            note=note or _("Tổng ba nhóm dịch vụ"),
        )
    )
    return plans


def _allocation_targets(
    *,
    actor: User,
    parent: PostUnit,
    parent_plan: Plan,
    children: list[PostUnit],
    method: str,
    entered: dict[str, int] | None,
) -> list[int]:
    """Each child's share of the parent's target: as entered (adding up), or by last year."""
    if method != "entered":
        last = selectors.values(
            user=actor,
            units=children,
            period=Period(parent_plan.year - 1, "year", 12),
            codes=[parent_plan.indicator_id],
        )
        weights = [last[c.pk].get(parent_plan.indicator_id) or 0 for c in children]
        return split_exact(parent_plan.target, weights)
    entered = entered or {}
    missing = [c.code for c in children if c.code not in entered]
    if missing:
        raise DomainError(_("Thiếu kế hoạch của: %(codes)s.") % {"codes": ", ".join(missing)})
    targets = [int(entered[c.code]) for c in children]
    if sum(targets) != parent_plan.target:
        raise DomainError(
            _(
                "Tổng kế hoạch giao cho đơn vị cấp dưới (%(sum)s) khác kế hoạch của %(unit)s "
                "(%(target)s)."
            )
            % {
                "sum": format_number(sum(targets)),
                "unit": parent.name,
                "target": format_number(parent_plan.target),
            }
        )
    return targets


def _check_allocatable(*, parent: PostUnit, indicator: Indicator, year: int) -> None:
    """Only a figure that adds up goes down the tree; a total with lines goes by its lines."""
    if not indicator.adds_up:
        raise PlanError(
            _(
                "%(name)s là số bình quân hoặc tỷ số, không chia cho đơn vị cấp dưới được: "
                "hãy giao cho từng đơn vị."
            )
            % {"name": indicator.name},
            code=PlanCode.NOT_ALLOCATABLE,
            field="indicator",
        )
    if (
        indicator.code == REVENUE_TOTAL
        and not selectors.revenue_plan(unit=parent, year=year).missing
    ):
        raise PlanError(
            _(
                "Tổng doanh thu của đơn vị cấp dưới là tổng ba nhóm dịch vụ của đơn vị đó: "
                "hãy phân bổ từng nhóm dịch vụ."
            ),
            code=PlanCode.NOT_ALLOCATABLE,
            field="indicator",
        )


def _total_from_lines(*, actor: User, unit: PostUnit, year: int, effective_from: dt.date) -> None:
    """Set a unit's total-revenue plan to the sum of its three lines once all three are set."""
    latest = selectors.latest_plans(unit=unit, year=year, codes=(REVENUE_TOTAL, *REVENUE_LINES))
    if any(code not in latest for code in REVENUE_LINES):
        return
    target = sum(latest[c].target for c in REVENUE_LINES)
    monthly = [sum(int(latest[c].monthly[m]) for c in REVENUE_LINES) for m in range(12)]
    current = latest.get(REVENUE_TOTAL)
    if current is not None and [int(v) for v in current.monthly] == monthly:
        return
    _write_plan(
        actor=actor,
        unit=unit,
        indicator=Indicator.objects.get(code=REVENUE_TOTAL),
        year=year,
        target=target,
        monthly=monthly,
        effective_from=effective_from if current is not None else None,
        note=_("Tổng ba nhóm dịch vụ"),
    )


@transaction.atomic
def allocate(
    *,
    actor: User,
    parent: PostUnit,
    indicator: Indicator,
    year: int,
    method: str = "last_year",
    entered: dict[str, int] | None = None,
    kinds: Sequence[str] = ("area",),
) -> list[Plan]:
    """Split the parent's plan over its children (or its points): by last year or as entered."""
    require(actor, "plans.manage", Target(path=parent.path))
    _check_year(year)
    _check_allocatable(parent=parent, indicator=indicator, year=year)
    parent_plan = selectors.plan_for(parent, indicator.code, Period(year, "year", 12))
    if parent_plan is None:
        raise DomainError(
            _("Đơn vị %(unit)s chưa có kế hoạch %(ind)s năm %(year)s.")
            % {"unit": parent.name, "ind": indicator.name, "year": year}
        )
    children = selectors.units_below(unit=parent, kinds=kinds)
    if not children:
        raise DomainError(_("Không có đơn vị cấp dưới để phân bổ."))
    targets = _allocation_targets(
        actor=actor,
        parent=parent,
        parent_plan=parent_plan,
        children=children,
        method=method,
        entered=entered,
    )
    summed = indicator.aggregation == Indicator.Aggregation.SUM
    plans = []
    for child, target in zip(children, targets, strict=True):
        has_plan = Plan.objects.filter(unit=child, indicator=indicator, year=year).exists()
        plans.append(
            _write_plan(
                actor=actor,
                unit=child,
                indicator=indicator,
                year=year,
                target=target,
                monthly=split_exact(target, [int(m) for m in parent_plan.monthly])
                if summed
                else [target] * 12,
                effective_from=parent_plan.effective_from if has_plan else None,
                note=_("Phân bổ từ %(unit)s") % {"unit": parent.code},
            )
        )
        if indicator.code in REVENUE_LINES:
            _total_from_lines(
                actor=actor, unit=child, year=year, effective_from=parent_plan.effective_from
            )
        _check_revenue_lines(unit=child, year=year, code=indicator.code)
    return plans


def _check_manual_value(indicator: Indicator | None, code: str, value: int | None) -> None:
    """A manual figure of a manual indicator, within bounds, negative only for a loss."""
    if indicator is None:
        raise DomainError(_("Chỉ tiêu %(code)s không nhập tay được.") % {"code": code}, field=code)
    if value is None:
        return
    if not -MAX_VALUE <= value <= MAX_VALUE:
        raise DomainError(_("Giá trị của %(name)s quá lớn.") % {"name": indicator.name}, field=code)
    if value < 0 and not indicator.signed:
        raise PlanError(
            _("%(name)s không được âm.") % {"name": indicator.name},
            code=PlanCode.NEGATIVE_NOT_ALLOWED,
            field=code,
        )


@transaction.atomic
def enter_manual_values(
    *,
    actor: User,
    unit: PostUnit,
    year: int,
    month: int,
    values: dict[str, int | None],
) -> int:
    """Save a month's manual figures for a unit; each change is audited."""
    require(actor, "plans.enter_manual", Target(path=unit.path))
    _check_year(year)
    if not 1 <= month <= 12:
        raise DomainError(_("Tháng phải từ 1 đến 12."), field="month")
    manual = {i.code: i for i in Indicator.objects.filter(source="manual")}
    changed = 0
    for code, value in values.items():
        _check_manual_value(manual.get(code), code, value)
        current = ManualValue.objects.filter(
            unit=unit, indicator_id=code, year=year, month=month
        ).first()
        before = audit.snapshot(current) if current else None
        if value is None:
            if current:
                current.delete()
                audit.record(
                    actor=actor,
                    action="plans.manual_value_cleared",
                    instance=current,
                    before=before,
                    after=None,
                    unit_path=unit.path,
                )
                changed += 1
            continue
        if current and current.value == value:
            continue
        obj, _created = ManualValue.objects.update_or_create(
            unit=unit,
            indicator_id=code,
            year=year,
            month=month,
            defaults={"value": value, "updated_by": actor},
        )
        audit.record(
            actor=actor,
            action="plans.manual_value_entered",
            instance=obj,
            before=before,
            after=audit.snapshot(obj),
            unit_path=unit.path,
        )
        changed += 1
    return changed
