"""Reads for plans and indicator figures; figures come from rollups, never raw entries.

How a figure of a unit over a period is made, the way the finance office makes it by hand:

- computed indicators are asked of the app that owns them (`plans.registry`);
- a manual figure (wage fund, margin, workers …) of a unit for a month is what was entered at
  that unit if anything was, else the sum of its children's figures for that month: never both,
  so a figure typed at a parent is not added again to its children's;
- a sum adds up the months; a level (workers) is the average of the months that have one;
- a ratio (productivity, a share, income per person per month) divides the sum of its
  numerator by the sum of its denominator, each added up on its own first: never a sum or an
  average of ratios.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext as _

from buudien.core.money import format_vnd
from buudien.core.scoping import Actor, scoped
from buudien.network import selectors as network_selectors
from buudien.plans import registry
from buudien.plans.models import Indicator, ManualValue, Plan
from buudien.plans.numbers import PERCENT_SCALE, round_half_away
from buudien.plans.periods import Period

if TYPE_CHECKING:
    from buudien.network.models import PostUnit

# Which units a unit's plan is allocated to.
CHILD_KINDS = {"province": ("area",), "area": ("commune_point",), "office": ("commune_point",)}
# The total-revenue plan of a unit is the sum of its three business lines' plans.
REVENUE_TOTAL = "DT_TONG"
REVENUE_LINES = ("DT_BCCP", "DT_TCBC", "DT_PPTT")

Exact = dict[str, dict[str, Fraction | None]]
Spans = dict[str, dict[str, int]]  # for a level: how many months its average is of


def indicators() -> list[Indicator]:
    return list(Indicator.objects.select_related("numerator", "denominator"))


def plannable(*, with_manual: bool = True) -> list[Indicator]:
    """Indicators a plan can be set for (a ratio of two indicators takes theirs)."""
    qs = Indicator.objects.exclude(
        aggregation=Indicator.Aggregation.RATIO,
        numerator__isnull=False,
        denominator__isnull=False,
    )
    if not with_manual:
        qs = qs.exclude(source=Indicator.Source.MANUAL)
    return list(qs)


def units_below(
    *, unit: PostUnit, kinds: Sequence[str] | None = None, open_only: bool = True
) -> list[PostUnit]:
    """The units a unit's plan is allocated to (by default: its areas or its points)."""
    wanted = CHILD_KINDS.get(unit.kind, ()) if kinds is None else kinds
    return network_selectors.units_under(unit=unit, kinds=wanted, open_only=open_only)


def _needed(inds: Sequence[Indicator], codes: Collection[str] | None) -> list[Indicator]:
    """The indicators asked for, with the parts of the ratios among them."""
    by_code = {i.code: i for i in inds}
    wanted = set(by_code) if codes is None else {c for c in codes if c in by_code}
    for _depth in range(3):  # a ratio of ratios at most two deep
        wanted |= {
            part
            for c in list(wanted)
            for part in (by_code[c].numerator_id, by_code[c].denominator_id)
            if by_code[c].derived and part in by_code
        }
    return [i for i in inds if i.code in wanted]


def _entries(
    *, user: Actor, paths: Sequence[str], period: Period, codes: Collection[str]
) -> dict[tuple[str, int], list[tuple[str, int]]]:
    """The manual entries of the subtrees, by (indicator, month), sorted by unit path."""
    within = Q(pk__in=[])
    for path in {p for p in paths if not any(p != q and p.startswith(q) for q in paths)}:
        within |= Q(unit__path__startswith=path)
    rows = scoped(
        ManualValue.objects.filter(
            within, year=period.year, month__in=period.months, indicator_id__in=list(codes)
        ),
        user,
        path_field="unit__path",
    )
    found: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for code, month, path, value in rows.values_list(
        "indicator_id", "month", "unit__path", "value"
    ):
        found.setdefault((code, month), []).append((path, value))
    for entries in found.values():
        entries.sort()
    return found


def _resolved(entries: list[tuple[str, int]], path: str) -> int | None:
    """A unit's figure for a month: its own entry, else the sum of the topmost entries below."""
    i = bisect.bisect_left(entries, (path,))
    total, top, found = 0, "\0", False
    while i < len(entries) and entries[i][0].startswith(path):
        below, value = entries[i]
        if below == path:
            return value
        if not below.startswith(top):
            total, top, found = total + value, below, True
        i += 1
    return total if found else None


