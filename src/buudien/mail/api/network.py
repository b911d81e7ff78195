"""The mail API of the network: bags (open, scan in, seal, dispatch, receive), routes and
their trips with manifests, and the list of what is late."""

import datetime as dt
import uuid
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from buudien.core import clock
from buudien.core.pagination import Pages
from buudien.core.permissions import guard
from buudien.core.scoping import require_user
from buudien.mail.errors import MailCode, MailError
from buudien.mail.models import Bag, MailRoute, PostalItem, Trip
from buudien.mail.selectors import bags as selectors
from buudien.mail.selectors import exceptions as problems
from buudien.mail.services import bags as bag_services
from buudien.mail.services import routes as route_services
from buudien.network import selectors as network_selectors

router = Router(tags=["mail"])

BagNumber = Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9\-]+$")]
RouteCode = Annotated[str, Path(max_length=20, pattern=r"^[A-Za-z0-9.\-_]+$")]
UnitCode = Annotated[str, Field(max_length=20, pattern=r"^[A-Za-z0-9.\-_]+$")]
STATE_PATTERN = "^(open|closed|dispatched|received)?$"
KIND_PATTERN = "^(" + "|".join(k for k, _l in problems.KINDS) + ")?$"


# --- schemas ----------------------------------------------------------------------------


class ItemLine(Schema):
    s10: str
    service: str
    status: str
    weight_g: int
    cod_amount: int
    destination: str | None

    @staticmethod
    def resolve_service(obj: PostalItem) -> str:
        return str(obj.service_id)

    @staticmethod
    def resolve_destination(obj: PostalItem) -> str | None:
        return obj.destination.code if obj.destination else None


class BagOut(Schema):
    number: str
    origin: str
    destination: str
    state: str
    trip: uuid.UUID | None
    route: str | None
    created_at: dt.datetime
    closed_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    received_at: dt.datetime | None

    @staticmethod
    def resolve_origin(obj: Bag) -> str:
        return obj.origin.code

    @staticmethod
    def resolve_destination(obj: Bag) -> str:
        return obj.destination.code

    @staticmethod
    def resolve_trip(obj: Bag) -> uuid.UUID | None:
        return obj.trip_id

    @staticmethod
    def resolve_route(obj: Bag) -> str | None:
        return obj.trip.route.code if obj.trip else None


class BagDetailOut(Schema):
    number: str
    origin: str
    destination: str
    state: str
    trip: uuid.UUID | None
    route: str | None
    created_at: dt.datetime
    closed_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    received_at: dt.datetime | None
    count: int
    weight_g: int
    items: list[ItemLine]


class BagIn(Schema):
    origin: UnitCode
    destination: UnitCode


class ScanIn(Schema):
    s10: str = Field(max_length=40)


class DispatchIn(Schema):
    trip: uuid.UUID


class StopIn(Schema):
    unit: UnitCode
    minutes: int = Field(ge=1, le=route_services.MAX_MINUTES)


class RouteIn(Schema):
    code: str = Field(max_length=20, pattern=r"^[A-Za-z0-9.\-_]+$")
    name: str = Field(min_length=1, max_length=200)
    tier: int = Field(ge=1, le=3)
    origin: UnitCode
    departs: dt.time
    weekdays: list[Annotated[int, Field(ge=1, le=7)]] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5, 6], min_length=1, max_length=7
    )
    vehicle: str = Field("", max_length=60)
    carrier: str = Field("", max_length=120)
    stops: list[StopIn] = Field(min_length=1, max_length=route_services.MAX_STOPS)


class StopOut(Schema):
    order: int
    unit: str
    minutes: int
    arrives: str


class OnwardOut(Schema):
    route: str
    leaves: str
    ok: bool


class FeederOut(Schema):
    route: str
    arrives: str
    ok: bool


class RouteOut(Schema):
    code: str
    name: str
    tier: int
    origin: str
    departs: str = Field(description="HH:MM, Asia/Ho_Chi_Minh")
    weekdays: list[int]
    vehicle: str
    carrier: str
    is_active: bool

    @staticmethod
    def resolve_origin(obj: MailRoute) -> str:
        return obj.origin.code

    @staticmethod
    def resolve_departs(obj: MailRoute) -> str:
        return f"{obj.departs:%H:%M}"

    @staticmethod
    def resolve_weekdays(obj: MailRoute) -> list[int]:
        return [int(d) for d in obj.weekdays.split(",") if d.strip().isdigit()]


class RouteDetailOut(Schema):
    code: str
    name: str
    tier: int
    origin: str
    departs: str = Field(description="HH:MM, Asia/Ho_Chi_Minh")
    weekdays: list[int]
    vehicle: str
    carrier: str
    is_active: bool
    stops: list[StopOut]
    onward: dict[str, list[OnwardOut]]
    feeders: list[FeederOut]
    flagged: bool


class TripOut(Schema):
    id: uuid.UUID
    route: str
    day: dt.date
    scheduled_at: dt.datetime
    due_at: dt.datetime
    departed_at: dt.datetime | None
    arrived_at: dt.datetime | None
    late: bool

    @staticmethod
    def resolve_route(obj: Trip) -> str:
        return obj.route.code

    @staticmethod
    def resolve_late(obj: Trip) -> bool:
        return obj.arrived_at is not None and obj.arrived_at > obj.due_at


