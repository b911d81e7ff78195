"""Counter API: batch posting (idempotent), entries, sessions, rollups."""

import datetime as dt
import uuid

from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from buudien.core.errors import DomainError
from buudien.core.ids import mask_phone
from buudien.core.scoping import require_user
from buudien.counter import selectors, services
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.counter.services import EntryRequest
from buudien.network import selectors as network_selectors

router = Router(tags=["counter"])


class EntryIn(Schema):
    idempotency_key: str
    service_code: str
    amount: int | None = None
    quantity: int = 1
    method: str = "cash"
    customer_name: str = ""
    customer_phone: str = ""
    source_type: str = ""
    source_id: str = ""
    occurred_at: dt.datetime | None = None


class BatchIn(Schema):
    session_id: uuid.UUID
    entries: list[EntryIn]


class EntryOut(Schema):
    id: uuid.UUID
    idempotency_key: str
    receipt_no: str
    unit_code: str
    service_code: str
    line: str
    business_date: dt.date
    occurred_at: dt.datetime
    quantity: int
    amount: int
    direction: str
    revenue: int
    method: str
    customer_name: str
    customer_phone: str
    reverses_id: uuid.UUID | None
    reason: str

    @staticmethod
    def resolve_unit_code(obj: LedgerEntry) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_service_code(obj: LedgerEntry) -> str:
        return obj.service.code

    @staticmethod
    def resolve_customer_phone(obj: LedgerEntry) -> str:
        return mask_phone(obj.customer_phone)


class PostedOut(Schema):
    created: bool
    entry: EntryOut


class SessionIn(Schema):
    unit_code: str
    opening_cash: int
    business_date: dt.date | None = None


class CloseIn(Schema):
    counted_cash: int
    reason: str = ""


class SessionOut(Schema):
    id: uuid.UUID
    unit_code: str
    clerk: str
    business_date: dt.date
    status: str
    opening_cash: int
    cash_in: int
    cash_out: int
    book_cash: int
    revenue: int
    entries_count: int
    counted_cash: int | None
    expected_cash: int | None
    discrepancy: int | None
    discrepancy_reason: str

    @staticmethod
    def resolve_unit_code(obj: CounterSession) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_clerk(obj: CounterSession) -> str:
        return obj.clerk.username


class RollupFilter(Schema):
    start: dt.date
    end: dt.date
    unit: str = ""
    by: str = "line"


class RollupRow(Schema):
    key: str
    count: int
    quantity: int
    cash_in: int
    cash_out: int
    revenue: int


@router.post("/entries", response=list[PostedOut])
def post_entries(request: HttpRequest, payload: BatchIn) -> list[services.PostResult]:
    """Post a batch into an open session; a key already seen returns its first entry."""
    clerk = require_user(request.user)
    session = selectors.session(clerk, payload.session_id)
    return services.post_entries(
        session=session,
        clerk=clerk,
        requests=[EntryRequest(**e.dict()) for e in payload.entries],
    )


@router.get("/entries", response=list[EntryOut])
@paginate(PageNumberPagination, page_size=100)
def list_entries(
    request: HttpRequest,
    unit: str = "",
    day: dt.date | None = None,
    session_id: uuid.UUID | None = None,
) -> QuerySet[LedgerEntry]:
    return selectors.entries(request.user, unit_code=unit, day=day, session_id=session_id)


@router.post("/entries/{entry_id}/reverse", response=EntryOut)
def reverse(request: HttpRequest, entry_id: uuid.UUID, reason: str) -> LedgerEntry:
    clerk = require_user(request.user)
    session = selectors.open_session_of(clerk)
    if session is None:
        raise DomainError("Bạn cần mở ca trước khi hủy giao dịch.")
    return services.reverse_entry(
        entry=selectors.entry(clerk, entry_id), clerk=clerk, session=session, reason=reason
    )


@router.post("/sessions", response={201: SessionOut})
def open_session(request: HttpRequest, payload: SessionIn) -> Status[CounterSession]:
    clerk = require_user(request.user)
    unit = network_selectors.unit_by_code(clerk, payload.unit_code)
    return Status(
        201,
        services.open_session(
            clerk=clerk,
            unit=unit,
            opening_cash=payload.opening_cash,
            business_date=payload.business_date,
        ),
    )


@router.get("/sessions/{session_id}", response=SessionOut)
def get_session(request: HttpRequest, session_id: uuid.UUID) -> CounterSession:
    return selectors.session(request.user, session_id)


@router.post("/sessions/{session_id}/close", response=SessionOut)
def close_session(request: HttpRequest, session_id: uuid.UUID, payload: CloseIn) -> CounterSession:
    clerk = require_user(request.user)
    return services.close_session(
        session=selectors.session(clerk, session_id),
        clerk=clerk,
        counted_cash=payload.counted_cash,
        reason=payload.reason,
    )


@router.post("/sessions/{session_id}/approve", response=SessionOut)
def approve(request: HttpRequest, session_id: uuid.UUID) -> CounterSession:
    manager = require_user(request.user)
    return services.approve_discrepancy(
        session=selectors.session(manager, session_id), manager=manager
    )


@router.get("/rollups", response=list[RollupRow])
def rollups(request: HttpRequest, filters: Query[RollupFilter]) -> list[dict[str, object]]:
    """Sums from the daily rollups for a period, by line, service, unit or day."""
    path = network_selectors.unit_by_code(request.user, filters.unit).path if filters.unit else ""
    qs = selectors.daily_rollups(request.user, start=filters.start, end=filters.end, unit_path=path)
    field = {
        "line": "line",
        "service": "service__code",
        "unit": "unit__code",
        "day": "business_date",
    }.get(filters.by, "line")
    rows = (
        qs.values(field)
        .annotate(
            n=Sum("count"),
            q=Sum("quantity"),
            cin=Sum("cash_in"),
            cout=Sum("cash_out"),
            rev=Sum("revenue"),
        )
        .order_by(field)
    )
    return [
        {
            "key": str(r[field]),
            "count": r["n"],
            "quantity": r["q"],
            "cash_in": r["cin"],
            "cash_out": r["cout"],
            "revenue": r["rev"],
        }
        for r in rows
    ]
