"""Insurance at a point that works offline: a household registered and enrolled on the
laptop reaches the province once, with the laptop's keys, receipt and time; a person paid
for twice while offline is collected once and the second payment waits for a manager; the
laptop receives the rule book and its own point's people, nobody else's."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest

from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.insurance import services
from buudien.insurance.models import (
    BaseSalary,
    Cover,
    Household,
    InsuranceDay,
    Participant,
    Payment,
    PaymentLine,
    SchemeRule,
)
from buudien.sync import wire
from buudien.sync.models import AppliedOperation, Conflict, Device
from buudien.sync.pull import apply_page, pull_page
from buudien.sync.services.push import push
from tests.conftest import Tree
from tests.factories import UserFactory
from tests.insurance.conftest import (
    NOW,
    enrol_health,
    enrol_social,
    household_of,
    person_in,
    register,
)
from tests.sync.conftest import device_for, offline

pytestmark = pytest.mark.django_db
NEXT_DAY = NOW + dt.timedelta(days=1)


def pushed(device: Device, ops: list[wire.WireOp]) -> list[str]:
    """What the province answered for each operation: a(pplied), c(onflict), r(efused)."""
    reply = wire.unpack(push(device=device, body=wire.encode_ops(ops, backlog=0)))
    return [row[1] for row in reply["r"]]


def _household_offline(device: Device, clerk: User) -> tuple[list[wire.WireOp], dict[str, Any]]:
    """On the laptop: open the shift, register a household of five, pay 12 months for all."""
    with offline(device, NOW) as ops:
        shift = counter_services.open_session(clerk=clerk, unit=device.point, opening_cash=0)
        home, people = household_of(clerk, device.point, 5)
        payment = enrol_health(shift, clerk, people)
        made = {
            "home": home.pk,
            "people": {p.pk for p in people},
            "payment": payment.pk,
            "entry": payment.entry_id,
            "receipt": payment.receipt_no,
            "total": payment.total,
        }
    return ops, made


def test_a_household_enrolled_offline_reaches_the_province_once_with_the_laptops_keys(
    insured: Tree, users: dict[str, User], clerk: User
) -> None:
    device = device_for(insured.point_a1, users[Role.AREA_MANAGER])
    ops, made = _household_offline(device, clerk)
    assert not Participant.objects.exists()  # nothing at the province until the laptop pushes

    assert set(pushed(device, ops)) == {"a"}
    assert set(pushed(device, ops)) == {"a"}  # pushed again: the first answers, nothing more

    payment = Payment.objects.get()
    assert (payment.pk, payment.receipt_no, payment.total) == (
        made["payment"],
        made["receipt"],
        made["total"],
    )
    assert payment.paid_at == NOW
    assert payment.household_id == made["home"]
    assert Household.objects.get().pk == made["home"]
    assert set(Participant.objects.values_list("pk", flat=True)) == made["people"]
    assert set(PaymentLine.objects.values_list("participant_id", flat=True)) == made["people"]
    assert set(Cover.objects.values_list("paid_until", flat=True)) == {dt.date(2027, 12, 19)}
    entry = LedgerEntry.objects.get()
    assert (entry.pk, entry.receipt_no, entry.amount) == (
        made["entry"],
        made["receipt"],
        made["total"],
    )
    assert InsuranceDay.objects.get().enrolments == 5


def test_people_registered_offline_are_applied_in_order_before_their_payment(
    insured: Tree, users: dict[str, User], clerk: User
) -> None:
    device = device_for(insured.point_a1, users[Role.AREA_MANAGER])
    ops, _made = _household_offline(device, clerk)
    kinds = [op.code for op in ops]
    assert kinds == ["o", "ih", "ip", "ip", "ip", "ip", "ip", "ie"]
    # Sent one at a time, the payment finds the people the operations before it made.
    for op in ops:
        assert pushed(device, [op]) == ["a"]
    assert Payment.objects.get().lines.count() == 5


def test_what_the_province_keeps_of_an_operation_masks_citizen_ids_and_phones(
    insured: Tree, users: dict[str, User], clerk: User
) -> None:
    device = device_for(insured.point_a1, users[Role.AREA_MANAGER])
    ops, _made = _household_offline(device, clerk)
    pushed(device, ops)
    person = Participant.objects.order_by("created_at").first()
    assert person is not None
    kept = json.dumps(
        list(AppliedOperation.objects.values_list("payload", flat=True)), ensure_ascii=False
    )
    assert person.citizen_id not in kept
    assert person.phone not in kept
    assert person.name in kept


def _pay_offline(device: Device, clerk: User, person: Participant, at: dt.datetime) -> Any:
    with offline(device, at) as ops:
        shift = counter_services.open_session(clerk=clerk, unit=device.point, opening_cash=0)
        payment = enrol_social(shift, clerk, person)
        seen = {"receipt": payment.receipt_no, "total": payment.total}
    return ops, seen


def test_a_person_paid_on_two_laptops_offline_is_collected_once_and_the_second_waits(
    insured: Tree, users: dict[str, User], clerk: User, at_now: None
) -> None:
    """The point's counter laptop and the one its clerk takes to people's homes."""
    manager = users[Role.AREA_MANAGER]
    person = register(clerk, insured.point_a1)
    roaming = UserFactory(username="diem-luudong", role=Role.CLERK, home_unit=insured.point_a1)
    at_counter, at_home = (
        device_for(insured.point_a1, manager),
        device_for(insured.point_a1, manager),
    )
    ops_a, first = _pay_offline(at_counter, clerk, person, NOW)
    ops_b, second = _pay_offline(at_home, roaming, person, NEXT_DAY)

    assert pushed(at_counter, ops_a) == ["a", "a"]
    assert pushed(at_home, ops_b) == ["a", "c"]
    assert pushed(at_home, ops_b) == ["a", "c"]  # the same answer again, nothing more

    payment = Payment.objects.get()
    assert payment.receipt_no == first["receipt"]
    assert Cover.objects.get(participant=person).paid_until == dt.date(2027, 10, 31)
    assert LedgerEntry.objects.filter(service__code="TC-BHXH").count() == 1
    conflict = Conflict.objects.get()
    assert conflict.kind == "double_collection"
    assert conflict.point_id == insured.point_a1.pk
    assert conflict.amount == second["total"]
    assert conflict.details["first_receipt"] == first["receipt"]
    assert conflict.details["second_receipt"] == second["receipt"]
    assert first["receipt"] in conflict.message and second["receipt"] in conflict.message
    assert person.name in conflict.message


def test_a_payment_taken_offline_after_another_point_paid_the_person_is_a_conflict(
    insured: Tree, users: dict[str, User], clerk: User, at_now: None
) -> None:
    """The area office took the person's money at another point while the laptop was cut."""
    manager = users[Role.AREA_MANAGER]
    person = register(clerk, insured.point_a1)
    device = device_for(insured.point_a1, manager)
    ops, offline_paid = _pay_offline(device, clerk, person, NOW)
    elsewhere = counter_services.open_session(clerk=manager, unit=insured.point_a2, opening_cash=0)
    online = enrol_social(elsewhere, manager, person)

    assert pushed(device, ops) == ["a", "c"]

    assert list(Payment.objects.values_list("pk", flat=True)) == [online.pk]
    conflict = Conflict.objects.get()
    assert conflict.details["first_receipt"] == online.receipt_no
    assert conflict.details["second_receipt"] == offline_paid["receipt"]
    assert conflict.amount == offline_paid["total"]


