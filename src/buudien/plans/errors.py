"""Plan errors: a stable code for the API beside the Vietnamese message."""

from __future__ import annotations

from enum import StrEnum

from buudien.core.errors import DomainError


class PlanCode(StrEnum):
    NEGATIVE_NOT_ALLOWED = "plans.negative_not_allowed"
    REVENUE_LINES_MISMATCH = "plans.revenue_lines_mismatch"
    NOT_ALLOCATABLE = "plans.not_allocatable"
    DERIVED = "plans.derived"


class PlanError(DomainError):
    """A plan or a figure the rules of the plans refuse."""

    def __init__(self, message: str, *, code: PlanCode, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.code = code  # type: ignore[assignment]
