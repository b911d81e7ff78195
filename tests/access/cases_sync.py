"""Cases for point mode's pages: the laptops of the points, their refused operations, the
conflicts to settle, and a laptop's own sync page (here a province, which has none)."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from buudien.core.models import Role
from buudien.sync import services
from buudien.sync.models import AppliedOperation, Conflict
from tests.access.case import Case
from tests.access.world import World

LABEL = {"in": "Máy điểm Trong", "out": "Máy điểm Ngoài"}
REASON = {"in": "Lý do từ chối Trong", "out": "Lý do từ chối Ngoài"}
CLASH = {"in": "Chi trùng dòng Trong", "out": "Chi trùng dòng Ngoài"}


def build(world: World) -> None:
    """Each side: an enrolled laptop at the point, one operation the province refused and one
    in conflict, the open conflict it raised."""
    admin = world.users[Role.ADMIN]
    for where, side in world.sides.items():
        _, code = services.issue_code(actor=admin, point_id=side.point.pk)
        device, _ = services.enroll(code=code, label=LABEL[where])
        world.put(where, "device", device)
        AppliedOperation.objects.create(
            id=uuid.uuid4(),
            device=device,
            seq=1,
            kind="counter.post_entries",
            at=timezone.now(),
            actor=side.clerk.username,
            payload={},
            outcome=AppliedOperation.Outcome.REFUSED,
            code="counter.session_closed",
            message=REASON[where],
        )
        clashed = AppliedOperation.objects.create(
            id=uuid.uuid4(),
            device=device,
            seq=2,
            kind="payouts.pay",
            at=timezone.now(),
            actor=side.clerk.username,
            payload={},
            outcome=AppliedOperation.Outcome.CONFLICT,
            code="sync.conflict",
            message=CLASH[where],
        )
        conflict = Conflict.objects.create(
            operation=clashed,
            point=side.point,
            kind=Conflict.Kind.DOUBLE_PAYMENT,
            message=CLASH[where],
            amount=1_500_000,
            details={"first_receipt": f"BL-{where}-1", "second_receipt": f"BL-{where}-2"},
        )
        world.put(where, "conflict", conflict)


def _device(w: World, s: str) -> Any:
    return w.obj(s, "device").pk


def _conflict(w: World, s: str) -> Any:
    return w.obj(s, "conflict").pk


CASES: dict[str, Case] = {
    "sync:status": Case(url=lambda w, s: "/sync/", data=lambda w, s: {}, scoped=False),
    "sync:devices": Case(
        url=lambda w, s: "/sync/devices/",
        data=lambda w, s: {"point": str(w.side(s).point.pk)},
        listing=True,
        marker=lambda w, s: LABEL[s],
        doer=Role.AREA_MANAGER,
    ),
    "sync:device": Case(
        url=lambda w, s: f"/sync/devices/{_device(w, s)}/", marker=lambda w, s: REASON[s]
    ),
    "sync:revoke": Case(
        url=lambda w, s: f"/sync/devices/{_device(w, s)}/revoke/",
        data=lambda w, s: {},
        doer=Role.AREA_MANAGER,
    ),
    "sync:conflicts": Case(
        url=lambda w, s: "/sync/conflicts/", listing=True, marker=lambda w, s: CLASH[s]
    ),
    "sync:resolve": Case(
        url=lambda w, s: f"/sync/conflicts/{_conflict(w, s)}/resolve/",
        data=lambda w, s: {"resolution": "Đã thu hồi 1.500.000 đ"},
        doer=Role.AREA_MANAGER,
    ),
    # A laptop's doors: a person's session is not a device credential.
    "sync_device:enroll": Case(
        url=lambda w, s: "/device/enroll", data=lambda w, s: {}, scoped=False
    ),
    "sync_device:push": Case(url=lambda w, s: "/device/push", data=lambda w, s: {}, scoped=False),
    "sync_device:pull": Case(url=lambda w, s: "/device/pull", data=lambda w, s: {}, scoped=False),
}
