"""Counter API: batch posting (idempotent), entries, sessions, rollups."""

import datetime as dt
import uuid
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from buudien.core.errors import DomainError
from buudien.core.ids import mask_phone
from buudien.core.pagination import Pages
from buudien.core.permissions import guard
from buudien.core.scoping import require_user
from buudien.counter import selectors, services
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.counter.services import EntryRequest
from buudien.network import selectors as network_selectors

router = Router(tags=["counter"])


class EntryIn(Schema):
    """One entry as a counter client sends it; what it settles is never the client's to say."""

    idempotency_key: str = Field(min_length=1, max_length=80)
    service_code: str = Field(min_length=1, max_length=20)
    amount: int | None = Field(default=None, ge=1, le=services.MAX_ENTRY_AMOUNT)
    quantity: int = Field(default=1, ge=1, le=services.MAX_QUANTITY)
    method: Literal["cash", "transfer", "qr", "account"] = "cash"
    customer_name: str = Field(default="", max_length=200)
    customer_phone: str = Field(default="", max_length=20)
    occurred_at: dt.datetime | None = None


class BatchIn(Schema):
    session_id: uuid.UUID
    entries: list[EntryIn] = Field(min_length=1, max_length=1000)


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
    unit_code: str = Field(min_length=1, max_length=20)
    opening_cash: int = Field(ge=0, le=services.MAX_ENTRY_AMOUNT)
    business_date: dt.date | None = None


class CloseIn(Schema):
    counted_cash: int = Field(ge=0, le=services.MAX_ENTRY_AMOUNT)
    reason: str = Field(default="", max_length=500)


class ReverseIn(Schema):
    reason: str = Field(min_length=1, max_length=255)


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
    unit: str = Field(default="", max_length=20)
    by: Literal["line", "service", "unit", "day"] = "line"


class RollupRow(Schema):
    key: str
    count: int
    quantity: int
    cash_in: int
    cash_out: int
    revenue: int


@router.post("/entries", response=list[PostedOut])
@guard(write="counter.operate")
def post_entries(request: HttpRequest, payload: BatchIn) -> list[services.PostResult]:
    """Post a batch into an open session; a key already seen here returns its first entry,
    the same key with another request is refused (409 counter.idempotency_conflict)."""
    clerk = require_user(request.user)
    session = selectors.session(user=clerk, pk=payload.session_id)
    return services.post_entries(
        session=session,
        clerk=clerk,
        requests=[EntryRequest(**e.dict()) for e in payload.entries],
    )


@router.get("/entries", response=list[EntryOut])
@paginate(Pages, page_size=100)
@guard(read="counter.view")
def list_entries(
    request: HttpRequest,
    unit: str = Query("", max_length=20),  # type: ignore[type-arg]
    day: dt.date | None = None,
    session_id: uuid.UUID | None = None,
) -> QuerySet[LedgerEntry]:
    return selectors.entries(user=request.user, unit_code=unit, day=day, session_id=session_id)


@router.post("/entries/{entry_id}/reverse", response=EntryOut)
@guard(write="counter.operate")
def reverse(request: HttpRequest, entry_id: uuid.UUID, payload: ReverseIn) -> LedgerEntry:
    """Reverse an entry of this point with a mirror entry in the caller's open shift."""
    clerk = require_user(request.user)
    entry = selectors.entry(user=clerk, pk=entry_id)
    session = selectors.open_session_of(user=clerk)
    if session is None:
        raise DomainError(_("Bạn cần mở ca trước khi hủy giao dịch."), field="session")
    return services.reverse_entry(entry=entry, clerk=clerk, session=session, reason=payload.reason)


@router.post("/sessions", response={201: SessionOut})
@guard(write="counter.operate")
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
@guard(read="counter.view")
def get_session(request: HttpRequest, session_id: uuid.UUID) -> CounterSession:
    return selectors.session(user=request.user, pk=session_id)


@router.post("/sessions/{session_id}/close", response=SessionOut)
@guard(write="counter.operate")
def close_session(request: HttpRequest, session_id: uuid.UUID, payload: CloseIn) -> CounterSession:
    clerk = require_user(request.user)
    return services.close_session(
        session=selectors.session(user=clerk, pk=session_id),
        clerk=clerk,
        counted_cash=payload.counted_cash,
        reason=payload.reason,
    )


@router.post("/sessions/{session_id}/approve", response=SessionOut)
@guard(write="counter.approve")
def approve(request: HttpRequest, session_id: uuid.UUID) -> CounterSession:
    manager = require_user(request.user)
    return services.approve_discrepancy(
        session=selectors.session(user=manager, pk=session_id), manager=manager
    )


@router.get("/rollups", response=list[RollupRow])
@guard(read="counter.view")
def rollups(request: HttpRequest, filters: Query[RollupFilter]) -> list[dict[str, object]]:
    """Sums from the daily rollups for a period, by line, service, unit or day."""
    if filters.end < filters.start or (filters.end - filters.start).days > 3700:
        raise DomainError(_("Khoảng ngày không hợp lệ (tối đa 10 năm)."), field="end")
    path = network_selectors.unit_by_code(request.user, filters.unit).path if filters.unit else ""
    return selectors.rollup_sums(
        user=request.user, start=filters.start, end=filters.end, unit_path=path, by=filters.by
    )
