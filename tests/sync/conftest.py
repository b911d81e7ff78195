"""Point mode in one database: work done "offline" is captured as the laptop would push it,
then rolled back, so the province applies it from nothing through the same services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from buudien.core import clock, journal, numbers
from buudien.core.models import Operation, PointDevice, Role, User
from buudien.network.models import PostUnit
from buudien.sync import wire
from buudien.sync.models import Device
from tests.conftest import Tree
from tests.payouts.conftest import programme  # noqa: F401 - a fixture shared with payouts


def device_for(point: PostUnit, manager: User) -> Device:
    return Device.objects.create(
        point=point, label="Máy thử", secret_digest="-", enrolled_by=manager
    )


@pytest.fixture
def device(tree: Tree, users: dict[str, User]) -> Device:
    return device_for(tree.point_a1, users[Role.AREA_MANAGER])


def as_wire(ops: list[Operation]) -> list[wire.WireOp]:
    return [
        wire.WireOp(
            seq=op.seq,
            code=journal.kind(op.kind).code,
            at=op.at,
            actor=op.actor,
            payload=op.payload,
        )
        for op in ops
    ]


@contextmanager
def offline(device: Device, at: dt.datetime) -> Iterator[list[wire.WireOp]]:
    """Inside, this database is the point's laptop at `at`; what it did leaves only the
    operations it would push (the captured list), as wire operations."""
    captured: list[wire.WireOp] = []
    from django.db import transaction

    # The S10 serials the province reserved for this laptop (kept at the province).
    s10_blocks = numbers.reserve(holder=device.pk, kind="s10")

    with transaction.atomic():
        PointDevice.objects.create(
            id=device.pk,
            point_id=device.point_id,
            point_code=device.point.code,
            server_url="http://tinh.invalid",
            secret="-",
            next_seq=Device.objects.values_list("last_seq", flat=True).get(pk=device.pk) + 1,
        )
        numbers.keep(
            holder=device.pk,
            kind="dossier",
            blocks=[{"first": 900_000 + device.last_seq, "last": 900_400}],
        )
        numbers.keep(holder=device.pk, kind="shift", blocks=[{"first": 1296, "last": 1315}])
        numbers.keep(holder=device.pk, kind="s10", blocks=s10_blocks)
        journal.forget_device()
        try:
            with clock.at(at):
                yield captured
            captured.extend(as_wire(list(Operation.objects.order_by("seq"))))
        finally:
            transaction.set_rollback(True)
            journal.forget_device()
