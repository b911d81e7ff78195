"""Counter domain errors with stable codes."""

from __future__ import annotations

from enum import StrEnum

from buudien.core.errors import DomainError


class CounterCode(StrEnum):
    UNKNOWN_SERVICE = "counter.unknown_service"
    SERVICE_UNAVAILABLE = "counter.service_unavailable"
    NO_TARIFF = "counter.no_tariff"
    BAD_AMOUNT = "counter.bad_amount"
    BAD_QUANTITY = "counter.bad_quantity"
    AMOUNT_TOO_LARGE = "counter.amount_too_large"
    SESSION_CLOSED = "counter.session_closed"
    NOT_YOUR_SESSION = "counter.not_your_session"
    SESSION_ALREADY_OPEN = "counter.session_already_open"
    ALREADY_REVERSED = "counter.already_reversed"
    CANNOT_REVERSE_REVERSAL = "counter.cannot_reverse_reversal"
    REASON_REQUIRED = "counter.reason_required"
    NOTHING_TO_APPROVE = "counter.nothing_to_approve"
    BAD_METHOD = "counter.bad_method"
    INSUFFICIENT_CASH = "counter.insufficient_cash"
    IDEMPOTENCY_CONFLICT = "counter.idempotency_conflict"
    ALREADY_SETTLED = "counter.already_settled"
    SETTLED_BY_MODULE = "counter.settled_by_module"
    EMPTY_BASKET = "counter.empty_basket"
    CASH_GIVEN_TOO_LOW = "counter.cash_given_too_low"


class CounterError(DomainError):
    def __init__(self, message: str, *, code: CounterCode, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.code = code  # type: ignore[assignment]
