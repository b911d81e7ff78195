"""Paying a line exactly once by its own cash-out in the ledger, or returning it unpaid."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import audit, clock, journal, permissions
from buudien.core.errors import DomainError
from buudien.core.uuids import uuid7
from buudien.counter import services as counter_services
from buudien.payouts.errors import PayoutCode, PayoutError
from buudien.payouts.models import Beneficiary, Payout, PayoutList
from buudien.payouts.selectors import line_target

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.counter.models import CounterSession, CounterTransaction, LedgerEntry

B = Beneficiary
RECEIVERS = ("self", "authorised")


def in_window(payout_list: PayoutList, day: dt.date) -> bool:
    """Whether a day falls in the programme's paying window of the list's month."""
    p = payout_list.programme
    return (day.year, day.month) == (
        payout_list.month.year,
        payout_list.month.month,
    ) and p.window_start <= day.day <= p.window_end


def settlement_key(line: Payout) -> str:
    """What a line's cash-out settles in the ledger: at most one entry carries it."""
    return f"payout:{line.pk}"


@journal.operation("payouts.pay")
@transaction.atomic
def pay(
    *,
    payout: Payout,
    clerk: User,
    session: CounterSession,
    receiver: str = "self",
    receiver_id: str = "",
    paid_at: dt.datetime | None = None,
    idempotency_key: str = "",
    counter_transaction: CounterTransaction | None = None,
) -> Payout:
    """Pay one line of a payout list, exactly once, by its own cash-out in the ledger (a line
    of the customer's counter transaction when it is paid from the counter's basket)."""
    locked = _locked_line(payout)
    permissions.require(clerk, "payouts.pay", line_target(locked))
    now = paid_at or clock.now()
    day = timezone.localtime(now).date()
    _check_payable(locked, session=session, day=day)
    name = _receiver_name(locked.beneficiary, receiver=receiver, receiver_id=receiver_id, day=day)
    entry = _cash_out(
        locked,
        clerk=clerk,
        session=session,
        at=now,
        key=idempotency_key,
        txn=counter_transaction,
    )
    before = {"status": locked.status}
    locked.status = Payout.Status.PAID
    locked.paid_at = now
    locked.paid_by = clerk
    locked.receiver = name
    locked.entry_id = entry.pk
    locked.save()
    audit.record(
        actor=clerk,
        action="payouts.paid",
        instance=locked,
        before=before,
        after={"status": "paid", "receiver": name, "entry": str(entry.pk)},
        unit_path=locked.point.path,
    )
    return locked


def _locked_line(payout: Payout) -> Payout:
    """The line, locked alone (not its list: lines of one list are paid side by side)."""
    return (
        Payout.objects.select_for_update(of=("self",))
        .select_related("list__programme__agency", "beneficiary", "point")
        .get(pk=payout.pk)
    )


def _check_payable(line: Payout, *, session: CounterSession, day: dt.date) -> None:
    by_bank = line.method == B.Method.ACCOUNT
    if not by_bank and session.unit_id != line.point_id:
        raise PayoutError(
            _("Dòng này thuộc điểm %(p)s; chỉ chi tại điểm được giao.") % {"p": line.point.name},
            code=PayoutCode.NOT_PAYABLE,
        )
    if line.list.state != PayoutList.State.OPEN:
        raise PayoutError(_("Danh sách đã quyết toán."), code=PayoutCode.LIST_CLOSED)
    if line.status != Payout.Status.PENDING:
        when = (
            timezone.localtime(line.paid_at).strftime("%d/%m/%Y %H:%M")
            if line.paid_at
            else _("trước đó")
        )
        raise PayoutError(
            _("Dòng này đã %(s)s lúc %(t)s; không chi lần hai.")
            % {"s": line.get_status_display().lower(), "t": when},
            code=PayoutCode.ALREADY_SETTLED,
        )
    if not by_bank and not in_window(line.list, day):
        p = line.list.programme
        raise PayoutError(
            _("Ngoài thời gian chi trả (ngày %(a)s–%(b)s tháng %(m)s).")
            % {"a": p.window_start, "b": p.window_end, "m": line.list.month.strftime("%m/%Y")},
            code=PayoutCode.OUTSIDE_WINDOW,
        )
    person = line.beneficiary
    if person.status != Beneficiary.Status.ACTIVE:
        raise PayoutError(
            _("Không chi: đối tượng đang ở trạng thái «%(s)s».")
            % {"s": person.get_status_display()},
            code=PayoutCode.NOT_PAYABLE,
        )