def _manual(
    *, user: Actor, paths: Sequence[str], period: Period, inds: Sequence[Indicator]
) -> tuple[Exact, Spans]:
    """Each subtree's manual figures over the period (see the module's docstring), and for a
    level the number of months it is the average of."""
    entries = _entries(user=user, paths=paths, period=period, codes=[i.code for i in inds])
    out: Exact = {p: {} for p in paths}
    spans: Spans = {p: {} for p in paths}
    for path in paths:
        for ind in inds:
            months = [
                v
                for m in period.months
                if (v := _resolved(entries.get((ind.code, m), []), path)) is not None
            ]
            if not months:
                out[path][ind.code] = None
            elif ind.aggregation == Indicator.Aggregation.LEVEL:
                out[path][ind.code] = Fraction(sum(months), len(months))
                spans[path][ind.code] = len(months)
            else:
                out[path][ind.code] = Fraction(sum(months))
    return out, spans


def ratio(
    ind: Indicator, numerator: Fraction | None, denominator: Fraction | None, months: int
) -> Fraction | None:
    """A ratio indicator from its two parts (a share in hundredths of a percent); a ratio per
    month is divided by the months its denominator covers."""
    if numerator is None or not denominator:
        return None
    value = numerator / denominator
    if ind.is_share:
        value *= 100 * PERCENT_SCALE
    if ind.per_month:
        value /= months
    return value


def _derive(values: Exact, inds: Sequence[Indicator], months: int, spans: Spans) -> None:
    """Fill in the ratios of two indicators from their parts, in dependency order.

    Income per person per month is the wage fund over the worker-months: the workers are the
    average of the months that have a count, so it is divided by that many months."""
    pending = [i for i in inds if i.derived]
    for _depth in range(3):
        for ind in list(pending):
            num, den = ind.numerator_id or "", ind.denominator_id or ""
            if {num, den} & {i.code for i in pending}:
                continue
            for path, figures in values.items():
                span = spans.get(path, {}).get(den) or months
                figures[ind.code] = ratio(ind, figures.get(num), figures.get(den), span)
            pending.remove(ind)


def _exact(
    *,
    user: Actor,
    unit_paths: Sequence[str],
    period: Period,
    codes: Collection[str] | None,
    known: Sequence[Indicator] | None = None,
) -> tuple[Exact, Spans]:
    inds = _needed(indicators() if known is None else known, codes)
    computed = [i.code for i in inds if i.source == Indicator.Source.COMPUTED and not i.derived]
    figures = registry.compute(
        user=user,
        codes=computed,
        unit_paths=unit_paths,
        start=period.first_day,
        end=period.last_day,
    )
    typed = [i for i in inds if i.source == Indicator.Source.MANUAL and not i.derived]
    manual, spans = (
        _manual(user=user, paths=unit_paths, period=period, inds=typed)
        if typed
        else ({p: {} for p in unit_paths}, {p: {} for p in unit_paths})
    )
    out: Exact = {}
    for path in unit_paths:
        out[path] = {code: None if v is None else Fraction(v) for code, v in figures[path].items()}
        out[path] |= manual[path]
    _derive(out, inds, len(period.months), spans)
    return out, spans


def exact_values(
    *,
    user: Actor,
    unit_paths: Sequence[str],
    period: Period,
    codes: Collection[str] | None = None,
) -> Exact:
    """Every (or each asked) indicator's exact figure for each subtree over the period."""
    return _exact(user=user, unit_paths=unit_paths, period=period, codes=codes)[0]


def values_by_path(
    *,
    user: Actor,
    unit_paths: Sequence[str],
    period: Period,
    codes: Collection[str] | None = None,
) -> dict[str, dict[str, int | None]]:
    """Every (or each asked) indicator's figure for each subtree, rounded to a whole."""
    exact = exact_values(user=user, unit_paths=unit_paths, period=period, codes=codes)
    return {
        path: {code: None if v is None else round_half_away(v) for code, v in found.items()}
        for path, found in exact.items()
    }


def values(
    *,
    user: Actor,
    units: Sequence[PostUnit],
    period: Period,
    codes: Collection[str] | None = None,
) -> dict[Any, dict[str, int | None]]:
    """Every (or each asked) indicator's figure for each unit's subtree, by the unit's key."""
    found = values_by_path(
        user=user, unit_paths=[u.path for u in units], period=period, codes=codes
    )
    return {u.pk: found[u.path] for u in units}


