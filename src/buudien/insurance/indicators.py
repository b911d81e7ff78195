"""The insurance indicators: people enrolled (paid for) in voluntary social insurance and in
household health insurance, and the participants covered at the end of a period.

Registered with the plans through this module (see `plans.registry`). Enrolments come from
the daily rollup (`InsuranceDay`), never from the payments; they add up the unit tree as it
was over the period. The participants are a level: the people whose paid period covers the
last day of the period (today, for a period still running), at the point they belong to,
read from their covers and the months of their payments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone

from buudien.core import clock
from buudien.core.scoping import Actor
from buudien.insurance.models import Cover, InsuranceDay, PaymentLine, SchemeCode
from buudien.network import selectors as network_selectors

INDICATORS = (  # code, measure, how it adds up the tree
    ("BHXH_TN", "people", "sum"),
    ("BHYT_HGD", "people", "sum"),
    ("BHXH_TN_DANG", "persons", "level"),  # covered on the last day of the period
    ("BHYT_HGD_DANG", "persons", "level"),
)
ENROLMENTS = {"BHXH_TN": SchemeCode.VOLUNTARY_SOCIAL, "BHYT_HGD": SchemeCode.HOUSEHOLD_HEALTH}
PARTICIPANTS = {
    "BHXH_TN_DANG": SchemeCode.VOLUNTARY_SOCIAL,
    "BHYT_HGD_DANG": SchemeCode.HOUSEHOLD_HEALTH,
}


def compute(
    *,
    user: Actor,
    codes: frozenset[str],
    unit_paths: Sequence[str],
    start: dt.date,
    end: dt.date,
) -> dict[str, dict[str, int | None]]:
    """Each subtree's enrolments over the days start..end and its participants at the end."""
    network = network_selectors.network_then(
        user=user, paths=unit_paths, first_day=start, last_day=end
    )
    units = [u.pk for u in network.units]
    by_unit: dict[Any, dict[str, int]] = {}
    enrolled = {code: str(ENROLMENTS[code]) for code in codes if code in ENROLMENTS}
    if enrolled:
        for unit_id, code, n in _enrolments(units, enrolled, start, end):
            by_unit.setdefault(unit_id, {})[code] = n
    covered = {code: str(PARTICIPANTS[code]) for code in codes if code in PARTICIPANTS}
    if covered:
        for unit_id, code, n in _participants(units, covered, last_day(end)):
            by_unit.setdefault(unit_id, {})[code] = n
    totals = network.add_up(by_unit, unit_paths)
    return {path: {code: t.get(code, 0) for code in codes} for path, t in totals.items()}


def last_day(end: dt.date) -> dt.date:
    """The day the participants are counted on: the period's last, or today if it runs on."""
    return min(end, timezone.localdate(clock.now()))


def _enrolments(
    units: list[Any], codes: dict[str, str], start: dt.date, end: dt.date
) -> list[tuple[Any, str, int]]:
    """(unit, indicator, people paid for) from the rollup's days."""
    code_of = {scheme: code for code, scheme in codes.items()}
    rows = (
        InsuranceDay.objects.filter(
            day__gte=start, day__lte=end, unit_id__in=units, scheme_id__in=list(code_of)
        )
        .values_list("unit_id", "scheme_id")
        .annotate(n=Sum("enrolments"))
        .order_by()
    )
    return [(unit_id, code_of[scheme], int(n or 0)) for unit_id, scheme, n in rows]


def _participants(
    units: list[Any], codes: dict[str, str], day: dt.date
) -> list[tuple[Any, str, int]]:
    """(unit, indicator, people) covered on the day, at their own point: their cover runs
    from before it to after it, and the day is not in a gap between two of their payments
    (a person who lapsed and came back); before its first payment here, a cover brought in
    from before the books counts from the day it began."""
    code_of = {scheme: code for code, scheme in codes.items()}
    lines = PaymentLine.objects.filter(cover=OuterRef("pk"), period_from__lte=day)
    rows = (
        Cover.objects.filter(
            first_from__lte=day,
            paid_until__gte=day,
            point_id__in=units,
            scheme_id__in=list(code_of),
        )
        .filter(Exists(lines.filter(period_to__gte=day)) | ~Exists(lines))
        .values_list("point_id", "scheme_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(unit_id, code_of[scheme], int(n)) for unit_id, scheme, n in rows]
