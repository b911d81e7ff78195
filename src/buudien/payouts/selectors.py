"""Reads on payouts, scoped: a clerk his point's lines, an agency officer his agency's lists."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from buudien.core.errors import NotFound
from buudien.core.models import Role
from buudien.core.scoping import ensure_in_scope, scope_of, scoped_by_unit
from buudien.core.text import search_terms
from buudien.payouts.models import Payout, PayoutList


def lists(user: Any) -> QuerySet[PayoutList]:
    qs = PayoutList.objects.select_related("programme", "programme__agency")
    scope = scope_of(user)
    if getattr(user, "role", None) == Role.PARTNER_OFFICER:
        return qs.filter(programme__agency_id=scope.partner_id)
    if scope.everything:
        return qs
    return qs if scope.path else qs.none()


def payout_list(user: Any, pk: Any) -> PayoutList:
    found = lists(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("Không tìm thấy danh sách chi trả.")
    return found


def lines(user: Any, payout_list: PayoutList, *, q: str = "", status: str = "") -> QuerySet[Payout]:
    qs = Payout.objects.filter(list=payout_list).select_related("beneficiary", "point")
    if getattr(user, "role", None) != Role.PARTNER_OFFICER:
        qs = scoped_by_unit(qs, user, unit_field="point")
    if status:
        qs = qs.filter(status=status)
    for term in search_terms(q):
        qs = qs.filter(
            Q(beneficiary__search_text__contains=term) | Q(beneficiary__citizen_id__startswith=term)
        )
    return qs.order_by("point__code", "beneficiary__hamlet", "beneficiary__name")


def line(user: Any, pk: Any) -> Payout:
    found = Payout.objects.select_related("point", "list", "beneficiary").filter(pk=pk).first()
    if found is None:
        raise NotFound("Không tìm thấy dòng chi trả.")
    ensure_in_scope(user, found.point.path)
    return found


def progress(payout_list: PayoutList) -> dict[str, Any]:
    agg = Payout.objects.filter(list=payout_list).aggregate(
        paid_n=Count("pk", filter=Q(status="paid")),
        paid_s=Sum("amount", filter=Q(status="paid"), default=0),
        returned_n=Count("pk", filter=Q(status="returned")),
        pending_n=Count("pk", filter=Q(status="pending")),
    )
    return {
        "lines": payout_list.lines,
        "total": payout_list.total,
        "state": payout_list.state,
        **agg,
    }


def paid_by_subtree(unit_paths: list[str], start: Any, end: Any) -> dict[str, tuple[int, int]]:
    """(lines paid, amount paid) in the period for each subtree, for the plan indicators."""
    import datetime as dt

    from django.utils import timezone

    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = (
        Payout.objects.filter(status=Payout.Status.PAID, paid_at__gte=lo, paid_at__lt=hi)
        .values_list("point__path")
        .annotate(n=Count("pk"), s=Sum("amount"))
        .order_by()
    )
    data = list(rows)
    return {
        p: (
            sum(n for path, n, _ in data if path.startswith(p)),
            sum(s for path, _, s in data if path.startswith(p)),
        )
        for p in unit_paths
    }
