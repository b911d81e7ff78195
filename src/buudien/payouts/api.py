"""Payout API: paying a line (idempotent), and the agencies' lists, progress, reconciliation."""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from buudien.core.errors import DomainError
from buudien.core.scoping import require_user
from buudien.counter import selectors as counter_selectors
from buudien.payouts import selectors, services
from buudien.payouts.models import Payout, Programme

router = Router(tags=["payouts"])


class PayIn(Schema):
    session_id: uuid.UUID
    receiver: str = "self"
    receiver_id: str = ""


class LineOut(Schema):
    id: int
    status: str
    amount: int
    receiver: str
    paid_at: dt.datetime | None
    entry_id: uuid.UUID | None


@router.post("/lines/{line_id}/pay", response=LineOut)
def pay(request: HttpRequest, line_id: int, payload: PayIn) -> Payout:
    """Pay one line; a second attempt is refused with the time of the first."""
    clerk = require_user(request.user)
    session = counter_selectors.session(clerk, payload.session_id)
    return services.pay(
        payout=selectors.line(clerk, line_id),
        clerk=clerk,
        session=session,
        receiver=payload.receiver,
        receiver_id=payload.receiver_id,
    )


@router.post("/lists")
def upload(
    request: HttpRequest, programme: Form[str], month: Form[dt.date], file: File[UploadedFile]
) -> dict[str, Any]:
    """The agency uploads its monthly list; every bad row is reported and nothing is kept."""
    actor = require_user(request.user)
    found = Programme.objects.filter(code=programme).first()
    if found is None:
        raise DomainError(f"Không có chương trình {programme}.", field="programme")
    result = services.import_list(
        actor=actor, programme=found, month=month, source=file, source_name=file.name or ""
    )
    if not result.ok:
        return {
            "imported": False,
            "errors": [
                {"row": e.row, "column": e.column, "message": e.message} for e in result.errors
            ],
        }
    assert result.payout_list is not None  # noqa: S101 - ok means a list was created
    return {
        "imported": True,
        "id": str(result.payout_list.pk),
        "lines": result.rows,
        "per_point": result.per_point,
    }


@router.get("/lists/{list_id}")
def progress(request: HttpRequest, list_id: uuid.UUID) -> dict[str, Any]:
    return selectors.progress(selectors.payout_list(request.user, list_id))


@router.get("/lists/{list_id}/reconciliation")
def reconciliation(request: HttpRequest, list_id: uuid.UUID) -> dict[str, Any]:
    rec = services.reconciliation(selectors.payout_list(request.user, list_id))
    return {"points": rec.rows, "totals": rec.totals, "state": rec.payout_list.state}
