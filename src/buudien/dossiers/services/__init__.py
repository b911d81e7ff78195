"""Every write on dossiers, by sub-domain: intake, the lifecycle and its steps, hand-over
slips, complaints, the procedure catalogue. Callers import from here."""

from buudien.dossiers.services.batches import (
    Receipts,
    batch_target,
    confirm_arrival,
    confirm_handover,
    open_batch,
    send_batch,
)
from buudien.dossiers.services.catalogue import import_procedures
from buudien.dossiers.services.complaints import (
    MAX_COMPENSATION,
    file_complaint,
    resolve_complaint,
)
from buudien.dossiers.services.intake import (
    MAX_COPIES,
    DocumentIn,
    Fee,
    check_intake,
    fees_of,
    intake,
)
from buudien.dossiers.services.lifecycle import (
    AGENCY_STEPS,
    OPEN_STATES,
    POST_STEPS,
    TRANSITIONS,
    allowed_actions,
    record_appointment,
    target_of,
    transition,
)
from buudien.dossiers.services.rollups import rebuild_rollups

__all__ = [
    "AGENCY_STEPS",
    "MAX_COMPENSATION",
    "MAX_COPIES",
    "OPEN_STATES",
    "POST_STEPS",
    "TRANSITIONS",
    "DocumentIn",
    "Fee",
    "Receipts",
    "allowed_actions",
    "batch_target",
    "check_intake",
    "confirm_arrival",
    "confirm_handover",
    "fees_of",
    "file_complaint",
    "import_procedures",
    "intake",
    "open_batch",
    "rebuild_rollups",
    "record_appointment",
    "resolve_complaint",
    "send_batch",
    "target_of",
    "transition",
]
