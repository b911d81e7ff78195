"""The mail API of the counter: take in an item, list and read items, record a scan, price an
item before taking it in."""

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from buudien.core.errors import DomainError
from buudien.core.ids import mask_phone
from buudien.core.pagination import Pages
from buudien.core.permissions import guard
from buudien.core.scoping import require_user
from buudien.counter import selectors as counter_selectors
from buudien.mail import forms
from buudien.mail.errors import MailCode, MailError
from buudien.mail.models import PostalItem, Reason, TrackingEvent
from buudien.mail.models import Status as ItemStatus
from buudien.mail.selectors import items as item_selectors
from buudien.mail.services import acceptance, tracking
from buudien.network import selectors as network_selectors

router = Router(tags=["mail"])

S10Path = Annotated[str, Path(min_length=13, max_length=20, pattern=r"^[A-Za-z0-9 .\-]+$")]
STATUS_PATTERN = "^(" + "|".join(ItemStatus.values) + ")?$"
REASON_PATTERN = "^(" + "|".join(Reason.values) + ")?$"
Scannable = Literal["arrived", "out_for_delivery", "failed", "delivered"]
Extra = Literal["AR", "PICKUP", "COD", "INS"]
MAX_VALUE = acceptance.MAX_VALUE


class ItemInSchema(Schema):
    """One item to take in, as the clerk would type it; the shift defaults to the caller's
    open one."""

    service_code: str = Field(..., max_length=20)
    sender_name: str = Field(..., max_length=200)
    receiver_name: str = Field(..., max_length=200)
    receiver_address: str = Field(..., max_length=300)
    receiver_commune: int = Field(..., ge=1, le=forms.MAX_COMMUNE)
    weight_g: int = Field(..., ge=1, le=forms.MAX_WEIGHT_G)
    sender_phone: str = Field("", max_length=20)
    sender_address: str = Field("", max_length=300)
    receiver_phone: str = Field("", max_length=20)
    receiver_hamlet: str = Field("", max_length=100)
    receiver_postal_code: str = Field("", max_length=5)
    receiver_digital_address: str = Field("", max_length=20)
    contents: str = Field("", max_length=200)
    declared_value: int = Field(0, ge=0, le=MAX_VALUE)
    cod_amount: int = Field(0, ge=0, le=MAX_VALUE)
    extras: list[Extra] = Field(default_factory=list, max_length=4)
    customer_id: uuid.UUID | None = None
    request_key: str = Field("", max_length=64)
    session_id: uuid.UUID | None = None


class ItemRowOut(Schema):
    """An item in a list: phones masked."""

    s10: str
    service: str
    status: str
    sender_name: str
    sender_phone: str
    receiver_name: str
    receiver_phone: str
    receiver_commune: int
    origin: str | None
    destination: str | None
    weight_g: int
    charge: int
    cod_amount: int
    accepted_at: dt.datetime | None
    received_on: dt.date | None
    delivered_at: dt.datetime | None

    @staticmethod
    def resolve_service(obj: PostalItem) -> str:
        return obj.service_id

    @staticmethod
    def resolve_sender_phone(obj: PostalItem) -> str:
        return mask_phone(obj.sender_phone)

    @staticmethod
    def resolve_receiver_phone(obj: PostalItem) -> str:
        return mask_phone(obj.receiver_phone)

    @staticmethod
    def resolve_receiver_commune(obj: PostalItem) -> int:
        return int(obj.receiver_commune_id)

    @staticmethod
    def resolve_origin(obj: PostalItem) -> str | None:
        return obj.origin.code if obj.origin else None

    @staticmethod
    def resolve_destination(obj: PostalItem) -> str | None:
        return obj.destination.code if obj.destination else None


class EventOut(Schema):
    at: dt.datetime
    status: str
    status_label: str
    reason: str
    reason_label: str
    unit: str | None
    place: str
    actor: str
    device: str
    note: str

    @staticmethod
    def resolve_status_label(obj: TrackingEvent) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_reason_label(obj: TrackingEvent) -> str:
        return str(obj.get_reason_display()) if obj.reason else ""

    @staticmethod
    def resolve_unit(obj: TrackingEvent) -> str | None:
        return obj.unit.code if obj.unit else None

    @staticmethod
    def resolve_actor(obj: TrackingEvent) -> str:
        return str(obj.actor.display_name) if obj.actor else ""


