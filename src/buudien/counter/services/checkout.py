"""One customer served at once: every line of his basket posted through the ledger's door
(or settled by the module that owns it), all or nothing, with one receipt, the cash he gave
and his change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from buudien.core import audit, journal
from buudien.core.errors import DomainError
from buudien.core.money import format_vnd
from buudien.counter import basket
from buudien.counter.errors import CounterCode, CounterError
from buudien.counter.models import CounterSession, CounterTransaction, LedgerEntry
from buudien.counter.services.ledger import (
    MAX_ENTRY_AMOUNT,
    EntryRequest,
    at_entry,
    post_entries,
    receipt_prefix,
)
from buudien.counter.services.sessions import check_session

if TYPE_CHECKING:
    from buudien.core.models import User

SERVICE = "service"
PAYING_METHODS = ("cash", "transfer", "qr")


@dataclass(frozen=True, slots=True)
class BasketLine:
    """One line of the basket: a service of the catalogue, or a source's thing by its ref."""

    kind: str = SERVICE
    service_code: str = ""
    ref: str = ""
    amount: int | None = None
    quantity: int = 1
    reference: str = ""
    # How this line is paid, when not the transaction's method ("": the transaction's).
    method: str = ""
    # Who takes the money of a line paid out: the person himself, or his authorised one.
    receiver: str = "self"
    receiver_id: str = ""

    @property
    def identity(self) -> tuple[str, str]:
        return (self.kind, self.ref)


@dataclass(frozen=True, slots=True)
class Checkout:
    """What the clerk submits for one customer."""

    idempotency_key: str
    lines: Sequence[BasketLine]
    method: str = "cash"
    cash_given: int | None = None
    customer_name: str = ""
    customer_phone: str = ""


