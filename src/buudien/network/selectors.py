"""Every read of the network, always scoped by the acting user."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import audit
from buudien.core.bulk import id_map
from buudien.core.errors import ErrorCode, NotFound, OutOfScope
from buudien.core.scoping import Actor, scope_of, scoped
from buudien.core.text import search_terms
from buudien.network.models import Commune, CommunePointProfile, Partner, PostUnit

if TYPE_CHECKING:
    from buudien.core.models import AuditEvent

CODE_MAX = PostUnit._meta.get_field("code").max_length or 20

# A list's sort keys (its headings); "-key" is the same order reversed.
SORTS = {
    "code": ("path",),
    "name": ("name", "code"),
    "kind": ("kind", "code"),
    "area": ("parent__parent__name", "name"),
    "commune": ("commune__name", "code"),
    "model": ("profile__operating_model", "code"),
    "area_class": ("profile__area_class", "code"),
    "status": ("status", "code"),
    "opened": ("opened_on", "code"),
}

NO_MOBILE_DATA = (CommunePointProfile.Coverage.NONE, CommunePointProfile.Coverage.G2)
CONNECTIVITY = {
    "no_internet": Q(profile__internet_type=CommunePointProfile.InternetType.NONE),
    "no_mobile_data": Q(profile__mobile_coverage__in=NO_MOBILE_DATA),
    "offline": Q(profile__internet_type="none") & Q(profile__mobile_coverage__in=NO_MOBILE_DATA),
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
    return qs.order_by(*unit_ordering(flt.sort))


def unit_ordering(sort: str) -> list[str]:
    """The order of a unit list's sort key ("-key" reverses it; an unknown key: by code)."""
    fields = SORTS.get(sort.removeprefix("-"), SORTS["code"])
    if sort.startswith("-") and sort[1:] in SORTS:
        return [f"-{f}" for f in fields]
    return list(fields)


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


# The network as it was: a past period's units, with the changes made since undone.

_UNIT_HISTORY = ("name", "path", "opened_on", "suspended_on", "closed_on")
_PROFILE_HISTORY = (
    "operating_model",
    "converted_on",
    "area_class",
    "internet_type",
    "mobile_coverage",
)
_DATES = {"opened_on", "suspended_on", "closed_on", "converted_on"}


@dataclass(frozen=True)
class UnitThen:
    """A unit as it stood at the end of a past period (a unit never opened on record: always)."""

    pk: Any
    code: str
    name: str
    kind: str
    path: str
    opened_on: dt.date | None
    suspended_on: dt.date | None
    closed_on: dt.date | None
    operating_model: str = ""
    converted_on: dt.date | None = None
    area_class: str = ""
    internet_type: str = ""
    mobile_coverage: str = ""

    @property
    def multi_service(self) -> bool:
        return self.operating_model == CommunePointProfile.OperatingModel.MULTI_SERVICE

    @property
    def no_internet(self) -> bool:
        return self.internet_type == CommunePointProfile.InternetType.NONE

    @property
    def no_mobile_data(self) -> bool:
        """No mobile coverage, or 2G only."""
        return self.mobile_coverage in NO_MOBILE_DATA

    def open_during(self, first: dt.date, last: dt.date) -> bool:
        """Open on at least one day of first..last: opened by its end, not closed by its start."""
        opened = self.opened_on is None or self.opened_on <= last
        return opened and (self.closed_on is None or self.closed_on > first)

    def months_open(self, first: dt.date, last: dt.date) -> int:
        """How many months of first..last (whole months) the unit was open on at least one day."""
        count = 0
        month = first.replace(day=1)
        while month <= last:
            following = (month + dt.timedelta(days=32)).replace(day=1)
            count += self.open_during(month, following - dt.timedelta(days=1))
            month = following
        return count


