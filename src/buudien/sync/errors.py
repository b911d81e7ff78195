"""Sync domain errors with stable codes."""

from __future__ import annotations

from enum import StrEnum

from buudien.core.errors import DomainError


class SyncCode(StrEnum):
    NOT_A_COMMUNE_POINT = "sync.not_a_commune_point"
    POINT_CLOSED = "sync.point_closed"
    ENROL_CODE_INVALID = "sync.enrol_code_invalid"
    ENROL_CODE_USED = "sync.enrol_code_used"
    ENROL_CODE_EXPIRED = "sync.enrol_code_expired"
    LABEL_INVALID = "sync.label_invalid"
    DEVICE_FORBIDDEN = "sync.device_forbidden"
    DEVICE_REVOKED = "sync.device_revoked_forbidden"
    ALREADY_REVOKED = "sync.device_already_revoked"
    RESOLUTION_REQUIRED = "sync.resolution_required"
    CONFLICT_ALREADY_SETTLED = "sync.conflict_already_settled"
    NOT_A_POINT = "sync.not_a_point"


class SyncError(DomainError):
    def __init__(self, message: str, *, code: SyncCode, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.code = code  # type: ignore[assignment]
