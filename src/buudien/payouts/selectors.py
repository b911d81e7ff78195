"""Reads on payouts, scoped: a clerk his point's lines, an agency officer his agency's lists."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from buudien.core.errors import NotFound
from buudien.core.ids import is_uuid
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
    found = lists(user=user).filter(pk=pk).first() if is_uuid(pk) else None
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


# Sorts of the list pages: a key of the sortable headings, "-key" the reverse.
LINE_SORTS: dict[str, tuple[str, ...]] = {
    # The list's own order: by point, then state, then as the agency's file had it; read
    # from the (list, point, status) index alone, so any page of a 100,000-line list is quick.
    "list": ("point_id", "status", "pk"),
    "point": ("point__code", "beneficiary__hamlet", "beneficiary__name", "pk"),
    "name": ("beneficiary__name", "pk"),
    "hamlet": ("beneficiary__hamlet", "beneficiary__name", "pk"),
    "amount": ("amount", "pk"),
    "status": ("status", "pk"),
    "paid": ("paid_at", "pk"),
}
LIST_SORTS: dict[str, tuple[str, ...]] = {
    "month": ("month", "programme__name"),
    "programme": ("programme__name", "-month"),
    "state": ("state", "-month"),
    "lines": ("lines", "-month"),
    "total": ("total", "-month"),
}
PEOPLE_SORTS: dict[str, tuple[str, ...]] = {
    # The folded name leads the indexed search text: alphabetical as Vietnamese reads it.
    "name": ("search_text",),
    "point": ("point__code", "hamlet", "name", "pk"),
    "hamlet": ("hamlet", "name", "pk"),
    "status": ("status", "name", "pk"),
    "method": ("method", "name", "pk"),
}


def ordering(sorts: Mapping[str, Sequence[str]], key: str, default: str) -> list[str]:
    """The order_by fields of a sort key ("-" first reverses every field); unknown: default."""
    name = key.removeprefix("-")
    if name not in sorts:
        return list(sorts[default])
    fields = sorts[name]
    if key == name:
        return list(fields)
    return [f.removeprefix("-") if f.startswith("-") else f"-{f}" for f in fields]


@dataclass(frozen=True)
class LineFilter:
    """What the lines of a list are narrowed to: typed text, states, place, paid dates."""

    q: str = ""
    status: str = ""
    person: str = ""  # the beneficiary's own state: active, suspended, deceased
    method: str = ""
    point: Any = None  # a PostUnit in the user's scope
    hamlet: str = ""
    paid_from: dt.date | None = None
    paid_to: dt.date | None = None
    sort: str = "list"


def filtered_lines(*, user: Actor, payout_list: PayoutList, flt: LineFilter) -> QuerySet[Payout]:
    """The lines of a list in the user's scope, narrowed by the filter and sorted."""
    qs = lines(
        user=user,
        payout_list=payout_list,
        q=flt.q,
        status=flt.status,
        method=flt.method,
        point=flt.point,
    )
    if flt.person in Beneficiary.Status.values:
        qs = qs.filter(beneficiary__status=flt.person)
    if flt.hamlet:
        qs = qs.filter(beneficiary__hamlet=flt.hamlet)
    if flt.paid_from:
        qs = qs.filter(paid_at__date__gte=flt.paid_from)
    if flt.paid_to:
        qs = qs.filter(paid_at__date__lte=flt.paid_to)
    return qs.order_by(*ordering(LINE_SORTS, flt.sort, "list"))


def lines_by_pk(*, user: Actor, keys: Sequence[int]) -> list[Payout]:
    """These lines (a page of a list, found by key first), in the order of the keys."""
    found = scoped_lines(user=user).select_related("beneficiary", "point").in_bulk(list(keys))
    return [found[k] for k in keys if k in found]


def hamlets(*, user: Actor, payout_list: PayoutList, point: Any) -> list[str]:
    """The hamlets of a point's lines in a list, for the hamlet filter."""
    if point is None:
        return []
    found = (
        lines(user=user, payout_list=payout_list, point=point)
        .exclude(beneficiary__hamlet="")
        .values_list("beneficiary__hamlet", flat=True)
        .order_by("beneficiary__hamlet")
        .distinct()
    )
    return list(found[:300])


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