@dataclass(frozen=True)
class NetworkThen:
    """The units of a subtree over a past period, to add figures up the tree as it was then."""

    units: tuple[UnitThen, ...]

    def add_up(
        self, by_unit: Mapping[Any, Mapping[str, int]], unit_paths: Sequence[str]
    ) -> dict[str, dict[str, int]]:
        """Each subtree's totals: a unit's figures count in every subtree it lay in then."""
        out: dict[str, dict[str, int]] = {p: {} for p in unit_paths}
        path_of = {u.pk: u.path for u in self.units}
        for pk, figures in by_unit.items():
            path = path_of.get(pk, "")
            for end in range(1, len(path)):
                acc = out.get(path[: end + 1]) if path[end] == "/" else None
                if acc is not None:
                    for key, value in figures.items():
                        acc[key] = acc.get(key, 0) + value
        return out


def _undo(unit: UnitThen, before: dict[str, Any]) -> UnitThen:
    """The unit with the values an audit record says it had before a change."""
    changes = {k: before[k] for k in _UNIT_HISTORY if k in before}
    profile = before.get("profile") or {}
    changes |= {k: profile[k] for k in _PROFILE_HISTORY if k in profile}
    for key in _DATES & set(changes):
        changes[key] = dt.date.fromisoformat(changes[key]) if changes[key] else None
    return replace(unit, **changes)


def network_then(
    *,
    user: Actor,
    paths: Sequence[str],
    first_day: dt.date,
    last_day: dt.date,
    kinds: Sequence[str] = (),
) -> NetworkThen:
    """The units that lay under any of `paths` at the end of a period, as they were then.

    Changes the audit trail records after the period are undone (a rename, a move, a
    conversion, a closing); a conversion dated after the period is not yet one; units opened
    after the period, or closed before it began, are left out."""
    return networks_then(user=user, paths=paths, spans=[(first_day, last_day)], kinds=kinds)[0]


# Within one report's computation the network as it was is read once per question, by
# every app that adds its figures up the tree (see `remembering`).
_REMEMBERED: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar(
    "network_remembered", default=None
)


@contextmanager
def remembering() -> Iterator[None]:
    """For the span of one page's figures: the same question about the network as it was
    (same user, paths, periods) is answered once. Nothing is kept after it."""
    token = _REMEMBERED.set({})
    try:
        yield
    finally:
        _REMEMBERED.reset(token)


def networks_then(
    *,
    user: Actor,
    paths: Sequence[str],
    spans: Sequence[tuple[dt.date, dt.date]],
    kinds: Sequence[str] = (),
) -> list[NetworkThen]:
    """`network_then` for several periods (a trend line's months), the units read once."""
    memo = _REMEMBERED.get()
    who = (getattr(user, "pk", None), tuple(paths), tuple(kinds))
    if memo is None:
        now = _units_now(user, paths, kinds)
        return [_then(now, paths, first, last) for first, last in spans]
    if who not in memo:
        memo[who] = _units_now(user, paths, kinds)
    found = []
    for first, last in spans:
        key = (*who, first, last)
        if key not in memo:
            memo[key] = _then(memo[who], paths, first, last)
        found.append(memo[key])
    return found


def _units_now(user: Actor, paths: Sequence[str], kinds: Sequence[str]) -> dict[str, UnitThen]:
    roots = {"/" + p.strip("/").split("/")[0] + "/" for p in paths if p.strip("/")}
    within = Q(pk__in=[])
    for root in roots:
        within |= Q(path__startswith=root)
    qs = scoped(PostUnit.objects.filter(within), user)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return {
        str(r[0]): UnitThen(*r)
        for r in qs.values_list(
            "pk",
            "code",
            "name",
            "kind",
            "path",
            "opened_on",
            "suspended_on",
            "closed_on",
            "profile__operating_model",
            "profile__converted_on",
            "profile__area_class",
            "profile__internet_type",
            "profile__mobile_coverage",
        )
    }


