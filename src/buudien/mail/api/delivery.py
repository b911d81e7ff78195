"""The mail API: delivery (deliver, failed, return), COD paid to the sender, arrivals from
outside the province, the scanner's files, and the lists a point works from."""

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema
from ninja.files import UploadedFile

from buudien.core.pagination import MAX_PAGE
from buudien.core.permissions import guard
from buudien.core.scoping import require_user
from buudien.counter import selectors as counter_selectors
from buudien.mail.errors import MailCode, MailError
from buudien.mail.models import PostalItem
from buudien.mail.selectors import delivery as selectors
from buudien.mail.selectors import items as item_selectors
from buudien.mail.services import delivery as services
from buudien.mail.services import scans
from buudien.mail.services.acceptance import MAX_VALUE
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.counter.models import CounterSession
    from buudien.network.models import PostUnit

router = Router(tags=["mail"])
S10 = Path(..., min_length=1, max_length=40)  # type: ignore[type-arg]
TEXT = r"^[^\x00-\x1f\x7f]*$"
CODE = r"^[A-Za-z0-9._-]*$"
COD_PAGE = 100
SHOWN_ERRORS = 20


class ItemOut(Schema):
    s10: str
    status: str
    receiver_name: str
    receiver_hamlet: str
    destination: str | None
    current_unit: str | None
    cod_amount: int
    cod_collected_at: dt.datetime | None
    cod_paid_at: dt.datetime | None
    delivered_at: dt.datetime | None
    delivered_to: str

    @staticmethod
    def resolve_destination(obj: PostalItem) -> str | None:
        return obj.destination.code if obj.destination else None

    @staticmethod
    def resolve_current_unit(obj: PostalItem) -> str | None:
        return obj.current_unit.code if obj.current_unit else None


class DeliverIn(Schema):
    receiver_name: str = Field(..., min_length=1, max_length=200, pattern=TEXT)
    proof: str = Field("", max_length=300, pattern=TEXT)
    cod_collected: int | None = Field(None, ge=0, le=MAX_VALUE)
    # The clerk's open shift, if not given.
    session_id: uuid.UUID | None = None


class ReasonIn(Schema):
    reason: str = Field(..., max_length=20, pattern=CODE)
    note: str = Field("", max_length=300, pattern=TEXT)


class SessionIn(Schema):
    session_id: uuid.UUID | None = None


class InboundIn(Schema):
    unit: str = Field(..., min_length=1, max_length=20, pattern=CODE)
    s10: str = Field(..., min_length=1, max_length=40, pattern=TEXT)
    service_code: str = Field(..., min_length=1, max_length=20, pattern=CODE)
    receiver_name: str = Field(..., max_length=200, pattern=TEXT)
    receiver_address: str = Field(..., max_length=300, pattern=TEXT)
    receiver_commune: int = Field(..., ge=1, le=999_999)
    receiver_hamlet: str = Field("", max_length=100, pattern=TEXT)
    weight_g: int = Field(..., ge=1, le=services.MAX_WEIGHT_G)
    cod_amount: int = Field(0, ge=0, le=MAX_VALUE)
    sender_name: str = Field("", max_length=200, pattern=TEXT)


class ScansOut(Schema):
    applied: int


class GroupOut(Schema):
    hamlet: str
    items: list[ItemOut]


class DeliveryOut(Schema):
    unit: str
    count: int
    cod_to_collect: int
    groups: list[GroupOut]


class CodOut(Schema):
    total: int
    count: int
    page: int
    items: list[ItemOut]


class ListQuery(Schema):
    point: str = Field("", max_length=20, pattern=CODE)
    day: dt.date | None = None


class CodQuery(Schema):
    point: str = Field("", max_length=20, pattern=CODE)
    page: int = Field(1, ge=1, le=MAX_PAGE)


def _session(user: "User", pk: uuid.UUID | None) -> "CounterSession":
    if pk is not None:
        return counter_selectors.session(user, pk)
    found = counter_selectors.open_session_of(user)
    if found is None:
        raise MailError(
            _("Bạn cần mở ca giao dịch trước khi ghi phát bưu gửi hoặc trả tiền COD."),
            code=MailCode.INVALID,
            field="session_id",
        )
    return found


def _unit(user: "User", code: str) -> "PostUnit":
    if code:
        return network_selectors.unit_by_code(user, code.strip().upper())
    return network_selectors.home_unit(user=user)


