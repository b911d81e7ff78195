"""The daily insurance rollup: each unit's enrolments (people paid for), new people and money,
by scheme. The enrolment service counts into it in its own transaction; `rebuild` recounts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum

from buudien.insurance.models import InsuranceDay, PaymentLine


def count(*, unit_id: Any, day: dt.date, scheme_id: str, **deltas: int) -> None:
    """Add to one (unit, day, scheme) row, creating it when it is the first."""
    row, _created = InsuranceDay.objects.select_for_update().get_or_create(
        unit_id=unit_id, day=day, scheme_id=scheme_id
    )
    InsuranceDay.objects.filter(pk=row.pk).update(**{k: F(k) + v for k, v in deltas.items()})


@transaction.atomic
def rebuild() -> int:
    """The rollup counted again from the payment lines (after a bulk load, or to check it)."""
    rows = (
        PaymentLine.objects.values(
            "payment__point_id", "payment__business_date", "payment__scheme_id"
        )
        .annotate(
            n=Count("*"),
            new=Count("pk", filter=Q(is_new=True)),
            amount=Sum("amount"),
        )
        .order_by()
    )
    InsuranceDay.objects.all().delete()
    InsuranceDay.objects.bulk_create(
        InsuranceDay(
            unit_id=r["payment__point_id"],
            day=r["payment__business_date"],
            scheme_id=r["payment__scheme_id"],
            enrolments=r["n"],
            new_people=r["new"],
            amount=r["amount"] or 0,
        )
        for r in rows
    )
    return len(rows)
