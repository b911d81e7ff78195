"""Every read of the network, always scoped by the acting user."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from buudien.core import audit
from buudien.core.errors import ErrorCode, NotFound, OutOfScope
from buudien.core.models import AuditEvent
from buudien.core.scoping import Actor, scope_of, scoped
from buudien.core.text import search_terms
from buudien.network.models import Commune, CommunePointProfile, Partner, PostUnit

CODE_MAX = PostUnit._meta.get_field("code").max_length or 20

SORTS = {
    "code": ("path",),
    "name": ("name", "code"),
    "-name": ("-name", "code"),
    "area": ("parent__parent__name", "name"),
    "status": ("status", "code"),
    "model": ("profile__operating_model", "code"),
    "-opened": ("-opened_on", "code"),
}

CONNECTIVITY = {
    "no_internet": Q(profile__internet_type=CommunePointProfile.InternetType.NONE),
    "no_mobile_data": Q(profile__mobile_coverage__in=["none", "2g"]),
    "offline": Q(profile__internet_type="none") & Q(profile__mobile_coverage__in=["none", "2g"]),
    "no_computer": Q(profile__computers=0),
    "terminal": Q(profile__has_public_service_terminal=True),
}


# Control characters (NUL above all) that no code or name holds and PostgreSQL refuses.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class UnitFilter:
    """What a unit list is filtered by; values with control characters lose them."""

    kind: str = ""
    area: str = ""
    model: str = ""
    area_class: str = ""
    connectivity: str = ""
    status: str = ""
    q: str = ""
    sort: str = "code"

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            setattr(self, name, CONTROL.sub("", str(value))[:200])

    @classmethod
    def from_query(cls, data: Any) -> UnitFilter:
        def get(name: str) -> str:
            value = data.get(name, "")
            return str(value or "").strip()

        return cls(
            kind=get("kind"),
            area=get("area").upper(),
            model=get("model"),
            area_class=get("area_class"),
            connectivity=get("connectivity"),
            status=get("status"),
            q=get("q"),
            sort=get("sort") or "code",
        )


def units(user: Actor, flt: UnitFilter | None = None) -> QuerySet[PostUnit]:
    """Units in the user's scope, filtered, searched (accent-insensitive) and sorted."""
    flt = flt or UnitFilter()
    qs = scoped(PostUnit.objects.all(), user).select_related(
        "parent", "parent__parent", "commune", "profile"
    )
    if flt.kind:
        qs = qs.filter(kind=flt.kind)
    if flt.area:
        area = unit(user=user, code=flt.area)
        qs = qs.filter(path__startswith=area.path)
    if flt.model:
        qs = qs.filter(profile__operating_model=flt.model)
    if flt.area_class:
        qs = qs.filter(profile__area_class=flt.area_class)
    if flt.connectivity in CONNECTIVITY:
        qs = qs.filter(CONNECTIVITY[flt.connectivity])
    if flt.status:
        qs = qs.filter(status=flt.status)
    for term in search_terms(flt.q):
        qs = qs.filter(search_text__contains=term)
    return qs.order_by(*SORTS.get(flt.sort, SORTS["code"]))


def unit(*, user: Actor, code: str) -> PostUnit:
    """One unit by its code; the same 404 whether it does not exist or lies outside the scope."""
    wanted = str(code or "").strip().upper()
    message = _("Không có đơn vị mã %(code)s, hoặc đơn vị này nằm ngoài phạm vi của bạn.") % {
        "code": CONTROL.sub("", wanted[:CODE_MAX])
    }
    found = None
    if 0 < len(wanted) <= CODE_MAX and not CONTROL.search(wanted):
        found = (
            PostUnit.objects.select_related("parent", "commune", "commune__province", "profile")
            .filter(code=wanted)
            .first()
        )
    if found is None:
        raise NotFound(message)
    if not scope_of(user).covers(found.path):
        raise OutOfScope(message, code=ErrorCode.NOT_FOUND)
    return found


def unit_by_code(user: Actor, code: str) -> PostUnit:
    """One unit, refused as not found when it lies outside the user's scope."""
    return unit(user=user, code=code)


def home_unit(*, user: Actor) -> PostUnit:
    """The unit a user works at (a partner officer: the unit serving his agency)."""
    found = getattr(user, "home_unit", None)
    partner = getattr(user, "partner", None)
    if found is None and partner is not None:
        found = partner.served_by
    if found is None:
        raise NotFound(_("Tài khoản chưa gắn với đơn vị nào."))
    return unit(user=user, code=found.code)


def ancestors(*, user: Actor, unit: PostUnit) -> list[PostUnit]:
    """The units above one, from the top, that the user may open (for the crumbs)."""
    codes = [c for c in unit.path.split("/") if c][:-1]
    by_code = {u.code: u for u in scoped(PostUnit.objects.filter(code__in=codes), user)}
    return [by_code[c] for c in codes if c in by_code]


