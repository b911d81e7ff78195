"""The counter page: open, post (a double submit records once), reverse, close, receipt PDF."""

from __future__ import annotations

import datetime as dt
import io

from django.test import Client
from pypdf import PdfReader

from buudien.core.models import Role, User
from buudien.counter.models import CounterSession, LedgerEntry
from tests.conftest import Tree


def _clerk(users: dict[str, User]) -> Client:
    client = Client()
    client.force_login(users[Role.CLERK])
    return client


def test_clerk_opens_posts_twice_the_same_form_and_gets_one_entry(
    tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    client = _clerk(users)
    assert "Mở ca giao dịch" in client.get("/counter/").content.decode()
    client.post("/counter/", {"opening_cash": "1.000.000"})
    session = CounterSession.objects.get()
    assert session.opening_cash == 1_000_000
    form = {
        "idempotency_key": "form-123",
        "service": "tc-dien",
        "quantity": 1,
        "amount": "350.000",
        "method": "cash",
        "customer_name": "Bế Văn Hùng",
    }
    first = client.post("/counter/post/", form, follow=True).content.decode()
    again = client.post("/counter/post/", form, follow=True).content.decode()
    assert "Đã ghi" in first
    assert "đã được ghi trước đó" in again
    assert LedgerEntry.objects.count() == 1
    assert "1.350.000" in again


def test_a_bad_amount_is_shown_next_to_the_form_and_keeps_what_was_typed(
    tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    client = _clerk(users)
    client.post("/counter/", {"opening_cash": "0"})
    page = client.post(
        "/counter/post/",
        {
            "idempotency_key": "x",
            "service": "TC-DIEN",
            "quantity": 1,
            "amount": "12,5",
            "method": "cash",
            "customer_name": "Lục Thị Hoa",
        },
    ).content.decode()
    assert "Số tiền không hợp lệ" in page
    assert 'value="Lục Thị Hoa"' in page
    assert LedgerEntry.objects.count() == 0


def test_receipt_pdf_has_the_amount_in_words(
    tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    client = _clerk(users)
    client.post("/counter/", {"opening_cash": "0"})
    client.post(
        "/counter/post/",
        {
            "idempotency_key": "r1",
            "service": "TC-NUOC",
            "quantity": 1,
            "amount": "215.000",
            "method": "cash",
        },
    )
    entry = LedgerEntry.objects.get()
    html = client.get(f"/counter/entries/{entry.pk}/receipt/?size=80mm").content.decode()
    assert "Hai trăm mười lăm nghìn đồng" in html
    pdf = client.get(f"/counter/entries/{entry.pk}/receipt.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Hai trăm mười lăm nghìn đồng" in text
    assert entry.receipt_no in text


def test_api_batch_is_idempotent(tree: Tree, users: dict[str, User], catalogue: None) -> None:
    client = _clerk(users)
    opened = client.post(
        "/api/counter/sessions",
        {"unit_code": "VHXA1", "opening_cash": 0},
        content_type="application/json",
    )
    assert opened.status_code == 201, opened.content
    batch = {
        "session_id": opened.json()["id"],
        "entries": [
            {"idempotency_key": "b1", "service_code": "BC-THU", "quantity": 2},
            {"idempotency_key": "b2", "service_code": "TC-DIEN", "amount": 120000},
        ],
    }
    first = client.post("/api/counter/entries", batch, content_type="application/json").json()
    again = client.post("/api/counter/entries", batch, content_type="application/json").json()
    assert [r["created"] for r in first] == [True, True]
    assert [r["created"] for r in again] == [False, False]
    assert [r["entry"]["id"] for r in again] == [r["entry"]["id"] for r in first]
    bad = client.post(
        "/api/counter/entries",
        {
            "session_id": opened.json()["id"],
            "entries": [{"idempotency_key": "b3", "service_code": "KHONG"}],
        },
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "counter.unknown_service"
    rollups = client.get("/api/counter/rollups?start=2020-01-01&end=2030-01-01&by=line").json()
    assert {r["key"]: r["revenue"] for r in rollups} == {"delivery": 10_000, "finance": 2_500}


def _basket(key: str, cash_given: str, *rows: tuple[str, str, str, str]) -> dict[str, object]:
    return {
        "key": key,
        "op": "pay",
        "method": "cash",
        "cash_given": cash_given,
        "kind": [r[0] for r in rows],
        "code": [r[1] for r in rows],
        "ref": ["" for _ in rows],
        "qty": ["1" for _ in rows],
        "amount": [r[2] for r in rows],
        "reference": [r[3] for r in rows],
    }


def test_a_basket_without_javascript_finds_services_by_name_and_pays_once(
    tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    client = _clerk(users)
    client.post("/counter/", {"opening_cash": "0"})
    found = client.get("/counter/?q=dien").content.decode()
    assert "Thu hộ tiền điện" in found
    form = _basket(
        "basket-1",
        "500.000",
        ("service", "tien dien", "350.000", "PD-1"),
        ("service", "BC-THUDB", "", ""),
    )
    first = client.post("/counter/checkout/", form)
    again = client.post("/counter/checkout/", form)
    assert again["Location"] == first["Location"]
    receipt = client.get(first["Location"]).content.decode()
    assert "Thư bảo đảm" in receipt and "PD-1" in receipt
    assert "132.000" in receipt  # 500.000 − 350.000 − 18.000
    assert LedgerEntry.objects.count() == 2


def test_too_little_cash_keeps_the_basket_and_names_the_field(
    tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    client = _clerk(users)
    client.post("/counter/", {"opening_cash": "0"})
    form = _basket("basket-2", "100.000", ("service", "TC-DIEN", "350.000", "PD-2"))
    response = client.post("/counter/checkout/", form)
    page = response.content.decode()
    assert response.status_code == 422
    assert "chưa đủ số phải thu" in page
    assert 'value="350.000"' in page and 'value="PD-2"' in page
    assert not LedgerEntry.objects.exists()


def test_closing_asks_for_confirmation_then_shows_the_report(
    tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    client = _clerk(users)
    client.post("/counter/", {"opening_cash": "100.000"})
    client.post("/counter/checkout/", _basket("b3", "", ("service", "BC-EMS", "", "")))
    confirm = client.post("/counter/close/", {"counted_cash": "145.000"}).content.decode()
    assert "Xác nhận kết ca" in confirm and "145.000 ₫" in confirm
    assert CounterSession.objects.get().status == "open"
    report = client.post(
        "/counter/close/", {"counted_cash": "145.000", "confirm": "1"}, follow=True
    ).content.decode()
    assert "Báo cáo kết ca" in report
    assert "Chuyển phát nhanh EMS" in report
    assert CounterSession.objects.get().status == "closed"


def test_a_receipt_shows_each_lines_method_and_the_totals_by_method(
    tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    client = _clerk(users)
    client.post("/counter/", {"opening_cash": "0"})
    form = _basket(
        "mixed-1",
        "50.000",
        ("service", "TC-DIEN", "350.000", "PD-9"),
        ("service", "BC-THUDB", "", ""),
    ) | {"line_method": ["qr", ""]}
    response = client.post("/counter/checkout/", form)
    receipt = client.get(response["Location"]).content.decode()
    assert "QR: khách trả" in receipt and "350.000 ₫" in receipt
    assert "Tiền mặt: khách trả" in receipt and "18.000 ₫" in receipt
    assert "32.000 ₫" in receipt  # change: 50.000 given for the 18.000 of the letter alone
    assert "Hình thức: Tiền mặt, QR" in receipt
    page = client.get("/counter/").content.decode()
    assert 'data-testid="book-cash">18.000' in page


def test_a_bad_line_method_or_a_receiver_without_id_is_named_and_the_basket_kept(
    tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    from tests.counter.payday import pension_today

    line = pension_today(tree, users)
    person = line.beneficiary
    person.authorised_name, person.authorised_id = "Lò Văn Sáng", "004190000456"
    person.authorised_until = dt.date(2100, 1, 1)
    person.save()
    client = _clerk(users)
    client.post("/counter/", {"opening_cash": "5.000.000"})
    form = _basket("bad-1", "", ("service", "BC-THUDB", "", "")) | {"line_method": ["bitcoin"]}
    page = client.post("/counter/checkout/", form)
    assert page.status_code == 422
    assert "Giao dịch thứ 1: hình thức thanh toán «bitcoin» không hợp lệ" in page.content.decode()
    form = _basket("bad-2", "", ("service", "BC-THUDB", "", "")) | {
        "kind": ["service", "payout"],
        "code": ["BC-THUDB", ""],
        "ref": ["", str(line.pk)],
        "qty": ["1", "1"],
        "amount": ["", ""],
        "reference": ["", ""],
        "line_method": ["", ""],
        "receiver": ["self", "authorised"],
        "receiver_id": ["", ""],
    }
    response = client.post("/counter/checkout/", form)
    text = response.content.decode()
    assert response.status_code == 422
    assert "Giao dịch thứ 2: Người được ủy quyền nhận: cần nhập số CCCD" in text
    assert 'value="authorised" selected' in text and "Lò Văn Sáng" in text
    assert not LedgerEntry.objects.exists()
