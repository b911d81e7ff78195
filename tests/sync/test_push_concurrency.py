"""On PostgreSQL, one batch pushed eight times at once (a laptop that timed out and sent
again while the first push was still being applied) is applied once, and every push gets
the same answers."""

from __future__ import annotations

import pytest
from django.db import connection

from buudien.core.models import Role, User
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.sync import wire
from buudien.sync.models import AppliedOperation, Device
from tests.concurrency import race
from tests.conftest import Tree
from tests.sync.test_push import _day

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent pushes under a unique index need PostgreSQL; CI runs it",
    ),
]


def test_the_same_batch_pushed_at_once_is_applied_once(
    device: Device, users: dict[str, User], tree: Tree, catalogue: None
) -> None:
    from buudien.sync.services.push import push

    ops, seen = _day(device, users[Role.CLERK], tree)
    body = wire.encode_ops(ops, backlog=0)
    answers: list[object] = []

    def send(_i: int) -> None:
        fresh = Device.objects.get(pk=device.pk)
        answers.append(wire.unpack(push(device=fresh, body=body))["r"])

    errors = race(8, send)
    assert errors == []
    assert LedgerEntry.objects.count() == 3
    assert CounterSession.objects.get(pk=seen["session"]).entries_count == 3
    assert AppliedOperation.objects.count() == 2
    complete = [a for a in answers if len(a) == 2]  # type: ignore[arg-type]
    assert complete and all(a == complete[0] for a in complete)