class ItemOut(Schema):
    """An item with every field (phones in full: the caller's scope covers it) and events."""

    s10: str
    service: str
    status: str
    zone: str
    sender_name: str
    sender_phone: str
    sender_address: str
    receiver_name: str
    receiver_phone: str
    receiver_address: str
    receiver_hamlet: str
    receiver_commune: int
    receiver_postal_code: str
    receiver_digital_address: str
    origin: str | None
    destination: str | None
    current_unit: str | None
    customer_id: uuid.UUID | None
    weight_g: int
    contents: str
    declared_value: int
    cod_amount: int
    extras: list[str]
    charge: int
    receipt_no: str
    accepted_at: dt.datetime | None
    due_on: dt.date | None
    received_on: dt.date | None
    delivered_at: dt.datetime | None
    delivered_to: str
    events: list[EventOut]


def _code(unit: Any) -> str | None:
    return unit.code if unit is not None else None


def _item_out(item: PostalItem) -> dict[str, Any]:
    return {
        "s10": item.s10,
        "service": item.service_id,
        "status": item.status,
        "zone": item.zone,
        "sender_name": item.sender_name,
        "sender_phone": item.sender_phone,
        "sender_address": item.sender_address,
        "receiver_name": item.receiver_name,
        "receiver_phone": item.receiver_phone,
        "receiver_address": item.receiver_address,
        "receiver_hamlet": item.receiver_hamlet,
        "receiver_commune": item.receiver_commune_id,
        "receiver_postal_code": item.receiver_postal_code,
        "receiver_digital_address": item.receiver_digital_address,
        "origin": _code(item.origin),
        "destination": _code(item.destination),
        "current_unit": _code(item.current_unit),
        "customer_id": item.customer_id,
        "weight_g": item.weight_g,
        "contents": item.contents,
        "declared_value": item.declared_value,
        "cod_amount": item.cod_amount,
        "extras": [e for e in item.extras.split(",") if e],
        "charge": item.charge,
        "receipt_no": item.receipt_no,
        "accepted_at": item.accepted_at,
        "due_on": item.due_on,
        "received_on": item.received_on,
        "delivered_at": item.delivered_at,
        "delivered_to": item.delivered_to,
        "events": list(item_selectors.events(item)),
    }


@router.post("/items", response={201: ItemOut})
@guard(write="mail.accept")
def accept_item(request: HttpRequest, payload: ItemInSchema) -> Status[dict[str, Any]]:
    """Take in one item at the caller's shift; the same `request_key` sent again gives back
    the same item."""
    user = require_user(request.user)
    session = (
        counter_selectors.session(user, payload.session_id)
        if payload.session_id is not None
        else counter_selectors.open_session_of(user)
    )
    if session is None:
        raise MailError(
            _("Bạn chưa mở ca giao dịch; hãy mở ca trước khi nhận gửi."),
            code=MailCode.INVALID,
            field="session_id",
        )
    customer = (
        counter_selectors.customer(user, payload.customer_id)
        if payload.customer_id is not None
        else None
    )
    data = acceptance.ItemIn(
        **payload.model_dump(exclude={"extras", "customer_id", "session_id"}),
        extras=frozenset(payload.extras),
        customer_id=str(customer.pk) if customer is not None else "",
    )
    item = acceptance.accept(session=session, clerk=user, data=data)
    return Status(201, _item_out(item_selectors.item(user, item.s10)))


class ItemsQuery(Schema):
    q: str = Field("", max_length=100)
    status: str = Field("", pattern=STATUS_PATTERN)
    service: str = Field("", max_length=20)
    direction: str = Field("", pattern="^(sent|received)?$")
    unit: str = Field("", max_length=20)
    start: dt.date | None = None
    end: dt.date | None = None
    cod: bool = False
    sort: str = Field("", max_length=20)