def monthly_values(
    *, user: Actor, unit_path: str, year: int, months: Sequence[int], code: str
) -> dict[int, int | None]:
    """One indicator's figure of a subtree month by month (a trend line), each month's units
    as they were that month."""
    known = indicators()
    ind = next((i for i in known if i.code == code), None)
    if ind is not None and ind.source == Indicator.Source.COMPUTED and not ind.derived:
        spans = [(p.first_day, p.last_day) for p in (Period(year, "month", m) for m in months)]
        found = registry.series(user=user, code=code, unit_path=unit_path, spans=spans)
        return dict(zip(months, found, strict=True))
    out: dict[int, int | None] = {}
    for m in months:
        exact = _exact(
            user=user,
            unit_paths=[unit_path],
            period=Period(year, "month", m),
            codes=[code],
            known=known,
        )[0][unit_path].get(code)
        out[m] = None if exact is None else round_half_away(exact)
    return out


def pooled(*, user: Actor, code: str, unit_paths: Sequence[str], period: Period) -> int | None:
    """A ratio over a set of units taken as one: their numerators over their denominators
    (the income of the point clerks together, say), never an average of their ratios."""
    ind = next((i for i in indicators() if i.code == code), None)
    if ind is None or not ind.derived or not unit_paths:
        return None
    num, den = ind.numerator_id or "", ind.denominator_id or ""
    exact, spans = _exact(user=user, unit_paths=unit_paths, period=period, codes=(num, den))
    numerator = [v for f in exact.values() if (v := f.get(num)) is not None]
    months = len(period.months)
    denominator = [  # per month: worker-months, each unit's workers times its months
        v * (spans[p].get(den, months) if ind.per_month else 1)
        for p, f in exact.items()
        if (v := f.get(den)) is not None
    ]
    if not numerator or not denominator:
        return None
    value = ratio(ind, sum(numerator, Fraction(0)), sum(denominator, Fraction(0)), 1)
    return None if value is None else round_half_away(value)


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


def plans_for(units: Sequence[PostUnit], period: Period) -> dict[tuple[Any, str], Plan]:
    """The plan revision in force for each unit and indicator, in one query."""
    found: dict[tuple[Any, str], Plan] = {}
    first: dict[tuple[Any, str], Plan] = {}
    for plan in Plan.objects.filter(unit__in=units, year=period.year).order_by("revision"):
        key = (plan.unit_id, plan.indicator_id)
        first.setdefault(key, plan)
        if plan.effective_from <= period.last_day:
            found[key] = plan
    return first | found


@dataclass(frozen=True)
class Planned:
    """A unit's plan of an indicator for a period, and the revision it comes from."""

    value: int | None
    label: str = ""


def planned(*, units: Sequence[PostUnit], period: Period) -> dict[Any, dict[str, Planned]]:
    """Each unit's plan of every indicator for the period; a ratio's is the ratio of its parts'."""
    inds = indicators()
    plans = plans_for(units, period)
    out: dict[Any, dict[str, Planned]] = {}
    for unit in units:
        exact: dict[str, Fraction | None] = {}
        labels: dict[str, str] = {}
        for ind in inds:
            plan = plans.get((unit.pk, ind.code))
            if plan is not None and not ind.derived:
                summed = ind.aggregation == Indicator.Aggregation.SUM
                exact[ind.code] = Fraction(plan.for_months(period.months, summed=summed))
                labels[ind.code] = plan.label
        _derive({unit.path: exact}, inds, len(period.months), {})
        out[unit.pk] = {}
        for ind in inds:
            value = exact.get(ind.code)
            label = labels.get(ind.code) or labels.get(ind.numerator_id or "", "")
            out[unit.pk][ind.code] = Planned(
                None if value is None else round_half_away(value), label
            )
    return out


@dataclass(frozen=True)
class Progress:
    """A unit's yearly plan of an indicator and what it has done of it so far."""

    unit: PostUnit
    indicator: Indicator
    target: int
    label: str
    actual: int | None

    @property
    def pct(self) -> int | None:
        """The share of the yearly plan done, in whole percent (none for a planned loss)."""
        if self.actual is None or self.target <= 0 or self.actual < 0:
            return None
        return (self.actual * 200 + self.target) // (2 * self.target)


