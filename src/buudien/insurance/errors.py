"""Insurance errors: a stable code beside a Vietnamese message (the API status follows the
code's last word)."""

from __future__ import annotations

from enum import StrEnum

from buudien.core.errors import DomainError


class InsuranceCode(StrEnum):
    NOT_FOUND = "insurance.not_found"
    INVALID = "insurance.invalid"
    NO_RULE = "insurance.no_rule"
    INCOME = "insurance.income"
    MODE = "insurance.mode"
    EVIDENCE = "insurance.evidence"
    DUPLICATE = "insurance.duplicate"
    CONSENT = "insurance.consent"
    MEMBER_TWICE = "insurance.member_twice"
    ALREADY_SETTLED = "insurance.already_settled"
    IDEMPOTENCY_CONFLICT = "insurance.idempotency_conflict"
    DECLARATION = "insurance.declaration"


class InsuranceError(DomainError):
    def __init__(self, message: str, *, code: InsuranceCode, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.code = code  # type: ignore[assignment]
