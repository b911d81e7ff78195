"""Plans, revisions, allocation down the tree and manual figures: atomic and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from buudien.core import audit
from buudien.core.errors import DomainError
from buudien.core.models import User
from buudien.core.permissions import Target, require
from buudien.network.models import PostUnit
from buudien.plans import selectors
from buudien.plans.models import Indicator, ManualValue, Plan
from buudien.plans.periods import Period

MAX_VALUE = 10**16
MIN_YEAR, MAX_YEAR = 2000, 2100


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(
            _("Năm phải từ %(min)s đến %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR},
            field="year",
        )


def split_exact(total: int, weights: Sequence[int | float]) -> list[int]:
    """Split an integer in proportion to weights; the parts add up exactly (largest remainder)."""
    if total < 0:
        raise DomainError(_("Kế hoạch không được âm."), field="target")
    wsum = sum(weights)
    if wsum <= 0:
        weights = [1] * len(weights)
        wsum = len(weights)
    raw = [total * w / wsum for w in weights]
    parts = [int(x) for x in raw]
    short = total - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[:short]:
        parts[i] += 1
    return parts


def _check_monthly(target: int, monthly: Sequence[int]) -> list[int]:
    months = [int(v) for v in monthly]
    if len(months) != 12 or any(v < 0 for v in months):
        raise DomainError(_("Phân bổ tháng cần 12 số không âm."), field="monthly")
    if sum(months) != target:
        raise DomainError(
            _("Tổng 12 tháng (%(sum)s) phải bằng kế hoạch năm (%(target)s).")
            % {
                "sum": f"{sum(months):,}".replace(",", "."),
                "target": f"{target:,}".replace(",", "."),
            },
            field="monthly",
        )
    return months


def phase(
    target: int,
    *,
    by: str = "even",
    unit: PostUnit | None = None,
    indicator: Indicator | None = None,
    year: int | None = None,
) -> list[int]:
    """Monthly phasing: even, by quarter, or following last year's months."""
    if by == "last_year" and unit is not None and indicator is not None and year is not None:
        weights = []
        for m in range(1, 13):
            v = selectors.values([unit], Period(year - 1, "month", m))[unit.pk].get(indicator.code)
            weights.append(v or 0)
        return split_exact(target, weights)
    return split_exact(target, [1] * 12)


def quarters_to_months(quarters: Sequence[int]) -> list[int]:
    months: list[int] = []
    for q in quarters:
        months += split_exact(int(q), [1, 1, 1])
    return months


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
    if not 0 <= target <= MAX_VALUE:
        raise DomainError(_("Kế hoạch năm không hợp lệ."), field="target")
    months = _check_monthly(target, monthly if monthly is not None else phase(target))
    last = Plan.objects.filter(unit=unit, indicator=indicator, year=year).aggregate(
        r=Max("revision")
    )["r"]
    revision = 0 if last is None else last + 1
    start = dt.date(year, 1, 1)
    if revision and effective_from is None:
        raise DomainError(_("Điều chỉnh kế hoạch cần ngày áp dụng."), field="effective_from")
    plan = Plan.objects.create(
        unit=unit,
        indicator=indicator,
        year=year,
        revision=revision,
        effective_from=effective_from or start,
        target=target,
        monthly=months,
        note=note,
        created_by=actor,
    )
    previous = (
        Plan.objects.filter(
            unit=unit, indicator=indicator, year=year, revision=revision - 1
        ).first()
        if revision
        else None
    )
    audit.record(
        actor=actor,
        action="plans.plan_set" if not revision else "plans.plan_revised",
        instance=plan,
        before=audit.snapshot(previous) if previous else None,
        after=audit.snapshot(plan),
        unit_path=unit.path,
        note=note,
    )
    return plan


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
    parent_plan = selectors.plan_for(parent, indicator.code, Period(year, "year", 12))
    if parent_plan is None:
        raise DomainError(
            _("Đơn vị %(unit)s chưa có kế hoạch %(ind)s năm %(year)s.")
            % {"unit": parent.name, "ind": indicator.name, "year": year}
        )
    children = selectors.units_below(unit=parent, kinds=kinds)
    if not children:
        raise DomainError(_("Không có đơn vị cấp dưới để phân bổ."))
    if method == "entered":
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
                    "sum": f"{sum(targets):,}".replace(",", "."),
                    "unit": parent.name,
                    "target": f"{parent_plan.target:,}".replace(",", "."),
                }
            )
    else:
        last = selectors.values(children, Period(year - 1, "year", 12))
        weights = [last[c.pk].get(indicator.code) or 0 for c in children]
        targets = split_exact(parent_plan.target, weights)
    plans = []
    for i, child in enumerate(children):
        monthly = split_exact(targets[i], [int(m) for m in parent_plan.monthly])
        plans.append(
            set_plan(
                actor=actor,
                unit=child,
                indicator=indicator,
                year=year,
                target=targets[i],
                monthly=monthly,
                effective_from=parent_plan.effective_from
                if Plan.objects.filter(unit=child, indicator=indicator, year=year).exists()
                else None,
                note=_("Phân bổ từ %(unit)s") % {"unit": parent.code},
            )
        )
    return plans


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
        if code not in manual:
            raise DomainError(
                _("Chỉ tiêu %(code)s không nhập tay được.") % {"code": code}, field=code
            )
        if value is not None and not -MAX_VALUE <= value <= MAX_VALUE:
            raise DomainError(
                _("Giá trị của %(name)s quá lớn.") % {"name": manual[code].name}, field=code
            )
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
