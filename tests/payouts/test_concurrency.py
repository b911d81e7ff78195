"""On PostgreSQL, 20 concurrent attempts (counter and API mixed) pay one line once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from buudien.core.models import ApiToken, Role
from buudien.counter import services as counter_services
from buudien.counter.catalogue import seed_catalogue
from buudien.counter.models import LedgerEntry
from buudien.payouts import services
from buudien.payouts.models import Payout, Programme
from buudien.payouts.seed import seed_programmes
from tests.factories import PartnerFactory, PostUnitFactory, UserFactory
from tests.payouts.test_payouts import MONTH, PAYDAY, person, workbook

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks under real concurrency need PostgreSQL; CI runs it",
    ),
]


def test_twenty_concurrent_attempts_pay_once(monkeypatch: pytest.MonkeyPatch) -> None:
    seed_catalogue()
    province = PostUnitFactory(kind="province")
    area = PostUnitFactory(kind="area", parent=province)
    office = PostUnitFactory(kind="office", parent=area)
    point = PostUnitFactory(code="VHXA1", kind="commune_point", parent=office)
    PartnerFactory(code="BHXH04", served_by=province)
    seed_programmes()
    manager = UserFactory(role=Role.PROVINCE_MANAGER, home_unit=province)
    clerk = UserFactory(role=Role.CLERK, home_unit=point)
    services.import_list(
        actor=manager,
        programme=Programme.objects.get(code="LHUU"),
        month=MONTH,
        source=workbook([person(1)]),
    )
    line = Payout.objects.get()
    session = counter_services.open_session(
        clerk=clerk, unit=point, opening_cash=10**9, business_date=PAYDAY.date()
    )
    monkeypatch.setattr("django.utils.timezone.now", lambda: PAYDAY)
    _, raw = ApiToken.issue(user=clerk, name="t")
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def attempt(i: int) -> None:
        try:
            barrier.wait()
            if i % 2:
                services.pay(payout=line, clerk=clerk, session=session)
                outcomes.append("paid")
            else:
                api = Client(headers={"Authorization": f"Bearer {raw}"})
                r = api.post(
                    f"/api/payouts/lines/{line.pk}/pay",
                    {"session_id": str(session.pk)},
                    content_type="application/json",
                )
                outcomes.append("paid" if r.status_code == 200 else f"refused {r.status_code}")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("paid") == 1, outcomes
    assert LedgerEntry.objects.filter(source_type="payout").count() == 1
    assert Payout.objects.get().status == "paid"
