"""On PostgreSQL, clerks racing on one item: it is delivered once with one COD entry, and its
COD is paid to the sender once."""

from __future__ import annotations

import pytest
from django.db import connection

from buudien.core import reference
from buudien.core.errors import DomainError
from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.mail.models import PostalItem, Status, TrackingEvent
from buudien.mail.services import delivery
from buudien.mail.services.acceptance import ItemIn, accept
from buudien.mail.services.tracking import record_event
from buudien.network.models import Commune, Province
from tests.concurrency import race
from tests.factories import PostUnitFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks under real concurrency need PostgreSQL; CI runs it",
    ),
]
CLERKS = 8
COD = 420_000


def _setup() -> tuple[PostalItem, list[tuple[CounterSession, User]]]:
    """A point with eight clerks, each in his own shift, and a parcel with COD arrived there."""
    reference.load()
    province = Province.objects.create(
        code=99, name="Tỉnh Thử", codename="tinh_thu", division_type="tỉnh"
    )
    commune = Commune.objects.create(
        code=99001, province=province, name="Xã Thử", codename="xa_thu", division_type="xã"
    )
    top = PostUnitFactory(kind="province")
    area = PostUnitFactory(kind="area", parent=top)
    office = PostUnitFactory(kind="office", parent=area)
    point = PostUnitFactory(kind="commune_point", parent=office, commune=commune)
    shifts = []
    for i in range(CLERKS):
        clerk = UserFactory(username=f"phat-{i}", role=Role.CLERK, home_unit=point)
        shift = counter_services.open_session(clerk=clerk, unit=point, opening_cash=1_000_000)
        shifts.append((shift, clerk))
    shift, clerk = shifts[0]
    item = accept(
        session=shift,
        clerk=clerk,
        data=ItemIn(
            service_code="BC-BK",
            sender_name="Nông Thị Lan",
            receiver_name="Hoàng Văn Pháo",
            receiver_address="Xóm Nà Lẹng",
            receiver_commune=commune.code,
            weight_g=1500,
            cod_amount=COD,
        ),
    )
    record_event(item=item, actor=clerk, status=Status.ARRIVED, unit=point)
    return PostalItem.objects.get(pk=item.pk), shifts


def test_clerks_delivering_one_item_at_once_deliver_it_once() -> None:
    item, shifts = _setup()
    refused: list[str] = []

    def work(i: int) -> None:
        shift, clerk = shifts[i]
        try:
            delivery.deliver(
                item=PostalItem.objects.get(pk=item.pk),
                clerk=clerk,
                session=shift,
                receiver_name="Hoàng Văn Pháo",
                cod_collected=COD,
            )
        except DomainError as exc:
            refused.append(str(exc.code))

    assert race(CLERKS, work) == []
    assert refused == ["mail.already_settled"] * (CLERKS - 1)
    assert LedgerEntry.objects.filter(service__code="BC-COD").count() == 1
    assert TrackingEvent.objects.filter(item=item, status=Status.DELIVERED).count() == 1
    cash = sum(s.cash_in for s in CounterSession.objects.all())
    assert cash == item.charge + COD


def test_clerks_paying_one_cod_at_once_pay_it_once() -> None:
    item, shifts = _setup()
    shift, clerk = shifts[0]
    delivery.deliver(item=item, clerk=clerk, session=shift, receiver_name="A", cod_collected=COD)
    refused: list[str] = []

    def work(i: int) -> None:
        shift, clerk = shifts[i]
        try:
            delivery.pay_cod(item=PostalItem.objects.get(pk=item.pk), clerk=clerk, session=shift)
        except DomainError as exc:
            refused.append(str(exc.code))

    assert race(CLERKS, work) == []
    assert refused == ["mail.already_settled"] * (CLERKS - 1)
    assert LedgerEntry.objects.filter(service__code="BC-COD-TRA").count() == 1
    assert sum(s.cash_out for s in CounterSession.objects.all()) == COD
    assert PostalItem.objects.get(pk=item.pk).cod_paid_at is not None
