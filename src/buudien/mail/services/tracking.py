"""An item's life as coded events: which step may follow which, and what each step changes
on the item (where it is, when it reached the unit that delivers it, when it was delivered)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import audit, clock, journal
from buudien.core.permissions import Target, require
from buudien.mail.errors import MailCode, MailError
from buudien.mail.models import PostalItem, Reason, Status, TrackingEvent
from buudien.mail.services import rollups

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit

S = Status
NEXT: dict[str, frozenset[str]] = {
    S.ACCEPTED: frozenset(
        {S.BAGGED, S.DISPATCHED, S.ARRIVED, S.OUT_FOR_DELIVERY, S.DELIVERED, S.RETURNING}
    ),
    S.BAGGED: frozenset({S.DISPATCHED, S.ARRIVED}),
    S.DISPATCHED: frozenset({S.ARRIVED}),
    S.ARRIVED: frozenset(
        {S.BAGGED, S.DISPATCHED, S.OUT_FOR_DELIVERY, S.DELIVERED, S.RETURNING, S.FAILED, S.RETURNED}
    ),
    S.OUT_FOR_DELIVERY: frozenset({S.DELIVERED, S.FAILED}),
    S.FAILED: frozenset({S.OUT_FOR_DELIVERY, S.DELIVERED, S.RETURNING}),
    S.RETURNING: frozenset({S.BAGGED, S.DISPATCHED, S.ARRIVED, S.RETURNED}),
    S.DELIVERED: frozenset(),
    S.RETURNED: frozenset(),
}
NEEDS_REASON = frozenset({S.FAILED, S.RETURNING})
FINAL = frozenset({S.DELIVERED, S.RETURNED})
# What a person may record by hand or from a scanner's file; bagging, dispatch, delivery
# with COD and returns go through their own services, which call `record_event`.
SCANNABLE = (S.ARRIVED, S.OUT_FOR_DELIVERY, S.FAILED, S.DELIVERED)


def _check_return(item: PostalItem, status: str) -> None:
    """An item on its way back is handed back to its sender, never delivered; only such an
    item can be marked returned."""
    if status not in {S.RETURNED, S.DELIVERED} or (status == S.RETURNED) == item.is_return:
        return
    message = (
        _("Bưu gửi %(id)s đang chuyển hoàn: chỉ trả lại cho người gửi.")
        if item.is_return
        else _("Bưu gửi %(id)s không chuyển hoàn: không ghi «đã hoàn» được.")
    )
    raise MailError(message % {"id": item.s10}, code=MailCode.STEP_NOT_ALLOWED, field="status")


def _check_cod(item: PostalItem, status: str) -> None:
    """An item with COD is delivered only by the delivery service, which takes the money."""
    if status == S.DELIVERED and item.cod_amount and item.cod_collected_at is None:
        raise MailError(
            _("Bưu gửi %(id)s có tiền thu hộ COD: hãy ghi phát ở trang Phát để thu tiền.")
            % {"id": item.s10},
            code=MailCode.STEP_NOT_ALLOWED,
            field="status",
        )


def _check_step(item: PostalItem, status: str, reason: str) -> None:
    if status not in S.values:
        raise MailError(_("Trạng thái không hợp lệ."), code=MailCode.INVALID, field="status")
    if status not in NEXT[item.status]:
        raise MailError(
            _("Bưu gửi %(id)s đang «%(now)s»: không ghi «%(next)s» được.")
            % {"id": item.s10, "now": S(item.status).label, "next": S(status).label},
            code=MailCode.STEP_NOT_ALLOWED,
            field="status",
        )
    _check_return(item, status)
    _check_cod(item, status)
    if status in NEEDS_REASON and reason not in Reason.values:
        raise MailError(
            _("Hãy chọn lý do (phát không thành công, chuyển hoàn)."),
            code=MailCode.INVALID,
            field="reason",
        )
    if reason and reason not in Reason.values:
        raise MailError(_("Lý do không hợp lệ."), code=MailCode.INVALID, field="reason")


def _count(item: PostalItem, status: str, unit: PostUnit | None, at: dt.datetime) -> None:
    day = timezone.localtime(at).date()
    unit_id = unit.pk if unit is not None else None
    arrived = status == S.ARRIVED and item.received_on is None and not item.is_return
    if arrived and unit_id is not None and unit_id == item.destination_id:
        item.received_on = day
        rollups.count(unit_id=unit_id, day=day, service_id=item.service_id, received=1)
    if status == S.DELIVERED and item.destination_id is not None:
        on_time = int(item.due_on is None or day <= item.due_on)
        rollups.count(
            unit_id=item.destination_id,
            day=day,
            service_id=item.service_id,
            delivered=1,
            delivered_on_time=on_time,
        )


@journal.operation("mail.record_event")
@transaction.atomic
def record_event(
    *,
    item: PostalItem,
    actor: User,
    status: str,
    unit: PostUnit | None,
    reason: str = "",
    place: str = "",
    note: str = "",
    device: str = "",
    delivered_to: str = "",
    at: dt.datetime | None = None,
) -> TrackingEvent:
    """One scan of an item, if the step may follow the item's last one."""
    require(actor, "mail.scan", Target(path=unit.path if unit else ""))
    locked = PostalItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    _check_step(locked, status, reason)
    when = at or clock.now()
    before = audit.snapshot(locked)
    _count(locked, status, unit, when)
    locked.status = status
    if status == S.RETURNING:
        locked.is_return = True
    if unit is not None:
        locked.current_unit = unit
    if status == S.DELIVERED:
        locked.delivered_at = when
        locked.delivered_to = delivered_to.strip()[:200] or locked.receiver_name
    locked.save()
    event = TrackingEvent.objects.create(
        item=locked,
        status=status,
        reason=reason,
        at=when,
        unit=unit,
        place=(place or (unit.name if unit else ""))[:200],
        actor=actor,
        device=device[:64] or journal.recording_device(),
        note=note.strip()[:300],
    )
    audit.record(
        actor=actor,
        action=f"mail.{status}",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=unit.path if unit else "",
    )
    item.status, item.current_unit_id = locked.status, locked.current_unit_id
    return event
