"""What went wrong in the mail network and needs someone to act (bưu gửi chậm): items taken
in more than a day ago and still not bagged, items not delivered by their service standard's
day, trips late at their last stop or not finished; each with its unit and days late."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.core import clock
from buudien.mail.models import PostalItem, Status, Trip
from buudien.mail.selectors import bags as bag_selectors
from buudien.mail.selectors.items import visible

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from buudien.core.scoping import Actor
    from buudien.network.models import PostUnit

NOT_BAGGED = "not_bagged"
OVERDUE = "overdue"
LATE_TRIP = "late_trip"
KINDS: list[tuple[str, _StrPromise]] = [
    (NOT_BAGGED, gettext_lazy("Nhận gửi quá 1 ngày chưa đóng túi")),
    (OVERDUE, gettext_lazy("Quá hạn phát theo chỉ tiêu")),
    (LATE_TRIP, gettext_lazy("Chuyến thư trễ hoặc chưa kết thúc")),
]
# A trip that ended late stays on the list this many days; one not finished, until it is.
LATE_TRIP_DAYS = 7


@dataclass(frozen=True)
class Problem:
    """One row of the list: what, where, since when and how many days late."""

    kind: str
    ref: str  # the item's S10 id, or the route's code and the trip's day
    what: str
    unit: PostUnit | None
    since: dt.date
    days_late: int
    state: str
    item: PostalItem | None = None
    trip: Trip | None = None

    @property
    def kind_label(self) -> str:
        return str(dict(KINDS)[self.kind])


def _local_day(moment: dt.datetime | None, default: dt.date) -> dt.date:
    return timezone.localdate(moment) if moment is not None else default


def _not_bagged(item: PostalItem, today: dt.date) -> Problem:
    day = _local_day(item.accepted_at, today)
    return Problem(
        kind=NOT_BAGGED,
        ref=item.s10,
        what=item.service.name,
        unit=item.current_unit,
        since=day,
        days_late=(today - day).days - 1,
        state=str(Status(item.status).label),
        item=item,
    )


def _overdue(item: PostalItem, today: dt.date) -> Problem:
    due = item.due_on or today
    return Problem(
        kind=OVERDUE,
        ref=item.s10,
        what=item.service.name,
        unit=item.current_unit or item.destination,
        since=due,
        days_late=(today - due).days,
        state=str(Status(item.status).label),
        item=item,
    )


def _late_trip(trip: Trip, today: dt.date) -> Problem:
    due = timezone.localdate(trip.due_at)
    end = _local_day(trip.arrived_at, today)
    state = (
        _("Chưa kết thúc")
        if trip.arrived_at is None
        else _("Về trễ %(m)s phút")
        % {"m": int((trip.arrived_at - trip.due_at).total_seconds() // 60)}
    )
    return Problem(
        kind=LATE_TRIP,
        ref=f"{trip.route.code} {trip.day:%d/%m/%Y}",
        what=trip.route.name,
        unit=trip.route.origin,
        since=trip.day,
        days_late=max((end - due).days, 0),
        state=state,
        trip=trip,
    )


Part = tuple[QuerySet[Any], Callable[[Any, dt.date], Problem]]


class Problems:
    """The list, kind after kind, paged by the database: a paginator asks its count and
    slices, and only the rows of the page are read."""

    def __init__(self, parts: list[Part], today: dt.date) -> None:
        self.parts = parts
        self.today = today
        self._counts: list[int] | None = None

    def counts(self) -> list[int]:
        if self._counts is None:
            self._counts = [qs.count() for qs, _row in self.parts]
        return self._counts

    def count(self) -> int:
        return sum(self.counts())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Problem]:
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        out: list[Problem] = []
        offset = 0
        for (qs, row), n in zip(self.parts, self.counts(), strict=True):
            lo, hi = max(start - offset, 0), min(stop - offset, n)
            if lo < hi:
                out += [row(obj, self.today) for obj in qs[lo:hi]]
            offset += n
        return out

    def __iter__(self) -> Iterator[Problem]:
        for qs, row in self.parts:
            for obj in qs.iterator(chunk_size=2000):
                yield row(obj, self.today)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _under(qs: QuerySet[Any], field: str, unit: PostUnit | None) -> QuerySet[Any]:
    return qs.filter(**{f"{field}__path__startswith": unit.path}) if unit is not None else qs


def exceptions(user: Actor, kind: str = "", unit: PostUnit | None = None) -> Problems:
    """Items and trips that are late, in the user's scope (under a unit of it), of one kind
    or of every kind; the longest waiting first within each kind."""
    today = clock.today()
    items = visible(user)
    parts: list[Part] = []
    if kind in ("", NOT_BAGGED):
        qs: QuerySet[Model] = items.filter(
            status=Status.ACCEPTED, accepted_at__lt=_start_of(today - dt.timedelta(days=1))
        )
        parts.append((_under(qs, "current_unit", unit).order_by("accepted_at", "pk"), _not_bagged))
    if kind in ("", OVERDUE):
        qs = (
            items.exclude(status__in=(Status.DELIVERED, Status.RETURNED))
            .filter(due_on__lt=today)
            .exclude(destination__isnull=True, status=Status.DISPATCHED)  # gone out of province
        )
        if unit is not None:
            qs = qs.filter(
                Q(current_unit__path__startswith=unit.path)
                | Q(current_unit__isnull=True, destination__path__startswith=unit.path)
            )
        parts.append((qs.order_by("due_on", "pk"), _overdue))
    if kind in ("", LATE_TRIP):
        trips = bag_selectors.trips(user).filter(
            Q(arrived_at__isnull=True, due_at__lt=clock.now())
            | Q(arrived_at__gt=F("due_at"), day__gte=today - dt.timedelta(days=LATE_TRIP_DAYS))
        )
        parts.append((_under(trips, "route__origin", unit).order_by("due_at", "pk"), _late_trip))
    return Problems(parts, today)
