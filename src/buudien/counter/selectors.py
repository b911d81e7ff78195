"""Reads of the counter, always scoped by the acting user."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet, Sum

from buudien.core.errors import NotFound
from buudien.core.scoping import ensure_in_scope, scoped
from buudien.core.text import fold
from buudien.counter.models import CounterSession, DailyRollup, LedgerEntry, MonthlyRollup, Service


def services_for(unit_kind: str, query: str = "") -> list[Service]:
    """Active services available at this kind of unit, by code or accent-free name."""
    qs = Service.objects.filter(is_active=True)
    folded = fold(query)
    if folded:
        qs = qs.filter(Q(code__iexact=query.strip()) | Q(search_text__contains=folded))
    return [s for s in qs.order_by("code") if s.available_at(unit_kind)]


def sessions(user: Any) -> QuerySet[CounterSession]:
    return scoped(
        CounterSession.objects.select_related("unit", "clerk"), user, path_field="unit__path"
    )


def session(user: Any, pk: Any) -> CounterSession:
    found = (
        CounterSession.objects.select_related("unit", "clerk", "approved_by").filter(pk=pk).first()
    )
    if found is None:
        raise NotFound("Không tìm thấy ca làm việc.")
    ensure_in_scope(user, found.unit.path)
    return found


def open_session_of(user: Any) -> CounterSession | None:
    return (
        CounterSession.objects.select_related("unit")
        .filter(clerk=user, status=CounterSession.Status.OPEN)
        .order_by("-opened_at")
        .first()
    )


def entries(
    user: Any,
    *,
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


def entry(user: Any, pk: Any) -> LedgerEntry:
    found = (
        LedgerEntry.objects.select_related("service", "unit", "clerk", "session")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("Không tìm thấy giao dịch.")
    ensure_in_scope(user, found.unit.path)
    return found


def daily_rollups(
    user: Any, *, start: dt.date, end: dt.date, unit_path: str = ""
) -> QuerySet[DailyRollup]:
    qs = scoped(DailyRollup.objects.all(), user, path_field="unit__path").filter(
        business_date__gte=start, business_date__lte=end
    )
    if unit_path:
        qs = qs.filter(unit__path__startswith=unit_path)
    return qs


def monthly_rollups(
    user: Any, *, start: dt.date, end: dt.date, unit_path: str = ""
) -> QuerySet[MonthlyRollup]:
    qs = scoped(MonthlyRollup.objects.all(), user, path_field="unit__path").filter(
        month__gte=start.replace(day=1), month__lte=end
    )
    if unit_path:
        qs = qs.filter(unit__path__startswith=unit_path)
    return qs


def day_closing(user: Any, unit_path: str, day: dt.date) -> dict[str, Any]:
    """A point's day: sessions and totals per service, from the rollups."""
    rows = list(
        daily_rollups(user, start=day, end=day, unit_path=unit_path)
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
    day_sessions = list(sessions(user).filter(unit__path__startswith=unit_path, business_date=day))
    return {
        "rows": rows,
        "sessions": day_sessions,
        "revenue": sum(r["rev"] for r in rows),
        "cash_in": sum(r["cin"] for r in rows),
        "cash_out": sum(r["cout"] for r in rows),
    }
