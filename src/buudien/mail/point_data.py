"""What a commune point's laptop needs of mail: the postal services, their bands and extras,
the regions, the routes that stop at the point, and the items it is to deliver."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from buudien.core import point_data
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
    WeightBand,
)

OPEN = (Status.ARRIVED, Status.OUT_FOR_DELIVERY, Status.FAILED)


def _tariffs(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    return [
        Region.objects.all(),
        PostalService.objects.all(),
        WeightBand.objects.all(),
        Extra.objects.all(),
    ]


def _routes(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    stopping = RouteStop.objects.filter(unit_id=point_id).values("route_id")
    routes = MailRoute.objects.filter(pk__in=stopping)
    return [routes, RouteStop.objects.filter(route__in=routes)]


def _to_deliver(point_id: uuid.UUID) -> QuerySet[PostalItem]:
    return PostalItem.objects.filter(destination_id=point_id, status__in=OPEN)


def _without_customer(row: dict[str, Any]) -> dict[str, Any]:
    # The sender's customer record stays at the province.
    row["fields"]["customer"] = None
    return row


def _items(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    return [
        Rows(_to_deliver(point_id), _without_customer),
        TrackingEvent.objects.filter(item__in=_to_deliver(point_id)),
    ]


def _people(point_id: uuid.UUID) -> list[QuerySet[Any]]:
    items = _to_deliver(point_id)
    return [
        items.exclude(accepted_by=None).values("accepted_by_id"),
        TrackingEvent.objects.filter(item__in=items, actor__isnull=False).values("actor_id"),
    ]


def register() -> None:
    point_data.register(
        Section(name="mail.tariffs", order=40, rows=_tariffs),
        Section(name="mail.routes", order=45, rows=_routes),
        Section(name="mail.to_deliver", order=75, rows=_items, mutable=True, people=_people),
    )