def _then(
    now: Mapping[str, UnitThen], paths: Sequence[str], first_day: dt.date, last_day: dt.date
) -> NetworkThen:
    units = dict(now)
    after = dt.datetime.combine(
        last_day + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    for object_id, before in audit.earlier_states(PostUnit, since=after):
        if object_id in units and isinstance(before, dict):
            units[object_id] = _undo(units[object_id], before)
    multi = CommunePointProfile.OperatingModel.MULTI_SERVICE
    kept = []
    for unit_then in units.values():
        then = unit_then
        if then.operating_model == multi and then.converted_on and then.converted_on > last_day:
            then = replace(then, operating_model=CommunePointProfile.OperatingModel.TRADITIONAL)
        if any(then.path.startswith(p) for p in paths) and then.open_during(first_day, last_day):
            kept.append(then)
    return NetworkThen(tuple(sorted(kept, key=lambda u: u.path)))


def point_keys(*, under: str = "") -> dict[str, Any]:
    """The commune points (under a path, or all), code to primary key in the form the
    database stores it, for bulk inserts: no conversion on the way in."""
    stored = id_map(PostUnit, "code")
    points = PostUnit.objects.filter(kind=PostUnit.Kind.COMMUNE_POINT)
    if under:
        points = points.filter(path__startswith=under)
    return {code: stored[code] for code in points.values_list("code", flat=True)}


def commune_codes() -> set[int]:
    """The codes of every commune of the administrative catalogue."""
    return set(Commune.objects.values_list("code", flat=True))


def units_under(*, unit: PostUnit, kinds: Sequence[str], open_only: bool = True) -> list[PostUnit]:
    """The units of these kinds anywhere below one, by code (closed ones too unless
    `open_only`). Not scoped: for a caller that has checked the unit itself."""
    below = PostUnit.objects.filter(path__startswith=unit.path, kind__in=kinds).exclude(pk=unit.pk)
    if open_only:
        below = below.exclude(status=PostUnit.Status.CLOSED)
    return list(below.order_by("code"))


def units_by_code(*, user: Actor, codes: Collection[str]) -> dict[str, PostUnit]:
    """The units with these codes that lie in the user's scope, by code."""
    return {u.code: u for u in scoped(PostUnit.objects.filter(code__in=codes), user)}


def area_classes() -> dict[str, str]:
    """The hardship classes of a commune point's area, value to label."""
    return {value: str(label) for value, label in CommunePointProfile.AreaClass.choices}


def delivering_point(*, commune_code: int) -> PostUnit | None:
    """The open commune point that delivers in a commune, if the network has one there. Not
    scoped: mail is routed to a commune whoever accepted it."""
    return (
        PostUnit.objects.filter(kind=PostUnit.Kind.COMMUNE_POINT, commune_id=commune_code)
        .exclude(status=PostUnit.Status.CLOSED)
        .order_by("code")
        .first()
    )


def province_code_of(unit: PostUnit) -> int | None:
    """The administrative province a unit lies in: its own commune's, else the nearest
    commune found in its subtree (an area or office post has none of its own)."""
    if unit.commune_id is not None:
        return (
            Commune.objects.filter(code=unit.commune_id)
            .values_list("province_id", flat=True)
            .first()
        )
    return (
        PostUnit.objects.filter(path__startswith=unit.path, commune__isnull=False)
        .values_list("commune__province_id", flat=True)
        .first()
    )


def commune(*, code: int) -> Commune | None:
    return Commune.objects.filter(code=code).select_related("province").first()


def unit_keys_under(path: str) -> QuerySet[PostUnit, Any]:
    """The keys of the units at or below a path, as a subquery (`pk__in=`). Not scoped: the
    caller has decided the path is the user's to see."""
    return PostUnit.objects.filter(path__startswith=path).values("pk")


def is_whole_network(path: str) -> bool:
    """Whether the subtree at `path` holds every unit of this installation (one province's
    post at its root): a filter by it would keep everything."""
    return not PostUnit.objects.exclude(path__startswith=path).exists()