def test_a_renewal_paid_offline_continues_the_cover_at_the_province(
    insured: Tree, users: dict[str, User], clerk: User, at_now: None
) -> None:
    person = register(clerk, insured.point_a1)
    shift = counter_services.open_session(clerk=clerk, unit=insured.point_a1, opening_cash=0)
    enrol_social(shift, clerk, person, mode="3m", months=3)  # November to January
    shift.refresh_from_db()
    counter_services.close_session(session=shift, clerk=clerk, counted_cash=shift.book_cash)
    device = device_for(insured.point_a1, users[Role.AREA_MANAGER])

    ops, _seen = _pay_offline(device, clerk, person, NEXT_DAY)

    assert pushed(device, ops) == ["a", "a"]
    assert not Conflict.objects.exists()
    renewal = Payment.objects.get(paid_at=NEXT_DAY).lines.get()
    assert (renewal.period_from, renewal.period_to) == (dt.date(2027, 2, 1), dt.date(2028, 1, 31))
    assert Cover.objects.get(participant=person).paid_until == dt.date(2028, 1, 31)


# --- the pull ------------------------------------------------------------------------------


def pages(point: Any) -> list[dict[str, Any]]:
    """Every page the province answers a point's laptop at its first pull, as it travels."""
    answered: list[dict[str, Any]] = []
    cursor = None
    while not (answered and answered[-1]["done"]):
        page = pull_page(point_id=point.pk, have={}, cursor=cursor, limit=50)
        answered.append(json.loads(json.dumps(page)))
        cursor = page["cursor"]
    return answered


