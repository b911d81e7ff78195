"""Delivering items: the round, COD taken into the shift once, failed attempts, returns, the
COD paid to the sender once, arrivals from outside the province, and the delivery pages."""

from __future__ import annotations

import pytest
from django.test import Client

from buudien.core import s10
from buudien.core.errors import DomainError
from buudien.core.models import Role, User
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.mail.errors import MailCode, MailError
from buudien.mail.models import MailDay, PostalItem, Status, TrackingEvent
from buudien.mail.selectors.delivery import cod_outstanding, cod_to_collect, delivery_list
from buudien.mail.services import delivery
from buudien.mail.services.acceptance import accept
from buudien.mail.services.tracking import record_event
from tests.conftest import Tree
from tests.mail.conftest import Places, parcel

COD = 350_000


def _arrived(item: PostalItem, clerk: User, tree: Tree) -> PostalItem:
    record_event(item=item, actor=clerk, status=Status.ARRIVED, unit=tree.point_a1)
    item.refresh_from_db()
    return item


@pytest.fixture
def clerk(users: dict[str, User]) -> User:
    return users[Role.CLERK]


@pytest.fixture
def here(shift: CounterSession, clerk: User, places: Places, tree: Tree) -> PostalItem:
    """A parcel with COD taken in at A1 for a receiver A1 serves, arrived at A1."""
    item = accept(session=shift, clerk=clerk, data=parcel(places.a1, cod_amount=COD))
    return _arrived(item, clerk, tree)


def _deliver(item: PostalItem, clerk: User, shift: CounterSession, **kw: object) -> PostalItem:
    values: dict[str, object] = {"receiver_name": "Hoàng Văn Pháo", "cod_collected": COD}
    return delivery.deliver(item=item, clerk=clerk, session=shift, **(values | kw))  # type: ignore[arg-type]


# --- delivery and COD ------------------------------------------------------------------


def test_delivering_an_item_with_cod_posts_one_entry_and_the_shift_cash_grows(
    here: PostalItem, clerk: User, shift: CounterSession, tree: Tree
) -> None:
    shift.refresh_from_db()
    cash_before = shift.cash_in
    done = _deliver(here, clerk, shift, receiver_name="Hoàng Thị Mai", proof="ký nhận")
    assert done.status == Status.DELIVERED
    assert done.delivered_to == "Hoàng Thị Mai" and done.cod_collected_at is not None
    entry = LedgerEntry.objects.get(service__code="BC-COD")
    assert (entry.amount, entry.reference, entry.settles) == (COD, here.s10, f"mail.cod:{here.s10}")
    shift.refresh_from_db()
    assert shift.cash_in == cash_before + COD
    event = TrackingEvent.objects.get(item=here, status=Status.DELIVERED)
    assert event.note == "ký nhận"
    assert MailDay.objects.get(unit=tree.point_a1).delivered == 1


def test_a_second_delivery_of_the_same_item_is_refused(
    here: PostalItem, clerk: User, shift: CounterSession
) -> None:
    _deliver(here, clerk, shift)
    with pytest.raises(MailError) as caught:
        _deliver(PostalItem.objects.get(pk=here.pk), clerk, shift)
    assert str(caught.value.code) == MailCode.ALREADY_SETTLED
    assert "không ghi lần hai" in caught.value.message
    assert LedgerEntry.objects.filter(service__code="BC-COD").count() == 1


@pytest.mark.parametrize("typed", [None, 0, COD - 1_000])
def test_the_cod_must_be_collected_in_full_to_deliver(
    here: PostalItem, clerk: User, shift: CounterSession, typed: int | None
) -> None:
    with pytest.raises(MailError) as caught:
        _deliver(here, clerk, shift, cod_collected=typed)
    assert caught.value.field == "cod_collected" and "350.000" in caught.value.message
    here.refresh_from_db()
    assert here.status == Status.ARRIVED
    assert not LedgerEntry.objects.filter(service__code="BC-COD").exists()


def test_an_item_that_has_not_arrived_cannot_be_delivered(
    shift: CounterSession, clerk: User, places: Places
) -> None:
    item = accept(session=shift, clerk=clerk, data=parcel(places.a1))
    with pytest.raises(MailError) as caught:
        _deliver(item, clerk, shift, cod_collected=None)
    assert str(caught.value.code) == MailCode.STEP_NOT_ALLOWED


def test_delivery_needs_a_receiver_name(
    here: PostalItem, clerk: User, shift: CounterSession
) -> None:
    with pytest.raises(MailError) as caught:
        _deliver(here, clerk, shift, receiver_name="  ")
    assert caught.value.field == "receiver_name"


