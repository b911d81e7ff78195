"""What a delivering point has to do: its items by hamlet for the round, the COD still to
collect, and the COD collected and not yet paid to the senders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from buudien.core.permissions import require
from buudien.core.scoping import Actor
from buudien.core.text import fold
from buudien.mail.models import PostalItem, Status
from buudien.mail.selectors.items import visible

if TYPE_CHECKING:
    from buudien.network.models import PostUnit

TO_DELIVER = (Status.ARRIVED, Status.OUT_FOR_DELIVERY, Status.FAILED)
# A point's list for a day is a few dozen items; a whole province asked at once is cut here.
MAX_LIST = 2000


@dataclass
class HamletGroup:
    hamlet: str
    items: list[PostalItem] = field(default_factory=list)

    @property
    def cod_total(self) -> int:
        return sum(i.cod_amount for i in self.items if i.cod_collected_at is None)


@dataclass
class DeliveryList:
    unit: PostUnit
    day: dt.date | None
    groups: list[HamletGroup]
    count: int
    cut: bool

    @property
    def cod_total(self) -> int:
        return sum(g.cod_total for g in self.groups)


def to_deliver(user: Actor, unit: PostUnit, day: dt.date | None = None) -> QuerySet[PostalItem]:
    """The items a unit (and the points below it) has to deliver, in the user's scope; with a
    day, those that reached it that day."""
    require(user, "mail.view")
    qs = visible(user).filter(destination__path__startswith=unit.path, status__in=TO_DELIVER)
    if day is not None:
        qs = qs.filter(received_on=day)
    return qs.select_related("receiver_commune").order_by("receiver_hamlet", "receiver_name", "s10")


def delivery_list(user: Actor, unit: PostUnit, day: dt.date | None = None) -> DeliveryList:
    """The delivery list of a point, grouped by hamlet (accent-insensitively, blank last)."""
    found = list(to_deliver(user, unit, day)[: MAX_LIST + 1])
    cut = len(found) > MAX_LIST
    found = found[:MAX_LIST]
    groups: dict[str, HamletGroup] = {}
    for item in found:
        hamlet = item.receiver_hamlet.strip()
        key = fold(hamlet)
        group = groups.get(key)
        if group is None:
            group = groups[key] = HamletGroup(hamlet or _("(chưa ghi thôn, bản)"))
        group.items.append(item)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0]))
    return DeliveryList(unit, day, [g for _k, g in ordered], len(found), cut)


def cod_outstanding(user: Actor, unit: PostUnit | None = None) -> QuerySet[PostalItem]:
    """Items whose COD was collected and is not yet paid to the sender, by the unit that took
    them in (in the user's scope, or under `unit`)."""
    qs = visible(user).filter(
        origin__isnull=False,
        cod_amount__gt=0,
        cod_collected_at__isnull=False,
        cod_paid_at__isnull=True,
    )
    if unit is not None:
        qs = qs.filter(origin__path__startswith=unit.path)
    return qs.order_by("cod_collected_at", "s10")


def cod_total(qs: QuerySet[PostalItem]) -> int:
    return int(qs.aggregate(total=Sum("cod_amount"))["total"] or 0)


def cod_to_collect(user: Actor, unit: PostUnit | None = None) -> QuerySet[PostalItem]:
    """Items with COD still to collect at their delivery, in the user's scope."""
    qs = (
        visible(user)
        .filter(cod_amount__gt=0, cod_collected_at__isnull=True)
        .exclude(Q(status__in=(Status.DELIVERED, Status.RETURNED, Status.RETURNING)))
    )
    if unit is not None:
        qs = qs.filter(destination__path__startswith=unit.path)
    return qs.order_by("due_on", "s10")


def returning_to(user: Actor, unit: PostUnit) -> QuerySet[PostalItem]:
    """Items on their way back to senders who posted them under a unit: to hand back."""
    return (
        visible(user)
        .filter(origin__path__startswith=unit.path, status=Status.RETURNING)
        .order_by("sender_name", "s10")[:MAX_LIST]
    )
