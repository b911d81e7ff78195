"""Delivering an item: the postman's round, a delivery with its COD taken into the shift, a
failed attempt with its coded reason, the way back to the sender, the COD paid to the sender,
and items that arrive from outside the province. Every step of the item goes through
`tracking.record_event`, every đồng through the counter's ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import audit, clock, journal, s10
from buudien.core.errors import DomainError
from buudien.core.money import format_vnd
from buudien.core.permissions import Target, require
from buudien.core.text import build_search_text
from buudien.counter import services as counter_services
from buudien.counter.services import EntryRequest
from buudien.mail.errors import MailCode, MailError
from buudien.mail.models import PostalItem, PostalService, Reason, Status, Zone
from buudien.mail.services import tracking
from buudien.mail.services.acceptance import MAX_VALUE, SOURCE, receiver_commune, required_text
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.counter.models import CounterSession
    from buudien.network.models import PostUnit

S = Status
DELIVERABLE = frozenset({S.OUT_FOR_DELIVERY, S.ARRIVED, S.FAILED})
RETURNABLE = frozenset({S.ARRIVED, S.FAILED})
COD_IN = "BC-COD"
COD_OUT = "BC-COD-TRA"
MAX_ROUND = 500
MAX_WEIGHT_G = 100_000


def _locked(item: PostalItem) -> PostalItem:
    return (
        PostalItem.objects.select_for_update(of=("self",))
        .select_related("origin", "destination", "current_unit", "service")
        .get(pk=item.pk)
    )


def _delivering_unit(item: PostalItem) -> PostUnit | None:
    return item.destination or item.current_unit


def _path(unit: PostUnit | None) -> str:
    return unit.path if unit is not None else ""


def _status_label(status: str) -> str:
    return str(S(status).label)


def _in_session_reach(session: CounterSession, unit: PostUnit | None) -> None:
    """The shift's unit is the unit itself or one above it: money for an item is taken at
    the counter that serves it."""
    if unit is None or not unit.path.startswith(session.unit.path):
        raise MailError(
            _("Bưu gửi này không thuộc đơn vị của ca đang mở (%(unit)s).")
            % {"unit": session.unit.name},
            code=MailCode.STEP_NOT_ALLOWED,
            field="session",
        )


def _check_receiver(name: str) -> str:
    text = (name or "").strip()
    if not text:
        raise MailError(
            _("Hãy nhập tên người nhận thực tế."), code=MailCode.INVALID, field="receiver_name"
        )
    return text[:200]


def _check_cod(item: PostalItem, cod_collected: int | None) -> None:
    if item.cod_amount <= 0:
        return
    if cod_collected != item.cod_amount:
        raise MailError(
            _("Bưu gửi có thu hộ COD %(cod)s: hãy thu đủ và xác nhận số tiền đã thu.")
            % {"cod": format_vnd(item.cod_amount)},
            code=MailCode.INVALID,
            field="cod_collected",
        )


def _refuse_delivered(item: PostalItem) -> None:
    if item.status in tracking.FINAL:
        when = item.delivered_at
        raise MailError(
            _("Bưu gửi %(id)s đã «%(st)s»%(when)s; không ghi lần hai.")
            % {
                "id": item.s10,
                "st": _status_label(item.status),
                "when": (" " + _("lúc %(t)s") % {"t": f"{timezone.localtime(when):%d/%m/%Y %H:%M}"})
                if when
                else "",
            },
            code=MailCode.ALREADY_SETTLED,
            field="s10",
        )


def _refuse_status(item: PostalItem, allowed: Iterable[str], field: str = "s10") -> None:
    if item.status not in allowed:
        raise MailError(
            _("Bưu gửi %(id)s đang «%(st)s»: chưa làm bước này được.")
            % {"id": item.s10, "st": _status_label(item.status)},
            code=MailCode.STEP_NOT_ALLOWED,
            field=field,
        )


def _post(
    *, session: CounterSession, clerk: User, item: PostalItem, service: str, key: str, who: str
) -> None:
    counter_services.post_entries(
        session=session,
        clerk=clerk,
        requests=[
            EntryRequest(
                idempotency_key=f"{key}:{item.s10}",
                service_code=service,
                amount=item.cod_amount,
                customer_name=who[:200],
                source_type=SOURCE,
                source_id=str(item.pk),
                settles=f"{key}:{item.s10}",
                reference=item.s10,
            )
        ],
    )


@journal.operation("mail.deliver")
@transaction.atomic
def deliver(
    *,
    item: PostalItem,
    clerk: User,
    session: CounterSession,
    receiver_name: str,
    proof: str = "",
    cod_collected: int | None = None,
) -> PostalItem:
    """Hand an item to its receiver, taking its COD into the shift, exactly once."""
    locked = _locked(item)
    unit = _delivering_unit(locked)
    require(clerk, "mail.deliver", Target(path=_path(unit)))
    counter_services.check_session(session, clerk)
    _refuse_delivered(locked)
    _refuse_status(locked, DELIVERABLE)
    _in_session_reach(session, unit)
    name = _check_receiver(receiver_name)
    _check_cod(locked, cod_collected)
    if locked.cod_amount > 0:
        _post(session=session, clerk=clerk, item=locked, service=COD_IN, key="mail.cod", who=name)
        PostalItem.objects.filter(pk=locked.pk).update(cod_collected_at=clock.now())
    tracking.record_event(
        item=locked,
        actor=clerk,
        status=S.DELIVERED,
        unit=session.unit,
        note=proof,
        delivered_to=name,
    )
    locked.refresh_from_db()
    _copy(locked, item)
    return locked


def _copy(source: PostalItem, target: PostalItem) -> None:
    for name in (
        "status",
        "current_unit_id",
        "delivered_at",
        "delivered_to",
        "cod_collected_at",
        "cod_paid_at",
        "received_on",
    ):
        setattr(target, name, getattr(source, name))


def _check_reason(reason: str) -> str:
    if reason not in Reason.values:
        raise MailError(_("Hãy chọn lý do trong danh sách."), code=MailCode.INVALID, field="reason")
    return reason


@transaction.atomic
def fail_delivery(*, item: PostalItem, clerk: User, reason: str, note: str = "") -> PostalItem:
    """An attempt that did not reach the receiver, with its coded reason."""
    locked = _locked(item)
    unit = locked.current_unit or _delivering_unit(locked)
    require(clerk, "mail.deliver", Target(path=_path(unit)))
    _refuse_delivered(locked)
    _refuse_status(locked, {S.OUT_FOR_DELIVERY, S.ARRIVED})
    tracking.record_event(
        item=locked,
        actor=clerk,
        status=S.FAILED,
        unit=unit,
        reason=_check_reason(reason),
        note=note,
    )
    _copy(locked, item)
    return locked


@transaction.atomic
def start_round(*, clerk: User, unit: PostUnit, items: Sequence[PostalItem]) -> int:
    """The postman leaves with these items: each is out for delivery; returns how many."""
    require(clerk, "mail.deliver", Target(path=unit.path))
    if not items:
        raise MailError(
            _("Hãy chọn ít nhất một bưu gửi để đi phát."), code=MailCode.INVALID, field="items"
        )
    if len(items) > MAX_ROUND:
        raise MailError(
            _("Một chuyến phát tối đa %(n)s bưu gửi.") % {"n": MAX_ROUND},
            code=MailCode.INVALID,
            field="items",
        )
    for item in items:
        locked = _locked(item)
        if not _path(_delivering_unit(locked)).startswith(unit.path):
            raise MailError(
                _("Bưu gửi %(id)s không do %(unit)s phát.") % {"id": locked.s10, "unit": unit.name},
                code=MailCode.STEP_NOT_ALLOWED,
                field="items",
            )
        _refuse_delivered(locked)
        _refuse_status(locked, {S.ARRIVED, S.FAILED}, field="items")
        tracking.record_event(item=locked, actor=clerk, status=S.OUT_FOR_DELIVERY, unit=unit)
        _copy(locked, item)
    return len(items)


@transaction.atomic
def return_to_sender(*, item: PostalItem, clerk: User, reason: str) -> PostalItem:
    """The item cannot be delivered: it goes back to its sender, with the coded reason."""
    locked = _locked(item)
    unit = locked.current_unit or _delivering_unit(locked)
    require(clerk, "mail.deliver", Target(path=_path(unit)))
    _refuse_delivered(locked)
    _refuse_status(locked, RETURNABLE)
    tracking.record_event(
        item=locked, actor=clerk, status=S.RETURNING, unit=unit, reason=_check_reason(reason)
    )
    _copy(locked, item)
    return locked


@transaction.atomic
def hand_back(*, item: PostalItem, clerk: User, session: CounterSession) -> PostalItem:
    """A returned item handed back to its sender at the unit that took it in (no COD)."""
    locked = _locked(item)
    if locked.origin is None:
        raise MailError(
            _("Bưu gửi từ ngoài tỉnh được chuyển hoàn qua bưu điện tỉnh gửi."),
            code=MailCode.STEP_NOT_ALLOWED,
            field="s10",
        )
    require(clerk, "mail.deliver", Target(path=locked.origin.path))
    counter_services.check_session(session, clerk)
    _refuse_delivered(locked)
    _refuse_status(locked, {S.RETURNING, S.ARRIVED})
    _in_session_reach(session, locked.origin)
    tracking.record_event(
        item=locked,
        actor=clerk,
        status=S.RETURNED,
        unit=session.unit,
        delivered_to=locked.sender_name,
    )
    _copy(locked, item)
    return locked


@journal.operation("mail.pay_cod")
@transaction.atomic
def pay_cod(*, item: PostalItem, clerk: User, session: CounterSession) -> PostalItem:
    """Pay the COD collected for an item to its sender, exactly once."""
    locked = _locked(item)
    if locked.origin is None:
        raise MailError(
            _(
                "COD của bưu gửi từ ngoài tỉnh được chuyển cho bưu điện tỉnh gửi, "
                "không trả tại quầy."
            ),
            code=MailCode.STEP_NOT_ALLOWED,
            field="s10",
        )
    require(clerk, "mail.deliver", Target(path=locked.origin.path))
    counter_services.check_session(session, clerk)
    if locked.cod_paid_at is not None:
        raise MailError(
            _("COD của bưu gửi %(id)s đã trả cho người gửi lúc %(t)s; không trả lần hai.")
            % {"id": locked.s10, "t": f"{timezone.localtime(locked.cod_paid_at):%d/%m/%Y %H:%M}"},
            code=MailCode.ALREADY_SETTLED,
            field="s10",
        )
    if locked.cod_amount <= 0 or locked.cod_collected_at is None:
        raise MailError(
            _("Bưu gửi %(id)s chưa thu được tiền COD; chưa trả cho người gửi được.")
            % {"id": locked.s10},
            code=MailCode.STEP_NOT_ALLOWED,
            field="s10",
        )
    _in_session_reach(session, locked.origin)
    before = audit.snapshot(locked)
    _post(
        session=session,
        clerk=clerk,
        item=locked,
        service=COD_OUT,
        key="mail.cod_paid",
        who=locked.sender_name,
    )
    locked.cod_paid_at = clock.now()
    locked.save(update_fields=["cod_paid_at", "updated_at"])
    audit.record(
        actor=clerk,
        action="mail.cod_paid",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=session.unit.path,
    )
    _copy(locked, item)
    return locked


def _inbound_s10(value: str) -> str:
    try:
        ident = s10.parse(value)
    except DomainError as exc:
        raise MailError(exc.message, code=MailCode.INVALID, field="s10") from exc
    if PostalItem.objects.filter(s10=ident).exists():
        raise MailError(
            _("Bưu gửi %(id)s đã có trong hệ thống; không đăng ký lại.") % {"id": ident},
            code=MailCode.INVALID,
            field="s10",
        )
    return ident


def _inbound_service(code: str) -> PostalService:
    service = PostalService.objects.filter(code=(code or "").strip().upper(), tracked=True).first()
    if service is None:
        raise MailError(
            _("Hãy chọn dịch vụ có số hiệu."), code=MailCode.INVALID, field="service_code"
        )
    return service


def _inbound_numbers(weight_g: int, cod_amount: int) -> None:
    if not 0 < weight_g <= MAX_WEIGHT_G:
        raise MailError(
            _("Khối lượng phải từ 1 đến 100.000 g."), code=MailCode.INVALID, field="weight_g"
        )
    if not 0 <= cod_amount <= MAX_VALUE:
        raise MailError(
            _("Tiền thu hộ COD phải từ 0 đến 200.000.000 đồng."),
            code=MailCode.INVALID,
            field="cod_amount",
        )


@dataclass(frozen=True, slots=True)
class Arrival:
    """What the label of an item from outside the province says."""

    s10: str
    service_code: str
    receiver_name: str
    receiver_address: str
    receiver_commune: int
    weight_g: int
    receiver_hamlet: str = ""
    cod_amount: int = 0
    sender_name: str = ""


def _inbound_item(unit: PostUnit, arrival: Arrival, day: dt.date) -> PostalItem:
    """The item as its label says, checked field by field, to be delivered in its commune."""
    ident = _inbound_s10(arrival.s10)
    service = _inbound_service(arrival.service_code)
    commune = receiver_commune(arrival.receiver_commune)
    _inbound_numbers(arrival.weight_g, arrival.cod_amount)
    name = required_text(arrival.receiver_name, "receiver_name", _("tên người nhận"), 200)
    sender = (arrival.sender_name or "").strip()[:200] or _("Người gửi ngoài tỉnh")
    hamlet = (arrival.receiver_hamlet or "").strip()[:100]
    return PostalItem(
        s10=ident,
        service=service,
        destination=network_selectors.delivering_point(commune_code=commune.code) or unit,
        sender_name=sender,
        receiver_name=name,
        receiver_address=required_text(
            arrival.receiver_address, "receiver_address", _("địa chỉ người nhận"), 300
        ),
        receiver_hamlet=hamlet,
        receiver_commune=commune,
        zone=Zone.FAR,
        weight_g=arrival.weight_g,
        cod_amount=arrival.cod_amount,
        status=S.ACCEPTED,
        due_on=day + dt.timedelta(days=service.days_province),
        search_text=build_search_text(ident, sender, name, hamlet),
    )


@journal.operation("mail.receive_inbound")
@transaction.atomic
def receive_inbound(
    *,
    actor: User,
    unit: PostUnit,
    s10: str,
    service_code: str,
    receiver_name: str,
    receiver_address: str,
    receiver_commune: int,
    receiver_hamlet: str = "",
    weight_g: int,
    cod_amount: int = 0,
    sender_name: str = "",
) -> PostalItem:
    """Register an item that arrived from outside the province, then record its arrival."""
    require(actor, "mail.scan", Target(path=unit.path))
    when = clock.now()
    arrival = Arrival(
        s10,
        service_code,
        receiver_name,
        receiver_address,
        receiver_commune,
        weight_g,
        receiver_hamlet,
        cod_amount,
        sender_name,
    )
    item = _inbound_item(unit, arrival, timezone.localtime(when).date())
    item.save()
    audit.record(
        actor=actor,
        action="mail.inbound",
        instance=item,
        before=None,
        after=audit.snapshot(item),
        unit_path=unit.path,
    )
    tracking.record_event(item=item, actor=actor, status=S.ARRIVED, unit=unit, at=when)
    item.refresh_from_db()
    return item
