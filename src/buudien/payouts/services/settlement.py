"""Paying through the bank: the settlement file sent to it, and its results applied."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from buudien.core import audit, permissions
from buudien.core.errors import DomainError
from buudien.core.excel import ParsedRow, RowError, read_rows
from buudien.payouts.importers import SETTLEMENT_HEADERS, BankResultsImport, check_source
from buudien.payouts.models import Beneficiary, Payout, PayoutList
from buudien.payouts.selectors import list_target
from buudien.payouts.services.paying import pay, return_unpaid

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.counter.models import CounterSession


def settlement_rows(*, actor: User, payout_list: PayoutList) -> list[list[Any]]:
    """The bank's settlement file, one row per pending account line, with full ids and
    account numbers: who downloaded it is recorded."""
    permissions.require(actor, "payouts.settlement", list_target(payout_list))
    rows = [
        [p.pk, p.beneficiary.name, p.beneficiary.citizen_id, p.beneficiary.account_no, p.amount]
        for p in Payout.objects.filter(
            list=payout_list, status=Payout.Status.PENDING, method=Beneficiary.Method.ACCOUNT
        ).select_related("beneficiary")
    ]
    audit.record_access(
        actor=actor,
        action="payouts.settlement_downloaded",
        object_type="payouts.payout",
        count=len(rows),
        unit_path=list_target(payout_list).path,
        note=str(payout_list),
    )
    return rows


@transaction.atomic
def apply_bank_results(
    *, actor: User, payout_list: PayoutList, source: Any, session: CounterSession | None
) -> tuple[int, int, list[RowError]]:
    """The bank's results file: each line paid into the account, or returned as failed."""
    permissions.require(actor, "payouts.bank_results", list_target(payout_list))
    check_source(source)
    rows, errors = read_rows(BankResultsImport(), source)
    lines = {
        p.pk: p for p in Payout.objects.filter(list=payout_list, method=Beneficiary.Method.ACCOUNT)
    }
    errors += _bank_row_errors(rows, lines, bad={e.row for e in errors})
    if errors:
        errors.sort(key=lambda e: e.row)
        return 0, 0, errors
    # A line already settled (a results file given twice) is left as it is.
    pending = [r for r in rows if lines[r.values["line"]].status == Payout.Status.PENDING]
    paid = [lines[r.values["line"]] for r in pending if r.values["result"] == "ok"]
    failed = [lines[r.values["line"]] for r in pending if r.values["result"] != "ok"]
    for line in paid:
        pay(payout=line, clerk=actor, session=_shift(session))
    for line in failed:
        return_unpaid(payout=line, actor=actor, reason=Payout.Reason.FAILED)
    return len(paid), len(failed), []


def _shift(session: CounterSession | None) -> CounterSession:
    """The open shift the payments into accounts are recorded in."""
    if session is None:
        raise DomainError(
            _("Cần mở ca giao dịch để ghi các khoản chi qua tài khoản."), field="session"
        )
    return session


def _bank_row_errors(
    rows: list[ParsedRow], lines: dict[int, Payout], *, bad: set[int]
) -> list[RowError]:
    """Lines that are not this list's account lines, or whose amount the bank changed."""
    errors = []
    for r in rows:
        if r.number in bad:
            continue
        line = lines.get(r.values["line"])
        if line is None:
            message = _("Dòng %(n)s: mã dòng %(line)s không thuộc danh sách chi qua tài khoản.") % {
                "n": r.number,
                "line": r.values["line"],
            }
            errors.append(RowError(r.number, SETTLEMENT_HEADERS[0], message))
        elif line.amount != r.values["amount"]:
            message = _("Dòng %(n)s: số tiền khác danh sách.") % {"n": r.number}
            errors.append(RowError(r.number, SETTLEMENT_HEADERS[4], message))
    return errors
