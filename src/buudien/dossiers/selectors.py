"""Reads on dossiers, scoped by the acting user; the public look-up without login."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from buudien.core.errors import NotFound
from buudien.core.models import Role
from buudien.core.scoping import ensure_in_scope, scope_of, scoped, scoped_by_unit
from buudien.core.text import search_terms
from buudien.dossiers.calendar import add_working_days, working_days_late
from buudien.dossiers.errors import DossierCode, DossierError
from buudien.dossiers.models import Batch, Dossier, LookupAttempt, Procedure, Status
from buudien.dossiers.services import OPEN_STATES
from buudien.network.models import PostUnit

LOOKUP_WINDOW = dt.timedelta(minutes=10)
LOOKUPS_PER_ADDRESS = 20
LOOKUPS_PER_CODE = 5


def dossiers(user: Any) -> QuerySet[Dossier]:
    """Dossiers a user may see: his subtree's, or for an agency officer his agency's."""
    qs = Dossier.objects.select_related("procedure", "point", "agency")
    scope = scope_of(user)
    if getattr(user, "role", None) == Role.PARTNER_OFFICER:
        return qs.filter(agency_id=scope.partner_id) if scope.partner_id else qs.none()
    return scoped_by_unit(qs, user, unit_field="point")


def dossier(user: Any, code: str) -> Dossier:
    found = dossiers(user).filter(code=code.strip().upper()).first()
    if found is None:
        exists = Dossier.objects.filter(code=code.strip().upper()).select_related("point").first()
        if exists is not None:
            ensure_in_scope(user, exists.point.path)
        raise NotFound(f"Không tìm thấy hồ sơ {code}.")
    return found


@dataclass
class DueFilter:
    which: str = "overdue"  # today | week | overdue | open
    point: str = ""
    agency: str = ""
    procedure: str = ""
    q: str = ""


def due_list(user: Any, flt: DueFilter, today: dt.date | None = None) -> QuerySet[Dossier]:
    """Open dossiers due today, this week or already late, by the current step's due date."""
    today = today or timezone.localdate()
    qs = dossiers(user).filter(status__in=OPEN_STATES)
    if flt.which == "today":
        qs = qs.filter(step_due=today)
    elif flt.which == "week":
        qs = qs.filter(
            step_due__gte=today, step_due__lte=today + dt.timedelta(days=6 - today.weekday())
        )
    elif flt.which == "overdue":
        qs = qs.filter(step_due__lt=today)
    if flt.point:
        qs = qs.filter(point__code=flt.point.upper())
    if flt.agency:
        qs = qs.filter(agency__code=flt.agency.upper())
    if flt.procedure:
        qs = qs.filter(procedure__code=flt.procedure)
    for term in search_terms(flt.q):
        qs = qs.filter(Q(search_text__contains=term) | Q(code__icontains=term))
    return qs.order_by("step_due", "code")


def late_days(d: Dossier, today: dt.date | None = None) -> int:
    if d.step_due is None:
        return 0
    return working_days_late(d.step_due, today or timezone.localdate())


