"""A customer's mail: how many items it sent and what they were charged, this year and last."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Sum
from django.utils import timezone

from buudien.core import clock
from buudien.core.permissions import Target, require
from buudien.core.scoping import Actor
from buudien.mail.models import PostalItem

if TYPE_CHECKING:
    from buudien.counter.models import Customer


@dataclass(frozen=True)
class Volume:
    year: int
    items: int
    charge: int


def _start_of(year: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, 1, 1))


def customer_volumes(user: Actor, customer: Customer) -> list[Volume]:
    """This year's and last year's items and charges of a customer (found by a scoped
    selector), this year first."""
    require(user, "mail.customers", Target(path=customer.unit.path))
    this_year = clock.today().year
    out = []
    for year in (this_year, this_year - 1):
        found = PostalItem.objects.filter(
            customer=customer,
            accepted_at__gte=_start_of(year),
            accepted_at__lt=_start_of(year + 1),
        ).aggregate(n=Count("pk"), charge=Sum("charge"))
        out.append(Volume(year=year, items=found["n"] or 0, charge=found["charge"] or 0))
    return out
