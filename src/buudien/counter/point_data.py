"""What a commune point's laptop needs of the counter: the service catalogue and every
tariff with its effective date, so an entry made offline is priced as on its day."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from buudien.core import point_data
from buudien.core.point_data import Rows, Section
from buudien.counter.models import Service, Tariff


def _catalogue(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    return [Service.objects.all(), Tariff.objects.all()]


def register() -> None:
    point_data.register(Section(name="counter.catalogue", order=30, rows=_catalogue))
