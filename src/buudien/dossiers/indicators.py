"""The dossier indicators: dossiers received and results returned at the counters.

Registered with the plans through this module (see `plans.registry`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Count
from django.utils import timezone

from buudien.core.scoping import Actor
from buudien.dossiers.models import Dossier
from buudien.network import selectors as network_selectors

INDICATORS = (  # code, measure, how it adds up the tree
    ("HS_NHAN", "dossiers", "sum"),
    ("HS_TRA", "dossiers", "sum"),
)
WHEN = {"HS_NHAN": "received_at", "HS_TRA": "returned_at"}


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
    totals = network.add_up(by_unit, unit_paths)
    return {path: {code: t.get(code, 0) for code in codes} for path, t in totals.items()}
