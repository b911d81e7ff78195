"""Cases for the mail network routes (HTML and API): bags, routes, trips and their manifests,
and the list of what is late."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from buudien.core import s10
from buudien.core.models import Role
from buudien.mail.models import Bag, BagItem, MailRoute, PostalItem, Status, Trip
from buudien.mail.services import bags as bag_services
from buudien.mail.services import routes as route_services
from buudien.network.models import Commune, Province
from tests.access.case import Case
from tests.access.world import World

SERIAL = {"in": 93_000_000, "out": 94_000_000}
PREFIX = {"in": "91", "out": "92"}


def _commune() -> Commune:
    province, _ = Province.objects.get_or_create(
        code=99, defaults={"name": "Tỉnh thử", "codename": "tinh_thu", "division_type": "tỉnh"}
    )
    commune, _ = Commune.objects.get_or_create(
        code=99_093,
        defaults={
            "province": province,
            "name": "Xã thử mạng",
            "codename": "xa_thu_mang",
            "division_type": "xã",
        },
    )
    return commune


def _item(world: World, where: str, n: int, **kw: Any) -> PostalItem:
    side = world.side(where)
    values: dict[str, Any] = {
        "s10": s10.make("CP", SERIAL[where] + n),
        "service_id": "BC-BK",
        "origin": side.point,
        "destination": None,
        "current_unit": side.point,
        "sender_name": f"Người gửi {where}",
        "receiver_name": f"Người nhận {where}",
        "receiver_address": "Xóm Nà Lẹng",
        "receiver_commune": _commune(),
        "zone": "province",
        "weight_g": 700,
        "status": Status.ACCEPTED,
        "accepted_at": timezone.now() - dt.timedelta(days=3),
        "due_on": world.today - dt.timedelta(days=1),
    }
    return PostalItem.objects.create(**(values | kw))


def _bag(world: World, where: str, origin: Any, destination: Any, item: PostalItem) -> Bag:
    bag = Bag.objects.create(
        number=f"{origin.code}-T-{len(world.side(where).objects):03d}",
        origin=origin,
        destination=destination,
        created_by=world.users[Role.ADMIN],
    )
    BagItem.objects.create(bag=bag, item=item)
    PostalItem.objects.filter(pk=item.pk).update(status=Status.BAGGED)
    return bag


def _route(where: str, code: str, departs: dt.time, minutes: int, world: World) -> MailRoute:
    side = world.side(where)
    return route_services.save_route(
        actor=world.users[Role.ADMIN],
        code=code,
        name=f"Tuyến thử {code}",
        tier=3,
        origin=side.office,
        departs=departs,
        weekdays="1,2,3,4,5,6,7",
        stops=[(side.point, minutes)],
    )


def _build_side(world: World, where: str) -> None:
    side = world.side(where)
    admin = world.users[Role.ADMIN]
    prefix = PREFIX[where]
    route = _route(where, f"T3-{prefix}", dt.time(8, 0), 30, world)
    spare = _route(where, f"T3B-{prefix}", dt.time(14, 0), 45, world)
    # Yesterday's run, not finished: bags may still go on it and it may be finished now.
    trip = route_services.start_trip(
        actor=admin, route=route, day=world.today - dt.timedelta(days=1)
    )
    world.put(where, "net_route", route)
    world.put(where, "net_spare", spare)
    world.put(where, "net_trip", trip)
    world.put(where, "net_loose", _item(world, where, 1))
    inside = _item(world, where, 2)
    world.put(where, "net_inside", inside)
    world.put(where, "net_open", _bag(world, where, side.point, side.office, inside))
    closed = _bag(world, where, side.point, side.office, _item(world, where, 3))
    Bag.objects.filter(pk=closed.pk).update(state=Bag.State.CLOSED, closed_at=timezone.now())
    world.put(where, "net_closed", closed)
    coming = _item(world, where, 4, current_unit=side.office, status=Status.ARRIVED)
    sent = _bag(world, where, side.office, side.point, coming)
    Bag.objects.filter(pk=sent.pk).update(state=Bag.State.CLOSED)
    bag_services.dispatch_bag(actor=admin, bag=Bag.objects.get(pk=sent.pk), trip=trip)
    world.put(where, "net_sent", sent)


def build(world: World) -> None:
    """On each side: two tier-3 routes office → point, yesterday's trip of one, an item
    waiting at the point for 3 days, an open bag, a sealed bag, a bag on its way to the
    point."""
    for where in ("in", "out"):
        _build_side(world, where)


def _number(name: str) -> Any:
    return lambda w, s: w.obj(s, name).number


def _route_form(w: World, s: str, code: str) -> dict[str, Any]:
    side = w.side(s)
    return {
        "code": code,
        "name": "Tuyến chiều",
        "tier": "3",
        "origin": side.office.code,
        "departs": "15:00",
        "weekdays": ["1", "2", "3"],
        "stops": f"{side.point.code}, 40",
    }


def _route_json(w: World, s: str) -> dict[str, Any]:
    side = w.side(s)
    return {
        "code": f"T3A-{PREFIX[s]}",
        "name": "Tuyến API",
        "tier": 3,
        "origin": side.office.code,
        "departs": "16:00",
        "stops": [{"unit": side.point.code, "minutes": 20}],
    }


def _trip(w: World, s: str) -> Trip:
    trip: Trip = w.obj(s, "net_trip")
    return trip


CASES: dict[str, Case] = {
    "mail:bags": Case(
        url=lambda w, s: "/mail/bags/",
        data=lambda w, s: {"origin": w.side(s).point.code, "destination": w.side(s).office.code},
        marker=_number("net_open"),
        listing=True,
        doer=Role.CLERK,
    ),
    "mail:bag": Case(
        url=lambda w, s: f"/mail/bags/{w.obj(s, 'net_open').number}/",
        data=lambda w, s: {"s10": w.obj(s, "net_loose").s10},
        marker=_number("net_open"),
        doer=Role.CLERK,
    ),
    "mail:bag_remove": Case(
        url=lambda w, s: f"/mail/bags/{w.obj(s, 'net_open').number}/remove/",
        data=lambda w, s: {"s10": w.obj(s, "net_inside").s10},
        doer=Role.CLERK,
    ),
    "mail:bag_close": Case(
        url=lambda w, s: f"/mail/bags/{w.obj(s, 'net_open').number}/close/",
        data=lambda w, s: {},
        doer=Role.CLERK,
    ),
    "mail:bag_dispatch": Case(
        url=lambda w, s: f"/mail/bags/{w.obj(s, 'net_closed').number}/dispatch/",
        data=lambda w, s: {"trip": str(_trip(w, s).pk)},
        doer=Role.CLERK,
    ),
    "mail:bag_receive": Case(
        url=lambda w, s: f"/mail/bags/{w.obj(s, 'net_sent').number}/receive/",
        data=lambda w, s: {},
        doer=Role.CLERK,
    ),
    "mail:routes": Case(
        url=lambda w, s: "/mail/routes/",
        data=lambda w, s: _route_form(w, s, f"T3N-{PREFIX[s]}"),
        marker=lambda w, s: w.obj(s, "net_route").code,
        listing=True,
        doer=Role.AREA_MANAGER,
    ),
    "mail:route": Case(
        url=lambda w, s: f"/mail/routes/{w.obj(s, 'net_route').code}/",
        data=lambda w, s: _route_form(w, s, w.obj(s, "net_route").code),
        marker=lambda w, s: w.obj(s, "net_route").code,
        doer=Role.AREA_MANAGER,
    ),
    "mail:route_trip": Case(
        url=lambda w, s: f"/mail/routes/{w.obj(s, 'net_spare').code}/trips/",
        data=lambda w, s: {},
        doer=Role.CLERK,
    ),
    "mail:trip": Case(
        url=lambda w, s: f"/mail/trips/{_trip(w, s).pk}/",
        data=lambda w, s: {"at": ""},
        marker=_number("net_sent"),
        doer=Role.CLERK,
    ),
    "mail:exceptions": Case(
        url=lambda w, s: "/mail/exceptions/",
        marker=lambda w, s: w.obj(s, "net_loose").s10,
        listing=True,
    ),
    "GET /api/mail/bags": Case(
        url=lambda w, s: "/api/mail/bags", marker=_number("net_open"), listing=True
    ),
    "POST /api/mail/bags": Case(
        url=lambda w, s: "/api/mail/bags",
        data=lambda w, s: {"origin": w.side(s).point.code, "destination": w.side(s).office.code},
        doer=Role.CLERK,
    ),
    "GET /api/mail/bags/{number}": Case(
        url=lambda w, s: f"/api/mail/bags/{w.obj(s, 'net_open').number}",
        marker=_number("net_open"),
    ),
    "POST /api/mail/bags/{number}/items": Case(
        url=lambda w, s: f"/api/mail/bags/{w.obj(s, 'net_open').number}/items",
        data=lambda w, s: {"s10": w.obj(s, "net_loose").s10},
        doer=Role.CLERK,
    ),
    "POST /api/mail/bags/{number}/close": Case(
        url=lambda w, s: f"/api/mail/bags/{w.obj(s, 'net_open').number}/close",
        data=lambda w, s: {},
        doer=Role.CLERK,
    ),
    "POST /api/mail/bags/{number}/dispatch": Case(
        url=lambda w, s: f"/api/mail/bags/{w.obj(s, 'net_closed').number}/dispatch",
        data=lambda w, s: {"trip": str(_trip(w, s).pk)},
        doer=Role.CLERK,
    ),
    "POST /api/mail/bags/{number}/receive": Case(
        url=lambda w, s: f"/api/mail/bags/{w.obj(s, 'net_sent').number}/receive",
        data=lambda w, s: {},
        doer=Role.CLERK,
    ),
    "GET /api/mail/routes": Case(
        url=lambda w, s: "/api/mail/routes",
        marker=lambda w, s: w.obj(s, "net_route").code,
        listing=True,
    ),
    "POST /api/mail/routes": Case(
        url=lambda w, s: "/api/mail/routes", data=_route_json, doer=Role.AREA_MANAGER
    ),
    "GET /api/mail/routes/{code}": Case(
        url=lambda w, s: f"/api/mail/routes/{w.obj(s, 'net_route').code}",
        marker=lambda w, s: w.obj(s, "net_route").code,
    ),
    "POST /api/mail/routes/{code}/trips": Case(
        url=lambda w, s: f"/api/mail/routes/{w.obj(s, 'net_spare').code}/trips",
        data=lambda w, s: {},
        doer=Role.CLERK,
    ),
    "POST /api/mail/trips/{trip_id}/finish": Case(
        url=lambda w, s: f"/api/mail/trips/{_trip(w, s).pk}/finish",
        data=lambda w, s: {},
        doer=Role.CLERK,
    ),
    "GET /api/mail/trips/{trip_id}": Case(
        url=lambda w, s: f"/api/mail/trips/{_trip(w, s).pk}", marker=_number("net_sent")
    ),
    "GET /api/mail/exceptions": Case(
        url=lambda w, s: "/api/mail/exceptions",
        marker=lambda w, s: w.obj(s, "net_loose").s10,
        listing=True,
    ),
}
