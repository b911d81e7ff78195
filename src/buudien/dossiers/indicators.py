"""The dossier indicators: dossiers received and results returned at the counters.

Registered with the plans through this module (see `plans.registry`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from buudien.core.scoping import Actor
from buudien.dossiers.models import Dossier, DossierMonthRollup
from buudien.dossiers.services.rollups import whole_months
from buudien.network import selectors as network_selectors

INDICATORS = (  # code, measure, how it adds up the tree
    ("HS_NHAN", "dossiers", "sum"),
    ("HS_TRA", "dossiers", "sum"),
)
WHEN = {"HS_NHAN": "received_at", "HS_TRA": "returned_at"}
ROLLED_UP = {"HS_NHAN": "received", "HS_TRA": "returned"}


def compute(
    *,
    user: Actor,
    codes: frozenset[str],
    unit_paths: Sequence[str],
    start: dt.date,
    end: dt.date,
) -> dict[str, dict[str, int | None]]:
    """Dossiers received and returned over the days start..end, for each subtree."""
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    network = network_selectors.network_then(
        user=user, paths=unit_paths, first_day=start, last_day=end
    )
    by_unit = _rolled_up(codes, start, end) if whole_months(start, end) else _counted(codes, lo, hi)
    totals = network.add_up(by_unit, unit_paths)
    return {path: {code: t.get(code, 0) for code in codes} for path, t in totals.items()}


def _rolled_up(codes: frozenset[str], start: dt.date, end: dt.date) -> dict[Any, dict[str, int]]:
    """Each point's figures over whole months, off the monthly rollup."""
    wanted = sorted(codes)
    sums = {code: Sum(ROLLED_UP[code]) for code in wanted}
    rows = (
        DossierMonthRollup.objects.filter(month__gte=start, month__lte=end)
        .values("point_id")
        .annotate(**sums)
        .order_by()
    )
    return {r["point_id"]: {code: r[code] or 0 for code in wanted} for r in rows}


def _counted(codes: frozenset[str], lo: dt.datetime, hi: dt.datetime) -> dict[Any, dict[str, int]]:
    """Each point's figures over any days, counted from the dossiers."""
    by_unit: dict[Any, dict[str, int]] = {}
    for code in codes:
        # Grouped by the point's key alone: each count is read off its (date, point) index.
        when = WHEN[code]
        counted = (
            Dossier.objects.filter(**{f"{when}__gte": lo, f"{when}__lt": hi})
            .values_list("point_id")
            .annotate(n=Count("*"))
            .order_by()
        )
        for point_id, n in counted:
            by_unit.setdefault(point_id, {})[code] = n
    return by_unit