class BagLoadOut(Schema):
    number: str
    origin: str
    destination: str
    count: int
    weight_g: int
    items: list[ItemLine]


class ManifestOut(Schema):
    trip: TripOut
    bags: list[BagLoadOut]
    count: int
    weight_g: int
    cod: int


class StartTripIn(Schema):
    day: dt.date | None = None


class FinishIn(Schema):
    at: dt.datetime | None = None


class ProblemOut(Schema):
    kind: str
    ref: str
    what: str
    unit: str | None
    since: dt.date
    days_late: int
    state: str


# --- bags -------------------------------------------------------------------------------


def _bag_detail(b: Bag) -> dict[str, Any]:
    items = selectors.bag_items(b)
    return {
        "number": b.number,
        "origin": b.origin.code,
        "destination": b.destination.code,
        "state": b.state,
        "trip": b.trip_id,
        "route": b.trip.route.code if b.trip else None,
        "created_at": b.created_at,
        "closed_at": b.closed_at,
        "dispatched_at": b.dispatched_at,
        "received_at": b.received_at,
        "count": len(items),
        "weight_g": sum(i.weight_g for i in items),
        "items": items,
    }


@router.get("/bags", response=list[BagOut])
@paginate(Pages, page_size=100)
@guard(read="mail.view")
def list_bags(
    request: HttpRequest,
    state: Annotated[str, Query(pattern=STATE_PATTERN)] = "",
    unit: Annotated[str, Query(max_length=20, pattern=r"^[A-Za-z0-9.\-_]*$")] = "",
    q: Annotated[str, Query(max_length=32)] = "",
) -> QuerySet[Bag]:
    """Bags leaving or reaching the user's units, newest first."""
    return selectors.bags(request.user, selectors.BagFilter(state=state, unit=unit, query=q))


@router.post("/bags", response={201: BagOut})
@guard(write="mail.scan")
def open_bag(request: HttpRequest, payload: BagIn) -> Status[Bag]:
    """Open an empty bag at a unit for a unit a route carries it to."""
    user = require_user(request.user)
    origin = network_selectors.unit_by_code(user, payload.origin)
    made = bag_services.open_bag(
        actor=user, origin=origin, destination=selectors.destination(origin, payload.destination)
    )
    return Status(201, made)


@router.get("/bags/{number}", response=BagDetailOut)
@guard(read="mail.view")
def get_bag(request: HttpRequest, number: BagNumber) -> dict[str, Any]:
    """A bag with its items, counts and weight."""
    return _bag_detail(selectors.bag(request.user, number))


@router.post("/bags/{number}/items", response=BagDetailOut)
@guard(write="mail.scan")
def add_item(request: HttpRequest, number: BagNumber, payload: ScanIn) -> dict[str, Any]:
    """Scan an item into an open bag (a mistyped id is refused with what is wrong in it)."""
    user = require_user(request.user)
    found = selectors.bag(user, number)
    bag_services.add_to_bag(actor=user, bag=found, s10=payload.s10)
    return _bag_detail(selectors.bag(user, number))


@router.post("/bags/{number}/close", response=BagDetailOut)
@guard(write="mail.scan")
def close_bag(request: HttpRequest, number: BagNumber) -> dict[str, Any]:
    """Seal a bag that holds at least one item."""
    user = require_user(request.user)
    return _bag_detail(bag_services.close_bag(actor=user, bag=selectors.bag(user, number)))


@router.post("/bags/{number}/dispatch", response=BagDetailOut)
@guard(write="mail.scan")
def dispatch_bag(request: HttpRequest, number: BagNumber, payload: DispatchIn) -> dict[str, Any]:
    """Put a sealed bag on a trip whose route carries it."""
    user = require_user(request.user)
    found = selectors.bag(user, number)
    run = selectors.trip(user, payload.trip).trip
    return _bag_detail(bag_services.dispatch_bag(actor=user, bag=found, trip=run))


@router.post("/bags/{number}/receive", response=BagDetailOut)
@guard(write="mail.scan")
def receive_bag(request: HttpRequest, number: BagNumber) -> dict[str, Any]:
    """The bag reached its destination: each item in it arrived there."""
    user = require_user(request.user)
    return _bag_detail(bag_services.receive_bag(actor=user, bag=selectors.bag(user, number)))


# --- routes and trips -------------------------------------------------------------------


def _route_detail(r: MailRoute) -> dict[str, Any]:
    links = selectors.connections(r)
    return {
        "code": r.code,
        "name": r.name,
        "tier": r.tier,
        "origin": r.origin.code,
        "departs": f"{r.departs:%H:%M}",
        "weekdays": RouteOut.resolve_weekdays(r),
        "vehicle": r.vehicle,
        "carrier": r.carrier,
        "is_active": r.is_active,
        "stops": [
            {
                "order": s.stop.order,
                "unit": s.stop.unit.code,
                "minutes": s.stop.minutes,
                "arrives": s.arrives,
            }
            for s in links.stops
        ],
        "onward": {
            s.stop.unit.code: [
                {"route": o.route.code, "leaves": o.leaves, "ok": o.ok} for o in s.onward
            ]
            for s in links.stops
            if s.onward
        },
        "feeders": [
            {"route": f.route.code, "arrives": f.arrives, "ok": f.ok} for f in links.feeders
        ],
        "flagged": links.flagged,
    }


