"""The counter's mail pages: taking in an item through the form (its price first if asked),
the item list with its filters and export, an item's page with its events and a scan, and
the same through the API."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from buudien.core.models import Role, User
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.mail.models import PostalItem, TrackingEvent
from buudien.mail.services.acceptance import accept
from buudien.mail.services.tracking import record_event
from tests.conftest import Tree
from tests.mail.conftest import Places, parcel

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(places: Places, **kw: Any) -> dict[str, Any]:
    values = {
        "request_key": "page-key-1",
        "service_code": "BC-BK",
        "sender_name": "Nông Thị Lan",
        "sender_phone": "0912 345 678",
        "receiver_name": "Hoàng Văn Pháo",
        "receiver_phone": "0987654321",
        "receiver_address": "Xóm Nà Lẹng",
        "receiver_hamlet": "Nà Lẹng",
        "receiver_commune": str(places.b1.code),
        "weight_g": "1500",
        "cod_amount": "350.000",
        "accept": "1",
    }
    return values | kw


def _xlsx(body: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# Acceptance page -------------------------------------------------------------------------


def test_the_clerk_takes_in_a_parcel_and_lands_on_its_page_with_its_id_and_charge(
    shift: CounterSession, users: dict[str, User], places: Places
) -> None:
    client = _client(users[Role.CLERK])
    shown = client.get("/mail/accept/")
    assert shown.status_code == 200
    assert 'name="request_key"' in shown.content.decode()
    answer = client.post("/mail/accept/", _form(places), follow=True)
    item = PostalItem.objects.get()
    assert answer.redirect_chain[-1][0].startswith(f"/mail/items/{item.s10}/")
    page = answer.content.decode()
    assert item.s10 in page and "46.000" in page  # 36,000 postage + 10,000 COD
    assert f"/mail/items/{item.s10}/label/?size=a6" in page
    assert item.cod_amount == 350_000 and item.sender_phone == "0912345678"


def test_the_quote_button_shows_the_price_and_takes_nothing_in(
    shift: CounterSession, users: dict[str, User], places: Places
) -> None:
    data = _form(places, quote="1")
    del data["accept"]
    answer = _client(users[Role.CLERK]).post("/mail/accept/", data)
    page = answer.content.decode()
    assert answer.status_code == 200
    assert 'data-testid="quote-total"><b>46.000' in page
    assert 'value="Hoàng Văn Pháo"' in page  # the form is still filled in
    assert not PostalItem.objects.exists() and not LedgerEntry.objects.exists()


def test_a_refused_item_keeps_what_was_typed_and_says_which_field_is_wrong(
    shift: CounterSession, users: dict[str, User], places: Places
) -> None:
    answer = _client(users[Role.CLERK]).post(
        "/mail/accept/", _form(places, receiver_phone="12345", weight_g="40000")
    )
    page = answer.content.decode()
    assert answer.status_code == 422
    # The service stops at the first fault it meets: the weight, shown beside its field.
    assert 'data-testid="error-weight_g"' in page
    assert 'value="Xóm Nà Lẹng"' in page and 'value="12345"' in page
    assert not PostalItem.objects.exists()
    answer = _client(users[Role.CLERK]).post("/mail/accept/", _form(places, receiver_phone="1"))
    assert 'data-testid="error-receiver_phone"' in answer.content.decode()
    assert not PostalItem.objects.exists()


def test_a_form_sent_twice_makes_one_item(
    shift: CounterSession, users: dict[str, User], places: Places
) -> None:
    client = _client(users[Role.CLERK])
    first = client.post("/mail/accept/", _form(places))
    again = client.post("/mail/accept/", _form(places))
    assert first["Location"] == again["Location"]
    assert PostalItem.objects.count() == 1 and LedgerEntry.objects.count() == 1


def test_without_an_open_shift_the_page_says_so_and_takes_nothing_in(
    tree: Tree, users: dict[str, User], places: Places
) -> None:
    client = _client(users[Role.CLERK])
    shown = client.get("/mail/accept/").content.decode()
    assert 'data-testid="no-shift"' in shown and "/counter/" in shown
    answer = client.post("/mail/accept/", _form(places))
    assert answer.status_code == 422
    assert "chưa mở ca" in answer.content.decode()
    assert not PostalItem.objects.exists()


def test_a_customer_chosen_fills_in_the_sender(
    shift: CounterSession, users: dict[str, User], places: Places, tree: Tree
) -> None:
    from buudien.counter.services import create_customer

    clerk = users[Role.CLERK]
    shop = create_customer(
        actor=clerk, unit=tree.point_a1, name="HTX Chè Shan Tuyết", kind="ocop", phone="0911222333"
    )
    client = _client(clerk)
    assert (
        'value="HTX Chè Shan Tuyết"'
        in client.get(f"/mail/accept/?customer={shop.pk}").content.decode()
    )
    data = _form(places, customer=str(shop.pk), sender_name="", sender_phone="")
    client.post("/mail/accept/", data)
    item = PostalItem.objects.get()
    assert (item.customer_id, item.sender_name, item.sender_phone) == (
        shop.pk,
        "HTX Chè Shan Tuyết",
        "0911222333",
    )


# Item list -------------------------------------------------------------------------------


@pytest.fixture
def three(shift: CounterSession, users: dict[str, User], places: Places) -> list[PostalItem]:
    clerk = users[Role.CLERK]
    return [
        accept(session=shift, clerk=clerk, data=parcel(places.b1, cod_amount=200_000)),
        accept(
            session=shift,
            clerk=clerk,
            data=parcel(
                places.a2, receiver_name="Đàm Thị Thủy", service_code="BC-THUDB", weight_g=80
            ),
        ),
        accept(
            session=shift,
            clerk=clerk,
            data=parcel(places.far, receiver_name='=HYPERLINK("x")', weight_g=300),
        ),
    ]


def test_the_list_finds_a_name_typed_without_accents_and_filters_cod_and_status(
    three: list[PostalItem], users: dict[str, User]
) -> None:
    client = _client(users[Role.AREA_MANAGER])
    page = client.get("/mail/?q=dam thi thuy").content.decode()
    assert three[1].s10 in page and three[0].s10 not in page
    page = client.get("/mail/?cod=1").content.decode()
    assert three[0].s10 in page and three[1].s10 not in page
    page = client.get("/mail/?service=BC-THUDB").content.decode()
    assert three[1].s10 in page and three[2].s10 not in page
    page = client.get("/mail/?direction=received").content.decode()  # into the user's area
    assert three[1].s10 in page and three[0].s10 not in page
    today = timezone.localdate().isoformat()
    manager = _client(users[Role.PROVINCE_MANAGER])
    url = f"/mail/?start={today}&end={today}&unit=VHXB1&direction=received"
    page = manager.get(url).content.decode()
    assert three[0].s10 in page and three[1].s10 not in page


def test_a_bad_filter_is_named_and_the_list_still_shows(
    three: list[PostalItem], users: dict[str, User]
) -> None:
    answer = _client(users[Role.CLERK]).get("/mail/?status=lost&start=2025-13-45&unit=ZZZ")
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "Trạng thái" in page and "Từ ngày" in page and "Mã đơn vị" in page
    assert all(i.s10 in page for i in three)


def test_the_list_sorts_by_its_headings(three: list[PostalItem], users: dict[str, User]) -> None:
    page = _client(users[Role.CLERK]).get("/mail/?sort=-charge").content.decode()
    by_charge = sorted(three, key=lambda i: -i.charge)
    positions = [page.index(i.s10) for i in by_charge]
    assert positions == sorted(positions)


def test_the_export_masks_phones_and_keeps_a_formula_looking_name_as_text(
    three: list[PostalItem], users: dict[str, User]
) -> None:
    answer = _client(users[Role.CLERK]).get("/mail/?format=xlsx")
    assert answer.status_code == 200
    rows = _xlsx(answer.content)
    assert len(rows) == 4
    phones = {r[5] for r in rows[1:]}
    assert phones == {"0987***321"}
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    sheet = book.active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("x")']
    assert cells and all(c.data_type == "s" for c in cells)


def test_a_list_never_shows_items_outside_the_scope(
    three: list[PostalItem], users: dict[str, User]
) -> None:
    # The auditor of area B sees the parcel for point B1, not the letter within area A.
    page = _client(users[Role.AUDITOR]).get("/mail/").content.decode()
    assert three[0].s10 in page and three[1].s10 not in page


# An item's page --------------------------------------------------------------------------


def test_the_item_page_shows_every_field_phones_in_full_and_the_events(
    accepted: PostalItem, users: dict[str, User]
) -> None:
    page = _client(users[Role.CLERK]).get(f"/mail/items/{accepted.s10}/").content.decode()
    assert "0987654321" in page and "0912345678" in page
    assert "Đã nhận gửi" in page and 'data-testid="events"' in page
    assert 'data-testid="scan"' in page


def test_a_scan_on_the_item_page_is_recorded_at_the_users_unit(
    accepted: PostalItem, users: dict[str, User], tree: Tree
) -> None:
    client = _client(users[Role.CLERK])
    answer = client.post(
        f"/mail/items/{accepted.s10}/",
        {"status": "out_for_delivery", "seen": "accepted", "note": "Phát chiều"},
        follow=True,
    )
    assert answer.status_code == 200
    event = TrackingEvent.objects.filter(item=accepted).latest("id")
    assert (event.status, event.unit, event.note) == (
        "out_for_delivery",
        tree.point_a1,
        "Phát chiều",
    )
    assert "Đang phát" in answer.content.decode()


def test_a_stale_scan_form_is_refused_with_a_message_not_a_second_event(
    accepted: PostalItem, users: dict[str, User], tree: Tree
) -> None:
    clerk = users[Role.CLERK]
    record_event(item=accepted, actor=clerk, status="out_for_delivery", unit=tree.point_a1)
    answer = _client(clerk).post(
        f"/mail/items/{accepted.s10}/", {"status": "out_for_delivery", "seen": "accepted"}
    )
    assert answer.status_code == 409
    assert "vừa được ghi" in answer.content.decode()
    assert TrackingEvent.objects.filter(item=accepted, status="out_for_delivery").count() == 1


def test_a_failed_delivery_without_a_reason_is_refused_beside_the_reason(
    accepted: PostalItem, users: dict[str, User], tree: Tree
) -> None:
    clerk = users[Role.CLERK]
    record_event(item=accepted, actor=clerk, status="out_for_delivery", unit=tree.point_a1)
    answer = _client(clerk).post(
        f"/mail/items/{accepted.s10}/", {"status": "failed", "seen": "out_for_delivery"}
    )
    assert answer.status_code == 422
    assert 'data-testid="error-reason"' in answer.content.decode()


def test_an_auditor_sees_the_item_without_the_scan_form(
    accepted: PostalItem, users: dict[str, User]
) -> None:
    page = _client(users[Role.AUDITOR]).get(f"/mail/items/{accepted.s10}/").content.decode()
    assert accepted.s10 in page and 'data-testid="scan"' not in page


def test_an_unknown_or_mistyped_id_is_not_found(
    accepted: PostalItem, users: dict[str, User]
) -> None:
    client = _client(users[Role.CLERK])
    assert client.get("/mail/items/RR473124829VN/").status_code == 404
    assert client.get("/mail/items/nonsense/").status_code == 404


# API -------------------------------------------------------------------------------------


def _api(client: Client, method: str, url: str, body: Any = None) -> Any:
    return client.generic(method, url, json.dumps(body or {}), content_type="application/json")


def _body(places: Places, **kw: Any) -> dict[str, Any]:
    values = {
        "service_code": "BC-BK",
        "sender_name": "Nông Thị Lan",
        "sender_phone": "0912345678",
        "receiver_name": "Hoàng Văn Pháo",
        "receiver_phone": "0987654321",
        "receiver_address": "Xóm Nà Lẹng",
        "receiver_commune": places.b1.code,
        "weight_g": 1500,
        "cod_amount": 350_000,
        "request_key": "api-1",
    }
    return values | kw


def test_the_api_takes_in_an_item_once_and_reads_it_back(
    shift: CounterSession, users: dict[str, User], places: Places
) -> None:
    client = _client(users[Role.CLERK])
    first = _api(client, "POST", "/api/mail/items", _body(places))
    again = _api(client, "POST", "/api/mail/items", _body(places))
    assert first.status_code == 201 and again.json()["s10"] == first.json()["s10"]
    assert first.json()["charge"] == 46_000 and first.json()["extras"] == ["COD"]
    s10 = first.json()["s10"]
    read = client.get(f"/api/mail/items/{s10}").json()
    assert read["receiver_phone"] == "0987654321" and read["events"][0]["status"] == "accepted"
    listed = client.get("/api/mail/items?cod=true").json()
    assert listed["count"] == 1 and listed["items"][0]["receiver_phone"] == "0987***321"
    assert PostalItem.objects.count() == 1


def test_the_api_names_the_field_of_a_refusal(
    shift: CounterSession, users: dict[str, User], places: Places
) -> None:
    client = _client(users[Role.CLERK])
    answer = _api(client, "POST", "/api/mail/items", _body(places, receiver_phone="12345"))
    assert answer.status_code == 422
    assert answer.json()["code"] == "mail.invalid" and answer.json()["field"] == "receiver_phone"
    answer = _api(client, "POST", "/api/mail/items", _body(places, weight_g=-3))
    assert answer.status_code == 422 and answer.json()["field"] == "weight_g"
    assert not PostalItem.objects.exists()


def test_the_api_refuses_to_take_in_without_a_shift(
    tree: Tree, users: dict[str, User], places: Places
) -> None:
    answer = _api(_client(users[Role.CLERK]), "POST", "/api/mail/items", _body(places))
    assert answer.status_code == 422 and answer.json()["field"] == "session_id"


def test_the_api_records_a_scan_and_refuses_a_stale_one(
    accepted: PostalItem, users: dict[str, User]
) -> None:
    client = _client(users[Role.CLERK])
    url = f"/api/mail/items/{accepted.s10}/events"
    done = _api(client, "POST", url, {"status": "out_for_delivery", "seen": "accepted"})
    assert done.status_code == 201 and done.json()["status"] == "out_for_delivery"
    stale = _api(client, "POST", url, {"status": "out_for_delivery", "seen": "accepted"})
    assert stale.status_code == 409 and stale.json()["code"] == "mail.stale"
    wrong = _api(client, "POST", url, {"status": "failed"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "reason"


def test_the_api_quotes_a_price(
    shift: CounterSession, users: dict[str, User], places: Places
) -> None:
    client = _client(users[Role.CLERK])
    answer = client.get(
        f"/api/mail/quote?service=BC-BK&commune={places.b1.code}&weight_g=1500&cod_amount=350000"
    )
    assert answer.status_code == 200
    assert answer.json() == {
        "service": "BC-BK",
        "zone": "province",
        "postage": 36_000,
        "extras": {"COD": 10_000},
        "total": 46_000,
    }
    bad = client.get(f"/api/mail/quote?service=BC-BK&commune={places.b1.code}&weight_g=40000")
    assert bad.status_code == 422