def test_the_cod_is_paid_to_the_sender_once(
    here: PostalItem, clerk: User, shift: CounterSession
) -> None:
    _deliver(here, clerk, shift)
    assert list(cod_outstanding(clerk)) == [here]
    paid = delivery.pay_cod(item=here, clerk=clerk, session=shift)
    assert paid.cod_paid_at is not None
    entry = LedgerEntry.objects.get(service__code="BC-COD-TRA")
    assert (entry.amount, entry.direction, entry.settles) == (
        COD,
        "out",
        f"mail.cod_paid:{here.s10}",
    )
    shift.refresh_from_db()
    assert shift.cash_out == COD
    with pytest.raises(MailError) as caught:
        delivery.pay_cod(item=PostalItem.objects.get(pk=here.pk), clerk=clerk, session=shift)
    assert str(caught.value.code) == MailCode.ALREADY_SETTLED
    assert LedgerEntry.objects.filter(service__code="BC-COD-TRA").count() == 1
    assert not cod_outstanding(clerk).exists()


def test_cod_not_yet_collected_cannot_be_paid(
    here: PostalItem, clerk: User, shift: CounterSession
) -> None:
    assert list(cod_to_collect(clerk)) == [here]
    with pytest.raises(MailError) as caught:
        delivery.pay_cod(item=here, clerk=clerk, session=shift)
    assert str(caught.value.code) == MailCode.STEP_NOT_ALLOWED
    assert not LedgerEntry.objects.filter(service__code="BC-COD-TRA").exists()


def test_an_item_without_cod_is_delivered_without_money(
    shift: CounterSession, clerk: User, places: Places, tree: Tree
) -> None:
    item = _arrived(accept(session=shift, clerk=clerk, data=parcel(places.a1)), clerk, tree)
    before = LedgerEntry.objects.count()
    _deliver(item, clerk, shift, cod_collected=None)
    assert LedgerEntry.objects.count() == before


# --- the round, failed attempts, returns ----------------------------------------------


def test_a_failed_delivery_needs_a_reason(here: PostalItem, clerk: User) -> None:
    with pytest.raises(MailError) as caught:
        delivery.fail_delivery(item=here, clerk=clerk, reason="")
    assert caught.value.field == "reason"
    done = delivery.fail_delivery(item=here, clerk=clerk, reason="absent", note="Hẹn chiều")
    assert done.status == Status.FAILED
    event = TrackingEvent.objects.get(item=here, status=Status.FAILED)
    assert (event.reason, event.note) == ("absent", "Hẹn chiều")


def test_the_round_takes_items_out_and_a_failed_one_goes_out_again(
    here: PostalItem, clerk: User, shift: CounterSession, tree: Tree
) -> None:
    assert delivery.start_round(clerk=clerk, unit=tree.point_a1, items=[here]) == 1
    assert PostalItem.objects.get(pk=here.pk).status == Status.OUT_FOR_DELIVERY
    delivery.fail_delivery(item=here, clerk=clerk, reason="absent")
    delivery.start_round(clerk=clerk, unit=tree.point_a1, items=[here])
    assert _deliver(here, clerk, shift).status == Status.DELIVERED
    with pytest.raises(MailError):
        delivery.start_round(clerk=clerk, unit=tree.point_a1, items=[])


def test_an_undeliverable_item_goes_back_and_is_handed_to_its_sender(
    here: PostalItem, clerk: User, shift: CounterSession
) -> None:
    delivery.fail_delivery(item=here, clerk=clerk, reason="refused")
    with pytest.raises(MailError) as caught:
        delivery.return_to_sender(item=here, clerk=clerk, reason="")
    assert caught.value.field == "reason"
    delivery.return_to_sender(item=here, clerk=clerk, reason="refused")
    assert PostalItem.objects.get(pk=here.pk).status == Status.RETURNING
    done = delivery.hand_back(item=here, clerk=clerk, session=shift)
    assert done.status == Status.RETURNED and done.cod_collected_at is None
    assert not LedgerEntry.objects.filter(service__code__startswith="BC-COD").exists()
    with pytest.raises(MailError) as again:
        _deliver(here, clerk, shift)
    assert str(again.value.code) == MailCode.ALREADY_SETTLED


def test_a_returned_item_scanned_on_its_way_back_is_still_handed_to_its_sender(
    here: PostalItem, clerk: User, shift: CounterSession, tree: Tree
) -> None:
    delivery.return_to_sender(item=here, clerk=clerk, reason="moved")
    record_event(item=here, actor=clerk, status=Status.ARRIVED, unit=tree.point_a1)
    with pytest.raises(MailError) as caught:
        _deliver(here, clerk, shift)
    assert "chuyển hoàn" in caught.value.message
    assert delivery.hand_back(item=here, clerk=clerk, session=shift).status == Status.RETURNED
    # Its way back is not counted as mail received.
    assert MailDay.objects.get(unit=tree.point_a1).received == 1


