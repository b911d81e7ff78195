"""Reads on payouts, scoped: a clerk his point's lines, an agency officer his agency's lists."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from buudien.core.errors import NotFound
from buudien.core.permissions import Target
from buudien.core.scoping import Actor, scope_of, scoped_by_unit
from buudien.core.text import search_terms
from buudien.network import selectors as network_selectors
from buudien.payouts.models import Beneficiary, Payout, PayoutList, Programme

MAX_LINE_ID = 2_147_483_647
MAX_QUERY = 100
CODE = re.compile(r"[A-Za-z0-9_.-]{1,20}")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# What an action is about, for the permission matrix ----------------------------------------


def programme_target(programme: Programme) -> Target:
    """A programme (and its lists) lives at the unit that serves its agency."""
    served = programme.agency.served_by
    return Target(path=served.path if served else "", agency_id=programme.agency_id)


def list_target(payout_list: PayoutList) -> Target:
    return programme_target(payout_list.programme)


def line_target(line: Payout) -> Target:
    """A line lives at its point, and belongs to its programme's agency."""
    return Target(path=line.point.path, agency_id=line.list.programme.agency_id)


def beneficiary_target(beneficiary: Beneficiary) -> Target:
    return Target(path=beneficiary.point.path)


# Programmes and lists ----------------------------------------------------------------------


def programmes(*, user: Actor) -> QuerySet[Programme]:
    """The programmes of the agencies the user deals with (an officer: his agency's)."""
    partners = network_selectors.partners(user=user)
    return (
        Programme.objects.select_related("agency__served_by")
        .filter(agency__in=partners)
        .order_by("name")
    )


def programme(*, user: Actor, code: str) -> Programme:
    """One programme by its code; unknown and out of scope alike are "not found"."""
    code = str(code or "").strip()
    found = (
        programmes(user=user).filter(code__iexact=code).first() if CODE.fullmatch(code) else None
    )
    if found is None:
        raise NotFound(
            _("Không có chương trình mã «%(code)s».") % {"code": clean_text(code)[:20]},
            field="programme",
        )
    return found


def clean_text(text: Any, limit: int = MAX_QUERY) -> str:
    """Typed text as a search takes it: no control characters, at most `limit` long."""
    return CONTROL.sub("", str(text or ""))[:limit]


def lists(*, user: Actor) -> QuerySet[PayoutList]:
    return PayoutList.objects.select_related("programme__agency__served_by").filter(
        programme__in=programmes(user=user)
    )


def payout_list(*, user: Actor, pk: Any) -> PayoutList:
    found = lists(user=user).filter(pk=pk).first() if _is_uuid(pk) else None
    if found is None:
        raise NotFound(_("Không tìm thấy danh sách chi trả."))
    return found


# Lines -------------------------------------------------------------------------------------


def scoped_lines(*, user: Actor) -> QuerySet[Payout]:
    """An agency officer: his agency's lines; post staff: the lines of points in scope."""
    scope = scope_of(user)
    if not scope.everything and scope.partner_id is not None:
        return Payout.objects.filter(list__programme__agency_id=scope.partner_id)
    return scoped_by_unit(Payout.objects.all(), user, unit_field="point")


def lines(
    *,
    user: Actor,
    payout_list: PayoutList,
    q: str = "",
    status: str = "",
    method: str = "",
    point: Any = None,
) -> QuerySet[Payout]:
    qs = scoped_lines(user=user).filter(list=payout_list).select_related("beneficiary", "point")
    if status in Payout.Status.values:
        qs = qs.filter(status=status)
    if method in Beneficiary.Method.values:
        qs = qs.filter(method=method)
    if point is not None:
        qs = qs.filter(point=point)
    for term in search_terms(clean_text(q)):
        qs = qs.filter(
            Q(beneficiary__search_text__contains=term) | Q(beneficiary__citizen_id__startswith=term)
        )
    return qs.order_by("point__code", "beneficiary__hamlet", "beneficiary__name")


def line(*, user: Actor, pk: Any) -> Payout:
    number = _line_id(pk)
    found = (
        scoped_lines(user=user)
        .select_related("point", "list__programme__agency", "beneficiary")
        .filter(pk=number)
        .first()
        if number
        else None
    )
    if found is None:
        raise NotFound(_("Không tìm thấy dòng chi trả."))
    return found


def progress(*, user: Actor, payout_list: PayoutList) -> dict[str, Any]:
    """Lines and money of the list in the user's scope: paid, returned, waiting."""
    agg = (
        scoped_lines(user=user)
        .filter(list=payout_list)
        .aggregate(
            lines=Count("pk"),
            total=Sum("amount", default=0),
            paid_n=Count("pk", filter=Q(status="paid")),
            paid_s=Sum("amount", filter=Q(status="paid"), default=0),
            returned_n=Count("pk", filter=Q(status="returned")),
            pending_n=Count("pk", filter=Q(status="pending")),
        )
    )
    return {"state": payout_list.state, **agg}


# Beneficiaries -----------------------------------------------------------------------------


def beneficiaries(*, user: Actor, q: str = "") -> QuerySet[Beneficiary]:
    """People paid at the points in scope (post staff only: they are the post's records)."""
    scope = scope_of(user)
    if not scope.everything and scope.partner_id is not None:
        return Beneficiary.objects.none()
    qs = scoped_by_unit(Beneficiary.objects.select_related("point"), user, unit_field="point")
    for term in search_terms(clean_text(q)):
        qs = qs.filter(search_text__contains=term)
    return qs.order_by("name")


def beneficiary(*, user: Actor, pk: Any) -> Beneficiary:
    found = beneficiaries(user=user).filter(pk=pk).first() if _is_uuid(pk) else None
    if found is None:
        raise NotFound(_("Không tìm thấy đối tượng hưởng."))
    return found


def beneficiary_lines(*, user: Actor, beneficiary: Beneficiary) -> QuerySet[Payout]:
    """The person's last payouts, newest month first."""
    return (
        scoped_lines(user=user)
        .filter(beneficiary=beneficiary)
        .select_related("list__programme")
        .order_by("-list__month")[:24]
    )


def cashless(*, user: Actor, month: dt.date) -> list[dict[str, Any]]:
    """Accounts and the share of lines paid without cash, per point in scope, for a month."""
    points = list(network_selectors.units(user=user).filter(kind="commune_point")[:300])
    month = month.replace(day=1)
    lines_of = {
        r["point"]: r
        for r in Payout.objects.filter(point__in=points, list__month=month)
        .values("point")
        .annotate(n=Count("pk"), account=Count("pk", filter=Q(method="account")))
        .order_by()
    }
    accounts = dict(
        Beneficiary.objects.filter(point__in=points, method="account")
        .values("point")
        .annotate(n=Count("pk"))
        .values_list("point", "n")
        .order_by()
    )
    rows = []
    for p in points:
        found = lines_of.get(p.pk, {"n": 0, "account": 0})
        total = found["n"]
        rows.append(
            {
                "point": p,
                "accounts": accounts.get(p.pk, 0),
                "lines": total,
                "share": round(100 * found["account"] / total) if total else 0,
            }
        )
    return rows


def _is_uuid(value: Any) -> bool:
    if isinstance(value, uuid.UUID):
        return True
    try:
        uuid.UUID(str(value))
    except (ValueError, TypeError):
        return False
    return True


def _line_id(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_LINE_ID else None
