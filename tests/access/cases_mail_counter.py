"""Cases for the counter's mail routes (HTML and API): acceptance, items, labels, customers."""

from __future__ import annotations

from typing import Any

from buudien.core.models import Role
from buudien.counter.services import create_customer
from buudien.mail.services.acceptance import ItemIn, accept
from buudien.network.admin_units import load_admin_units
from buudien.network.models import Commune
from tests.access.case import Case
from tests.access.world import World

# Each side's point is placed in a commune of Cao Bằng (unless another module placed it).
CAO_BANG = 4
RECEIVER = {"in": "Hoàng Văn Trong", "out": "Vi Thị Ngoài"}
CUSTOMER = {"in": "Hợp tác xã Trong", "out": "Hợp tác xã Ngoài"}


def _place_points(world: World) -> None:
    if not Commune.objects.filter(province_id=CAO_BANG).exists():
        load_admin_units()
    communes = list(Commune.objects.filter(province_id=CAO_BANG).order_by("code")[:2])
    for where, commune in zip(("in", "out"), communes, strict=True):
        point = world.side(where).point
        if point.commune_id is None:
            point.commune = commune
            point.save()


def _commune(w: World, s: str) -> int:
    code = w.side(s).point.commune_id
    assert code is not None
    return int(code)


def _item_in(w: World, s: str, key: str) -> ItemIn:
    return ItemIn(
        service_code="BC-BK",
        sender_name="Nông Thị Gửi",
        sender_phone="0912345678",
        receiver_name=RECEIVER[s],
        receiver_phone="0987654321",
        receiver_address="Xóm Nà Lẹng",
        receiver_commune=_commune(w, s),
        weight_g=1500,
        request_key=key,
    )


def build(world: World) -> None:
    """On each side: an item taken in at the point, and a customer of the point."""
    _place_points(world)
    for where in ("in", "out"):
        side = world.side(where)
        item = accept(
            session=side.session, clerk=side.clerk, data=_item_in(world, where, f"access-{where}")
        )
        customer = create_customer(
            actor=side.clerk, unit=side.point, name=CUSTOMER[where], kind="shop"
        )
        world.put(where, "mail_item", item)
        world.put(where, "mail_customer", customer)


def _s10(w: World, s: str) -> str:
    return str(w.obj(s, "mail_item").s10)


def _accept_form(w: World, s: str) -> dict[str, Any]:
    return {
        "request_key": "access-accept-form",
        "service_code": "BC-BK",
        "sender_name": "Nông Thị Gửi",
        "receiver_name": "Lò Văn Nhận",
        "receiver_address": "Bản Khuổi Khon",
        "receiver_commune": str(_commune(w, "in")),
        "weight_g": "500",
        "accept": "1",
    }


def _accept_body(w: World, s: str) -> dict[str, Any]:
    return {
        "service_code": "BC-BK",
        "sender_name": "Nông Thị Gửi",
        "receiver_name": "Lò Văn Nhận qua API",
        "receiver_address": "Bản Khuổi Khon",
        "receiver_commune": _commune(w, "in"),
        "weight_g": 500,
        "request_key": "access-accept-api",
    }


def _customer(w: World, s: str) -> str:
    return str(w.obj(s, "mail_customer").pk)


def _customer_name(w: World, s: str) -> str:
    return CUSTOMER[s]


def _scan(w: World, s: str) -> dict[str, Any]:
    return {"status": "out_for_delivery", "seen": "accepted"}


CASES: dict[str, Case] = {
    "mail:items": Case(url=lambda w, s: "/mail/", marker=_s10, listing=True),
    "mail:accept": Case(
        url=lambda w, s: "/mail/accept/", data=_accept_form, scoped=False, doer=Role.CLERK
    ),
    "mail:item": Case(
        url=lambda w, s: f"/mail/items/{_s10(w, s)}/", data=_scan, marker=_s10, doer=Role.CLERK
    ),
    "mail:label": Case(
        url=lambda w, s: f"/mail/items/{_s10(w, s)}/label/?size=100x150", marker=_s10
    ),
    "mail:customers": Case(
        url=lambda w, s: "/mail/customers/", marker=_customer_name, listing=True
    ),
    "mail:customer_new": Case(
        url=lambda w, s: "/mail/customers/new/",
        data=lambda w, s: {"name": "Khách mới", "kind": "person"},
        scoped=False,
        doer=Role.CLERK,
    ),
    "mail:customer": Case(
        url=lambda w, s: f"/mail/customers/{_customer(w, s)}/",
        data=lambda w, s: {"name": CUSTOMER[s] + " (sửa)", "kind": "shop"},
        marker=_customer_name,
        doer=Role.CLERK,
    ),
    "POST /api/mail/items": Case(
        url=lambda w, s: "/api/mail/items", data=_accept_body, scoped=False, doer=Role.CLERK
    ),
    "GET /api/mail/items": Case(url=lambda w, s: "/api/mail/items", marker=_s10, listing=True),
    "GET /api/mail/items/{s10}": Case(
        url=lambda w, s: f"/api/mail/items/{_s10(w, s)}", marker=_s10
    ),
    "POST /api/mail/items/{s10}/events": Case(
        url=lambda w, s: f"/api/mail/items/{_s10(w, s)}/events", data=_scan, doer=Role.CLERK
    ),
    "GET /api/mail/quote": Case(
        url=lambda w, s: f"/api/mail/quote?service=BC-BK&commune={_commune(w, 'in')}&weight_g=500",
        scoped=False,
    ),
}
