"""Who must renew: covers whose paid period ends within 30 days, and those that have lapsed,
by point and hamlet, for the call list and the reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from buudien.core.scoping import Actor
from buudien.insurance.models import Cover
from buudien.insurance.selectors.participants import DUE_DAYS, today, visible

ORDER = ("point__name", "participant__hamlet", "participant__name")


def _covers(user: Actor, point: Any, scheme: str, hamlet: str) -> QuerySet[Cover]:
    qs = visible(
        Cover.objects.select_related("participant__household", "point", "scheme"), user, "point"
    )
    if point is not None:
        qs = qs.filter(point=point)
    if scheme:
        qs = qs.filter(scheme_id=scheme)
    if hamlet:
        qs = qs.filter(participant__hamlet=hamlet[:120])
    return qs


def due(
    *,
    user: Actor,
    point: Any = None,
    scheme: str = "",
    hamlet: str = "",
    days: int = DUE_DAYS,
    day: dt.date | None = None,
) -> QuerySet[Cover]:
    """Covers whose paid period ends from today to `days` days on."""
    first = day or today()
    last = first + dt.timedelta(days=max(0, min(days, 366)))
    qs = _covers(user, point, scheme, hamlet)
    return qs.filter(paid_until__gte=first, paid_until__lte=last).order_by(*ORDER)


def lapsed(
    *,
    user: Actor,
    point: Any = None,
    scheme: str = "",
    hamlet: str = "",
    day: dt.date | None = None,
) -> QuerySet[Cover]:
    """Covers whose paid period ended before today and was not renewed."""
    qs = _covers(user, point, scheme, hamlet)
    return qs.filter(paid_until__lt=day or today()).order_by(*ORDER)


def hamlets(*, user: Actor, point: Any = None) -> list[str]:
    """The hamlets of the people in scope, for the filter."""
    qs = _covers(user, point, "", "").exclude(participant__hamlet="")
    return sorted(set(qs.values_list("participant__hamlet", flat=True)))[:500]
