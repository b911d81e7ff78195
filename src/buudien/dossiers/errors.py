"""Dossier errors: a stable code for the API beside the Vietnamese message."""

from __future__ import annotations

from enum import StrEnum

from buudien.core.errors import DomainError


class DossierCode(StrEnum):
    IDEMPOTENCY_CONFLICT = "dossier.idempotency_conflict"
    MISSING_DOCUMENT = "dossier.missing_document"
    NOT_BY_POST = "dossier.not_by_post"
    TRANSITION_NOT_ALLOWED = "dossier.transition_not_allowed"
    STALE = "dossier.stale"
    BATCH_INVALID = "dossier.batch_invalid"
    BATCH_ALREADY_SETTLED = "dossier.batch_already_settled"
    COMPLAINT_ALREADY_SETTLED = "dossier.complaint_already_settled"
    NOT_FOUND = "dossier.not_found"


class DossierError(DomainError):
    def __init__(self, message: str, *, code: DossierCode, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.code = code  # type: ignore[assignment]
