"""On PostgreSQL, 20 concurrent attempts to pay one line — twenty clerks of the point, each in
his own shift, each with his own key, through the counter service and the API — pay it once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from buudien.core import reference
from buudien.core.models import ApiToken, Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.payouts import services
from buudien.payouts.models import Payout
from tests.factories import PostUnitFactory, UserFactory
from tests.payouts.conftest import pension_programme
from tests.payouts.test_payouts import MONTH, PAYDAY, person, workbook

ATTEMPTS = 20
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks under real concurrency need PostgreSQL; CI runs it",
    ),
]


def _clerks_in_shift(point: object, n: int) -> list[tuple[User, CounterSession, str]]:
    """n clerks of the point, each with an open shift and an API token."""
    out = []
    for i in range(n):
        clerk = UserFactory(username=f"clerk-{i}", role=Role.CLERK, home_unit=point)
        session = counter_services.open_session(
            clerk=clerk, unit=point, opening_cash=10**9, business_date=PAYDAY.date()
        )
        _, raw = ApiToken.issue(user=clerk, name=f"t{i}")
        out.append((clerk, session, raw))
    return out


def _attempt(
    i: int, line: Payout, who: tuple[User, CounterSession, str], barrier: threading.Barrier
) -> str:
    clerk, session, raw = who
    barrier.wait()
    if i % 2:
        services.pay(payout=line, clerk=clerk, session=session, idempotency_key=f"key-{i}")
        return "paid"
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    r = api.post(
        f"/api/payouts/lines/{line.pk}/pay",
        {"session_id": str(session.pk), "idempotency_key": f"key-{i}"},
        content_type="application/json",
    )
    return "paid" if r.status_code == 200 else f"refused {r.status_code} {r.json()['code']}"


def test_twenty_concurrent_attempts_with_different_keys_and_shifts_pay_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reference.load(only=["network.partners", "counter.services", "counter.tariffs"])
    province = PostUnitFactory(kind="province")
    area = PostUnitFactory(kind="area", parent=province)
    office = PostUnitFactory(kind="office", parent=area)
    point = PostUnitFactory(code="VHXA1", kind="commune_point", parent=office)
    programme = pension_programme(province)
    manager = UserFactory(role=Role.PROVINCE_MANAGER, home_unit=province)
    services.import_list(
        actor=manager,
        programme=programme,
        month=MONTH,
        source=workbook([person(1)]),
    )
    line = Payout.objects.get()
    clerks = _clerks_in_shift(point, ATTEMPTS)
    monkeypatch.setattr("django.utils.timezone.now", lambda: PAYDAY)
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[str] = []

    def run(i: int) -> None:
        try:
            outcomes.append(_attempt(i, line, clerks[i], barrier))
        except Exception as exc:
            outcomes.append(f"{type(exc).__name__} {getattr(exc, 'code', '')}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(ATTEMPTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("paid") == 1, outcomes
    assert all("already_settled" in o for o in outcomes if o != "paid"), outcomes
    entries = LedgerEntry.objects.filter(source_type="payout")
    assert entries.count() == 1
    paid = Payout.objects.get()
    assert paid.status == "paid"
    assert entries.get().pk == paid.entry_id
    assert entries.get().settles == f"payout:{paid.pk}"
    cash_out = sum(CounterSession.objects.values_list("cash_out", flat=True))
    assert cash_out == paid.amount