def progress_of(*, user: Actor, payout_lists: Iterable[PayoutList]) -> dict[Any, dict[str, int]]:
    """Lines by state, and their money, of several lists in the user's scope, in two queries.

    A list the user sees whole has its money on the list itself, and its lines are counted
    from the (list, point, status) index alone; only a list seen in part has amounts summed."""
    chosen = {pl.pk: pl for pl in payout_lists}
    whole = [pk for pk, pl in chosen.items() if _sees_whole(user, pl)]
    part = [pk for pk in chosen if pk not in whole]
    found: dict[Any, dict[str, int]] = {
        pk: {"lines": 0, "total": pl.total if pk in whole else 0}
        | {"paid_n": 0, "returned_n": 0, "pending_n": 0}
        for pk, pl in chosen.items()
    }
    by_state = ("list", "status")
    rows: list[dict[str, Any]] = []
    if whole:
        whole_rows = Payout.objects.filter(list__in=whole).values(*by_state)
        rows += whole_rows.annotate(n=Count("pk")).order_by()
    if part:
        rows += (
            scoped_lines(user=user)
            .filter(list__in=part)
            .values(*by_state)
            .annotate(n=Count("pk"), s=Sum("amount"))
            .order_by()
        )
    for r in rows:
        row = found[r["list"]]
        row["lines"] += r["n"]
        row[f"{r['status']}_n"] += r["n"]
        row["total"] += r.get("s") or 0
    return found


def _sees_whole(user: Actor, payout_list: PayoutList) -> bool:
    """Whether every line of the list is in the user's scope: an agency officer's own list,
    or a list whose agency is served by a unit the user's scope covers (its points are below)."""
    scope = scope_of(user)
    if scope.everything or scope.partner_id is not None:
        return True
    served = list_target(payout_list).path
    return bool(served) and scope.covers(served)


def filtered_lists(
    *,
    user: Actor,
    programme: str = "",
    state: str = "",
    month: dt.date | None = None,
    sort: str = "",
) -> QuerySet[PayoutList]:
    """The lists the user deals with, by programme code, state and month, sorted."""
    qs = lists(user=user)
    if programme:
        qs = qs.filter(programme__code=programme)
    if state in PayoutList.State.values:
        qs = qs.filter(state=state)
    if month is not None:
        qs = qs.filter(month=month.replace(day=1))
    return qs.order_by(*ordering(LIST_SORTS, sort or "-month", "month"))


# Beneficiaries -----------------------------------------------------------------------------


def beneficiaries(
    *,
    user: Actor,
    q: str = "",
    point: Any = None,
    status: str = "",
    method: str = "",
    programme: Programme | None = None,
    sort: str = "name",
) -> QuerySet[Beneficiary]:
    """People paid at the points in scope (post staff only: they are the post's records),
    narrowed by point, own state, how they are paid and the programme that pays them."""
    scope = scope_of(user)
    if not scope.everything and scope.partner_id is not None:
        return Beneficiary.objects.none()
    qs = scoped_by_unit(Beneficiary.objects.select_related("point"), user, unit_field="point")
    for term in search_terms(clean_text(q)):
        qs = qs.filter(search_text__contains=term)
    if point is not None:
        qs = qs.filter(point=point)
    if status in Beneficiary.Status.values:
        qs = qs.filter(status=status)
    if method in Beneficiary.Method.values:
        qs = qs.filter(method=method)
    if programme is not None:
        latest = PayoutList.objects.filter(programme=programme).order_by("-month").first()
        qs = qs.filter(payouts__list=latest) if latest else qs.none()
    return qs.order_by(*ordering(PEOPLE_SORTS, sort, "name"))


def beneficiary(*, user: Actor, pk: Any) -> Beneficiary:
    found = beneficiaries(user=user).filter(pk=pk).first() if is_uuid(pk) else None
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


def cashless(*, month: dt.date, points: Sequence[Any]) -> list[dict[str, Any]]:
    """Accounts and the share of lines paid without cash, for a month, at each of these points
    (a page of the points in the user's scope): two grouped queries, whatever the number."""
    month_lists = list(PayoutList.objects.filter(month=month.replace(day=1)).values_list("pk"))
    lines_of = {
        r["point"]: r
        for r in Payout.objects.filter(list__in=[pk for (pk,) in month_lists], point__in=points)
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
        rows.append(
            {
                "point": p,
                "accounts": accounts.get(p.pk, 0),
                "lines": found["n"],
                "account_lines": found["account"],
                "share": round(100 * found["account"] / found["n"]) if found["n"] else 0,
            }
        )
    return rows


def _line_id(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_LINE_ID else None
