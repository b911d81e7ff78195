"""Reads of the counter, always scoped by the acting user."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from buudien.core.errors import NotFound
from buudien.core.ids import is_uuid
from buudien.core.permissions import require
from buudien.core.roles import Role
from buudien.core.scoping import Actor, scoped, scoped_by_unit
from buudien.core.text import fold, search_terms
from buudien.counter.models import (
    CounterSession,
    CounterTransaction,
    Customer,
    DailyRollup,
    LedgerEntry,
    MonthlyRollup,
    Service,
    Tariff,
)


def services_for(unit_kind: str, query: str = "") -> list[Service]:
    """Active services available at this kind of unit, by code or accent-free name."""
    qs = Service.objects.filter(is_active=True)
    folded = fold(query)
    if folded:
        qs = qs.filter(Q(code__iexact=query.strip()) | Q(search_text__contains=folded))
    return [s for s in qs.order_by("code") if s.available_at(unit_kind)]


def sessions(
    *,
    user: Actor,
    status: str = "",
    point: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    discrepancy: bool = False,
    clerk: Any = None,
) -> QuerySet[CounterSession]:
    """Shifts in scope; filtered by status (or "approved"), unit code, clerk, business dates
    and whether the cash counted differed from the book."""
    qs = scoped_by_unit(
        CounterSession.objects.select_related("unit", "clerk"), user, unit_field="unit"
    )
    if status == "approved":
        qs = qs.filter(approved_by__isnull=False)
    elif status in CounterSession.Status.values:
        qs = qs.filter(status=status)
    if point:
        qs = qs.filter(unit__code=point.strip().upper())
    if clerk:
        qs = qs.filter(clerk_id=clerk)
    if date_from:
        qs = qs.filter(business_date__gte=date_from)
    if date_to:
        qs = qs.filter(business_date__lte=date_to)
    if discrepancy:
        qs = qs.filter(counted_cash__isnull=False).exclude(counted_cash=F("expected_cash"))
    return qs


def session_clerks(*, user: Actor) -> list[tuple[str, str]]:
    """Who opened the shifts a user may see, key and name, for a list's filter; a clerk is
    offered only herself."""
    if getattr(user, "role", None) == Role.CLERK:
        return [(str(user.pk), str(getattr(user, "display_name", "")))]
    found = (
        sessions(user=user)
        .order_by()
        .values_list("clerk_id", "clerk__full_name", "clerk__username")
        .distinct()
    )
    return sorted(((str(pk), full or name) for pk, full, name in found), key=lambda c: fold(c[1]))


def session(user: Actor, pk: Any) -> CounterSession:
    """One shift in the user's scope; any other is "not found"."""
    found = (
        sessions(user=user).select_related("approved_by").filter(pk=pk).first()
        if is_uuid(pk)
        else None
    )
    if found is None:
        raise NotFound(_("Không tìm thấy ca làm việc."))
    return found


def open_session_of(user: Actor) -> CounterSession | None:
    if not user.is_authenticated:
        return None
    return (
        CounterSession.objects.select_related("unit")
        .filter(clerk=user, status=CounterSession.Status.OPEN)
        .order_by("-opened_at")
        .first()
    )


def entries(
    *,
    user: Actor,
    unit_code: str = "",
    day: dt.date | None = None,
    session_id: Any = None,
) -> QuerySet[LedgerEntry]:
    qs = scoped(
        LedgerEntry.objects.select_related("service", "unit", "clerk"),
        user,
        path_field="unit__path",
    )
    if unit_code:
        qs = qs.filter(unit__code=unit_code.upper())
    if day:
        qs = qs.filter(business_date=day)
    if session_id:
        qs = qs.filter(session_id=session_id)
    return qs.order_by("-occurred_at")


def entry(user: Actor, pk: Any) -> LedgerEntry:
    """One entry in the user's scope; any other is "not found"."""
    found = (
        entries(user=user).select_related("session").filter(pk=pk).first() if is_uuid(pk) else None
    )
    if found is None:
        raise NotFound(_("Không tìm thấy giao dịch."))
    return found


