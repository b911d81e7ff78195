"""Taking in an item: its S10 id, its price by weight and zone, its charge in the ledger."""

from __future__ import annotations

import pytest

from buudien.core import s10
from buudien.core.errors import DomainError
from buudien.core.models import Role, User
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.mail.errors import MailError
from buudien.mail.models import MailDay, PostalItem, TrackingEvent
from buudien.mail.services.acceptance import accept
from buudien.mail.services.tracking import record_event
from tests.conftest import Tree
from tests.mail.conftest import Places, parcel


def test_the_s10_check_digit_follows_the_upu_rule() -> None:
    # The UPU's own example, and the same serial under Vietnam's code.
    assert s10.make("RR", 47312482, "GB") == "RR473124829GB"
    assert s10.parse("rr 473 124 829 vn") == "RR473124829VN"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("RR473124828VN", "số kiểm tra"),
        ("RR47312482VN", "13 ký tự"),
        ("R1473124829VN", "sai dạng"),
        ("", "Hãy nhập"),
    ],
)
def test_a_mistyped_id_is_refused_saying_what_is_wrong(typed: str, says: str) -> None:
    with pytest.raises(DomainError) as caught:
        s10.parse(typed)
    assert says in caught.value.message


def test_a_parcel_with_cod_is_numbered_priced_and_posted(
    accepted: PostalItem, tree: Tree, places: Places
) -> None:
    assert s10.is_valid(accepted.s10) and accepted.s10.startswith("CP")
    # 1.5 kg within the province: the 2 kg band, 36,000; COD 0.8% of 350,000 with a 10,000 floor.
    assert accepted.zone == "province"
    assert accepted.charge == 36_000 + 10_000
    assert accepted.destination == tree.point_b1
    entry = LedgerEntry.objects.get(reference=accepted.s10)
    assert (entry.amount, entry.service.code, entry.receipt_no) == (
        46_000,
        "BC-BK",
        accepted.receipt_no,
    )
    assert TrackingEvent.objects.filter(item=accepted, status="accepted").count() == 1
    assert MailDay.objects.get(unit=tree.point_a1).sent == 1


def test_a_letter_to_a_far_region_costs_the_far_band(
    shift: CounterSession, users: dict[str, User], places: Places
) -> None:
    item = accept(
        session=shift,
        clerk=users[Role.CLERK],
        data=parcel(places.far, service_code="BC-THUDB", weight_g=80, receiver_hamlet=""),
    )
    assert (item.zone, item.charge, item.destination) == ("far", 24_000, None)


def test_the_same_form_sent_twice_is_one_item(
    shift: CounterSession, users: dict[str, User], places: Places
) -> None:
    data = parcel(places.a2, request_key="form-1")
    first = accept(session=shift, clerk=users[Role.CLERK], data=data)
    again = accept(session=shift, clerk=users[Role.CLERK], data=data)
    assert first.pk == again.pk
    assert PostalItem.objects.count() == 1 and LedgerEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weight_g": 40_000}, "weight_g"),
        ({"weight_g": 0}, "weight_g"),
        ({"receiver_phone": "12345"}, "receiver_phone"),
        ({"receiver_commune": 999_999}, "receiver_commune"),
        ({"cod_amount": -5}, "cod_amount"),
        ({"receiver_postal_code": "12A45"}, "receiver_postal_code"),
        ({"service_code": "BC-THU"}, "service_code"),
        ({"receiver_name": "  "}, "receiver_name"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_stays(
    shift: CounterSession, users: dict[str, User], places: Places, change: dict, field: str
) -> None:
    with pytest.raises(MailError) as caught:
        accept(session=shift, clerk=users[Role.CLERK], data=parcel(places.a2, **change))
    assert caught.value.field == field
    assert not PostalItem.objects.exists() and not LedgerEntry.objects.exists()


def test_an_item_with_cod_cannot_be_marked_delivered_without_taking_the_money(
    accepted: PostalItem, users: dict[str, User], tree: Tree
) -> None:
    record_event(item=accepted, actor=users[Role.ADMIN], status="arrived", unit=tree.point_b1)
    with pytest.raises(MailError) as caught:
        record_event(item=accepted, actor=users[Role.ADMIN], status="delivered", unit=tree.point_b1)
    assert "COD" in caught.value.message
    assert PostalItem.objects.get(pk=accepted.pk).status == "arrived"
