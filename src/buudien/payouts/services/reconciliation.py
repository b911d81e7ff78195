"""Closing a list's window and reconciling it: paid by method and returned, per point."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import audit, permissions
from buudien.core.errors import DomainError
from buudien.payouts import selectors
from buudien.payouts.errors import PayoutCode, PayoutError
from buudien.payouts.models import Payout, PayoutList
from buudien.payouts.selectors import list_target

if TYPE_CHECKING:
    from buudien.core.models import User


@dataclass
class Reconciliation:
    """A list's lines per point, paid by method and returned, in count (_n) and amount (_s)."""

    payout_list: PayoutList
    rows: list[dict[str, Any]]
    totals: dict[str, int]


RECONCILED = ["paid_counter", "paid_home", "paid_account", "returned", "pending"]


def reconciliation(*, user: User, payout_list: PayoutList) -> Reconciliation:
    """Paid by method and returned, in count and amount, for each point in the user's scope."""
    permissions.require(user, "payouts.reconciliation")
    return _reconcile(payout_list, selectors.scoped_lines(user=user).filter(list=payout_list))


def _reconcile(payout_list: PayoutList, lines: QuerySet[Payout]) -> Reconciliation:
    per: dict[str, dict[str, Any]] = {}
    for r in (
        lines.values("point__code", "point__name", "status", "method")
        .annotate(n=Count("pk"), s=Sum("amount"))
        .order_by()
    ):
        row = per.setdefault(r["point__code"], {"code": r["point__code"], "name": r["point__name"]})
        key = f"{r['status']}_{r['method']}" if r["status"] == "paid" else r["status"]
        row[f"{key}_n"] = row.get(f"{key}_n", 0) + r["n"]
        row[f"{key}_s"] = row.get(f"{key}_s", 0) + r["s"]
    rows = sorted(per.values(), key=lambda x: x["code"])
    totals = {f"{k}_{x}": sum(r.get(f"{k}_{x}", 0) for r in rows) for k in RECONCILED for x in "ns"}
    return Reconciliation(payout_list, rows, totals)


@transaction.atomic
def close_list(
    *, payout_list: PayoutList, actor: User, return_rest: str | None = None
) -> Reconciliation:
    """Close a window: every line paid or returned, then the list is immutable."""
    locked = (
        PayoutList.objects.select_for_update(of=("self",))
        .select_related("programme__agency__served_by")
        .get(pk=payout_list.pk)
    )
    permissions.require(actor, "payouts.close", list_target(locked))
    if return_rest and return_rest not in Payout.Reason.values:
        raise DomainError(_("Lý do trả lại không hợp lệ."), field="return_rest")
    if locked.state == PayoutList.State.CLOSED:
        raise PayoutError(_("Danh sách đã quyết toán."), code=PayoutCode.LIST_CLOSED)
    pending = Payout.objects.filter(list=locked, status=Payout.Status.PENDING)
    if pending.exists():
        if not return_rest:
            raise PayoutError(
                _("Còn %(n)s dòng chưa chi; trả lại với lý do rồi mới quyết toán.")
                % {"n": pending.count()},
                code=PayoutCode.OPEN_LINES,
                field="return_rest",
            )
        pending.update(status=Payout.Status.RETURNED, return_reason=return_rest)
    locked.state = PayoutList.State.CLOSED
    locked.closed_at = timezone.now()
    locked.save()
    rec = _reconcile(locked, Payout.objects.filter(list=locked))
    audit.record(
        actor=actor, action="payouts.list_closed", instance=locked, before=None, after=rec.totals
    )
    return rec
