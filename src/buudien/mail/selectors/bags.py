"""Bags, routes and trips a user may see: a bag leaving or reaching his subtree, a route that
starts or stops in it, the trips of those routes with their manifests, how punctual they ran,
and how each route meets the next tier's timetable."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from buudien.core.errors import NotFound
from buudien.core.permissions import require
from buudien.core.scoping import Actor, scope_of
from buudien.mail.errors import MailCode, MailError
from buudien.mail.models import Bag, BagItem, MailRoute, PostalItem, RouteStop, Trip

if TYPE_CHECKING:
    from buudien.network.models import PostUnit

BAG_SORTS = {
    "number": ("number",),
    "created": ("created_at", "number"),
    "state": ("state", "-created_at"),
    "origin": ("origin__code", "-created_at"),
    "destination": ("destination__code", "-created_at"),
}


def _path(user: Actor) -> str | None:
    """The user's subtree ("" for everything; None for nothing)."""
    scope = scope_of(user)
    if scope.everything:
        return ""
    return scope.path or None


# --- bags -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BagFilter:
    state: str = ""
    unit: str = ""  # a unit's code: bags leaving or reaching it (or below it)
    query: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    sort: str = "-created"


def _visible_bags(user: Actor) -> QuerySet[Bag]:
    require(user, "mail.view")
    qs = Bag.objects.select_related("origin", "destination", "trip__route")
    path = _path(user)
    if path is None:
        return qs.none()
    if not path:
        return qs
    return qs.filter(Q(origin__path__startswith=path) | Q(destination__path__startswith=path))


def bags(user: Actor, flt: BagFilter | None = None) -> QuerySet[Bag]:
    """Bags leaving or reaching the user's subtree, filtered and sorted (the page pages it)."""
    flt = flt or BagFilter()
    qs = _visible_bags(user).annotate(n_items=Count("items"))
    if flt.state:
        qs = qs.filter(state=flt.state)
    if flt.unit:
        code = flt.unit.strip().upper()
        qs = qs.filter(
            Q(origin__code=code)
            | Q(destination__code=code)
            | Q(origin__path__contains=f"/{code}/")
            | Q(destination__path__contains=f"/{code}/")
        )
    if flt.query:
        qs = qs.filter(number__icontains=flt.query.strip())
    if flt.start is not None:
        qs = qs.filter(created_at__date__gte=flt.start)
    if flt.end is not None:
        qs = qs.filter(created_at__date__lte=flt.end)
    return qs.order_by(*sort_fields(flt.sort), "pk")


def sort_fields(sort: str) -> tuple[str, ...]:
    """The order of a bag list's sort key ("-key" reverses it; unknown: newest first)."""
    fields = BAG_SORTS.get(sort.removeprefix("-"))
    if fields is None:
        return ("-created_at", "number")
    if sort.startswith("-"):
        return tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)
    return fields


def bag(user: Actor, number: str) -> Bag:
    """One bag by its number, if it leaves or reaches the user's subtree."""
    wanted = str(number or "").strip().upper()[:32]
    found = _visible_bags(user).filter(number=wanted).first() if wanted else None
    if found is None:
        raise NotFound(_("Không tìm thấy túi thư này trong phạm vi của bạn."))
    return found


def bag_items(b: Bag) -> list[PostalItem]:
    """A bag's items in the order they were put in (the bag was found through `bag`)."""
    ids = BagItem.objects.filter(bag=b).order_by("pk").values_list("item_id", flat=True)
    by_id = {
        i.pk: i
        for i in PostalItem.objects.filter(pk__in=list(ids)).select_related(
            "service", "destination", "receiver_commune"
        )
    }
    return [by_id[i] for i in ids if i in by_id]


def carries(units: Sequence[Any], origin: Any, destination: Any) -> bool:
    """Whether a route through these units (its origin first, then its stops) carries a bag
    from one to the other: onward to a later stop, or back to the route's origin."""
    if origin not in units or destination not in units or origin == destination:
        return False
    i, j = units.index(origin), units.index(destination)
    return i < j or j == 0


def _route_unit_ids(route: MailRoute) -> list[Any]:
    stops = route.stops.order_by("order").values_list("unit_id", flat=True)
    return [route.origin_id, *stops]


def _routes_through(unit: PostUnit) -> QuerySet[MailRoute]:
    return MailRoute.objects.filter(is_active=True).filter(
        Q(origin=unit) | Q(pk__in=RouteStop.objects.filter(unit=unit).values("route"))
    )


def destinations(origin: PostUnit) -> list[PostUnit]:
    """Where a bag from a unit can go: the units of the routes that pass through it."""
    routes = list(_routes_through(origin).select_related("origin"))
    found: dict[Any, PostUnit] = {}
    for r in routes:
        ids = _route_unit_ids(r)
        if carries(ids, origin.pk, r.origin_id):
            found[r.origin_id] = r.origin
        for s in RouteStop.objects.filter(route=r).select_related("unit"):
            if carries(ids, origin.pk, s.unit_id):
                found[s.unit_id] = s.unit
    return sorted(found.values(), key=lambda u: u.code)