def distinct_lines(lines: Sequence[BasketLine]) -> list[tuple[int, BasketLine]]:
    """The lines with their place in the basket; a source's thing added twice is settled
    once, while a service may well be sold twice."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for index, line in enumerate(lines):
        if line.kind != SERVICE:
            if line.identity in seen:
                continue
            seen.add(line.identity)
        kept.append((index, line))
    return kept


def line_where(index: int) -> str:
    """How a message names a line of the basket."""
    return _("Giao dịch thứ %(n)s") % {"n": index + 1}


def _check_methods(order: Checkout) -> None:
    if order.method not in PAYING_METHODS:
        raise CounterError(
            _("Hình thức thanh toán không hợp lệ."), code=CounterCode.BAD_METHOD, field="method"
        )
    for index, line in enumerate(order.lines):
        if line.method and line.method not in PAYING_METHODS:
            raise CounterError(
                _("%(where)s: hình thức thanh toán «%(method)s» không hợp lệ.")
                % {"where": line_where(index), "method": line.method[:20]},
                code=CounterCode.BAD_METHOD,
                field="lines",
            )


def _check(order: Checkout) -> None:
    if not order.idempotency_key or len(order.idempotency_key) > 60:
        raise CounterError(
            _("Lượt giao dịch cần một khóa chống trùng tối đa 60 ký tự."),
            code=CounterCode.BAD_AMOUNT,
            field="idempotency_key",
        )
    if not order.lines:
        raise CounterError(
            _("Giỏ giao dịch đang trống: hãy thêm ít nhất một dịch vụ."),
            code=CounterCode.EMPTY_BASKET,
            field="lines",
        )
    _check_methods(order)
    if order.cash_given is not None and not 0 <= order.cash_given <= MAX_ENTRY_AMOUNT:
        raise CounterError(
            _("Tiền khách đưa không hợp lệ."), code=CounterCode.BAD_AMOUNT, field="cash_given"
        )


def _open(order: Checkout, session: CounterSession, clerk: User) -> CounterTransaction:
    number = session.transactions.count() + 1
    prefix = receipt_prefix(
        unit_code=session.unit.code,
        day=session.business_date,
        session_id=session.pk,
        series=session.series,
    )
    receipt_no = journal.number("receipt", lambda: f"{prefix}-G{number:03d}")
    return CounterTransaction.objects.create(
        idempotency_key=order.idempotency_key,
        unit=session.unit,
        session=session,
        clerk=clerk,
        receipt_no=receipt_no,
        method=order.method,
        customer_name=order.customer_name.strip()[:200],
        customer_phone=order.customer_phone.strip()[:20],
    )


def _post_service(
    index: int,
    line: BasketLine,
    *,
    order: Checkout,
    txn: CounterTransaction,
    session: CounterSession,
    clerk: User,
) -> None:
    request = EntryRequest(
        idempotency_key=f"{order.idempotency_key}:{index}",
        service_code=line.service_code,
        amount=line.amount,
        quantity=line.quantity,
        method=line.method or order.method,
        customer_name=order.customer_name,
        customer_phone=order.customer_phone,
        reference=line.reference,
        transaction_id=txn.pk,
    )
    try:
        post_entries(session=session, clerk=clerk, requests=[request])
    except DomainError as exc:
        raise at_entry(exc, index, len(order.lines)) from exc


def _settle_source(
    index: int,
    line: BasketLine,
    *,
    order: Checkout,
    txn: CounterTransaction,
    session: CounterSession,
    clerk: User,
) -> None:
    found = basket.source(line.kind)
    if found is None:
        raise CounterError(
            _("Loại dòng «%(kind)s» không có tại quầy.") % {"kind": line.kind[:20]},
            code=CounterCode.UNKNOWN_SERVICE,
            field="lines",
        )
    try:
        found.settle(clerk, session, line, txn, f"{order.idempotency_key}:{index}")
    except DomainError as exc:
        # Always named: the line settled elsewhere is the one the clerk must look at.
        raise at_entry(exc, index, max(len(order.lines), 2)) from exc


def _close_cash(txn: CounterTransaction, order: Checkout) -> None:
    """Cash in minus cash out is what is due; the customer gives at least that."""
    cash = LedgerEntry.objects.filter(counter_transaction=txn, method="cash")
    txn.cash_in = sum(e.amount for e in cash if e.direction == "in")
    txn.cash_out = sum(e.amount for e in cash if e.direction == "out")
    due = txn.cash_in - txn.cash_out
    given = order.cash_given if order.cash_given is not None else max(due, 0)
    if given < due:
        raise CounterError(
            _("Khách đưa %(given)s, chưa đủ số phải thu %(due)s.")
            % {"given": format_vnd(given), "due": format_vnd(due)},
            code=CounterCode.CASH_GIVEN_TOO_LOW,
            field="cash_given",
        )
    txn.cash_given = given
    txn.change = given - due
    txn.save(update_fields=["cash_in", "cash_out", "cash_given", "change"])


@journal.operation("counter.checkout")
@transaction.atomic
def checkout(*, session: CounterSession, clerk: User, order: Checkout) -> CounterTransaction:
    """Serve one customer: all his lines or none, once per key, with the change computed."""
    _check(order)
    locked = CounterSession.objects.select_for_update().select_related("unit").get(pk=session.pk)
    check_session(locked, clerk)
    existing = CounterTransaction.objects.filter(
        unit=locked.unit, idempotency_key=order.idempotency_key
    ).first()
    if existing is not None:
        return existing
    lines = distinct_lines(order.lines)
    txn = _open(order, locked, clerk)
    for index, line in lines:
        if line.kind == SERVICE:
            _post_service(index, line, order=order, txn=txn, session=locked, clerk=clerk)
        else:
            _settle_source(index, line, order=order, txn=txn, session=locked, clerk=clerk)
    _close_cash(txn, order)
    audit.record(
        actor=clerk,
        action="counter.transaction_served",
        instance=txn,
        before=None,
        after=audit.snapshot(txn) | {"lines": len(lines)},
        unit_path=locked.unit.path,
    )
    return txn
