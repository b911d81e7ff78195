"""Domain errors: a stable code for machines beside a Vietnamese message for people."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable codes returned by the API; each app adds its own codes here."""

    NOT_FOUND = "core.not_found"
    OUT_OF_SCOPE = "core.out_of_scope"
    FORBIDDEN = "core.forbidden"
    INVALID = "core.invalid"
    STALE = "core.stale"
    CITIZEN_ID_INVALID = "core.citizen_id_invalid"
    PHONE_INVALID = "core.phone_invalid"
    IMPORT_INVALID = "core.import_invalid"
    UNIT_CODE_TAKEN = "network.unit_code_taken"
    UNIT_PARENT_INVALID = "network.unit_parent_invalid"
    UNIT_STATUS_INVALID = "network.unit_status_invalid"
    THROTTLED = "core.throttled"
    S10_INVALID = "core.s10_invalid"


# The HTTP status of a code is read off its last word, so each app's codes follow one rule.
_STATUS_BY_SUFFIX = {
    "not_found": 404,
    "out_of_scope": 404,
    "forbidden": 403,
    "stale": 409,
    "already_settled": 409,
    "already_reversed": 409,
    "idempotency_conflict": 409,
    "conflict": 409,
    "throttled": 429,
}
ERROR_STATUSES = (400, 401, 403, 404, 409, 422, 429)


def http_status(code: str) -> int:
    """The HTTP status the API answers for a domain error code (422 unless it says more):
    `dossier.batch_already_settled` ends as `already_settled` does, a 409."""
    word = str(code).rsplit(".", 1)[-1]
    for suffix, status in _STATUS_BY_SUFFIX.items():
        if word == suffix or word.endswith("_" + suffix):
            return status
    return 422


class DomainError(Exception):
    """An error a user can cause; `field` names the form field or Excel column at fault."""

    code: ErrorCode = ErrorCode.INVALID

    def __init__(
        self, message: str, *, code: ErrorCode | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field

    def __str__(self) -> str:
        return self.message


class OutOfScope(DomainError):
    """Not in the user's scope: answered as "not found", so it reveals nothing."""

    code = ErrorCode.OUT_OF_SCOPE


class Forbidden(DomainError):
    code = ErrorCode.FORBIDDEN


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class StaleRecord(DomainError):
    code = ErrorCode.STALE


class Throttled(DomainError):
    code = ErrorCode.THROTTLED
