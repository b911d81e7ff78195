from __future__ import annotations

from enum import StrEnum

from buudien.core.errors import DomainError


class DossierCode(StrEnum):
    MISSING_DOCUMENT = "dossier.missing_document"
    UNKNOWN_PROCEDURE = "dossier.unknown_procedure"
    NOT_BY_POST = "dossier.not_by_post"
    TRANSITION_NOT_ALLOWED = "dossier.transition_not_allowed"
    STALE = "dossier.stale"
    BATCH_INVALID = "dossier.batch_invalid"
    NOT_FOUND = "dossier.not_found"
    THROTTLED = "dossier.throttled"


class DossierError(DomainError):
    def __init__(self, message: str, *, code: DossierCode, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.code = code  # type: ignore[assignment]