def test_a_clerk_cannot_deliver_for_another_point(
    shift: CounterSession, clerk: User, places: Places, users: dict[str, User], tree: Tree
) -> None:
    item = accept(session=shift, clerk=clerk, data=parcel(places.b1))
    record_event(item=item, actor=users[Role.ADMIN], status=Status.ARRIVED, unit=tree.point_b1)
    with pytest.raises(DomainError):
        _deliver(PostalItem.objects.get(pk=item.pk), clerk, shift)


# --- arrivals from outside the province -----------------------------------------------


def _inbound(clerk: User, tree: Tree, places: Places, **kw: object) -> PostalItem:
    values: dict[str, object] = {
        "actor": clerk,
        "unit": tree.point_a1,
        "s10": "EE123456785VN",
        "service_code": "BC-EMS",
        "receiver_name": "Lương Văn Hùng",
        "receiver_address": "Xóm Bản Giới",
        "receiver_hamlet": "Bản Giới",
        "receiver_commune": places.a1.code,
        "weight_g": 800,
        "cod_amount": 120_000,
        "sender_name": "Shop Hà Nội",
    }
    return delivery.receive_inbound(**(values | kw))  # type: ignore[arg-type]


def test_an_item_from_outside_the_province_is_registered_as_arrived(
    clerk: User, tree: Tree, places: Places
) -> None:
    assert s10.is_valid("EE123456785VN")
    item = _inbound(clerk, tree, places)
    assert (item.origin, item.destination, item.current_unit) == (
        None,
        tree.point_a1,
        tree.point_a1,
    )
    assert (item.status, item.zone) == (Status.ARRIVED, "far")
    assert item.received_on is not None
    assert MailDay.objects.get(unit=tree.point_a1).received == 1
    assert [g.hamlet for g in delivery_list(clerk, tree.point_a1).groups] == ["Bản Giới"]


@pytest.mark.parametrize(
    ("typed", "says"),
    [("EE123456784VN", "sai số kiểm tra"), ("EE12345678VN", "13 ký tự"), ("", "Hãy nhập")],
)
def test_an_arrival_with_a_mistyped_id_is_refused_saying_what_is_wrong(
    clerk: User, tree: Tree, places: Places, typed: str, says: str
) -> None:
    with pytest.raises(MailError) as caught:
        _inbound(clerk, tree, places, s10=typed)
    assert caught.value.field == "s10" and says in caught.value.message
    assert not PostalItem.objects.exists()


def test_an_arrival_already_registered_is_refused(clerk: User, tree: Tree, places: Places) -> None:
    _inbound(clerk, tree, places)
    with pytest.raises(MailError) as caught:
        _inbound(clerk, tree, places, s10="ee 123456785 vn")
    assert "đã có" in caught.value.message
    assert PostalItem.objects.count() == 1


def test_an_arrival_for_another_commune_goes_to_the_point_that_serves_it(
    users: dict[str, User], tree: Tree, places: Places
) -> None:
    item = _inbound(
        users[Role.AREA_MANAGER], tree, places, unit=tree.office_a, receiver_commune=places.a2.code
    )
    assert item.destination == tree.point_a2 and item.received_on is None


# --- the delivery list ----------------------------------------------------------------


def test_the_delivery_list_groups_items_by_hamlet(
    shift: CounterSession, clerk: User, places: Places, tree: Tree
) -> None:
    for hamlet in ("Nà Lẹng", "Bản Giới", "na leng", ""):
        item = accept(session=shift, clerk=clerk, data=parcel(places.a1, receiver_hamlet=hamlet))
        _arrived(item, clerk, tree)
    accept(session=shift, clerk=clerk, data=parcel(places.a1, receiver_hamlet="Chưa đến"))
    found = delivery_list(clerk, tree.point_a1)
    assert [(g.hamlet, len(g.items)) for g in found.groups] == [
        ("Bản Giới", 1),
        ("Nà Lẹng", 2),
        ("(chưa ghi thôn, bản)", 1),
    ]
    assert found.count == 4


