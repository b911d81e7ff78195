"""The counter page: open, post (a double submit records once), reverse, close, receipt PDF."""

from __future__ import annotations

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
