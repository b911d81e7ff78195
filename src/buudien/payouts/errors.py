"""Payout errors: a stable code beside a Vietnamese message (the API status follows the code)."""

from __future__ import annotations

from enum import StrEnum

from buudien.core.errors import DomainError


class PayoutCode(StrEnum):
    ALREADY_SETTLED = "payout.already_settled"
    NOT_PAYABLE = "payout.not_payable"
    OUTSIDE_WINDOW = "payout.outside_window"
    AUTHORISATION = "payout.authorisation"
    LIST_CLOSED = "payout.list_closed"
    LIST_INVALID = "payout.list_invalid"
    OPEN_LINES = "payout.open_lines"
    # The ledger answered with an entry that is not this line's own cash-out.
    SETTLEMENT_CONFLICT = "payout.settlement_conflict"


class PayoutError(DomainError):
    def __init__(self, message: str, *, code: PayoutCode, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.code = code  # type: ignore[assignment]
