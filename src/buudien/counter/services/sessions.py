"""Shifts at the counter: opened with the counted cash, closed by counting the drawer, a
difference approved by a manager."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from buudien.core import audit, clock, journal, numbers
from buudien.core.money import format_vnd
from buudien.core.permissions import Target, require
from buudien.counter.errors import CounterCode, CounterError
from buudien.counter.models import CounterSession

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit

# The most cash a drawer may hold at opening (the same bound as one entry).
MAX_OPENING_CASH = 100_000_000_000


def check_session(session: CounterSession, clerk: User) -> None:
    """Entries go into the clerk's own shift, while it is open, at a unit he may work at."""
    require(clerk, "counter.operate", Target(path=session.unit.path))
    if session.status != CounterSession.Status.OPEN:
        raise CounterError(
            _("Ca ngày %(day)s đã kết, không ghi thêm giao dịch được. Hãy mở ca mới.")
            % {"day": session.business_date.strftime("%d/%m/%Y")},
            code=CounterCode.SESSION_CLOSED,
        )
    if session.clerk_id != clerk.pk:
        raise CounterError(
            _("Đây là ca của nhân viên khác; mỗi người ghi giao dịch vào ca của mình."),
            code=CounterCode.NOT_YOUR_SESSION,
        )


def _laptop_series(unit: PostUnit, day: dt.date) -> str:
    """A shift opened on a point's laptop is numbered from the laptop's reserved block: "P"
    and three base-36 characters, which never match the hexadecimal end of a shift's key
    that names shifts opened at the province."""
    device = journal.point_device()
    if device is None:
        return ""
    opened = CounterSession.objects.filter(unit=unit, business_date=day).exclude(series="")
    value = numbers.nth_of_block(holder=device.pk, kind="shift", n=opened.count())
    digits = ""
    for _i in range(3):
        value, rest = divmod(value, 36)
        digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rest] + digits
    return f"P{digits}"


@journal.operation("counter.open_session")
@transaction.atomic
def open_session(
    *, clerk: User, unit: PostUnit, opening_cash: int, business_date: dt.date | None = None
) -> CounterSession:
    """Start a shift with the counted opening cash."""
    require(clerk, "counter.operate", Target(path=unit.path))
    if opening_cash < 0 or opening_cash > MAX_OPENING_CASH:
        raise CounterError(
            _("Tiền đầu ca phải từ 0 đồng trở lên."),
            code=CounterCode.BAD_AMOUNT,
            field="opening_cash",
        )
    if CounterSession.objects.filter(unit=unit, clerk=clerk, status="open").exists():
        raise CounterError(
            _("Bạn đang có một ca mở tại đơn vị này; hãy kết ca đó trước."),
            code=CounterCode.SESSION_ALREADY_OPEN,
        )
    now = clock.now()
    day = business_date or clock.today()
    session = CounterSession.objects.create(
        series=journal.number("shift", lambda: _laptop_series(unit, day)),
        unit=unit,
        clerk=clerk,
        business_date=day,
        opened_at=now,
        opening_cash=opening_cash,
    )
    audit.record(
        actor=clerk,
        action="counter.session_opened",
        instance=session,
        before=None,
        after=audit.snapshot(session),
        unit_path=unit.path,
    )
    return session


@journal.operation("counter.close_session")
@transaction.atomic
def close_session(
    *, session: CounterSession, clerk: User, counted_cash: int, reason: str = ""
) -> CounterSession:
    """Count the drawer; a difference needs a reason and waits for a manager's approval."""
    locked = CounterSession.objects.select_for_update().select_related("unit").get(pk=session.pk)
    check_session(locked, clerk)
    if counted_cash < 0:
        raise CounterError(
            _("Tiền kiểm đếm không được âm."), code=CounterCode.BAD_AMOUNT, field="counted_cash"
        )
    before = audit.snapshot(locked)
    locked.expected_cash = locked.book_cash
    locked.counted_cash = counted_cash
    locked.closed_at = clock.now()
    if counted_cash != locked.expected_cash:
        if not reason.strip():
            raise CounterError(
                _("Tiền đếm được lệch %(diff)s so với sổ; hãy ghi lý do chênh lệch.")
                % {"diff": format_vnd(counted_cash - locked.expected_cash)},
                code=CounterCode.REASON_REQUIRED,
                field="reason",
            )
        locked.discrepancy_reason = reason.strip()
        locked.status = CounterSession.Status.PENDING_APPROVAL
    else:
        locked.status = CounterSession.Status.CLOSED
    locked.version += 1
    locked.save()
    audit.record(
        actor=clerk,
        action="counter.session_closed",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=locked.unit.path,
    )
    return locked


@transaction.atomic
def approve_discrepancy(
    *, session: CounterSession, manager: User, note: str = ""
) -> CounterSession:
    """A manager accepts the difference of a closed shift, which locks it."""
    locked = CounterSession.objects.select_for_update().select_related("unit").get(pk=session.pk)
    require(manager, "counter.approve", Target(path=locked.unit.path))
    if locked.status != CounterSession.Status.PENDING_APPROVAL:
        raise CounterError(
            _("Ca này không có chênh lệch chờ duyệt."), code=CounterCode.NOTHING_TO_APPROVE
        )
    before = audit.snapshot(locked)
    locked.status = CounterSession.Status.CLOSED
    locked.approved_by = manager
    locked.approved_at = clock.now()
    locked.version += 1
    locked.save()
    audit.record(
        actor=manager,
        action="counter.discrepancy_approved",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=locked.unit.path,
        note=note,
    )
    return locked
