"""What a commune point's laptop needs of the counter: the service catalogue and every
tariff with its effective date, so an entry made offline is priced as on its day; and the
point's customers (changed offline, so not sent while the point's operations wait)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from buudien.core import point_data
from buudien.core.point_data import Rows, Section
from buudien.counter.models import Customer, Service, Tariff


def _catalogue(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    return [Service.objects.all(), Tariff.objects.all()]


def _customers(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    return [Customer.objects.filter(unit_id=point_id)]


def register() -> None:
    point_data.register(
        Section(name="counter.catalogue", order=30, rows=_catalogue),
        Section(name="counter.customers", order=35, rows=_customers, mutable=True),
    )