@router.get("/routes", response=list[RouteOut])
@paginate(Pages, page_size=100)
@guard(read="mail.view")
def list_routes(
    request: HttpRequest, tier: Annotated[int | None, Query(ge=1, le=3)] = None
) -> QuerySet[MailRoute]:
    """Routes that start or stop in the user's subtree, by tier and code."""
    return selectors.routes(request.user, tier=tier)


@router.post("/routes", response=RouteDetailOut)
@guard(write="mail.routes")
def save_route(request: HttpRequest, payload: RouteIn) -> dict[str, Any]:
    """Create a route, or replace the schedule and stops of the one with this code."""
    user = require_user(request.user)
    origin = network_selectors.unit_by_code(user, payload.origin)
    codes = [s.unit.upper() for s in payload.stops]
    found = network_selectors.units_by_code(user=user, codes=codes)
    missing = [c for c in codes if c not in found]
    if missing:
        raise MailError(
            _("Không có đơn vị mã %(codes)s trong phạm vi của bạn.")
            % {"codes": ", ".join(missing[:5])},
            code=MailCode.ROUTE_INVALID,
            field="stops",
        )
    saved = route_services.save_route(
        actor=user,
        code=payload.code,
        name=payload.name,
        tier=payload.tier,
        origin=origin,
        departs=payload.departs,
        weekdays=payload.weekdays,
        vehicle=payload.vehicle,
        carrier=payload.carrier,
        stops=[(found[s.unit.upper()], s.minutes) for s in payload.stops],
    )
    return _route_detail(selectors.route(user, saved.code))


@router.get("/routes/{code}", response=RouteDetailOut)
@guard(read="mail.view")
def get_route(request: HttpRequest, code: RouteCode) -> dict[str, Any]:
    """A route with its stops, timetable and how it meets the other tiers."""
    return _route_detail(selectors.route(request.user, code))


@router.post("/routes/{code}/trips", response={201: TripOut})
@guard(write="mail.trips")
def start_trip(
    request: HttpRequest, code: RouteCode, payload: StartTripIn | None = None
) -> Status[Trip]:
    """Open a day's trip of the route (today unless a day is given)."""
    user = require_user(request.user)
    found = selectors.route(user, code)
    day = payload.day if payload is not None and payload.day else clock.today()
    return Status(201, route_services.start_trip(actor=user, route=found, day=day))


@router.post("/trips/{trip_id}/finish", response=TripOut)
@guard(write="mail.trips")
def finish_trip(request: HttpRequest, trip_id: uuid.UUID, payload: FinishIn) -> Trip:
    """The trip reached its last stop (now, unless a time is given)."""
    user = require_user(request.user)
    run = selectors.trip(user, trip_id).trip
    return route_services.finish_trip(actor=user, trip=run, at=payload.at)


@router.get("/trips/{trip_id}", response=ManifestOut)
@guard(read="mail.view")
def get_trip(request: HttpRequest, trip_id: uuid.UUID) -> dict[str, Any]:
    """A trip's manifest: its bags, the items in each, counts and weights."""
    m = selectors.trip(request.user, trip_id)
    return {
        "trip": m.trip,
        "bags": [
            {
                "number": load.bag.number,
                "origin": load.bag.origin.code,
                "destination": load.bag.destination.code,
                "count": load.count,
                "weight_g": load.weight_g,
                "items": load.items,
            }
            for load in m.bags
        ],
        "count": m.count,
        "weight_g": m.weight_g,
        "cod": m.cod,
    }


# --- exceptions -------------------------------------------------------------------------


@router.get("/exceptions", response=list[ProblemOut])
@paginate(Pages, page_size=100)
@guard(read="mail.view")
def list_exceptions(
    request: HttpRequest,
    kind: Annotated[str, Query(pattern=KIND_PATTERN)] = "",
    unit: Annotated[str, Query(max_length=20, pattern=r"^[A-Za-z0-9.\-_]*$")] = "",
) -> Any:
    """Items not bagged a day after acceptance, items past their standard's day, late trips;
    each with its unit and days late."""
    under = network_selectors.unit_by_code(request.user, unit) if unit else None
    found = problems.exceptions(request.user, kind=kind, unit=under)
    return _ProblemRows(found)


class _ProblemRows:
    """The list as the paginator reads it: a length and slices of plain rows."""

    def __init__(self, found: problems.Problems) -> None:
        self.found = found

    def __len__(self) -> int:
        return self.found.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [
            {
                "kind": p.kind,
                "ref": p.ref,
                "what": p.what,
                "unit": p.unit.code if p.unit else None,
                "since": p.since,
                "days_late": p.days_late,
                "state": p.state,
            }
            for p in self.found[index]
        ]
