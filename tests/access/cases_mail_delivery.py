"""Cases for the mail delivery routes (HTML and API): the delivery list and its actions, the
COD to pay to senders, arrivals from outside the province, the scanner's files."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from buudien.core import s10
from buudien.core.models import Role
from buudien.mail.models import PostalItem, Status
from buudien.network.models import Commune, Province
from tests.access.case import Case
from tests.access.world import World

COD = 200_000
SERIAL = {"in": 91_000_000, "out": 92_000_000}


def _commune(where: str) -> Commune:
    province, _ = Province.objects.get_or_create(
        code=99, defaults={"name": "Tỉnh thử", "codename": "tinh_thu", "division_type": "tỉnh"}
    )
    commune, _ = Commune.objects.get_or_create(
        code=99_000 + int(SERIAL[where] // 1_000_000),
        defaults={
            "province": province,
            "name": f"Xã thử {where}",
            "codename": f"xa_thu_{where}",
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
        "destination": side.point,
        "current_unit": side.point,
        "sender_name": f"Người gửi {where}",
        "sender_phone": "0912345678",
        "receiver_name": f"Người nhận {where}",
        "receiver_phone": "0987654321",
        "receiver_address": "Xóm Nà Lẹng",
        "receiver_hamlet": "Nà Lẹng",
        "receiver_commune": _commune(where),
        "zone": "province",
        "weight_g": 500,
        "cod_amount": COD,
        "status": Status.ARRIVED,
        "accepted_at": timezone.now(),
        "received_on": world.today,
    }
    return PostalItem.objects.create(**(values | kw))


def build(world: World) -> None:
    """On each side: a parcel with COD arrived at the point, and one delivered whose COD
    waits to be paid to its sender."""
    for where in ("in", "out"):
        world.put(where, "mail_arrived", _item(world, where, 1))
        world.put(
            where,
            "mail_collected",
            _item(
                world,
                where,
                2,
                status=Status.DELIVERED,
                delivered_at=timezone.now(),
                cod_collected_at=timezone.now(),
            ),
        )


def _s10(name: str) -> Any:
    return lambda w, s: w.obj(s, name).s10


def _inbound(w: World, s: str) -> dict[str, Any]:
    return {
        "unit": w.side(s).point.code,
        "s10": s10.make("EE", SERIAL[s] + 9),
        "service_code": "BC-EMS",
        "receiver_name": "Lương Văn Hùng",
        "receiver_address": "Xóm Bản Giới",
        "receiver_commune": _commune(s).code,
        "weight_g": 800,
    }


def _csv(w: World, s: str) -> dict[str, Any]:
    at = timezone.localtime().strftime("%d/%m/%Y %H:%M")
    item, point = w.obj(s, "mail_arrived"), w.side(s).point
    body = (
        f"so_hieu,trang_thai,ly_do,ma_don_vi,thoi_gian\n{item.s10},failed,absent,{point.code},{at}"
    )
    return {"file": SimpleUploadedFile("quet.csv", body.encode(), content_type="text/csv")}


def _deliver(w: World, s: str) -> dict[str, Any]:
    return {"receiver_name": "Người nhận thay", "proof": "ký nhận", "cod_collected": COD}


CASES: dict[str, Case] = {
    "mail:delivery": Case(
        url=lambda w, s: "/mail/delivery/",
        data=lambda w, s: (
            {"action": "deliver", "s10": w.obj(s, "mail_arrived").s10} | _deliver(w, s)
        ),
        marker=_s10("mail_arrived"),
        listing=True,
        doer=Role.CLERK,
    ),
    "mail:cod": Case(
        url=lambda w, s: "/mail/cod/",
        data=lambda w, s: {"s10": w.obj(s, "mail_collected").s10},
        marker=_s10("mail_collected"),
        listing=True,
        doer=Role.CLERK,
    ),
    "mail:inbound": Case(
        url=lambda w, s: f"/mail/inbound/?unit={w.side(s).point.code}",
        data=_inbound,
        doer=Role.CLERK,
    ),
    "mail:scans": Case(url=lambda w, s: "/mail/scans/", data=_csv, scoped=False, doer=Role.CLERK),
    "POST /api/mail/items/{s10}/deliver": Case(
        url=lambda w, s: f"/api/mail/items/{w.obj(s, 'mail_arrived').s10}/deliver",
        data=_deliver,
        doer=Role.CLERK,
    ),
    "POST /api/mail/items/{s10}/fail": Case(
        url=lambda w, s: f"/api/mail/items/{w.obj(s, 'mail_arrived').s10}/fail",
        data=lambda w, s: {"reason": "absent", "note": "Vắng nhà"},
        doer=Role.CLERK,
    ),
    "POST /api/mail/items/{s10}/return": Case(
        url=lambda w, s: f"/api/mail/items/{w.obj(s, 'mail_arrived').s10}/return",
        data=lambda w, s: {"reason": "refused"},
        doer=Role.CLERK,
    ),
    "POST /api/mail/items/{s10}/pay-cod": Case(
        url=lambda w, s: f"/api/mail/items/{w.obj(s, 'mail_collected').s10}/pay-cod",
        data=lambda w, s: {},
        doer=Role.CLERK,
    ),
    "POST /api/mail/inbound": Case(
        url=lambda w, s: "/api/mail/inbound", data=_inbound, doer=Role.CLERK
    ),
    "POST /api/mail/scans": Case(
        url=lambda w, s: "/api/mail/scans", data=_csv, scoped=False, doer=Role.CLERK
    ),
    "GET /api/mail/delivery": Case(
        url=lambda w, s: "/api/mail/delivery", marker=_s10("mail_arrived"), listing=True
    ),
    "GET /api/mail/cod": Case(
        url=lambda w, s: "/api/mail/cod", marker=_s10("mail_collected"), listing=True
    ),
}