def progress(
    *, user: Actor, units: Sequence[PostUnit], year: int, through_month: int, with_manual: bool
) -> list[Progress]:
    """The plans in force of these units for a year, each with its actual to date."""
    period = Period(year, "ytd", through_month)
    by_code = {i.code: i for i in indicators()}
    found = [
        (unit_id, by_code[code], plan)
        for (unit_id, code), plan in plans_for(units, period).items()
        if with_manual or by_code[code].source != Indicator.Source.MANUAL
    ]
    codes = {ind.code for _u, ind, _p in found}
    actual = values(user=user, units=units, period=period, codes=codes) if codes else {}
    unit_of = {u.pk: u for u in units}
    rows = [
        Progress(unit_of[u], ind, plan.target, plan.label, actual[u].get(ind.code))
        for u, ind, plan in found
    ]
    return sorted(rows, key=lambda r: (r.unit.path, r.indicator.order, r.indicator.code))


def revisions(*, unit: PostUnit, year: int, with_manual: bool = True) -> list[Plan]:
    """Every revision of a unit's plans for a year; the finance office's only if allowed."""
    qs = Plan.objects.filter(unit=unit, year=year)
    if not with_manual:
        qs = qs.exclude(indicator__source=Indicator.Source.MANUAL)
    return list(
        qs.select_related("indicator", "created_by").order_by("indicator__order", "revision")
    )


def latest_plans(*, unit: PostUnit, year: int, codes: Iterable[str]) -> dict[str, Plan]:
    """The latest revision of each of a unit's plans for a year."""
    found: dict[str, Plan] = {}
    for plan in Plan.objects.filter(unit=unit, year=year, indicator_id__in=list(codes)).order_by(
        "revision"
    ):
        found[plan.indicator_id] = plan
    return found


@dataclass(frozen=True)
class RevenuePlan:
    """A unit's total-revenue plan against the sum of its three business lines' plans."""

    total: int | None
    lines: dict[str, int | None] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        """The names of the plans not set yet (the total or a line)."""
        codes = [c for c in REVENUE_LINES if self.lines.get(c) is None]
        if self.total is None:
            codes.insert(0, REVENUE_TOTAL)
        return [self.names.get(c, c) for c in codes]

    @property
    def line_rows(self) -> list[tuple[str, int | None]]:
        """(name, plan) of each line, for the page."""
        return [(self.names.get(c, c), self.lines.get(c)) for c in REVENUE_LINES]

    @property
    def lines_sum(self) -> int:
        return sum(v or 0 for v in self.lines.values())

    @property
    def gap(self) -> int:
        """The total less the sum of the lines set so far."""
        return (self.total or 0) - self.lines_sum

    @property
    def started(self) -> bool:
        return self.total is not None or any(v is not None for v in self.lines.values())

    @property
    def consistent(self) -> bool:
        return not self.missing and self.gap == 0

    @property
    def problem(self) -> str:
        """What is wrong with the revenue plan, for a warning ('' when nothing is)."""
        if not self.started or self.consistent:
            return ""
        if self.missing:
            return _("Kế hoạch doanh thu chưa đủ: chưa giao %(names)s.") % {
                "names": ", ".join(n.lower() for n in self.missing)
            }
        return _(
            "Kế hoạch tổng doanh thu (%(total)s) lệch %(gap)s so với tổng kế hoạch ba nhóm "
            "dịch vụ (%(sum)s)."
        ) % {
            "total": format_vnd(self.total or 0),
            "gap": format_vnd(self.gap),
            "sum": format_vnd(self.lines_sum),
        }


def revenue_plan(*, unit: PostUnit, year: int) -> RevenuePlan:
    """The unit's latest total-revenue plan and line plans for a year, to check they add up."""
    codes = (REVENUE_TOTAL, *REVENUE_LINES)
    plans = latest_plans(unit=unit, year=year, codes=codes)
    names = dict(Indicator.objects.filter(code__in=codes).values_list("code", "name"))
    total = plans.get(REVENUE_TOTAL)
    return RevenuePlan(
        total=total.target if total else None,
        lines={c: plans[c].target if c in plans else None for c in REVENUE_LINES},
        names=names,
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
    """For each indicator that adds up: the unit's target, its children's, the difference."""
    kinds = CHILD_KINDS.get(unit.kind)
    if not kinds:
        return []
    gaps = []
    for ind in plannable(with_manual=with_manual):
        if not ind.adds_up:
            continue
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