def parents_of(*, user: Actor, unit: PostUnit) -> QuerySet[PostUnit]:
    """The unit's own parent, as a one-item pick list for the edit form."""
    return scoped(PostUnit.objects.filter(children=unit), user)


def history(*, user: Actor, unit: PostUnit) -> list[AuditEvent]:
    """The latest changes of a unit in the user's scope."""
    if not scope_of(user).covers(unit.path):
        return []
    return list(audit.history(unit)[:20])


def areas(*, user: Actor) -> list[tuple[str, str]]:
    """(code, name) of the areas in scope, for pick lists."""
    qs = scoped(PostUnit.objects.filter(kind=PostUnit.Kind.AREA), user).order_by("name")
    return list(qs.values_list("code", "name"))


def parents_for(*, user: Actor, kind: str) -> QuerySet[PostUnit]:
    """Units in scope that a unit of this kind may sit under."""
    parent_kind = PostUnit.PARENT_KIND.get(kind)
    if not parent_kind:
        return PostUnit.objects.none()
    return scoped(PostUnit.objects.filter(kind=parent_kind), user).order_by("path")


def communes_near(*, user: Actor) -> QuerySet[Commune]:
    """Communes of the provinces the user's units lie in (for pick lists)."""
    province_ids = (
        scoped(PostUnit.objects.filter(commune__isnull=False), user)
        .values_list("commune__province_id", flat=True)
        .distinct()
    )
    return Commune.objects.filter(province_id__in=list(province_ids)).order_by("name")


def children(*, user: Actor, unit: PostUnit) -> QuerySet[PostUnit]:
    """The units directly under one, in the user's scope."""
    return scoped(unit.children.all(), user).select_related("profile").order_by("code")


@dataclass
class OverviewRow:
    area: PostUnit | None
    points: int
    multi_service: int
    no_internet: int
    no_mobile_data: int
    offline: int
    with_terminal: int
    suspended: int

    @property
    def multi_service_share(self) -> int:
        return round(100 * self.multi_service / self.points) if self.points else 0


def overview(*, user: Actor) -> list[OverviewRow]:
    """Commune points by area: how many are multi-service, lack internet or mobile data."""
    pts = scoped(PostUnit.objects.filter(kind=PostUnit.Kind.COMMUNE_POINT), user).exclude(
        status=PostUnit.Status.CLOSED
    )
    grouped = pts.values("parent__parent_id").annotate(
        points=Count("pk"),
        multi_service=Count("pk", filter=Q(profile__operating_model="multi_service")),
        no_internet=Count("pk", filter=CONNECTIVITY["no_internet"]),
        no_mobile_data=Count("pk", filter=CONNECTIVITY["no_mobile_data"]),
        offline=Count("pk", filter=CONNECTIVITY["offline"]),
        with_terminal=Count("pk", filter=CONNECTIVITY["terminal"]),
        suspended=Count("pk", filter=Q(status="suspended")),
    )
    area_map = {a.pk: a for a in PostUnit.objects.filter(kind=PostUnit.Kind.AREA)}
    rows = [
        OverviewRow(
            area=area_map.get(g["parent__parent_id"]),
            points=g["points"],
            multi_service=g["multi_service"],
            no_internet=g["no_internet"],
            no_mobile_data=g["no_mobile_data"],
            offline=g["offline"],
            with_terminal=g["with_terminal"],
            suspended=g["suspended"],
        )
        for g in grouped
    ]
    rows.sort(key=lambda r: r.area.name if r.area else "")
    return rows


def overview_total(rows: list[OverviewRow]) -> OverviewRow:
    return OverviewRow(
        area=None,
        points=sum(r.points for r in rows),
        multi_service=sum(r.multi_service for r in rows),
        no_internet=sum(r.no_internet for r in rows),
        no_mobile_data=sum(r.no_mobile_data for r in rows),
        offline=sum(r.offline for r in rows),
        with_terminal=sum(r.with_terminal for r in rows),
        suspended=sum(r.suspended for r in rows),
    )


def partners(user: Actor) -> QuerySet[Partner]:
    scope = scope_of(user)
    qs = Partner.objects.select_related("served_by")
    if scope.everything:
        return qs
    if scope.partner_id is not None:
        return qs.filter(pk=scope.partner_id)
    if not scope.path:
        return qs.none()
    # A unit sees the partners served by its own subtree or by the units above it.
    above = list(_ancestor_paths(scope.path))
    return qs.filter(
        Q(served_by__path__startswith=scope.path)
        | Q(served_by__path__in=above)
        | Q(served_by__isnull=True)
    )


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]
