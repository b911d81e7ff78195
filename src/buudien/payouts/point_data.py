"""What a commune point's laptop needs of payouts: the programmes, and the lines still to pay
at this point in open lists, with their people and lists; nobody else's (changed offline,
so not sent while the point's operations wait)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from buudien.core import point_data
from buudien.core.point_data import Rows, Section
from buudien.payouts.models import Beneficiary, Payout, PayoutList, Programme


def _programmes(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    return [Programme.objects.all()]


def _to_pay(point_id: uuid.UUID) -> QuerySet[Payout]:
    return Payout.objects.filter(
        point_id=point_id, status=Payout.Status.PENDING, list__state=PayoutList.State.OPEN
    )


def _paid_here(point_id: uuid.UUID) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def shape(row: dict[str, Any]) -> dict[str, Any]:
        # A person who has moved is paid this month where the list says: on the laptop,
        # he belongs to the point that pays him.
        row["fields"]["point"] = str(point_id)
        return row

    return shape


def _lines(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    lines = _to_pay(point_id)
    return [
        PayoutList.objects.filter(pk__in=lines.values("list_id")),
        Rows(
            Beneficiary.objects.filter(pk__in=lines.values("beneficiary_id")), _paid_here(point_id)
        ),
        lines,
    ]


def _people(point_id: uuid.UUID) -> list[QuerySet[Any]]:
    """Who imported the lists the point pays from."""
    lists = PayoutList.objects.filter(pk__in=_to_pay(point_id).values("list_id"))
    return [lists.values("imported_by_id")]


def register() -> None:
    point_data.register(
        Section(name="payouts.programmes", order=60, rows=_programmes),
        Section(name="payouts.lines", order=61, rows=_lines, mutable=True, people=_people),
    )