def test_the_laptop_gets_the_rule_book_and_its_own_points_people_only(
    insured: Tree, users: dict[str, User], clerk: User, shift: CounterSession
) -> None:
    _home, ours = household_of(clerk, insured.point_a1, 3)
    enrol_health(shift, clerk, ours)
    manager = users[Role.AREA_MANAGER]
    ours.append(register(manager, insured.point_a1, name="Đàm Thị Lụa", birth=dt.date(1985, 6, 1)))
    theirs = register(manager, insured.point_a2, name="Lò Văn Páo", birth=dt.date(1990, 2, 3))

    rows = [row for page in pages(insured.point_a1) for row in page["objects"]]
    text = json.dumps(rows, ensure_ascii=False)

    def sent(model: str) -> list[dict[str, Any]]:
        return [r for r in rows if r["model"] == model]

    assert len(sent("insurance.schemerule")) == SchemeRule.objects.count()
    assert len(sent("insurance.basesalary")) == BaseSalary.objects.count()
    assert {r["pk"] for r in sent("insurance.scheme")} == {"household_health", "voluntary_social"}
    assert sent("insurance.support") and sent("insurance.paymentmode")
    assert {r["pk"] for r in sent("insurance.participant")} == {str(p.pk) for p in ours}
    assert len(sent("insurance.cover")) == 3
    assert len(sent("insurance.household")) == 1
    assert theirs.citizen_id not in text and theirs.name not in text
    # Payments stay at the province: the covers say up to when each person has paid.
    assert not sent("insurance.payment") and not sent("insurance.paymentline")
    # The manager who recorded a person's consent is named on the laptop, unable to log in.
    named = {r["fields"]["username"]: r["fields"] for r in sent("core.user")}
    assert not named[manager.username]["is_active"]


def test_a_premium_priced_on_rules_the_laptop_lacked_is_applied_at_the_days_rules_and_flagged(
    insured: Tree, users: dict[str, User], clerk: User, at_now: None
) -> None:
    device = device_for(insured.point_a1, users[Role.AREA_MANAGER])
    with offline(device, NOW) as ops:
        # The laptop's last pull was before the base salary of July 2024.
        BaseSalary.objects.filter(valid_from=dt.date(2024, 7, 1)).delete()
        _home, people = household_of(clerk, insured.point_a1, 1)
        shift = counter_services.open_session(clerk=clerk, unit=device.point, opening_cash=0)
        charged = enrol_health(shift, clerk, people).total

    assert pushed(device, ops)[-1] == "c"

    payment = Payment.objects.get()
    assert payment.total == 105_300 * 12  # 4.5% of 2,340,000 a month
    conflict = Conflict.objects.get()
    assert conflict.kind == "price_difference"
    assert conflict.amount == payment.total - charged
    assert conflict.details["second_receipt"] == payment.receipt_no


def test_a_person_corrected_offline_is_corrected_at_the_province(
    insured: Tree, users: dict[str, User], clerk: User, at_now: None
) -> None:
    person = register(clerk, insured.point_a1, phone="0912345678")
    device = device_for(insured.point_a1, users[Role.AREA_MANAGER])
    typed = person_in(name=person.name, birth=person.birth_date, phone="0987 654 321")
    with offline(device, NOW) as ops:
        services.update_participant(
            actor=clerk,
            participant=person,
            data=dataclasses.replace(typed, citizen_id=person.citizen_id, hamlet="Pác Bó"),
            expected_version=person.version,
        )

    assert pushed(device, ops) == ["a"]

    person.refresh_from_db()
    assert (person.phone, person.hamlet, person.version) == ("0987654321", "Pác Bó", 2)


def test_a_citizen_id_registered_elsewhere_meanwhile_refuses_the_person_and_his_payment(
    insured: Tree, users: dict[str, User], clerk: User, at_now: None
) -> None:
    device = device_for(insured.point_a1, users[Role.AREA_MANAGER])
    typed = person_in()
    with offline(device, NOW) as ops:
        shift = counter_services.open_session(clerk=clerk, unit=device.point, opening_cash=0)
        person = services.register_participant(actor=clerk, point=device.point, data=typed)
        enrol_social(shift, clerk, person)
    services.register_participant(
        actor=users[Role.AREA_MANAGER], point=insured.point_a2, data=typed
    )

    assert pushed(device, ops) == ["a", "r", "r"]

    assert not Payment.objects.exists()
    refused = AppliedOperation.objects.filter(outcome="refused").order_by("seq")
    assert "CCCD" in refused[0].message


def test_a_laptop_that_lost_its_people_gets_them_back_from_the_pull(
    insured: Tree, clerk: User, at_now: None
) -> None:
    home, people = household_of(clerk, insured.point_a1, 2)
    answered = pages(insured.point_a1)
    Participant.objects.all().delete()
    Household.objects.all().delete()

    state: dict[str, Any] = {}
    for page in answered:
        state = apply_page(page, state)

    assert "insurance.people" in state["have"] and "insurance.rules" in state["have"]
    restored = Participant.objects.get(pk=people[1].pk)
    assert (restored.household_id, restored.consent_by_id) == (home.pk, clerk.pk)
