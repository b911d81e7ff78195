"""Mail errors: a stable code for the API beside the Vietnamese message."""

from __future__ import annotations

from enum import StrEnum

from buudien.core.errors import DomainError


class MailCode(StrEnum):
    INVALID = "mail.invalid"
    NO_TARIFF = "mail.no_tariff"
    TOO_HEAVY = "mail.too_heavy"
    NOT_FOUND = "mail.not_found"
    STEP_NOT_ALLOWED = "mail.step_not_allowed"
    ALREADY_SETTLED = "mail.already_settled"
    IDEMPOTENCY_CONFLICT = "mail.idempotency_conflict"
    BAG_INVALID = "mail.bag_invalid"
    ROUTE_INVALID = "mail.route_invalid"
    STALE = "mail.stale"
    BAG_ALREADY_SETTLED = "mail.bag_already_settled"
    TRIP_CONFLICT = "mail.trip_conflict"
    TRIP_ALREADY_SETTLED = "mail.trip_already_settled"


class MailError(DomainError):
    def __init__(self, message: str, *, code: MailCode, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.code = code  # type: ignore[assignment]
