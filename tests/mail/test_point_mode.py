"""Mail at a point that works offline: two laptops accept at the same time and no two items
share an S10 id; the province applies their items with the laptops' ids, receipts and
devices, exactly once, and its own numbering steps around the laptops' blocks."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from buudien.core import numbers, s10
from buudien.core.models import Role, User
from buudien.counter import selectors as counter_selectors
from buudien.counter import services as counter_services
from buudien.counter.models import LedgerEntry
from buudien.counter.services.customers import create_customer
from buudien.mail.models import PostalItem, TrackingEvent
from buudien.mail.services import delivery
from buudien.mail.services.acceptance import accept
from buudien.mail.services.tracking import record_event
from buudien.sync import wire
from buudien.sync.models import Device
from buudien.sync.services.push import push
from tests.conftest import Tree
from tests.factories import UserFactory
from tests.mail.conftest import Places, parcel
from tests.sync.conftest import device_for, offline

pytestmark = pytest.mark.django_db
AT = dt.datetime(2025, 3, 14, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def pushed(device: Device, ops: list[wire.WireOp]) -> list[str]:
    reply = wire.unpack(push(device=device, body=wire.encode_ops(ops, backlog=0)))
    return [row[1] for row in reply["r"]]


def _day_at(device: Device, clerk: User, places: Places, n: int) -> tuple[list[Any], list[str]]:
    with offline(device, AT) as ops:
        shift = counter_services.open_session(clerk=clerk, unit=device.point, opening_cash=0)
        ids = [
            accept(
                session=shift,
                clerk=clerk,
                data=parcel(places.a2, weight_g=400 + i, request_key=f"k{i}"),
            ).s10
            for i in range(n)
        ]
    return ops, ids


@pytest.fixture
def two_laptops(tree: Tree, users: dict[str, User], places: Places) -> dict[str, Any]:
    manager = users[Role.AREA_MANAGER]
    clerk_b = UserFactory(username="diem-b1", role=Role.CLERK, home_unit=tree.point_b1)
    return {
        "a": (device_for(tree.point_a1, manager), users[Role.CLERK]),
        "b": (device_for(tree.point_b1, users[Role.PROVINCE_MANAGER]), clerk_b),
    }


def test_two_laptops_offline_at_once_never_give_the_same_id(
    two_laptops: dict[str, Any], places: Places
) -> None:
    (dev_a, clerk_a), (dev_b, clerk_b) = two_laptops["a"], two_laptops["b"]
    ops_a, ids_a = _day_at(dev_a, clerk_a, places, 4)
    ops_b, ids_b = _day_at(dev_b, clerk_b, places, 4)
    assert all(s10.is_valid(i) for i in ids_a + ids_b)
    assert not set(ids_a) & set(ids_b)
    assert set(pushed(dev_a, ops_a)) == {"a"} and set(pushed(dev_b, ops_b)) == {"a"}
    assert set(PostalItem.objects.values_list("s10", flat=True)) == set(ids_a + ids_b)
    # The charge of each item is in the ledger once, under the item's id.
    assert LedgerEntry.objects.filter(reference__in=ids_a + ids_b).count() == 8
    first = TrackingEvent.objects.get(item__s10=ids_a[0], status="accepted")
    assert first.device == f"point:{dev_a.pk}"
    # Pushed again, nothing doubles.
    pushed(dev_a, ops_a)
    assert PostalItem.objects.count() == 8


def test_the_provinces_own_ids_step_around_every_laptops_block(
    two_laptops: dict[str, Any],
    places: Places,
    tree: Tree,
    users: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dev_a, _clerk = two_laptops["a"]
    block = numbers.reserve(holder=dev_a.pk, kind="s10")[0]
    draws = iter([block["first"] + 3, 12_345_678])
    monkeypatch.setattr(secrets, "randbelow", lambda _n: next(draws))
    shift = counter_services.open_session(
        clerk=users[Role.CLERK], unit=tree.point_a1, opening_cash=0
    )
    item = accept(session=shift, clerk=users[Role.CLERK], data=parcel(places.a2))
    assert item.s10 == s10.make("CP", 12_345_678)


def test_an_event_scanned_offline_arrives_with_its_device_and_time(
    two_laptops: dict[str, Any], places: Places, tree: Tree, users: dict[str, User]
) -> None:
    manager = users[Role.AREA_MANAGER]
    shift = counter_services.open_session(clerk=manager, unit=tree.point_a2, opening_cash=0)
    item = accept(session=shift, clerk=manager, data=parcel(places.a1))
    dev_a, clerk = two_laptops["a"]
    with offline(dev_a, AT) as ops:
        record_event(item=item, actor=clerk, status="arrived", unit=tree.point_a1)
    assert pushed(dev_a, ops) == ["a"]
    item.refresh_from_db()
    assert item.status == "arrived" and item.received_on == AT.date()
    event = TrackingEvent.objects.get(item=item, status="arrived")
    assert (event.device, event.at) == (f"point:{dev_a.pk}", AT)


def test_a_customer_added_and_a_parcel_delivered_offline_reach_the_province_once(
    two_laptops: dict[str, Any], places: Places, tree: Tree, users: dict[str, User]
) -> None:
    manager = users[Role.AREA_MANAGER]
    shift = counter_services.open_session(clerk=manager, unit=tree.point_a2, opening_cash=0)
    item = accept(session=shift, clerk=manager, data=parcel(places.a1, cod_amount=200_000))
    record_event(item=item, actor=manager, status="arrived", unit=tree.point_a1)
    dev_a, clerk = two_laptops["a"]
    with offline(dev_a, AT) as ops:
        here = counter_services.open_session(clerk=clerk, unit=tree.point_a1, opening_cash=0)
        shop = create_customer(
            actor=clerk,
            unit=tree.point_a1,
            name="HTX Miến dong Nà Phầy",
            kind="ocop",
            phone="0915 222 333",
        )
        delivery.deliver(
            item=item,
            clerk=clerk,
            session=here,
            receiver_name="Hoàng Văn Pháo",
            cod_collected=200_000,
        )
    assert set(pushed(dev_a, ops)) == {"a"}
    pushed(dev_a, ops)
    item.refresh_from_db()
    assert item.status == "delivered" and item.cod_collected_at is not None
    cod = LedgerEntry.objects.get(service__code="BC-COD")
    assert (cod.amount, cod.reference) == (200_000, item.s10)
    assert counter_selectors.customer(users[Role.ADMIN], shop.pk).phone == "0915222333"
