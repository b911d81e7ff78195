"""Payout API: paying a line (exactly once), and the agencies' lists, progress, reconciliation."""

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Router, Schema
from ninja.files import UploadedFile

from buudien.core.errors import DomainError, ErrorCode
from buudien.core.permissions import guard
from buudien.core.scoping import require_user
from buudien.counter import selectors as counter_selectors
from buudien.payouts import selectors, services
from buudien.payouts.models import Payout

router = Router(tags=["payouts"])
LINE_ID = Path(..., ge=1, le=selectors.MAX_LINE_ID)  # type: ignore[type-arg]
PROGRAMME_CODE = Form(..., min_length=1, max_length=20)  # type: ignore[type-arg]
MONTH = Form(...)  # type: ignore[type-arg]
SHOWN_ERRORS = 20


class PayIn(Schema):
    session_id: uuid.UUID
    receiver: Literal["self", "authorised"] = "self"
    receiver_id: str = Field("", pattern=r"^[0-9]{0,12}$")
    # A client that may retry (a point offline) brings its own key; else the server makes one.
    idempotency_key: str = Field("", max_length=80, pattern=r"^[^\x00-\x1f\x7f]*$")


class LineOut(Schema):
    id: int
    status: str
    amount: int
    receiver: str
    paid_at: dt.datetime | None
    entry_id: uuid.UUID | None


class ImportOut(Schema):
    imported: bool
    id: uuid.UUID
    lines: int
    per_point: dict[str, int]


class ProgressOut(Schema):
    state: str
    lines: int
    total: int
    paid_n: int
    paid_s: int
    returned_n: int
    pending_n: int


class ReconciliationOut(Schema):
    state: str
    points: list[dict[str, Any]]
    totals: dict[str, int]


@router.post("/lines/{line_id}/pay", response=LineOut)
@guard(write="payouts.pay")
def pay(request: HttpRequest, payload: PayIn, line_id: int = LINE_ID) -> Payout:
    """Pay one line; a second attempt is refused (409) with the time of the first."""
    clerk = require_user(request.user)
    line = selectors.line(user=clerk, pk=line_id)
    session = counter_selectors.session(user=clerk, pk=payload.session_id)
    return services.pay(
        payout=line,
        clerk=clerk,
        session=session,
        receiver=payload.receiver,
        receiver_id=payload.receiver_id,
        idempotency_key=payload.idempotency_key,
    )


@router.post("/lists", response=ImportOut)
@guard(write="payouts.import")
def upload(
    request: HttpRequest,
    file: File[UploadedFile],
    programme: str = PROGRAMME_CODE,
    month: dt.date = MONTH,
) -> dict[str, Any]:
    """The agency uploads its monthly list: all of it is kept, or nothing (422 naming rows)."""
    actor = require_user(request.user)
    found = selectors.programme(user=actor, code=programme)
    result = services.import_list(
        actor=actor, programme=found, month=month, source=file, source_name=file.name or ""
    )
    if not result.ok or result.payout_list is None:
        shown = " ".join(e.message for e in result.errors[:SHOWN_ERRORS])
        raise DomainError(
            _("%(n)s lỗi; không dòng nào được nhập. %(errors)s")
            % {"n": len(result.errors), "errors": shown},
            code=ErrorCode.IMPORT_INVALID,
            field="file",
        )
    return {
        "imported": True,
        "id": result.payout_list.pk,
        "lines": result.rows,
        "per_point": result.per_point,
    }


@router.get("/lists/{list_id}", response=ProgressOut)
@guard(read="payouts.view")
def progress(request: HttpRequest, list_id: uuid.UUID) -> dict[str, Any]:
    """Lines paid, returned and waiting, in the caller's scope."""
    found = selectors.payout_list(user=request.user, pk=list_id)
    return selectors.progress(user=request.user, payout_list=found)


@router.get("/lists/{list_id}/reconciliation", response=ReconciliationOut)
@guard(read="payouts.reconciliation")
def reconciliation(request: HttpRequest, list_id: uuid.UUID) -> dict[str, Any]:
    """Paid and returned by point, for the points in the caller's scope."""
    user = require_user(request.user)
    rec = services.reconciliation(
        user=user, payout_list=selectors.payout_list(user=user, pk=list_id)
    )
    return {"points": rec.rows, "totals": rec.totals, "state": rec.payout_list.state}