def _receiver_name(person: Beneficiary, *, receiver: str, receiver_id: str, day: dt.date) -> str:
    """Who takes the money: the person (his id, if typed, must match) or his authorised one."""
    receiver_id = (receiver_id or "").strip()
    if receiver not in RECEIVERS:
        raise DomainError(_("Người nhận không hợp lệ."), field="receiver")
    if receiver == "self":
        if receiver_id and receiver_id != person.citizen_id:
            raise PayoutError(
                _("CCCD không khớp với đối tượng hưởng."),
                code=PayoutCode.AUTHORISATION,
                field="receiver_id",
            )
        return person.name
    valid = person.authorised_until is not None and person.authorised_until >= day
    if not person.authorised_name or not valid:
        raise PayoutError(
            _("Giấy ủy quyền không có hoặc đã hết hạn."),
            code=PayoutCode.AUTHORISATION,
            field="receiver",
        )
    if receiver_id and receiver_id != person.authorised_id:
        raise PayoutError(
            _("CCCD người nhận không khớp giấy ủy quyền."),
            code=PayoutCode.AUTHORISATION,
            field="receiver_id",
        )
    return person.authorised_name


def _cash_out(
    line: Payout,
    *,
    clerk: User,
    session: CounterSession,
    at: dt.datetime,
    key: str,
    txn: CounterTransaction | None = None,
) -> LedgerEntry:
    """Post the line's cash-out (or account transfer) and make sure the ledger answered with
    exactly that: this line's settlement, of the programme's service, out, for its amount."""
    person = line.beneficiary
    settles = settlement_key(line)
    result = counter_services.post_entry(
        session=session,
        clerk=clerk,
        request=counter_services.EntryRequest(
            # A fresh key unless the caller brings his own: a key cannot be claimed beforehand.
            idempotency_key=key or f"{settles}:{uuid7().hex}",
            service_code=line.list.programme.service_code,
            amount=line.amount,
            customer_name=person.name,
            customer_id_no=person.citizen_id,
            source_type="payout",
            source_id=str(line.pk),
            settles=settles,
            occurred_at=at,
            method="account" if line.method == B.Method.ACCOUNT else "cash",
            transaction_id=txn.pk if txn is not None else None,
        ),
    )
    if not _is_own_cash_out(result.entry, line):
        raise PayoutError(
            _("Khóa giao dịch này đã dùng cho một giao dịch khác; không chi trả."),
            code=PayoutCode.SETTLEMENT_CONFLICT,
            field="idempotency_key",
        )
    return result.entry


def _is_own_cash_out(entry: LedgerEntry, line: Payout) -> bool:
    service_code = line.list.programme.service_code.strip().upper()
    return (
        entry.settles == settlement_key(line)
        and entry.service.code.upper() == service_code
        and entry.direction == "out"
        and entry.amount == line.amount
        and entry.reverses_id is None
    )


@journal.operation("payouts.return_unpaid")
@transaction.atomic
def return_unpaid(*, payout: Payout, actor: User, reason: str) -> Payout:
    """Give a line back to the agency unpaid, with the reason chosen."""
    locked = (
        Payout.objects.select_for_update(of=("self",))
        .select_related("point", "list__programme")
        .get(pk=payout.pk)
    )
    permissions.require(actor, "payouts.return", line_target(locked))
    if reason not in Payout.Reason.values:
        raise DomainError(_("Cần chọn lý do trả lại."), field="reason")
    if locked.list.state != PayoutList.State.OPEN:
        raise PayoutError(_("Danh sách đã quyết toán."), code=PayoutCode.LIST_CLOSED)
    if locked.status != Payout.Status.PENDING:
        raise PayoutError(_("Dòng này đã được xử lý."), code=PayoutCode.ALREADY_SETTLED)
    locked.status = Payout.Status.RETURNED
    locked.return_reason = reason
    locked.save()
    audit.record(
        actor=actor,
        action="payouts.returned",
        instance=locked,
        before={"status": "pending"},
        after={"status": "returned", "reason": reason},
        unit_path=locked.point.path,
    )
    return locked