def daily_rollups(
    *, user: Actor, start: dt.date, end: dt.date, unit_path: str = ""
) -> QuerySet[DailyRollup]:
    qs = scoped(DailyRollup.objects.all(), user, path_field="unit__path").filter(
        business_date__gte=start, business_date__lte=end
    )
    if unit_path:
        qs = qs.filter(unit__path__startswith=unit_path)
    return qs


def monthly_rollups(
    *, user: Actor, start: dt.date, end: dt.date, unit_path: str = ""
) -> QuerySet[MonthlyRollup]:
    qs = scoped(MonthlyRollup.objects.all(), user, path_field="unit__path").filter(
        month__gte=start.replace(day=1), month__lte=end
    )
    if unit_path:
        qs = qs.filter(unit__path__startswith=unit_path)
    return qs


ROLLUP_KEYS = {
    "line": "line",
    "service": "service__code",
    "unit": "unit__code",
    "day": "business_date",
}


def rollup_sums(
    *, user: Actor, start: dt.date, end: dt.date, unit_path: str = "", by: str = "line"
) -> list[dict[str, Any]]:
    """Sums from the daily rollups for a period, by line, service, unit or day."""
    field = ROLLUP_KEYS.get(by, "line")
    rows = (
        daily_rollups(user=user, start=start, end=end, unit_path=unit_path)
        .values(field)
        .annotate(
            n=Sum("count"),
            q=Sum("quantity"),
            cin=Sum("cash_in"),
            cout=Sum("cash_out"),
            rev=Sum("revenue"),
        )
        .order_by(field)
    )
    return [
        {
            "key": str(r[field]),
            "count": r["n"],
            "quantity": r["q"],
            "cash_in": r["cin"],
            "cash_out": r["cout"],
            "revenue": r["rev"],
        }
        for r in rows
    ]


def children_day_totals(*, user: Actor, unit_path: str, day: dt.date) -> list[dict[str, Any]]:
    """Each point under a unit with its day's count, revenue and cash, for the area summary."""
    rows = (
        daily_rollups(user=user, start=day, end=day, unit_path=unit_path)
        .values("unit__code", "unit__name")
        .annotate(n=Sum("count"), rev=Sum("revenue"), cin=Sum("cash_in"), cout=Sum("cash_out"))
        .order_by("unit__code")
    )
    return [r for r in rows if r["n"]]


def day_closing(*, user: Actor, unit_path: str, day: dt.date) -> dict[str, Any]:
    """A point's day: sessions and totals per service, from the rollups."""
    rows = list(
        daily_rollups(user=user, start=day, end=day, unit_path=unit_path)
        .values("service__code", "service__name", "line")
        .annotate(
            n=Sum("count"),
            q=Sum("quantity"),
            cin=Sum("cash_in"),
            cout=Sum("cash_out"),
            rev=Sum("revenue"),
        )
        .order_by("service__code")
    )
    day_sessions = list(
        sessions(user=user).filter(unit__path__startswith=unit_path, business_date=day)
    )
    return {
        "rows": rows,
        "sessions": day_sessions,
        "revenue": sum(r["rev"] for r in rows),
        "cash_in": sum(r["cin"] for r in rows),
        "cash_out": sum(r["cout"] for r in rows),
    }


FAVOURITES = 8
FAVOURITE_DAYS = 30


def favourite_services(unit: Any, *, day: dt.date, limit: int = FAVOURITES) -> list[Service]:
    """The point's most used services of the last 30 days, from its daily rollups; the first
    of the catalogue while it has none."""
    ranked = list(
        DailyRollup.objects.filter(
            unit=unit,
            business_date__gt=day - dt.timedelta(days=FAVOURITE_DAYS),
            business_date__lte=day,
            service__is_active=True,
        )
        .exclude(service__kind=Service.Kind.PAYOUT)
        .values("service")
        .annotate(n=Sum("count"))
        .order_by("-n", "service__code")
        .values_list("service", flat=True)[: limit * 2]
    )
    offered = {s.pk: s for s in services_for(unit.kind) if s.kind != Service.Kind.PAYOUT}
    found = [offered[pk] for pk in ranked if pk in offered][:limit]
    return found or list(offered.values())[:limit]


def sellable_services(unit_kind: str, query: str = "") -> list[Service]:
    """What the counter sells itself (payouts come from their own lists)."""
    return [s for s in services_for(unit_kind, query) if s.kind != Service.Kind.PAYOUT]


