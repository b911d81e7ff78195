"""Payments taken and their lines, scoped by the point that took them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from buudien.core.errors import NotFound
from buudien.core.ids import is_uuid
from buudien.core.scoping import Actor
from buudien.insurance.models import Payment, PaymentLine
from buudien.insurance.selectors.participants import visible


def payments(
    *,
    user: Actor,
    point: Any = None,
    scheme: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
    q: str = "",
) -> QuerySet[Payment]:
    qs = visible(Payment.objects.select_related("scheme", "point", "clerk"), user, "point")
    if point is not None:
        qs = qs.filter(point=point)
    if scheme:
        qs = qs.filter(scheme_id=scheme)
    if start is not None:
        qs = qs.filter(business_date__gte=start)
    if end is not None:
        qs = qs.filter(business_date__lte=end)
    if q:
        qs = qs.filter(receipt_no__icontains=str(q)[:40])
    return qs.order_by("-paid_at")


def payment(*, user: Actor, pk: Any) -> Payment:
    found = payments(user=user).filter(pk=pk).first() if is_uuid(pk) else None
    if found is None:
        raise NotFound(_("Không tìm thấy lần đóng tiền này."), field="payment")
    return found


def lines_of(found: Payment) -> list[PaymentLine]:
    return list(found.lines.select_related("participant").order_by("member_order"))
