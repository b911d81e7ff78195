"""Taking in an item at the counter: checked, priced by the tariff of the day, numbered with
an S10 id (from the point's reserved block on a laptop), its charge posted through the
counter's ledger, its first event written, all in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import audit, clock, journal, numbers, s10
from buudien.core.errors import DomainError
from buudien.core.ids import normalise_phone
from buudien.core.text import build_search_text
from buudien.counter import services as counter_services
from buudien.counter.services import EntryRequest
from buudien.mail import pricing
from buudien.mail.errors import MailCode, MailError
from buudien.mail.models import PostalItem, PostalService, Status, TrackingEvent
from buudien.mail.services import rollups
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.counter.models import CounterSession
    from buudien.network.models import Commune, PostUnit

# An item's COD or declared value above 200 million đồng is a typing error at a commune
# counter, and the insurance of a higher value is not sold there.
MAX_VALUE = 200_000_000
SOURCE = "mail.item"


@dataclass(frozen=True, slots=True)
class ItemIn:
    """What the clerk types for one item."""

    service_code: str
    sender_name: str
    receiver_name: str
    receiver_address: str
    receiver_commune: int
    weight_g: int
    sender_phone: str = ""
    sender_address: str = ""
    receiver_phone: str = ""
    receiver_hamlet: str = ""
    receiver_postal_code: str = ""
    receiver_digital_address: str = ""
    contents: str = ""
    declared_value: int = 0
    cod_amount: int = 0
    extras: frozenset[str] = field(default_factory=frozenset)
    customer_id: str = ""
    request_key: str = ""


def _service(code: str) -> PostalService:
    service = PostalService.objects.filter(code=(code or "").strip().upper()).first()
    if service is None or not service.tracked:
        raise MailError(
            _("Hãy chọn dịch vụ có số hiệu (thư bảo đảm, bưu kiện, EMS, hồ sơ hành chính)."),
            code=MailCode.INVALID,
            field="service_code",
        )
    return service


def _phone(value: str, name: str) -> str:
    if not value.strip():
        return ""
    try:
        return normalise_phone(value)
    except DomainError as exc:
        raise MailError(exc.message, code=MailCode.INVALID, field=name) from exc


def required_text(value: str, name: str, label: str, limit: int) -> str:
    """A text the item cannot go without, trimmed to its column; else a message naming it."""
    text = (value or "").strip()
    if not text:
        raise MailError(
            _("Hãy nhập %(what)s.") % {"what": label}, code=MailCode.INVALID, field=name
        )
    return text[:limit]


def receiver_commune(code: int) -> Commune:
    """The receiver's commune, from the country's catalogue; else a message naming the field."""
    commune = network_selectors.commune(code=code) if code else None
    if commune is None:
        raise MailError(
            _("Hãy chọn xã, phường của người nhận."),
            code=MailCode.INVALID,
            field="receiver_commune",
        )
    return commune


def _check_money(data: ItemIn) -> None:
    for name, value, label in (
        ("declared_value", data.declared_value, _("giá trị khai")),
        ("cod_amount", data.cod_amount, _("tiền thu hộ COD")),
    ):
        if not 0 <= value <= MAX_VALUE:
            raise MailError(
                _("%(what)s phải từ 0 đến 200.000.000 đồng.") % {"what": label.capitalize()},
                code=MailCode.INVALID,
                field=name,
            )


def _check_codes(data: ItemIn) -> None:
    code = data.receiver_postal_code.strip()
    if code and not (code.isdigit() and len(code) == 5):
        raise MailError(
            _("Mã bưu chính gồm 5 chữ số."), code=MailCode.INVALID, field="receiver_postal_code"
        )
    if len(data.receiver_digital_address.strip()) > 20:
        raise MailError(
            _("Mã địa chỉ số tối đa 20 ký tự."),
            code=MailCode.INVALID,
            field="receiver_digital_address",
        )


def _new_s10(prefix: str) -> str:
    """From the laptop's reserved block at a point; at the province a random serial that no
    block holds and no item has."""
    device = journal.point_device()
    if device is not None:
        return s10.make(prefix, numbers.take(holder=device.pk, kind="s10"))
    while True:
        drawn = secrets.randbelow(10**8)
        made = s10.make(prefix, drawn)
        if (
            not numbers.is_reserved("s10", drawn)
            and not PostalItem.objects.filter(s10=made).exists()
        ):
            return made


def _existing(unit: PostUnit, key: str, digest: str) -> PostalItem | None:
    if not key:
        return None
    found = PostalItem.objects.filter(origin=unit, request_key=key).first()
    if found is not None and found.search_text.split(" ")[0] != digest:
        raise MailError(
            _("Mẫu nhận gửi này đã được gửi với nội dung khác; hãy tải lại trang."),
            code=MailCode.IDEMPOTENCY_CONFLICT,
        )
    return found


def _digest(data: ItemIn) -> str:
    return hashlib.sha256(repr(data).encode()).hexdigest()[:16]


def due_day(service: PostalService, zone: str, day: dt.date) -> dt.date:
    days = {"province": service.days_province, "region": service.days_region}.get(
        zone, service.days_far
    )
    return day + dt.timedelta(days=days)


def _build(data: ItemIn, session: CounterSession, clerk: User, when: dt.datetime) -> PostalItem:
    service = _service(data.service_code)
    commune = receiver_commune(data.receiver_commune)
    _check_money(data)
    _check_codes(data)
    zone = pricing.zone_between(
        network_selectors.province_code_of(session.unit), commune.province_id
    )
    day = session.business_date
    quote = pricing.quote(
        service=service,
        zone=zone,
        weight_g=data.weight_g,
        day=day,
        extras=frozenset(data.extras),
        declared_value=data.declared_value,
        cod_amount=data.cod_amount,
    )
    destination = network_selectors.delivering_point(commune_code=commune.code)
    return PostalItem(
        service=service,
        origin=session.unit,
        destination=destination,
        current_unit=session.unit,
        customer_id=data.customer_id or None,
        sender_name=required_text(data.sender_name, "sender_name", _("tên người gửi"), 200),
        sender_phone=_phone(data.sender_phone, "sender_phone"),
        sender_address=data.sender_address.strip()[:300],
        receiver_name=required_text(data.receiver_name, "receiver_name", _("tên người nhận"), 200),
        receiver_phone=_phone(data.receiver_phone, "receiver_phone"),
        receiver_address=required_text(
            data.receiver_address, "receiver_address", _("địa chỉ người nhận"), 300
        ),
        receiver_hamlet=data.receiver_hamlet.strip()[:100],
        receiver_commune=commune,
        receiver_postal_code=data.receiver_postal_code.strip(),
        receiver_digital_address=data.receiver_digital_address.strip()[:20],
        zone=zone,
        weight_g=data.weight_g,
        contents=data.contents.strip()[:200],
        declared_value=data.declared_value,
        cod_amount=data.cod_amount,
        extras=",".join(sorted(quote.extras)),
        charge=quote.total,
        status=Status.ACCEPTED,
        accepted_at=when,
        accepted_by=clerk,
        due_on=due_day(service, zone, day),
        request_key=data.request_key[:64],
    )


def _post_charge(item: PostalItem, session: CounterSession, clerk: User) -> str:
    posted = counter_services.post_entries(
        session=session,
        clerk=clerk,
        requests=[
            EntryRequest(
                idempotency_key=f"mail:{item.s10}",
                service_code=item.service_id,
                amount=item.charge,
                customer_name=item.sender_name,
                customer_phone=item.sender_phone,
                source_type=SOURCE,
                source_id=str(item.pk),
                settles=f"mail.charge:{item.s10}",
                reference=item.s10,
            )
        ],
    )
    return posted[0].entry.receipt_no


@journal.operation("mail.accept")
@transaction.atomic
def accept(*, session: CounterSession, clerk: User, data: ItemIn) -> PostalItem:
    """Take in one item: its S10 id, its charge in the ledger, its first event."""
    counter_services.check_session(session, clerk)
    digest = _digest(data)
    found = _existing(session.unit, data.request_key, digest)
    if found is not None:
        return found
    when = clock.now()
    item = _build(data, session, clerk, when)
    item.s10 = journal.number("s10", lambda: _new_s10(item.service.s10_prefix))
    item.search_text = build_search_text(
        digest, item.s10, item.sender_name, item.receiver_name, item.receiver_hamlet
    )
    item.save()
    item.receipt_no = _post_charge(item, session, clerk)
    item.save(update_fields=["receipt_no"])
    TrackingEvent.objects.create(
        item=item,
        status=Status.ACCEPTED,
        at=when,
        unit=session.unit,
        place=session.unit.name,
        actor=clerk,
        device=journal.recording_device(),
    )
    day = timezone.localtime(when).date()
    rollups.count(unit_id=session.unit.pk, day=day, service_id=item.service_id, sent=1)
    audit.record(
        actor=clerk,
        action="mail.accepted",
        instance=item,
        before=None,
        after=audit.snapshot(item),
        unit_path=session.unit.path,
    )
    return item
