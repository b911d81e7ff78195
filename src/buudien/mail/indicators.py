"""The mail indicators: items sent and received, items delivered (on time or not), and the
COD money collected from receivers that senders have not been paid yet.

Registered with the plans through this module (see `plans.registry`). Volumes come from the
daily mail rollup (`MailDay`), never from the items; they add up the unit tree as it was over
the period. The on-time rate is a ratio the indicators table derives from two of these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from buudien.core.scoping import Actor
from buudien.mail.models import MailDay, PostalItem
from buudien.network import selectors as network_selectors

INDICATORS = (  # code, measure, how it adds up the tree
    ("BC_DI", "items", "sum"),
    ("BC_DEN", "items", "sum"),
    ("BC_PHAT", "items", "sum"),
    ("BC_PHAT_DUNG_HAN", "items", "sum"),
    ("COD_TON", "dong", "level"),  # outstanding at the end of the period
)
ROLLED_UP = {
    "BC_DI": "sent",
    "BC_DEN": "received",
    "BC_PHAT": "delivered",
    "BC_PHAT_DUNG_HAN": "delivered_on_time",
}
COD_OUTSTANDING = "COD_TON"


def compute(
    *,
    user: Actor,
    codes: frozenset[str],
    unit_paths: Sequence[str],
    start: dt.date,
    end: dt.date,
) -> dict[str, dict[str, int | None]]:
    """Each subtree's volumes over the days start..end and its COD still owed at the end."""
    network = network_selectors.network_then(
        user=user, paths=unit_paths, first_day=start, last_day=end
    )
    units = [u.pk for u in network.units]
    by_unit: dict[Any, dict[str, int]] = {}
    volumes = sorted(c for c in codes if c in ROLLED_UP)
    if volumes:
        for row in _volumes(units, volumes, start, end):
            by_unit[row["unit_id"]] = {code: row[code] or 0 for code in volumes}
    if COD_OUTSTANDING in codes:
        for unit_id, owed in _cod_outstanding(units, end):
            by_unit.setdefault(unit_id, {})[COD_OUTSTANDING] = owed
    totals = network.add_up(by_unit, unit_paths)
    return {path: {code: t.get(code, 0) for code in codes} for path, t in totals.items()}


def _volumes(
    units: list[Any], codes: list[str], start: dt.date, end: dt.date
) -> list[dict[str, Any]]:
    """Each unit's sums of the rollup's columns over the days."""
    sums = {code: Sum(ROLLED_UP[code]) for code in codes}
    return list(
        MailDay.objects.filter(day__gte=start, day__lte=end, unit_id__in=units)
        .values("unit_id")
        .annotate(**sums)
        .order_by()
    )


def _cod_outstanding(units: list[Any], end: dt.date) -> list[tuple[Any, int]]:
    """COD collected up to the end of `end` and not yet paid to the sender by then, at the
    unit that holds the money: the one that delivered the item (else the one that took it in,
    for an item delivered outside the province)."""
    tz = timezone.get_current_timezone()
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    owed = (
        PostalItem.objects.filter(cod_amount__gt=0, cod_collected_at__lt=after)
        .exclude(cod_paid_at__lt=after)
        .annotate(holder=Coalesce("destination_id", "origin_id"))
        .filter(holder__in=units)
        .values_list("holder")
        .annotate(owed=Sum("cod_amount"))
        .order_by()
    )
    return [(unit_id, int(total or 0)) for unit_id, total in owed]
