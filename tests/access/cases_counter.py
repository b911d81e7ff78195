"""Cases for the counter routes (HTML and API): shifts, entries, receipts, approvals."""

from __future__ import annotations

import uuid
from typing import Any

from buudien.core.models import Role
from buudien.counter import services
from tests.access.case import Case
from tests.access.world import World
from tests.factories import UserFactory

CUSTOMER = {"in": "Lò Văn Trong", "out": "Hoàng Thị Ngoài"}


def build(world: World) -> None:
    """Each side: one letter posted in the clerk's shift, and a second clerk's shift that
    closed short and waits for a manager's approval."""
    for where, side in world.sides.items():
        posted = services.post_entry(
            session=side.session,
            clerk=side.clerk,
            request=services.EntryRequest(
                idempotency_key=f"access-{where}",
                service_code="BC-THU",
                customer_name=CUSTOMER[where],
            ),
        )
        world.put(where, "entry", posted.entry)
        served = services.checkout(
            session=side.session,
            clerk=side.clerk,
            order=services.Checkout(
                idempotency_key=f"access-basket-{where}",
                lines=[services.BasketLine(service_code="BC-THU")],
                customer_name=CUSTOMER[where],
            ),
        )
        world.put(where, "transaction", served)
        other = UserFactory(username=f"clerk2-{where}", role=Role.CLERK, home_unit=side.point)
        shift = services.open_session(
            clerk=other, unit=side.point, opening_cash=100_000, business_date=world.today
        )
        pending = services.close_session(
            session=shift, clerk=other, counted_cash=90_000, reason="Thiếu tiền lẻ"
        )
        world.put(where, "pending", pending)


def _entry(w: World, s: str) -> Any:
    return w.obj(s, "entry").pk


def _pending(w: World, s: str) -> Any:
    return w.obj(s, "pending").pk


def _customer(w: World, s: str) -> str:
    return CUSTOMER[s]


def _point_name(w: World, s: str) -> str:
    return w.side(s).point.name


def _letter(w: World, s: str) -> dict[str, Any]:
    return {
        "idempotency_key": str(uuid.uuid4()),
        "service": "BC-THU",
        "quantity": "1",
        "method": "cash",
        "customer_name": "Khách lẻ",
    }


def _basket(w: World, s: str) -> dict[str, Any]:
    return {
        "key": str(uuid.uuid4()),
        "kind": "service",
        "code": "BC-THU",
        "ref": "",
        "qty": "1",
        "amount": "",
        "reference": "",
        "method": "cash",
        "customer_name": "Khách lẻ",
    }


def _transaction(w: World, s: str) -> Any:
    return w.obj(s, "transaction").pk


def _counted(w: World, s: str) -> int:
    """The cash the shift's book holds now (other apps' records may have moved it)."""
    session = w.side(s).session
    session.refresh_from_db()
    return int(session.book_cash)


def _api_letter(w: World, s: str) -> dict[str, Any]:
    return {
        "session_id": str(w.side(s).session.pk),
        "entries": [{"idempotency_key": str(uuid.uuid4()), "service_code": "BC-THU"}],
    }


CASES: dict[str, Case] = {
    "counter:page": Case(
        url=lambda w, s: "/counter/",
        data=lambda w, s: {"opening_cash": "1.000.000"},
        scoped=False,
        doer=Role.AREA_MANAGER,
    ),
    "counter:post": Case(
        url=lambda w, s: "/counter/post/", data=_letter, scoped=False, doer=Role.CLERK
    ),
    "counter:close": Case(
        url=lambda w, s: "/counter/close/",
        data=lambda w, s: {"counted_cash": str(_counted(w, s)), "confirm": "1"},
        scoped=False,
        doer=Role.CLERK,
    ),
    "counter:checkout": Case(
        url=lambda w, s: "/counter/checkout/", data=_basket, scoped=False, doer=Role.CLERK
    ),
    "counter:search": Case(url=lambda w, s: "/counter/search/?q=thu", scoped=False),
    "counter:transaction": Case(
        url=lambda w, s: f"/counter/transactions/{_transaction(w, s)}/", marker=_customer
    ),
    "counter:transaction_pdf": Case(
        url=lambda w, s: f"/counter/transactions/{_transaction(w, s)}/receipt.pdf"
    ),
    "counter:report": Case(
        url=lambda w, s: f"/counter/sessions/{_pending(w, s)}/report/", marker=_point_name
    ),
    "counter:reverse": Case(
        url=lambda w, s: f"/counter/entries/{_entry(w, s)}/reverse/",
        data=lambda w, s: {"reason": "Ghi nhầm dịch vụ"},
        doer=Role.CLERK,
    ),
    "counter:receipt": Case(
        url=lambda w, s: f"/counter/entries/{_entry(w, s)}/receipt/", marker=_customer
    ),
    "counter:receipt_pdf": Case(url=lambda w, s: f"/counter/entries/{_entry(w, s)}/receipt.pdf"),
    "counter:sessions": Case(
        url=lambda w, s: "/counter/sessions/", listing=True, marker=_point_name
    ),
    "counter:session": Case(
        url=lambda w, s: f"/counter/sessions/{_pending(w, s)}/",
        data=lambda w, s: {"note": "Đã kiểm tra"},
        marker=_point_name,
        doer=Role.AREA_MANAGER,
    ),
    "counter:day": Case(
        url=lambda w, s: f"/counter/day/{w.side(s).point.code}/?day={w.today:%Y-%m-%d}",
        marker=_customer,
    ),
    "POST /api/counter/entries": Case(
        url=lambda w, s: "/api/counter/entries", data=_api_letter, doer=Role.CLERK
    ),
    "GET /api/counter/entries": Case(
        url=lambda w, s: "/api/counter/entries", listing=True, marker=_customer
    ),
    "POST /api/counter/entries/{entry_id}/reverse": Case(
        url=lambda w, s: f"/api/counter/entries/{_entry(w, s)}/reverse",
        data=lambda w, s: {"reason": "Ghi nhầm"},
        doer=Role.CLERK,
    ),
    "POST /api/counter/sessions": Case(
        url=lambda w, s: "/api/counter/sessions",
        data=lambda w, s: {"unit_code": w.side(s).point.code, "opening_cash": 0},
        doer=Role.AREA_MANAGER,
    ),
    "GET /api/counter/sessions/{session_id}": Case(
        url=lambda w, s: f"/api/counter/sessions/{w.side(s).session.pk}"
    ),
    "POST /api/counter/sessions/{session_id}/close": Case(
        url=lambda w, s: f"/api/counter/sessions/{w.side(s).session.pk}/close",
        data=lambda w, s: {"counted_cash": _counted(w, s)},
        doer=Role.CLERK,
    ),
    "POST /api/counter/sessions/{session_id}/approve": Case(
        url=lambda w, s: f"/api/counter/sessions/{_pending(w, s)}/approve",
        doer=Role.AREA_MANAGER,
    ),
    "GET /api/counter/rollups": Case(
        url=lambda w, s: (
            f"/api/counter/rollups?start={w.today:%Y-%m-%d}&end={w.today:%Y-%m-%d}"
            f"&unit={w.side(s).point.code}"
        )
    ),
}
