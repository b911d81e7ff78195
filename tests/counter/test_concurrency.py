"""On PostgreSQL, concurrent posts: one key makes one entry; different keys make one each."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.models import Sum

from buudien.core import reference
from buudien.core.models import Role, User
from buudien.counter import services
from buudien.counter.errors import CounterError
from buudien.counter.models import CounterSession, DailyRollup, LedgerEntry, MonthlyRollup
from buudien.counter.services import EntryRequest
from tests.concurrency import race
from tests.factories import PostUnitFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks under real concurrency need PostgreSQL; CI runs it",
    ),
]


def _setup() -> tuple[CounterSession, User]:
    reference.load(only=["network.partners", "counter.services", "counter.tariffs"])
    province = PostUnitFactory(kind="province")
    area = PostUnitFactory(kind="area", parent=province)
    office = PostUnitFactory(kind="office", parent=area)
    point = PostUnitFactory(kind="commune_point", parent=office)
    clerk = UserFactory(role=Role.CLERK, home_unit=point)
    return services.open_session(clerk=clerk, unit=point, opening_cash=0), clerk


def test_twenty_concurrent_posts_with_one_key_make_one_entry() -> None:
    session, clerk = _setup()
    results: list[str] = []

    def work(_: int) -> None:
        r = services.post_entry(
            session=session,
            clerk=clerk,
            request=EntryRequest(
                idempotency_key="same-key", service_code="TC-DIEN", amount=500_000
            ),
        )
        results.append(str(r.entry.pk))

    assert race(20, work) == []
    assert LedgerEntry.objects.count() == 1
    assert len(set(results)) == 1
    assert DailyRollup.objects.get().count == 1
    session.refresh_from_db()
    assert session.cash_in == 500_000


def test_twenty_concurrent_posts_with_different_keys_make_twenty() -> None:
    session, clerk = _setup()

    def work(i: int) -> None:
        services.post_entry(
            session=session,
            clerk=clerk,
            request=EntryRequest(
                idempotency_key=str(uuid.uuid4()), service_code="BC-BK", quantity=1 + i % 3
            ),
        )

    assert race(20, work) == []
    assert LedgerEntry.objects.count() == 20
    total = LedgerEntry.objects.aggregate(r=Sum("revenue"), q=Sum("quantity"))
    rollup = DailyRollup.objects.get()
    assert (rollup.count, rollup.quantity, rollup.revenue) == (20, total["q"], total["r"])
    assert MonthlyRollup.objects.get().revenue == total["r"]
    session.refresh_from_db()
    assert session.cash_in == total["r"]
    assert session.entries_count == 20


def test_twenty_shifts_settling_one_thing_with_different_keys_make_one_entry() -> None:
    """Twenty clerks at one point, each in his own shift and with his own key, try to settle
    the same thing at the same moment: the database keeps exactly one entry."""
    session, _ = _setup()
    point = session.unit
    shifts = []
    for i in range(20):
        clerk = UserFactory(username=f"quay-{i}", role=Role.CLERK, home_unit=point)
        shifts.append((services.open_session(clerk=clerk, unit=point, opening_cash=0), clerk))
    refused: list[str] = []

    def work(i: int) -> None:
        shift, clerk = shifts[i]
        try:
            services.post_entry(
                session=shift,
                clerk=clerk,
                request=EntryRequest(
                    idempotency_key=f"key-{i}",
                    service_code="TC-DIEN",
                    amount=500_000,
                    settles="bill:PE0123456",
                ),
            )
        except CounterError as exc:
            refused.append(str(exc.code))

    assert race(20, work) == []
    assert LedgerEntry.objects.filter(settles="bill:PE0123456").count() == 1
    assert refused == ["counter.already_settled"] * 19
    assert DailyRollup.objects.get().count == 1
