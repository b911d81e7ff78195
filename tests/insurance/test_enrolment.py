"""Enrolment and renewal at the counter: the months each payment covers, its price, the money
through the ledger once, and the refusals that leave nothing behind."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest

from buudien.core.errors import DomainError, Forbidden
from buudien.core.models import AuditEvent, Role, User
from buudien.counter import selectors as counter_selectors
from buudien.counter.models import CounterSession
from buudien.insurance import services
from buudien.insurance.errors import InsuranceError
from buudien.insurance.models import Cover, Payment, PaymentLine
from tests.conftest import Tree
from tests.insurance.conftest import (
    citizen_id,
    enrol_health,
    enrol_social,
    household_of,
    person_in,
    register,
)

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


def test_a_repeated_submission_makes_one_payment_and_one_ledger_entry(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1)
    first = enrol_social(shift, clerk, person, request_key="form-1")
    again = enrol_social(shift, clerk, person, request_key="form-1")
    assert again.pk == first.pk
    assert Payment.objects.count() == 1
    assert counter_selectors.entries(user=clerk).filter(source_id=str(first.pk)).count() == 1


def test_a_form_opened_before_another_payment_for_the_person_is_refused(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1)
    enrol_social(shift, clerk, person, mode="3m", months=3)
    stale = services.MemberIn(participant_id=str(person.pk), income=2_200_000, paid_until_seen=None)
    seen_before = dataclasses.replace(stale, paid_until_seen=dt.date(2026, 10, 31))
    with pytest.raises(InsuranceError, match="vừa được đóng tiền") as caught:
        services.enrol(
            session=shift,
            clerk=clerk,
            data=services.EnrolmentIn(
                scheme="voluntary_social", mode="3m", months=3, members=(seen_before,)
            ),
        )
    assert caught.value.code == "insurance.already_settled"
    assert Payment.objects.count() == 1


def test_an_unknown_participant_is_refused(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    with pytest.raises(InsuranceError, match="không tìm thấy người tham gia"):
        services.enrol(
            session=shift,
            clerk=clerk,
            data=services.EnrolmentIn(
                scheme="voluntary_social",
                mode="monthly",
                months=1,
                members=(services.MemberIn(participant_id=str(uuid.uuid4()), income=2_200_000),),
            ),
        )


def test_a_person_of_another_point_is_not_found_by_a_clerk(
    shift: CounterSession, clerk: User, users: dict[str, User], insured: Tree
) -> None:
    stranger = register(users[Role.PROVINCE_MANAGER], insured.point_b1)
    with pytest.raises(InsuranceError, match="không tìm thấy"):
        enrol_social(shift, clerk, stranger)


def test_a_supported_category_without_evidence_writes_nothing(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1)
    with pytest.raises(InsuranceError, match="giấy tờ chứng minh"):
        enrol_social(shift, clerk, person, category="near_poor")
    assert not Payment.objects.exists()
    assert not Cover.objects.exists()
    assert not counter_selectors.entries(user=clerk).exists()


def test_support_with_evidence_lowers_the_price_and_counts_its_months(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1)
    payment = enrol_social(shift, clerk, person, category="poor", evidence="Sổ hộ nghèo 12/2026")
    assert payment.total == (484_000 - 242_000) * 12
    cover = Cover.objects.get(participant=person)
    assert cover.supported_months == 12
    assert cover.evidence == "Sổ hộ nghèo 12/2026"


def test_paying_back_starts_from_the_end_of_the_paid_period(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1)
    enrol_social(shift, clerk, person, mode="monthly", months=1)  # November 2026
    Cover.objects.filter(participant=person).update(paid_until=dt.date(2026, 6, 30))
    payment = enrol_social(shift, clerk, person, mode="back", months=4)
    line = payment.lines.get()
    assert (line.period_from, line.period_to) == (dt.date(2026, 7, 1), dt.date(2026, 10, 31))
    with pytest.raises(InsuranceError, match="còn thiếu"):
        enrol_social(shift, clerk, person, mode="back", months=1)


def test_a_lapsed_voluntary_participant_starts_again_this_month(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1)
    enrol_social(shift, clerk, person, mode="monthly", months=1)
    # As if that month had been March: April to October were never paid.
    PaymentLine.objects.update(period_from=dt.date(2026, 3, 1), period_to=dt.date(2026, 3, 31))
    Cover.objects.filter(participant=person).update(paid_until=dt.date(2026, 3, 31))
    line = enrol_social(shift, clerk, person, mode="monthly", months=1).lines.get()
    assert line.period_from == dt.date(2026, 11, 1)
    assert not line.is_new


def test_a_household_renewal_continues_and_later_members_keep_their_order(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    _home, people = household_of(clerk, insured.point_a1, 3)
    enrol_health(shift, clerk, people[:2])
    line = enrol_health(shift, clerk, people[2:], months=6).lines.get()
    assert line.member_order == 3  # two members already covered come first
    assert line.gross == 63_180 * 6
    renewal = enrol_health(shift, clerk, people[:1], months=3).lines.get()
    assert renewal.period_from == dt.date(2027, 12, 20)


def test_household_health_insurance_needs_one_household(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    alone = register(clerk, insured.point_a1)
    with pytest.raises(InsuranceError, match="chưa thuộc hộ gia đình"):
        enrol_health(shift, clerk, [alone])


def test_the_post_earns_the_commission_of_the_counter_tariff(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1)
    payment = enrol_social(shift, clerk, person)
    entry = counter_selectors.entry(clerk, payment.entry_id)
    assert entry.service.line == "finance"
    assert entry.revenue == min(max((payment.total * 400 + 5_000) // 10_000, 10_000), 500_000)


def test_the_payment_is_recorded_in_the_audit_with_who_and_what(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1)
    enrol_social(shift, clerk, person)
    event = AuditEvent.objects.get(action="insurance.cover_paid")
    assert event.actor_id == clerk.pk
    assert event.before is None
    assert event.after["paid_until"] == "2027-10-31"


class TestRegistration:
    def test_consent_is_required(self, clerk: User, insured: Tree, at_now: None) -> None:
        with pytest.raises(InsuranceError, match="đồng ý") as caught:
            register(clerk, insured.point_a1, consent=False)
        assert caught.value.field == "consent"

    def test_the_same_citizen_id_is_one_person(
        self, clerk: User, insured: Tree, at_now: None
    ) -> None:
        first = register(clerk, insured.point_a1)
        again = person_in(name="Nông Văn Khác", citizen_id=first.citizen_id)
        with pytest.raises(InsuranceError, match="đã có người tham gia"):
            services.register_participant(actor=clerk, point=insured.point_a1, data=again)

    def test_the_same_name_and_birth_date_asks_the_clerk_first(
        self, clerk: User, insured: Tree, at_now: None
    ) -> None:
        register(clerk, insured.point_a1, name="Nông Văn Thào")
        with pytest.raises(InsuranceError, match="trùng họ tên và ngày sinh") as caught:
            register(clerk, insured.point_a1, name="nong van thao")
        assert caught.value.field == "not_a_duplicate"
        assert "******" in caught.value.message  # the other person's id is masked
        register(clerk, insured.point_a1, name="nong van thao", not_a_duplicate=True)

    def test_a_citizen_id_with_another_birth_year_is_refused(
        self, clerk: User, insured: Tree, at_now: None
    ) -> None:
        wrong = person_in(birth=dt.date(1980, 5, 17), citizen_id=citizen_id(dt.date(1975, 1, 1)))
        with pytest.raises(DomainError, match="năm sinh 1975") as caught:
            services.register_participant(actor=clerk, point=insured.point_a1, data=wrong)
        assert caught.value.field == "citizen_id"

    def test_an_auditor_may_not_register(
        self, users: dict[str, User], insured: Tree, at_now: None
    ) -> None:
        with pytest.raises(Forbidden):
            register(users[Role.AUDITOR], insured.point_b1)


def test_a_new_person_enrolled_meanwhile_at_another_counter_is_not_enrolled_twice(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1)
    form = services.MemberIn(participant_id=str(person.pk), income=2_200_000, checked=True)
    data = services.EnrolmentIn(scheme="voluntary_social", mode="3m", months=3, members=(form,))
    services.enrol(session=shift, clerk=clerk, data=data)
    with pytest.raises(InsuranceError, match="vừa được đóng tiền"):
        services.enrol(session=shift, clerk=clerk, data=data)
    assert Payment.objects.count() == 1