def unconfirmed_batches(user: Any, now: dt.datetime | None = None) -> list[Batch]:
    """Batches sent but not confirmed after one working day: nothing may be lost silently."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    sent = scoped(Batch.objects.filter(state=Batch.State.SENT), user, path_field="unit__path")
    return [
        b
        for b in sent.select_related("agency", "unit")
        if b.sent_at and add_working_days(timezone.localtime(b.sent_at).date(), 1) < today
    ]


def procedures(query: str = "") -> QuerySet[Procedure]:
    qs = Procedure.objects.filter(is_active=True).select_related("agency")
    for term in search_terms(query):
        qs = qs.filter(search_text__contains=term)
    return qs


@dataclass
class PublicView:
    code: str
    procedure: str
    status: str
    received_on: dt.date
    due_date: dt.date
    appointment_date: dt.date | None
    steps: list[tuple[dt.datetime, str]]


def public_lookup(*, code: str, phone_last4: str, address: str) -> PublicView:
    """What a citizen may see of his dossier; the same refusal for a wrong code or phone."""
    code = code.strip().upper()[:40]
    since = timezone.now() - LOOKUP_WINDOW
    recent = LookupAttempt.objects.filter(at__gte=since)
    if (
        recent.filter(address=address).count() >= LOOKUPS_PER_ADDRESS
        or recent.filter(code=code, success=False).count() >= LOOKUPS_PER_CODE
    ):
        raise DossierError(
            "Bạn tra cứu quá nhiều lần. Hãy thử lại sau 10 phút.", code=DossierCode.THROTTLED
        )
    found = Dossier.objects.select_related("procedure").filter(code=code).first()
    ok = found is not None and len(phone_last4) == 4 and found.phone.endswith(phone_last4)
    LookupAttempt.objects.create(address=address, code=code, success=ok)
    if not ok or found is None:
        raise DossierError(
            "Không tìm thấy hồ sơ với mã và số điện thoại này.", code=DossierCode.NOT_FOUND
        )
    steps = [(e.at, str(Status(e.to_status).label)) for e in found.events.all()]
    return PublicView(
        code=found.code,
        procedure=found.procedure.name,
        status=found.get_status_display(),
        received_on=timezone.localtime(found.received_at).date(),
        due_date=found.due_date,
        appointment_date=found.appointment_date,
        steps=steps,
    )


@dataclass
class Breakdown:
    key: str
    label: str
    received: int
    returned: int
    on_time: int

    @property
    def on_time_rate(self) -> int | None:
        return round(100 * self.on_time / self.returned) if self.returned else None


def counts_by_subtree(
    unit_paths: list[str], start: dt.date, end: dt.date
) -> dict[str, tuple[int, int]]:
    """(received, returned) in the period for each subtree: for the plan indicators."""
    from django.db.models import Count

    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    # Grouped by the point's key alone: each count is read off its (date, point) index.
    counted = [
        dict(qs.values_list("point_id").annotate(n=Count("*")).order_by())
        for qs in (
            Dossier.objects.filter(received_at__gte=lo, received_at__lt=hi),
            Dossier.objects.filter(returned_at__gte=lo, returned_at__lt=hi),
        )
    ]
    path_of = dict(
        PostUnit.objects.filter(pk__in=set(counted[0]) | set(counted[1])).values_list("pk", "path")
    )
    received, returned = ({path_of[k]: n for k, n in c.items()} for c in counted)
    out = {}
    for p in unit_paths:
        out[p] = (
            sum(n for path, n in received.items() if path.startswith(p)),
            sum(n for path, n in returned.items() if path.startswith(p)),
        )
    return out


def breakdown(user: Any, *, by: str, start: dt.date, end: dt.date) -> list[Breakdown]:
    """Dossiers received and returned in a period by point, agency, procedure or channel,
    with the share returned by the promised date."""
    return breakdowns(user, start=start, end=end)[by]


def breakdowns(user: Any, *, start: dt.date, end: dt.date) -> dict[str, list[Breakdown]]:
    """All four breakdowns from two grouped queries."""
    from django.db.models import Count, F

    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    keys = (
        "point__code",
        "point__name",
        "agency__code",
        "agency__name",
        "procedure__code",
        "procedure__name",
        "channel",
    )
    base = dossiers(user)
    received = list(
        base.filter(received_at__gte=lo, received_at__lt=hi)
        .values(*keys)
        .annotate(n=Count("pk"))
        .order_by()
    )
    returned = list(
        base.filter(returned_at__gte=lo, returned_at__lt=hi)
        .values(*keys)
        .annotate(n=Count("pk"), ok=Count("pk", filter=Q(returned_at__date__lte=F("due_date"))))
        .order_by()
    )
    channel = dict(Dossier.Channel.choices)
    out: dict[str, list[Breakdown]] = {}
    for by, code, name in (
        ("point", "point__code", "point__name"),
        ("agency", "agency__code", "agency__name"),
        ("procedure", "procedure__code", "procedure__name"),
        ("channel", "channel", "channel"),
    ):
        table: dict[str, Breakdown] = {}
        for rows, field in ((received, "received"), (returned, "returned")):
            for r in rows:
                label = str(channel.get(r[code], r[code])) if by == "channel" else r[name]
                item = table.setdefault(r[code], Breakdown(str(r[code]), str(label), 0, 0, 0))
                setattr(item, field, getattr(item, field) + r["n"])
                if field == "returned":
                    item.on_time += r["ok"]
        out[by] = sorted(table.values(), key=lambda b: -b.received)
    return out
