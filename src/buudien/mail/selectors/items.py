"""Postal items a user may see: those taken in, delivered or now held in his subtree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from buudien.core import s10
from buudien.core.errors import DomainError, NotFound
from buudien.core.ids import is_uuid
from buudien.core.permissions import Target, allows, require
from buudien.core.scoping import Actor, scope_of
from buudien.core.text import search_terms
from buudien.mail.models import PostalItem, PostalService, TrackingEvent
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.network.models import PostUnit


def visible(user: Actor) -> QuerySet[PostalItem]:
    """Items taken in, to be delivered or now held in the user's subtree."""
    require(user, "mail.view")
    qs = PostalItem.objects.select_related("service", "origin", "destination", "current_unit")
    scope = scope_of(user)
    if scope.everything:
        return qs
    if not scope.path:
        return qs.none()
    if network_selectors.is_whole_network(scope.path):
        return qs  # the province's post: every item is one of its units'
    ids = network_selectors.unit_keys_under(scope.path)
    return qs.filter(Q(origin__in=ids) | Q(destination__in=ids) | Q(current_unit__in=ids))


@dataclass(frozen=True)
class ItemFilter:
    query: str = ""
    status: str = ""
    service: str = ""
    direction: str = ""  # "sent": taken in under the unit; "received": delivered under it
    unit: PostUnit | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    cod: bool = False


def items(user: Actor, flt: ItemFilter | None = None) -> QuerySet[PostalItem]:
    flt = flt or ItemFilter()
    qs = visible(user)
    if flt.query:
        for term in search_terms(flt.query):
            qs = qs.filter(search_text__contains=term)
    if flt.status:
        qs = qs.filter(status=flt.status)
    if flt.service:
        qs = qs.filter(service_id=flt.service)
    if flt.unit is not None:
        under = network_selectors.unit_keys_under(flt.unit.path)
        field = {"sent": "origin", "received": "destination"}.get(flt.direction)
        if field:
            qs = qs.filter(**{f"{field}__in": under})
        else:
            qs = qs.filter(Q(origin__in=under) | Q(destination__in=under))
    if flt.start is not None:
        qs = qs.filter(accepted_at__date__gte=flt.start)
    if flt.end is not None:
        qs = qs.filter(accepted_at__date__lte=flt.end)
    if flt.cod:
        qs = qs.filter(cod_amount__gt=0)
    return qs.order_by("-accepted_at", "-pk")


def item(user: Actor, ident: str) -> PostalItem:
    """One item by its S10 id (or its key), if the user may see it."""
    qs = visible(user)
    try:
        found = qs.filter(s10=s10.parse(ident)).first()
    except DomainError:  # not an S10 id: maybe the item's key
        found = qs.filter(pk=ident).first() if is_uuid(ident) else None
    if found is None:
        raise NotFound(_("Không tìm thấy bưu gửi này trong phạm vi của bạn."))
    return found


def events(item: PostalItem) -> QuerySet[TrackingEvent]:
    """An item's events, oldest first (the item was found through a scoped selector)."""
    return item.events.select_related("unit", "actor").order_by("at", "id")


def services(*, tracked_only: bool = False) -> QuerySet[PostalService]:
    qs = PostalService.objects.all()
    return qs.filter(tracked=True) if tracked_only else qs


def may_act(user: Actor, action: str, unit: PostUnit | None) -> bool:
    return allows(user, action, Target(path=unit.path if unit else ""))
