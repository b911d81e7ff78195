"""The daily mail rollup: what each unit sent, received and delivered (on time or not), by
service. Every service that changes one of these counts it here, in its own transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate

from buudien.mail.models import MailDay, OrdinaryBatch, PostalItem

FIELDS = ("sent", "received", "delivered", "delivered_on_time")


def count(*, unit_id: Any, day: dt.date, service_id: str, **deltas: int) -> None:
    """Add to one (unit, day, service) row, creating it when it is the first."""
    row, _created = MailDay.objects.select_for_update().get_or_create(
        unit_id=unit_id, day=day, service_id=service_id
    )
    MailDay.objects.filter(pk=row.pk).update(**{k: F(k) + v for k, v in deltas.items()})


def _add(
    totals: dict[tuple[Any, dt.date, str], dict[str, int]],
    key: tuple[Any, Any, Any],
    field: str,
    n: int,
) -> None:
    unit, day, service = key
    if unit is None or day is None:
        return
    row = totals.setdefault((unit, day, service), dict.fromkeys(FIELDS, 0))
    row[field] += n


def _tz_day(field: str) -> Any:
    return TruncDate(field)


@transaction.atomic
def rebuild(*, start: dt.date | None = None, end: dt.date | None = None) -> int:
    """The rollup counted again from the items and the ordinary batches (after a bulk load,
    or to check it); returns the rows written."""
    totals: dict[tuple[Any, dt.date, str], dict[str, int]] = {}
    items = PostalItem.objects.all()
    sent = (
        items.filter(origin__isnull=False, accepted_at__isnull=False)
        .annotate(d=_tz_day("accepted_at"))
        .values_list("origin_id", "d", "service_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    for unit, day, service, n in sent:
        _add(totals, (unit, day, service), "sent", n)
    received = (
        items.filter(destination__isnull=False, received_on__isnull=False)
        .values_list("destination_id", "received_on", "service_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    for unit, day, service, n in received:
        _add(totals, (unit, day, service), "received", n)
    delivered = (
        items.filter(delivered_at__isnull=False, destination__isnull=False)
        .annotate(d=_tz_day("delivered_at"))
        .values_list("destination_id", "d", "service_id")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(due_on__gte=F("d"))))
        .order_by()
    )
    for unit, day, service, n, on_time in delivered:
        _add(totals, (unit, day, service), "delivered", n)
        _add(totals, (unit, day, service), "delivered_on_time", on_time)
    batches = (
        OrdinaryBatch.objects.values_list("unit_id", "day", "service_id", "direction")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for unit, day, service, direction, n in batches:
        _add(totals, (unit, day, service), str(direction), int(n or 0))
    rows = MailDay.objects.all()
    if start is not None:
        rows = rows.filter(day__gte=start)
    if end is not None:
        rows = rows.filter(day__lte=end)
    rows.delete()
    keep = [
        MailDay(unit_id=u, day=d, service_id=s, **v)
        for (u, d, s), v in totals.items()
        if (start is None or d >= start) and (end is None or d <= end)
    ]
    MailDay.objects.bulk_create(keep, batch_size=2000)
    return len(keep)
