"""Enrolment and renewal at the counter: the months each payment covers, its price, the money
through the ledger once, and the refusals that leave nothing behind."""

from __future__ import annotations

import datetime as dt

import pytest

from buudien.core.models import User
from buudien.counter import selectors as counter_selectors
from buudien.counter.models import CounterSession
from buudien.insurance.errors import InsuranceError
from buudien.insurance.models import Cover, Payment, PaymentLine
from tests.conftest import Tree
from tests.insurance.conftest import enrol_health, enrol_social, household_of, register

pytestmark = pytest.mark.django_db


def test_household_of_five_pays_twelve_months_with_the_members_reductions(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    _home, people = household_of(clerk, insured.point_a1, 5)
    payment = enrol_health(shift, clerk, people)
    # 4.5% of 2,340,000 = 105,300 a month for the first; 70%, 60%, 50%, 40% for the others.
    assert payment.total == (105_300 + 73_710 + 63_180 + 52_650 + 42_120) * 12
    lines = list(payment.lines.order_by("member_order"))
    assert [ln.member_order for ln in lines] == [1, 2, 3, 4, 5]
    # First time: the card is valid 30 days after paying, for 12 months to the day before.
    assert lines[0].period_from == dt.date(2026, 12, 20)
    assert lines[0].period_to == dt.date(2027, 12, 19)
    entry = counter_selectors.entry(clerk, payment.entry_id)
    assert entry.amount == payment.total
    assert entry.service.code == "TC-BHYT"
    assert entry.revenue > 0


def test_a_renewal_continues_from_the_end_of_the_paid_period(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1)
    first = enrol_social(shift, clerk, person, mode="3m", months=3)
    second = enrol_social(shift, clerk, person, mode="3m", months=3)
    a = first.lines.get()
    b = second.lines.get()
    assert (a.period_from, a.period_to) == (dt.date(2026, 11, 1), dt.date(2027, 1, 31))
    assert (b.period_from, b.period_to) == (dt.date(2027, 2, 1), dt.date(2027, 4, 30))
    assert Cover.objects.get(participant=person).paid_until == dt.date(2027, 4, 30)


def test_the_same_person_twice_in_one_payment_is_refused_and_nothing_is_written(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    _home, people = household_of(clerk, insured.point_a1, 2)
    with pytest.raises(InsuranceError, match="hai lần"):
        enrol_health(shift, clerk, [people[0], people[1], people[0]])
    assert not Payment.objects.exists()
    assert not PaymentLine.objects.exists()


def test_income_below_the_floor_is_refused(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1)
    with pytest.raises(InsuranceError, match="thu nhập chọn đóng") as caught:
        enrol_social(shift, clerk, person, income=1_000_000)
    assert caught.value.field == "income"
    assert not Cover.objects.exists()
