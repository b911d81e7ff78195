"""Mail routes (đường thư) of tiers 1-3 and their daily trips: tier 1 runs from the province
post to its areas, tier 2 from an area to its offices, tier 3 from an office to its commune
points. A trip is one run of a route on a day, due at its last stop by the timetable."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from buudien.core import audit, clock
from buudien.core.permissions import Target, allows, require
from buudien.mail.errors import MailCode, MailError
from buudien.mail.models import MailRoute, RouteStop, Trip

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-_]{0,19}$")
# Which kind of unit a route of each tier starts from, and which kind it stops at.
ORIGIN_KIND = {1: "province", 2: "area", 3: "office"}
STOP_KIND = {1: "area", 2: "office", 3: "commune_point"}
MAX_STOPS = 60
MAX_MINUTES = 24 * 60
WEEKDAYS = range(1, 8)  # ISO: 1 Monday … 7 Sunday
TRIP_DAYS_AROUND = 7  # a trip is opened for a day near today: a typo is not a run in 2099

Stops = Sequence[tuple["PostUnit", int]]


def _bad(message: str, field: str) -> MailError:
    return MailError(message, code=MailCode.ROUTE_INVALID, field=field)


def _code(value: str) -> str:
    code = (value or "").strip().upper()
    if not CODE_RE.match(code):
        raise _bad(_("Mã tuyến gồm 1 đến 20 chữ, số, dấu chấm, gạch (ví dụ T3-BCA-01)."), "code")
    return code


def _weekdays(value: str | Iterable[int]) -> str:
    """The days a route runs, as "1,2,3,4,5,6" (ISO weekdays, Monday is 1)."""
    parts: list[object] = (
        list(value.replace(" ", "").split(",")) if isinstance(value, str) else list(value)
    )
    days: set[int] = set()
    for part in parts:
        text = str(part).strip()
        if not text:
            continue
        if not (text.isascii() and text.isdigit()) or int(text) not in WEEKDAYS:
            raise _bad(_("Ngày chạy là các số từ 1 (thứ Hai) đến 7 (Chủ nhật)."), "weekdays")
        days.add(int(text))
    if not days:
        raise _bad(_("Hãy chọn ít nhất một ngày chạy trong tuần."), "weekdays")
    return ",".join(str(d) for d in sorted(days))


def _stop_name(n: int, unit: PostUnit) -> str:
    return _("Điểm dừng %(n)s (%(code)s %(name)s)") % {"n": n, "code": unit.code, "name": unit.name}


def check_stops(tier: int, origin: PostUnit, stops: Stops) -> None:
    """The stops of a tier's route: units of the tier's kind below its origin, each once, at
    minutes after departure that do not go back in time."""
    if not stops:
        raise _bad(_("Tuyến cần ít nhất một điểm dừng."), "stops")
    if len(stops) > MAX_STOPS:
        raise _bad(_("Tuyến có tối đa %(n)s điểm dừng.") % {"n": MAX_STOPS}, "stops")
    seen: set[object] = set()
    last = 0
    kind = STOP_KIND[tier]
    for n, (unit, minutes) in enumerate(stops, start=1):
        name = _stop_name(n, unit)
        if unit.kind != kind or not unit.path.startswith(origin.path) or unit.pk == origin.pk:
            raise _bad(
                _(
                    "%(stop)s không phải %(kind)s trực thuộc %(origin)s: tuyến cấp %(tier)s "
                    "chỉ dừng ở đó."
                )
                % {
                    "stop": name,
                    "kind": _kind_label(kind),
                    "origin": origin.name,
                    "tier": tier,
                },
                "stops",
            )
        if unit.pk in seen:
            raise _bad(_("%(stop)s có hai lần trong tuyến.") % {"stop": name}, "stops")
        if not 0 < minutes <= MAX_MINUTES or minutes < last:
            raise _bad(
                _(
                    "%(stop)s: số phút sau giờ xuất phát phải từ 1 đến 1440 và không nhỏ hơn "
                    "điểm dừng trước."
                )
                % {"stop": name},
                "stops",
            )
        seen.add(unit.pk)
        last = minutes


def _kind_label(kind: str) -> str:
    return {
        "area": _("bưu điện khu vực"),
        "office": _("bưu cục"),
        "commune_point": _("điểm BĐ-VHX"),
    }.get(kind, kind)


def _check_origin(tier: int, origin: PostUnit) -> None:
    if tier not in ORIGIN_KIND:
        raise _bad(_("Cấp tuyến là 1, 2 hoặc 3."), "tier")
    if origin.kind != ORIGIN_KIND[tier]:
        raise _bad(
            {
                1: _("Tuyến cấp 1 xuất phát từ bưu điện tỉnh."),
                2: _("Tuyến cấp 2 xuất phát từ một bưu điện khu vực."),
                3: _("Tuyến cấp 3 xuất phát từ một bưu cục."),
            }[tier],
            "origin",
        )


@transaction.atomic
def save_route(
    *,
    actor: User,
    code: str,
    name: str,
    tier: int,
    origin: PostUnit,
    departs: dt.time,
    weekdays: str | Iterable[int],
    vehicle: str = "",
    carrier: str = "",
    stops: Stops,
) -> MailRoute:
    """Create a route, or change the one with this code: its schedule and all its stops."""
    require(actor, "mail.routes", Target(path=origin.path))
    code = _code(code)
    name = (name or "").strip()
    if not name:
        raise _bad(_("Hãy nhập tên tuyến."), "name")
    _check_origin(tier, origin)
    days = _weekdays(weekdays)
    check_stops(tier, origin, stops)
    route = (
        MailRoute.objects.select_for_update(of=("self",))
        .select_related("origin")
        .filter(code=code)
        .first()
    )
    before = None
    if route is None:
        route = MailRoute(code=code)
    else:
        require(actor, "mail.routes", Target(path=route.origin.path))
        before = audit.snapshot(route) | {"stops": _stop_codes(route)}
    route.name = name[:200]
    route.tier = tier
    route.origin = origin
    route.departs = departs.replace(second=0, microsecond=0, tzinfo=None)
    route.weekdays = days
    route.vehicle = (vehicle or "").strip()[:60]
    route.carrier = (carrier or "").strip()[:120]
    route.save()
    RouteStop.objects.filter(route=route).delete()
    RouteStop.objects.bulk_create(
        RouteStop(route=route, order=n, unit=unit, minutes=minutes)
        for n, (unit, minutes) in enumerate(stops, start=1)
    )
    audit.record(
        actor=actor,
        action="mail.route_saved",
        instance=route,
        before=before,
        after=audit.snapshot(route) | {"stops": [f"{u.code}+{m}" for u, m in stops]},
        unit_path=origin.path,
    )
    return route


def _stop_codes(route: MailRoute) -> list[str]:
    return [
        f"{s.unit.code}+{s.minutes}"
        for s in RouteStop.objects.filter(route=route).select_related("unit").order_by("order")
    ]


def route_units(route: MailRoute) -> list[PostUnit]:
    """The route's origin, then its stops in order."""
    stops = RouteStop.objects.filter(route=route).select_related("unit").order_by("order")
    return [route.origin, *(s.unit for s in stops)]