def destination(origin: PostUnit, code: str) -> PostUnit:
    """The unit with this code among a bag's possible destinations."""
    wanted = str(code or "").strip().upper()
    for unit in destinations(origin):
        if unit.code == wanted:
            return unit
    raise MailError(
        _("Không có tuyến đường thư nào chở túi từ %(origin)s đến «%(code)s».")
        % {"origin": origin.name, "code": wanted[:20]},
        code=MailCode.BAG_INVALID,
        field="destination",
    )


def bag_origins(user: Actor) -> list[PostUnit]:
    """The units in the user's subtree that a route passes through: where he can open bags."""
    path = _path(user)
    if path is None:
        return []
    found: dict[Any, PostUnit] = {}
    for r in routes(user).select_related("origin"):
        for unit in [r.origin, *(s.unit for s in r.stops.select_related("unit"))]:
            if unit.path.startswith(path):
                found[unit.pk] = unit
    return sorted(found.values(), key=lambda u: u.code)


def trips_for_bag(user: Actor, b: Bag, day: dt.date) -> list[Trip]:
    """The day's unfinished trips whose route carries the bag from its origin to its
    destination."""
    out = []
    qs = trips(user, day=day).filter(arrived_at__isnull=True).select_related("route")
    for t in qs:
        if carries(_route_unit_ids(t.route), b.origin_id, b.destination_id):
            out.append(t)
    return out


# --- routes and trips -------------------------------------------------------------------


def routes(user: Actor, tier: int | None = None) -> QuerySet[MailRoute]:
    """Routes that start or stop in the user's subtree, by tier and code."""
    require(user, "mail.view")
    qs = MailRoute.objects.select_related("origin").annotate(n_stops=Count("stops"))
    path = _path(user)
    if path is None:
        return qs.none()
    if path:
        stopping = RouteStop.objects.filter(unit__path__startswith=path).values("route")
        qs = qs.filter(Q(origin__path__startswith=path) | Q(pk__in=stopping))
    if tier in (1, 2, 3):
        qs = qs.filter(tier=tier)
    return qs.order_by("tier", "code")


def route(user: Actor, code: str) -> MailRoute:
    """One route by its code, if it starts or stops in the user's subtree."""
    wanted = str(code or "").strip().upper()[:20]
    found = routes(user).filter(code=wanted).first() if wanted else None
    if found is None:
        raise NotFound(_("Không tìm thấy tuyến đường thư này trong phạm vi của bạn."))
    return found


def route_exists(code: str) -> bool:
    """Whether a route code is taken (anywhere: codes are unique in the database)."""
    return MailRoute.objects.filter(code=str(code or "").strip().upper()).exists()


def stops(r: MailRoute) -> list[RouteStop]:
    return list(RouteStop.objects.filter(route=r).select_related("unit").order_by("order"))


def trips(
    user: Actor, route: MailRoute | None = None, day: dt.date | None = None
) -> QuerySet[Trip]:
    """Trips of the routes the user sees, newest first."""
    qs = Trip.objects.select_related("route", "route__origin").filter(
        route__in=routes(user).values("pk")
    )
    if route is not None:
        qs = qs.filter(route=route)
    if day is not None:
        qs = qs.filter(day=day)
    return qs.order_by("-day", "route__tier", "route__code")


@dataclass(frozen=True)
class BagLoad:
    bag: Bag
    items: list[PostalItem]
    count: int
    weight_g: int
    cod: int


@dataclass(frozen=True)
class Manifest:
    """A trip's manifest: its bags, the items in each, the counts and weights."""

    trip: Trip
    stops: list[RouteStop]
    bags: list[BagLoad]
    count: int
    weight_g: int
    cod: int

    @property
    def late(self) -> bool:
        return self.trip.arrived_at is not None and self.trip.arrived_at > self.trip.due_at


def trip(user: Actor, pk: Any) -> Manifest:
    """One trip, if its route is the user's, with its manifest."""
    try:
        key = uuid.UUID(str(pk))
    except ValueError:
        key = None
    found = trips(user).filter(pk=key).first() if key else None
    if found is None:
        raise NotFound(_("Không tìm thấy chuyến thư này trong phạm vi của bạn."))
    loads = []
    for b in Bag.objects.filter(trip=found).select_related("origin", "destination"):
        items = bag_items(b)
        loads.append(
            BagLoad(
                bag=b,
                items=items,
                count=len(items),
                weight_g=sum(i.weight_g for i in items),
                cod=sum(i.cod_amount for i in items),
            )
        )
    loads.sort(key=lambda x: x.bag.number)
    return Manifest(
        trip=found,
        stops=stops(found.route),
        bags=loads,
        count=sum(x.count for x in loads),
        weight_g=sum(x.weight_g for x in loads),
        cod=sum(x.cod for x in loads),
    )


