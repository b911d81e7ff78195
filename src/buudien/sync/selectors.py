"""Every read of point mode, scoped by the acting user: the laptops of the points in scope,
what each pushed and had refused, the conflicts to settle; and on a laptop, its own sync."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import outbox
from buudien.core.errors import NotFound
from buudien.core.ids import is_uuid
from buudien.core.scoping import Actor, scoped_by_unit
from buudien.network import selectors as network_selectors
from buudien.sync.models import AppliedOperation, Conflict, Device

SILENT_DAYS = 3
DEVICE_STATES = ("active", "revoked", "silent")
DEVICE_SORTS: dict[str, tuple[str, ...]] = {
    "point": ("point__code", "enrolled_at"),
    "label": ("label", "enrolled_at"),
    "contact": ("last_seen_at", "point__code"),
    "backlog": ("backlog", "point__code"),
    "refused": ("refused", "point__code"),
    "conflicts": ("open_conflicts", "point__code"),
}
CONFLICT_SORTS: dict[str, tuple[str, ...]] = {
    "found": ("found_at",),
    "point": ("point__code", "found_at"),
    "kind": ("kind", "found_at"),
    "amount": ("amount", "found_at"),
}
PROBLEM_OUTCOMES = (AppliedOperation.Outcome.REFUSED, AppliedOperation.Outcome.CONFLICT)


def silent_days() -> int:
    """After how many days without contact a device is called silent
    (setting BUUDIEN_SYNC_SILENT_DAYS)."""
    return int(getattr(settings, "BUUDIEN_SYNC_SILENT_DAYS", SILENT_DAYS))


def _silent_since() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=silent_days())


def _silent_q() -> Q:
    return Q(revoked_at__isnull=True) & (
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=_silent_since())
    )


def _ordering(sort: str, sorts: dict[str, tuple[str, ...]], default: str) -> list[str]:
    key = sort.removeprefix("-")
    fields = sorts.get(key) or sorts[default]
    if sort.startswith("-") and key in sorts:
        return [f"-{f}" for f in fields]
    return list(fields)


def _in_scope_devices(user: Actor) -> QuerySet[Device]:
    return scoped_by_unit(Device.objects.all(), user, unit_field="point")


def devices(*, user: Actor, point: str = "", state: str = "", sort: str = "") -> QuerySet[Device]:
    """The laptops of the points in the user's scope, with their open conflicts and whether
    they are silent; filtered by point code and state, sorted by a list heading."""
    open_conflicts = (
        Conflict.objects.filter(operation__device=OuterRef("pk"), state=Conflict.State.OPEN)
        .order_by()
        .values("operation__device")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = (
        _in_scope_devices(user)
        .select_related("point", "enrolled_by", "revoked_by")
        .annotate(
            open_conflicts=Coalesce(Subquery(open_conflicts, output_field=IntegerField()), 0),
            silent=Case(
                When(_silent_q(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )
    if point:
        qs = qs.filter(point__code=point.strip().upper())
    if state == "active":
        qs = qs.filter(revoked_at__isnull=True)
    elif state == "revoked":
        qs = qs.filter(revoked_at__isnull=False)
    elif state == "silent":
        qs = qs.filter(_silent_q())
    return qs.order_by(*_ordering(sort or "point", DEVICE_SORTS, "point"))


def silent_count(*, user: Actor) -> int:
    """How many laptops in scope have not been heard from for too long."""
    return _in_scope_devices(user).filter(_silent_q()).count()


def days_silent(device: Device, *, now: dt.datetime | None = None) -> int | None:
    """Whole days since the device's last contact; None when it is not silent."""
    if device.revoked_at is not None:
        return None
    now = now or timezone.now()
    if device.last_seen_at is None:
        return (now - device.enrolled_at).days
    days = (now - device.last_seen_at).days
    return days if device.last_seen_at < now - dt.timedelta(days=silent_days()) else None


def device(*, user: Actor, pk: Any) -> Device:
    """One laptop of a point in the user's scope; any other is "not found"."""
    found = devices(user=user).filter(pk=pk).first() if is_uuid(pk) else None
    if found is None:
        raise NotFound(_("Không tìm thấy máy điểm này."))
    return found


def device_problems(
    *, user: Actor, device: Device, outcome: str = ""
) -> QuerySet[AppliedOperation]:
    """What the province refused or found in conflict of one laptop's operations, newest
    first (the device itself has been read through the user's scope)."""
    wanted = [outcome] if outcome in PROBLEM_OUTCOMES else list(PROBLEM_OUTCOMES)
    in_scope = _in_scope_devices(user).filter(pk=device.pk).values("pk")
    return AppliedOperation.objects.filter(device__in=in_scope, outcome__in=wanted).order_by("-seq")


def commune_points(*, user: Actor) -> list[tuple[str, str]]:
    """The open commune points in the user's scope (id, "code · name") to issue a code for."""
    units = network_selectors.units(user, network_selectors.UnitFilter(kind="commune_point"))
    return [
        (str(u.pk), f"{u.code} · {u.name}") for u in units.exclude(status="closed").order_by("code")
    ]


def conflicts(
    *, user: Actor, state: str = "", kind: str = "", point: str = "", sort: str = ""
) -> QuerySet[Conflict]:
    """The conflicts at the points in the user's scope: open first, then the newest;
    filtered by state, kind and point code."""
    qs = scoped_by_unit(Conflict.objects.all(), user, unit_field="point").select_related(
        "point", "operation", "operation__device", "resolved_by"
    )
    if state in Conflict.State.values:
        qs = qs.filter(state=state)
    if kind in Conflict.Kind.values:
        qs = qs.filter(kind=kind)
    if point:
        qs = qs.filter(point__code=point.strip().upper())
    if sort:
        return qs.order_by(*_ordering(sort, CONFLICT_SORTS, "found"))
    open_first = Case(
        When(state=Conflict.State.OPEN, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return qs.order_by(open_first, "-found_at")


def open_conflicts_count(*, user: Actor) -> int:
    return conflicts(user=user, state=Conflict.State.OPEN).count()


def conflict(*, user: Actor, pk: Any) -> Conflict:
    """One conflict at a point in the user's scope; any other is "not found"."""
    found = conflicts(user=user).filter(pk=pk).first() if is_uuid(pk) else None
    if found is None:
        raise NotFound(_("Không tìm thấy xung đột này."))
    return found


def conflict_kinds() -> list[tuple[str, str]]:
    return [(v, str(label)) for v, label in Conflict.Kind.choices]


def conflict_states() -> list[tuple[str, str]]:
    return [(v, str(label)) for v, label in Conflict.State.choices]


def point_status() -> outbox.Status | None:
    """On a point's laptop: what waits, when it last synced; None at the province."""
    return outbox.status()


def point_problems(*, state: str = "") -> QuerySet[Any]:
    """On a point's laptop: the operations the province refused or found in conflict."""
    return outbox.problems(state=state)
