"""The demo's insurance agency, built small: people with valid ids at the points, payments
priced by the rules and taken through the ledger, renewals that go on from the end of the
paid period, lapses, and a rollup that matches."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from itertools import pairwise

import pytest
from django.db.models import Count, Max, Min, Sum

from buudien.core import reference
from buudien.core.ids import is_valid_phone, parse_citizen_id
from buudien.core.models import User
from buudien.counter import selectors as counter_selectors
from buudien.insurance import demo, premium
from buudien.insurance.models import (
    Cover,
    Declaration,
    Household,
    InsuranceDay,
    Participant,
    Payment,
    PaymentLine,
)
from buudien.insurance.periods import ONE_DAY
from buudien.insurance.selectors.rules import rule_book
from buudien.network import demo as network_demo

TODAY = dt.date(2026, 3, 11)
SCALE = 0.02  # 320 people in voluntary social insurance, 48 households


@pytest.fixture
def built(db: None) -> None:
    reference.load()
    network_demo.build(today=TODAY)
    demo.build(today=TODAY, scale=SCALE)


def _admin() -> User:
    return User.objects.get(username="admin")


def test_the_province_has_its_participants_with_valid_ids(built: None) -> None:
    covers = Counter(Cover.objects.values_list("scheme_id", flat=True))
    assert covers["voluntary_social"] == round(demo.PEOPLE * SCALE)
    assert Household.objects.count() == round(demo.HOUSEHOLDS * SCALE)
    sizes = Counter(
        Participant.objects.filter(household__isnull=False)
        .values("household")
        .annotate(n=Count("*"))
        .values_list("n", flat=True)
    )
    assert set(sizes) <= {3, 4, 5, 6} and len(sizes) >= 3
    people = list(Participant.objects.all())
    assert len({p.citizen_id for p in people}) == len(people)
    for person in people:
        assert parse_citizen_id(person.citizen_id, today=TODAY).birth_year == person.birth_date.year
        assert not person.phone or is_valid_phone(person.phone)
    # At the commune points, spread over most of them.
    points = Counter(p.point.kind for p in people)
    assert set(points) == {"commune_point"}
    assert len({p.point_id for p in people}) > 50


def test_every_payment_is_taken_once_through_the_ledger(built: None) -> None:
    payments = {str(p.pk): p for p in Payment.objects.select_related("scheme")}
    entries = counter_selectors.entries(user=_admin()).filter(source_type="insurance.payment")
    assert entries.count() == len(payments)
    for entry in entries:
        payment = payments[entry.source_id]
        assert (entry.pk, entry.receipt_no) == (payment.entry_id, payment.receipt_no)
        assert entry.amount == payment.total
        assert entry.service.code == payment.scheme.service_code
        assert entry.business_date == payment.business_date < TODAY
        assert entry.revenue > 0  # the post's commission
    totals = Payment.objects.values_list("total", flat=True)
    lines = PaymentLine.objects.values("payment").annotate(s=Sum("amount"))
    assert sorted(totals) == sorted(r["s"] for r in lines)


def test_a_sample_of_payments_repriced_by_the_rules_costs_what_was_paid(built: None) -> None:
    books = {s: rule_book(s) for s in ("voluntary_social", "household_health")}
    lines = list(
        PaymentLine.objects.select_related("payment", "cover").order_by("cover", "-period_from")
    )
    # The months of support a person had used before a line: his cover's, less this line's
    # and the later ones'.
    used_since: dict[object, int] = defaultdict(int)
    checked = 0
    for n, line in enumerate(lines):
        used_since[line.cover_id] += line.supported_months
        before = line.cover.supported_months - used_since[line.cover_id]
        if n % 7:
            continue
        payment = line.payment
        member = premium.Member(
            name="x",
            start=line.period_from,
            order=line.member_order,
            income=line.income,
            category=line.category,
            evidence=line.cover.evidence or "x",
            supported_months=before,
        )
        quote = premium.quote(
            books[payment.scheme_id],
            mode=payment.mode,
            months=payment.months,
            members=[member],
            paid_on=payment.business_date,
        )
        person = quote.people[0]
        assert (person.amount, person.gross, person.support) == (
            line.amount,
            line.gross,
            line.support,
        )
        assert person.period_to == line.period_to
        checked += 1
    assert checked > 100


def test_renewals_go_on_from_the_end_of_the_paid_period(built: None) -> None:
    by_cover: dict[object, list[PaymentLine]] = defaultdict(list)
    for line in PaymentLine.objects.select_related("payment").order_by("period_from"):
        by_cover[line.cover_id].append(line)
    gaps = renewals = 0
    for lines in by_cover.values():
        for before, after in pairwise(lines):
            assert after.period_from > before.period_to  # never a month paid twice
            if after.period_from == before.period_to + ONE_DAY:
                renewals += 1
            else:
                gaps += 1  # came back after a lapse: a new start, never today's date
                assert after.payment.business_date > before.period_to
    assert renewals > 10 * gaps > 0
    covers = Cover.objects.all()
    for cover in covers:
        last = by_cover[cover.pk][-1]
        assert cover.paid_until == last.period_to


def test_the_history_has_all_the_modes_lapses_and_renewals_due(built: None) -> None:
    span = Payment.objects.aggregate(first=Min("business_date"), last=Max("business_date"))
    assert demo.first_day(TODAY) <= span["first"] <= dt.date(2025, 1, 20)
    assert TODAY - dt.timedelta(days=10) <= span["last"] < TODAY
    modes = set(Payment.objects.values_list("scheme_id", "mode"))
    assert {("voluntary_social", m) for m in ("monthly", "3m", "6m", "12m")} <= modes
    assert {("household_health", m) for m in ("3m", "6m", "12m")} <= modes
    due = Cover.objects.filter(paid_until__gte=TODAY, paid_until__lte=TODAY + dt.timedelta(30))
    lapsed = Cover.objects.filter(paid_until__lt=TODAY)
    active = Cover.objects.filter(paid_until__gte=TODAY)
    assert due.exists() and lapsed.exists()
    assert active.count() > 5 * lapsed.count()
    assert PaymentLine.objects.filter(is_new=True).exists()
    assert PaymentLine.objects.filter(support__gt=0).exists()


def test_the_rollup_counts_the_people_paid_for(built: None) -> None:
    rolled = {
        (r["unit_id"], r["day"], r["scheme_id"]): (r["enrolments"], r["amount"])
        for r in InsuranceDay.objects.values("unit_id", "day", "scheme_id", "enrolments", "amount")
    }
    counted: dict[tuple[object, dt.date, str], list[int]] = defaultdict(lambda: [0, 0])
    for point, day, scheme, amount in PaymentLine.objects.values_list(
        "payment__point_id", "payment__business_date", "payment__scheme_id", "amount"
    ):
        counted[(point, day, scheme)][0] += 1
        counted[(point, day, scheme)][1] += amount
    assert rolled == {k: tuple(v) for k, v in counted.items()}
    # A year at the published scale: 15.959 people enrolled in voluntary social insurance.
    last_year = InsuranceDay.objects.filter(day__year=2025, scheme_id="voluntary_social")
    enrolled = last_year.aggregate(n=Sum("enrolments"))["n"]
    assert 0.8 < enrolled / (15_959 * SCALE) < 1.3


def test_the_months_before_this_one_are_declared_and_confirmed(built: None) -> None:
    this_month = TODAY.replace(day=1)
    assert not Payment.objects.filter(business_date__lt=this_month, declaration=None).exists()
    assert not Payment.objects.filter(
        business_date__gte=this_month, declaration__isnull=False
    ).exists()
    assert set(Declaration.objects.values_list("state", flat=True)) == {"confirmed"}
    confirmed = PaymentLine.objects.filter(state="confirmed").select_related("participant")
    assert all(line.participant.si_number for line in confirmed)


def test_the_demo_is_built_once(built: None) -> None:
    payments = Payment.objects.count()
    assert demo.build(today=TODAY, scale=SCALE) == []
    assert Payment.objects.count() == payments