@router.get("/items", response=list[ItemRowOut])
@paginate(Pages, page_size=100)
@guard(read="mail.view")
def list_items(request: HttpRequest, filters: Query[ItemsQuery]) -> QuerySet[PostalItem]:
    """Items in scope, newest first (or by `sort`: s10, status, service, receiver, charge,
    weight, accepted; "-" in front reverses), filtered like the item list page."""
    user = require_user(request.user)
    f = filters
    found = network_selectors.unit_by_code(user, f.unit) if f.unit else None
    if found is None and f.direction:
        found = network_selectors.home_unit(user=user)
    flt = item_selectors.ItemFilter(
        query=f.q,
        status=f.status,
        service=f.service,
        direction=f.direction,
        unit=found,
        start=f.start,
        end=f.end,
        cod=f.cod,
    )
    return item_selectors.items(user, flt).order_by(*forms.ordering(f.sort))


@router.get("/items/{s10}", response=ItemOut)
@guard(read="mail.view")
def get_item(request: HttpRequest, s10: S10Path) -> dict[str, Any]:
    """One item with every field and its events."""
    return _item_out(item_selectors.item(request.user, s10))


class EventIn(Schema):
    """A scan recorded by hand; `seen` is the status the caller last saw (refused with
    `mail.stale` when the item has moved on since)."""

    status: Scannable
    reason: str = Field("", pattern=REASON_PATTERN)
    note: str = Field("", max_length=300)
    delivered_to: str = Field("", max_length=200)
    seen: str = Field("", pattern=STATUS_PATTERN)


@router.post("/items/{s10}/events", response={201: ItemOut})
@guard(write="mail.scan")
def add_event(request: HttpRequest, s10: S10Path, payload: EventIn) -> Status[dict[str, Any]]:
    """Record a scan at the caller's own unit."""
    user = require_user(request.user)
    item = item_selectors.item(user, s10)
    if payload.seen and payload.seen != item.status:
        raise MailError(
            _("Bưu gửi %(id)s đã chuyển sang «%(now)s»; không ghi thêm.")
            % {"id": item.s10, "now": ItemStatus(item.status).label},
            code=MailCode.STALE,
            field="seen",
        )
    tracking.record_event(
        item=item,
        actor=user,
        status=payload.status,
        unit=network_selectors.home_unit(user=user),
        reason=payload.reason,
        note=payload.note,
        delivered_to=payload.delivered_to,
    )
    return Status(201, _item_out(item_selectors.item(user, item.s10)))


class QuoteOut(Schema):
    service: str
    zone: str
    postage: int
    extras: dict[str, int]
    total: int


class QuoteQuery(Schema):
    service: str = Field(..., max_length=20)
    commune: int = Field(..., ge=1, le=forms.MAX_COMMUNE)
    weight_g: int = Field(..., ge=1, le=forms.MAX_WEIGHT_G)
    cod_amount: int = Field(0, ge=0, le=MAX_VALUE)
    declared_value: int = Field(0, ge=0, le=MAX_VALUE)
    extras: str = Field("", max_length=40, pattern=r"^[A-Za-z,]*$")


@router.get("/quote", response=QuoteOut)
@guard(read="mail.accept")
def quote(request: HttpRequest, params: Query[QuoteQuery]) -> dict[str, Any]:
    """The price of an item from the caller's shift (or unit), by the tariff of the day;
    `extras` is a comma list of AR, PICKUP (COD and INS follow from the amounts)."""
    user = require_user(request.user)
    session = counter_selectors.open_session_of(user)
    try:
        unit = session.unit if session is not None else network_selectors.home_unit(user=user)
    except DomainError:
        unit = None
    code = params.service.strip().upper()
    zone, found = forms.quote_item(
        unit=unit,
        service_code=code,
        commune_code=params.commune,
        weight_g=params.weight_g,
        day=session.business_date if session is not None else None,
        cod_amount=params.cod_amount,
        declared_value=params.declared_value,
        extras=frozenset(e for e in params.extras.upper().split(",") if e),
    )
    return {
        "service": code,
        "zone": zone,
        "postage": found.postage,
        "extras": found.extras,
        "total": found.total,
    }