def require_on_route(actor: User, action: str, route: MailRoute) -> None:
    """Whoever works at a unit on the route may run its trips: the office that starts it,
    or the point where its carrier stops."""
    units = route_units(route)
    if any(allows(actor, action, Target(path=u.path)) for u in units):
        return
    require(actor, action, Target(path=route.origin.path))


def schedule(route: MailRoute, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """When a route's run on a day leaves, and when it is due at its last stop."""
    leaves = dt.datetime.combine(day, route.departs, tzinfo=ZONE)
    last = (
        RouteStop.objects.filter(route=route).order_by("-order").values_list("minutes", flat=True)
    ).first()
    return leaves, leaves + dt.timedelta(minutes=last or 0)


@transaction.atomic
def start_trip(*, actor: User, route: MailRoute, day: dt.date) -> Trip:
    """Open the day's run of a route (one a day), with its timetable."""
    require_on_route(actor, "mail.trips", route)
    if not route.is_active:
        raise MailError(
            _("Tuyến %(code)s đã ngừng chạy.") % {"code": route.code},
            code=MailCode.ROUTE_INVALID,
            field="route",
        )
    if abs((day - clock.today()).days) > TRIP_DAYS_AROUND:
        raise MailError(
            _("Chỉ mở chuyến thư trong vòng %(n)s ngày quanh hôm nay.") % {"n": TRIP_DAYS_AROUND},
            code=MailCode.INVALID,
            field="day",
        )
    taken = _("Tuyến %(code)s đã có chuyến ngày %(day)s.") % {
        "code": route.code,
        "day": f"{day:%d/%m/%Y}",
    }
    if Trip.objects.filter(route=route, day=day).exists():
        raise MailError(taken, code=MailCode.TRIP_CONFLICT, field="day")
    scheduled, due = schedule(route, day)
    try:
        with transaction.atomic():
            trip = Trip.objects.create(route=route, day=day, scheduled_at=scheduled, due_at=due)
    except IntegrityError as exc:  # started at the same moment elsewhere
        raise MailError(taken, code=MailCode.TRIP_CONFLICT, field="day") from exc
    audit.record(
        actor=actor,
        action="mail.trip_started",
        instance=trip,
        before=None,
        after=audit.snapshot(trip),
        unit_path=route.origin.path,
    )
    return trip


@transaction.atomic
def finish_trip(*, actor: User, trip: Trip, at: dt.datetime | None = None) -> Trip:
    """The trip reached its last stop: on time when it arrived by its due time."""
    locked = (
        Trip.objects.select_for_update(of=("self",)).select_related("route__origin").get(pk=trip.pk)
    )
    require_on_route(actor, "mail.trips", locked.route)
    if locked.arrived_at is not None:
        raise MailError(
            _("Chuyến này đã kết thúc."), code=MailCode.TRIP_ALREADY_SETTLED, field="at"
        )
    when = at or clock.now()
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZONE)
    if when < locked.scheduled_at or when > clock.now() + dt.timedelta(minutes=5):
        raise MailError(
            _("Giờ về đến cuối tuyến phải sau giờ xuất phát theo lịch và không ở tương lai."),
            code=MailCode.INVALID,
            field="at",
        )
    before = audit.snapshot(locked)
    locked.arrived_at = when
    locked.departed_at = locked.departed_at or locked.scheduled_at
    locked.save()
    audit.record(
        actor=actor,
        action="mail.trip_finished",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=locked.route.origin.path,
    )
    trip.arrived_at, trip.departed_at = locked.arrived_at, locked.departed_at
    return locked
