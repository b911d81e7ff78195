"""On PostgreSQL, clerks at two counters taking the same person's renewal at the same moment:
his months are collected once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from buudien.core import reference
from buudien.core.errors import DomainError
from buudien.core.models import Role
from buudien.counter import services as counter_services
from buudien.counter.models import LedgerEntry
from buudien.insurance import services
from buudien.insurance.models import Cover, Payment, PaymentLine
from tests.concurrency import race
from tests.factories import PostUnitFactory, UserFactory
from tests.insurance.conftest import person_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks under real concurrency need PostgreSQL; CI runs it",
    ),
]
CLERKS = 8


def test_clerks_renewing_one_person_at_once_collect_his_months_once() -> None:
    reference.load()
    area = PostUnitFactory(kind="area", parent=PostUnitFactory(kind="province"))
    point = PostUnitFactory(
        kind="commune_point", parent=PostUnitFactory(kind="office", parent=area)
    )
    clerks = [
        UserFactory(username=f"thu-{i}", role=Role.CLERK, home_unit=point) for i in range(CLERKS)
    ]
    shifts = [counter_services.open_session(clerk=c, unit=point, opening_cash=0) for c in clerks]
    person = services.register_participant(actor=clerks[0], point=point, data=person_in())
    first = services.EnrolmentIn(
        scheme="voluntary_social",
        mode="3m",
        months=3,
        members=(services.MemberIn(participant_id=str(person.pk), income=2_200_000),),
    )
    services.enrol(session=shifts[0], clerk=clerks[0], data=first)
    seen = Cover.objects.get().paid_until
    renewal = services.EnrolmentIn(
        scheme="voluntary_social",
        mode="3m",
        months=3,
        members=(
            services.MemberIn(
                participant_id=str(person.pk), income=2_200_000, paid_until_seen=seen
            ),
        ),
    )
    refused: list[str] = []

    def work(i: int) -> None:
        try:
            services.enrol(session=shifts[i], clerk=clerks[i], data=renewal)
        except DomainError as exc:
            refused.append(exc.code)

    assert race(CLERKS, work) == []
    assert refused == ["insurance.already_settled"] * (CLERKS - 1)
    assert Payment.objects.count() == 2
    assert PaymentLine.objects.count() == 2
    assert LedgerEntry.objects.filter(source_type="insurance.payment").count() == 2
    renewed = PaymentLine.objects.get(period_from=seen + dt.timedelta(days=1))
    assert Cover.objects.get().paid_until == renewed.period_to