def transactions(*, user: Actor) -> QuerySet[CounterTransaction]:
    return scoped(
        CounterTransaction.objects.select_related("unit", "clerk", "session"),
        user,
        path_field="unit__path",
    )


def counter_transaction(user: Actor, pk: Any) -> CounterTransaction:
    """One customer transaction in the user's scope; any other is "not found"."""
    found = transactions(user=user).filter(pk=pk).first() if is_uuid(pk) else None
    if found is None:
        raise NotFound(_("Không tìm thấy lượt giao dịch."))
    return found


def transaction_entries(txn: CounterTransaction) -> list[LedgerEntry]:
    return list(txn.entries.select_related("service").order_by("receipt_no"))


def session_report(session: CounterSession) -> dict[str, Any]:
    """A shift's closing report: totals by service and by method, transactions, cash."""
    rows = session.entries.values("service__code", "service__name", "direction")
    by_service = list(
        rows.annotate(
            n=Count("pk"), q=Sum("quantity"), amount=Sum("amount"), rev=Sum("revenue")
        ).order_by("service__name", "direction")
    )
    by_method = list(
        session.entries.values("method", "direction")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by("method", "direction")
    )
    labels = dict(LedgerEntry.Method.choices)
    for row in by_method:
        row["label"] = labels.get(row["method"], row["method"])
    singles = session.entries.filter(counter_transaction__isnull=True).count()
    return {
        "by_service": by_service,
        "by_method": by_method,
        "transactions": session.transactions.count() + singles,
        "revenue": sum(r["rev"] for r in by_service),
    }


def fixed_prices(services: list[Service], day: dt.date) -> dict[Any, int | None]:
    """The price of one unit of each service when its tariff fixes it (a letter); None when
    the customer brings the amount (a bill)."""
    prices: dict[Any, int | None] = {}
    tariffs = Tariff.objects.filter(service__in=services, valid_from__lte=day)
    for tariff in tariffs.order_by("service", "-valid_from"):
        if tariff.service_id not in prices:
            fixed = tariff.rule in ("fixed_fee", "unit_price")
            prices[tariff.service_id] = tariff.price if fixed else None
    return prices


def fixed_price(service: Service, day: dt.date) -> int | None:
    return fixed_prices([service], day).get(service.pk)


def receipt_of(entry_id: Any) -> str:
    """The receipt number of an entry, for a conflict that names the first settlement."""
    found = LedgerEntry.objects.filter(pk=entry_id).values_list("receipt_no", flat=True).first()
    return found or ""


def shift_at(*, unit_id: Any, pk: Any) -> CounterSession:
    """A shift of one unit, for a point's laptop pushing its own work; any other is not found."""
    found = (
        CounterSession.objects.select_related("unit").filter(pk=pk, unit_id=unit_id).first()
        if is_uuid(pk)
        else None
    )
    if found is None:
        raise NotFound(_("Không tìm thấy ca làm việc."))
    return found


def customers(
    user: Actor, query: str = "", kind: str = "", *, unit: Any = None
) -> QuerySet[Customer]:
    """Customers of the units in the user's scope (or of one unit), by accent-free name,
    phone or contract number, and kind."""
    require(user, "mail.customers")
    qs = scoped_by_unit(Customer.objects.select_related("unit"), user, unit_field="unit")
    for term in search_terms(query or ""):
        qs = qs.filter(search_text__contains=term)
    if kind in Customer.Kind.values:
        qs = qs.filter(kind=kind)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.order_by("name", "pk")


def customer(user: Actor, pk: Any) -> Customer:
    """One customer in the user's scope; any other is "not found"."""
    found = customers(user).filter(pk=pk).first() if is_uuid(pk) else None
    if found is None:
        raise NotFound(_("Không tìm thấy khách hàng này trong phạm vi của bạn."))
    return found


def customer_kinds() -> list[tuple[str, str]]:
    """The kinds of customer, value and label, for pick lists."""
    return [(str(v), str(label)) for v, label in Customer.Kind.choices]


def tariffs_of(service_code: str) -> list[Tariff]:
    """A service's tariffs, newest first: what the post earns on it from each date (reference
    data, the same for everyone)."""
    return list(Tariff.objects.filter(service__code=service_code).order_by("-valid_from"))