# --- the pages -------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_delivery_page_lists_by_hamlet_and_delivers_with_the_cod(
    here: PostalItem, clerk: User, shift: CounterSession
) -> None:
    client = _client(clerk)
    page = client.get("/mail/delivery/")
    body = page.content.decode()
    assert page.status_code == 200 and here.s10 in body and "Nà Lẹng" in body
    assert "0987***321" in body and "0987654321" not in body
    refused = client.post(
        "/mail/delivery/", {"action": "deliver", "s10": here.s10, "receiver_name": "Bà Mai"}
    )
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "350.000" in text and 'value="Bà Mai"' in text
    done = client.post(
        "/mail/delivery/",
        {"action": "deliver", "s10": here.s10, "receiver_name": "Bà Mai", "cod_collected": COD},
        follow=True,
    )
    assert "Đã phát" in done.content.decode()
    assert PostalItem.objects.get(pk=here.pk).status == Status.DELIVERED


def test_the_delivery_page_fails_and_starts_a_round(here: PostalItem, clerk: User) -> None:
    client = _client(clerk)
    client.post("/mail/delivery/", {"action": "round", "items": [here.s10]})
    assert PostalItem.objects.get(pk=here.pk).status == Status.OUT_FOR_DELIVERY
    response = client.post("/mail/delivery/", {"action": "fail", "s10": here.s10, "reason": ""})
    assert response.status_code == 422 and "lý do" in response.content.decode()
    client.post("/mail/delivery/", {"action": "fail", "s10": here.s10, "reason": "moved"})
    assert PostalItem.objects.get(pk=here.pk).status == Status.FAILED


def test_without_an_open_shift_the_page_says_to_open_one(
    here: PostalItem, users: dict[str, User]
) -> None:
    client = _client(users[Role.AREA_MANAGER])
    page = client.get("/mail/delivery/?point=VHXA1")
    assert 'data-testid="no-session"' in page.content.decode()
    response = client.post(
        "/mail/delivery/",
        {"action": "deliver", "s10": here.s10, "receiver_name": "A", "cod_collected": COD},
    )
    assert "mở ca" in response.content.decode()
    assert PostalItem.objects.get(pk=here.pk).status == Status.ARRIVED


def test_an_auditor_sees_the_list_without_the_buttons(
    here: PostalItem, users: dict[str, User]
) -> None:
    auditor = users[Role.AUDITOR]
    auditor.home_unit = here.origin
    auditor.save()
    body = _client(auditor).get("/mail/delivery/").content.decode()
    assert here.s10 in body and "deliver-form" not in body and "round-form" not in body


def test_the_cod_page_pays_the_sender(here: PostalItem, clerk: User, shift: CounterSession) -> None:
    _deliver(here, clerk, shift)
    client = _client(clerk)
    page = client.get("/mail/cod/")
    assert here.s10 in page.content.decode() and "Trả tiền COD" in page.content.decode()
    assert client.get("/mail/cod/?export=xlsx").status_code == 200
    client.post("/mail/cod/", {"s10": here.s10})
    assert PostalItem.objects.get(pk=here.pk).cod_paid_at is not None
    again = client.post("/mail/cod/", {"s10": here.s10}, follow=True)
    assert "không trả lần hai" in again.content.decode()


def test_the_inbound_page_keeps_what_was_typed_and_names_the_wrong_field(
    clerk: User, places: Places, shift: CounterSession
) -> None:
    client = _client(clerk)
    assert client.get("/mail/inbound/").status_code == 200
    data = {
        "s10": "EE123456784VN",
        "service_code": "BC-EMS",
        "receiver_name": "Lương Văn Hùng",
        "receiver_address": "Xóm Bản Giới",
        "receiver_commune": places.a1.code,
        "weight_g": "800",
    }
    response = client.post("/mail/inbound/", data)
    body = response.content.decode()
    assert "sai số kiểm tra" in body and "Lương Văn Hùng" in body
    assert not PostalItem.objects.exists()
    client.post("/mail/inbound/", data | {"s10": "EE123456785VN"})
    assert PostalItem.objects.get().status == Status.ARRIVED


def test_the_api_delivers_once_and_says_why_the_second_time(
    here: PostalItem, clerk: User, shift: CounterSession
) -> None:
    client = _client(clerk)
    url = f"/api/mail/items/{here.s10}/deliver"
    body = {"receiver_name": "Bà Mai", "cod_collected": COD}
    first = client.post(url, body, content_type="application/json")
    assert first.status_code == 200 and first.json()["status"] == "delivered"
    second = client.post(url, body, content_type="application/json")
    assert second.status_code == 409 and second.json()["code"] == "mail.already_settled"
    listed = client.get("/api/mail/cod").json()
    assert listed["total"] == COD and listed["items"][0]["s10"] == here.s10
    paid = client.post(f"/api/mail/items/{here.s10}/pay-cod", {}, content_type="application/json")
    assert paid.status_code == 200 and paid.json()["cod_paid_at"]