@dataclass(frozen=True)
class Punctuality:
    route: MailRoute
    run: int
    on_time: int
    late: int
    unfinished: int

    @property
    def rate(self) -> float | None:
        done = self.on_time + self.late
        return round(100 * self.on_time / done, 1) if done else None


def punctuality(user: Actor, start: dt.date, end: dt.date) -> list[Punctuality]:
    """Per route, the trips run between two days: on time (at the last stop by the
    timetable), late, not finished."""
    rows = (
        trips(user)
        .filter(day__gte=start, day__lte=end)
        .values("route")
        .annotate(
            run=Count("pk"),
            on_time=Count("pk", filter=Q(arrived_at__lte=F("due_at"))),
            late=Count("pk", filter=Q(arrived_at__gt=F("due_at"))),
            unfinished=Count("pk", filter=Q(arrived_at__isnull=True)),
        )
        .order_by()
    )
    by_route = {r["route"]: r for r in rows}
    found = MailRoute.objects.filter(pk__in=list(by_route)).select_related("origin")
    return [
        Punctuality(
            route=r,
            run=by_route[r.pk]["run"],
            on_time=by_route[r.pk]["on_time"],
            late=by_route[r.pk]["late"],
            unfinished=by_route[r.pk]["unfinished"],
        )
        for r in sorted(found, key=lambda r: (r.tier, r.code))
    ]


# --- timetables -------------------------------------------------------------------------


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def clock_text(minutes: int) -> str:
    """A time of day from minutes after midnight ("07:45", or "01:10 (+1)" the next day)."""
    days, rest = divmod(minutes, 24 * 60)
    text = f"{rest // 60:02d}:{rest % 60:02d}"
    return f"{text} (+{days})" if days else text


@dataclass(frozen=True)
class Onward:
    """A next-tier route leaving from a stop, and whether it waits for this one."""

    route: MailRoute
    leaves: str
    ok: bool
    wait_minutes: int


@dataclass(frozen=True)
class StopLink:
    stop: RouteStop
    arrives: str
    onward: list[Onward]


@dataclass(frozen=True)
class Feeder:
    """An upper-tier route reaching this route's origin, and whether this one leaves after."""

    route: MailRoute
    arrives: str
    ok: bool
    wait_minutes: int


@dataclass(frozen=True)
class Connections:
    stops: list[StopLink]
    feeders: list[Feeder]

    @property
    def flagged(self) -> bool:
        """This route leaves its origin before an upper-tier route has brought the mail."""
        return any(not f.ok for f in self.feeders)

    @property
    def missed(self) -> int:
        """Next-tier routes that leave a stop before this route reaches it."""
        return sum(1 for s in self.stops for o in s.onward if not o.ok)


def connections(route: MailRoute) -> Connections:
    """For each stop, the next tier's routes leaving from it and whether they leave after
    this route arrives; and the upper tier's routes reaching this route's origin (a route
    that leaves before they arrive is flagged). The route was found through `route`."""
    leaves = _minutes(route.departs)
    links = []
    for s in stops(route):
        arrives = leaves + s.minutes
        onward = [
            Onward(
                route=r,
                leaves=clock_text(_minutes(r.departs)),
                ok=_minutes(r.departs) >= arrives,
                wait_minutes=_minutes(r.departs) - arrives,
            )
            for r in MailRoute.objects.filter(
                tier=route.tier + 1, origin_id=s.unit_id, is_active=True
            ).order_by("departs", "code")
        ]
        links.append(StopLink(stop=s, arrives=clock_text(arrives), onward=onward))
    feeders = []
    for s in (
        RouteStop.objects.filter(
            unit_id=route.origin_id, route__tier=route.tier - 1, route__is_active=True
        )
        .select_related("route")
        .order_by("route__code")
    ):
        arrives = _minutes(s.route.departs) + s.minutes
        feeders.append(
            Feeder(
                route=s.route,
                arrives=clock_text(arrives),
                ok=leaves >= arrives,
                wait_minutes=leaves - arrives,
            )
        )
    return Connections(stops=links, feeders=feeders)


def bag_weight(b: Bag) -> int:
    return int(
        PostalItem.objects.filter(pk__in=BagItem.objects.filter(bag=b).values("item")).aggregate(
            w=Sum("weight_g")
        )["w"]
        or 0
    )


def item_bag(item: PostalItem) -> Bag | None:
    """The bag an item now lies in (open or sealed, not yet gone), if any."""
    return (
        Bag.objects.filter(
            pk__in=BagItem.objects.filter(item=item).values("bag"),
            state__in=(Bag.State.OPEN, Bag.State.CLOSED),
        )
        .order_by("-created_at")
        .first()
    )
