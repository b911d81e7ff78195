"""What a commune point's laptop needs of mail: the postal services, their bands and extras,
the regions, the routes that stop at the point, and the items it is to deliver or holds."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from buudien.core import clock, point_data
from buudien.core.point_data import Rows, Section
from buudien.mail.models import (
    Extra,
    MailRoute,
    PostalItem,
    PostalService,
    Region,
    RouteStop,
    Status,
    TrackingEvent,
    Trip,
    WeightBand,
)

OPEN = (Status.ARRIVED, Status.OUT_FOR_DELIVERY, Status.FAILED)
FINAL = (Status.DELIVERED, Status.RETURNED)


def _tariffs(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    return [
        Region.objects.all(),
        PostalService.objects.all(),
        WeightBand.objects.all(),
        Extra.objects.all(),
    ]


def _routes(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    """The routes that stop at the point, with that stop (the laptop holds no other point),
    and their trips from yesterday on: a bag leaves the point on one of them."""
    stopping = RouteStop.objects.filter(unit_id=point_id)
    routes = MailRoute.objects.filter(pk__in=stopping.values("route_id"))
    since = clock.today() - dt.timedelta(days=1)
    return [routes, stopping, Trip.objects.filter(route__in=routes, day__gte=since)]


def _here(point_id: uuid.UUID) -> QuerySet[PostalItem]:
    """The items the point is to deliver, and those it holds to send on or hand back."""
    return PostalItem.objects.filter(
        Q(destination_id=point_id, status__in=OPEN)
        | Q(current_unit_id=point_id, status__in=Status.values)
    ).exclude(status__in=FINAL)


def _at_the_point(point_id: uuid.UUID) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """An item as the laptop keeps it: here. The laptop holds only its own units and users,
    so another unit it came from or goes to, the clerk who took it in and the sender's
    customer record stay at the province."""
    here = str(point_id)

    def shape(row: dict[str, Any]) -> dict[str, Any]:
        fields = row["fields"]
        for name in ("origin", "destination"):
            if str(fields[name]) != here:
                fields[name] = None
        fields.update(current_unit=here, customer=None, accepted_by=None)
        return row

    return shape


def _event_here(row: dict[str, Any]) -> dict[str, Any]:
    fields = row["fields"]
    fields["actor"] = None
    fields["unit"] = None  # its place's name is kept in `place`
    return row


def _items(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    return [
        Rows(_here(point_id), _at_the_point(point_id)),
        Rows(TrackingEvent.objects.filter(item__in=_here(point_id)), _event_here),
    ]


def register() -> None:
    point_data.register(
        Section(name="mail.tariffs", order=40, rows=_tariffs),
        Section(name="mail.routes", order=45, rows=_routes),
        Section(name="mail.to_deliver", order=75, rows=_items, mutable=True),
    )