@router.post("/items/{s10}/deliver", response=ItemOut)
@guard(write="mail.deliver")
def deliver(request: HttpRequest, payload: DeliverIn, s10: str = S10) -> PostalItem:
    """Deliver an item; its COD (if any) must be confirmed and goes into the shift once.
    A second delivery is refused (409)."""
    clerk = require_user(request.user)
    item = item_selectors.item(clerk, s10)
    return services.deliver(
        item=item,
        clerk=clerk,
        session=_session(clerk, payload.session_id),
        receiver_name=payload.receiver_name,
        proof=payload.proof,
        cod_collected=payload.cod_collected,
    )


@router.post("/items/{s10}/fail", response=ItemOut)
@guard(write="mail.deliver")
def fail(request: HttpRequest, payload: ReasonIn, s10: str = S10) -> PostalItem:
    """A failed delivery attempt, with its coded reason."""
    clerk = require_user(request.user)
    item = item_selectors.item(clerk, s10)
    return services.fail_delivery(item=item, clerk=clerk, reason=payload.reason, note=payload.note)


@router.post("/items/{s10}/return", response=ItemOut)
@guard(write="mail.deliver")
def return_to_sender(request: HttpRequest, payload: ReasonIn, s10: str = S10) -> PostalItem:
    """The item goes back to its sender, with the coded reason."""
    clerk = require_user(request.user)
    item = item_selectors.item(clerk, s10)
    return services.return_to_sender(item=item, clerk=clerk, reason=payload.reason)


@router.post("/items/{s10}/pay-cod", response=ItemOut)
@guard(write="mail.deliver")
def pay_cod(request: HttpRequest, payload: SessionIn, s10: str = S10) -> PostalItem:
    """Pay the collected COD to the sender, once (a second payment is a 409)."""
    clerk = require_user(request.user)
    item = item_selectors.item(clerk, s10)
    return services.pay_cod(item=item, clerk=clerk, session=_session(clerk, payload.session_id))


@router.post("/inbound", response=ItemOut)
@guard(write="mail.scan")
def inbound(request: HttpRequest, payload: InboundIn) -> PostalItem:
    """Register an item arrived from outside the province at one of the caller's units."""
    actor = require_user(request.user)
    unit = network_selectors.unit_by_code(actor, payload.unit.strip().upper())
    values = payload.dict(exclude={"unit"})
    return services.receive_inbound(actor=actor, unit=unit, **values)


@router.post("/scans", response=ScansOut)
@guard(write="mail.scan")
def upload_scans(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """A scanner's CSV file: all rows applied, or none (422 naming the bad rows)."""
    actor = require_user(request.user)
    if (file.size or 0) > scans.MAX_BYTES:
        raise MailError(_("Tệp quá lớn: tối đa 5 MB."), code=MailCode.INVALID, field="file")
    result = scans.import_file(actor=actor, data=file.read())
    if not result.ok:
        shown = " ".join(e.message for e in result.errors[:SHOWN_ERRORS])
        raise MailError(
            _("%(n)s dòng lỗi; không dòng nào được ghi. %(errors)s")
            % {"n": len(result.errors), "errors": shown},
            code=MailCode.INVALID,
            field="file",
        )
    return {"applied": result.applied}


@router.get("/delivery", response=DeliveryOut)
@guard(read="mail.view")
def delivery_list(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    """A point's items to deliver (the caller's unit unless `point` says), by hamlet."""
    user = require_user(request.user)
    unit = _unit(user, query.point)
    found = selectors.delivery_list(user, unit, query.day)
    return {
        "unit": unit.code,
        "count": found.count,
        "cod_to_collect": found.cod_total,
        "groups": [{"hamlet": g.hamlet, "items": g.items} for g in found.groups],
    }


@router.get("/cod", response=CodOut)
@guard(read="mail.view")
def cod_outstanding(request: HttpRequest, query: Query[CodQuery]) -> dict[str, Any]:
    """COD collected and not yet paid to the senders, in the caller's scope, 100 a page."""
    user = require_user(request.user)
    unit = _unit(user, query.point) if query.point else None
    found = selectors.cod_outstanding(user, unit)
    start = (query.page - 1) * COD_PAGE
    return {
        "total": selectors.cod_total(found),
        "count": found.count(),
        "page": query.page,
        "items": list(found[start : start + COD_PAGE]),
    }
