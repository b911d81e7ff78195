"""Mail pages of the network: bags filled by scanning and sent on trips, routes of tiers 1-3
with their timetables, a trip's manifest, and the list of what is late. Each route declares
its one action per method."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import audit, clock
from buudien.core.errors import DomainError, Forbidden, NotFound, OutOfScope
from buudien.core.excel import export_xlsx, xlsx_response
from buudien.core.forms import cleaned_or_initial, errors_of
from buudien.core.permissions import Target, allows, guard
from buudien.core.scoping import require_user, scope_of
from buudien.mail import network_forms as forms
from buudien.mail.models import Bag
from buudien.mail.selectors import bags as selectors
from buudien.mail.selectors import exceptions as problems
from buudien.mail.services import bags as bag_services
from buudien.mail.services import routes as route_services
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from buudien.core.models import User
    from buudien.mail.models import MailRoute
    from buudien.network.models import PostUnit

ACCESS_ERRORS = (Forbidden, NotFound, OutOfScope)
PER_PAGE = 50
PUNCTUALITY_DAYS = 30
BAG_BADGES: dict[str, str] = {
    Bag.State.OPEN: "info",
    Bag.State.CLOSED: "warn",
    Bag.State.DISPATCHED: "info",
    Bag.State.RECEIVED: "ok",
}


def _attempt(request: HttpRequest, write: Callable[[], object], success: str) -> bool:
    """Run one write; a business refusal becomes a message, an access refusal its page."""
    try:
        write()
    except DomainError as exc:
        if isinstance(exc, ACCESS_ERRORS):
            raise
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def _refusal(form: Form, exc: DomainError) -> None:
    """A service's refusal shown next to the field it names (else above the form)."""
    if isinstance(exc, ACCESS_ERRORS):
        raise exc
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


# --- bags -------------------------------------------------------------------------------


@guard(read="mail.view", write="mail.scan")
def bags(request: HttpRequest) -> HttpResponse:
    """Bags leaving or reaching the user's units, filtered, sorted, paged and exported; a
    clerk opens a new bag here for a unit a route carries it to."""
    user = require_user(request.user)
    open_form = forms.OpenBagForm()
    if request.method == "POST":
        open_form = forms.OpenBagForm(request.POST)
        opened = _open_bag(request, user, open_form)
        if opened is not None:
            return opened
    values = cleaned_or_initial(filter_form := forms.BagFilterForm(request.GET))
    flt = selectors.BagFilter(
        state=values["state"] or "",
        unit=values["unit"] or "",
        query=values["q"] or "",
        start=values["date_from"],
        end=values["date_to"],
        sort=values["sort"] or "-created",
    )
    qs = selectors.bags(user, flt)
    if values["format"] == "xlsx":
        return _export_bags(qs)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    ctx = {
        "flt": flt,
        "errors": errors_of(filter_form),
        "page": page,
        "rows": [(b, BAG_BADGES.get(b.state, "")) for b in page],
        "states": Bag.State.choices,
        "origins": _origins(user) if allows(user, "mail.scan") else [],
        "many_origins": _many_origins(user) if allows(user, "mail.scan") else [],
        "open_form": open_form,
    }
    return render(request, "mail/network_bags.html", ctx)


# A clerk sees a form for each unit she may open bags at; above this many (a manager's
# area or province), one form names the unit and the destination, which the service checks.
OWN_FORMS = 3


def _origins(user: User) -> list[tuple[PostUnit, list[PostUnit]]]:
    """Where the user may open bags, each with where a bag from there can go (for a
    manager's many units: every unit of the routes, once, in one form)."""
    units = [
        unit
        for unit in selectors.bag_origins(user)
        if allows(user, "mail.scan", Target(path=unit.path))
    ]
    if len(units) > OWN_FORMS:
        return []
    return [(unit, selectors.destinations(unit)) for unit in units]


def _many_origins(user: User) -> list[PostUnit]:
    units = selectors.bag_origins(user)
    if len(units) <= OWN_FORMS:
        return []
    return [u for u in units if allows(user, "mail.scan", Target(path=u.path))]


def _open_bag(request: HttpRequest, user: User, form: forms.OpenBagForm) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        origin = network_selectors.unit_by_code(user, form.cleaned_data["origin"])
    except (NotFound, OutOfScope) as exc:  # a list page: the form says it, the list stays
        form.add_error("origin", exc.message)
        return None
    try:
        made = bag_services.open_bag(
            actor=user,
            origin=origin,
            destination=selectors.destination(origin, form.cleaned_data["destination"]),
        )
    except DomainError as exc:
        _refusal(form, exc)
        return None
    messages.success(request, _("Đã mở túi %(number)s.") % {"number": made.number})
    return redirect("mail:bag", number=made.number)


def _export_bags(qs: QuerySet[Bag]) -> HttpResponse:
    def when(moment: Any) -> Any:
        return timezone.localtime(moment).replace(tzinfo=None) if moment else None

    rows = (
        [
            b.number,
            b.origin.name,
            b.destination.name,
            b.get_state_display(),
            getattr(b, "n_items", None),
            b.trip.route.code if b.trip else "",
            when(b.created_at),
            when(b.closed_at),
            when(b.dispatched_at),
            when(b.received_at),
        ]
        for b in qs.iterator(chunk_size=2000)
    )
    headers = [
        _("Số túi"),
        _("Đóng tại"),
        _("Gửi đến"),
        _("Trạng thái"),
        _("Số bưu gửi"),
        _("Tuyến"),
        _("Mở lúc"),
        _("Niêm phong lúc"),
        _("Chuyển đi lúc"),
        _("Nhận lúc"),
    ]
    return xlsx_response(
        export_xlsx(title=_("Túi thư"), headers=headers, rows=rows), "tui-thu.xlsx"
    )


@guard(read="mail.view", write="mail.scan")
def bag(request: HttpRequest, number: str) -> HttpResponse:
    """A bag and its items; at its unit a scanner adds items (the id, then Enter), and the
    bag is sealed, put on a trip, and received at the other end."""
    user = require_user(request.user)
    found = selectors.bag(user, number)
    scan = forms.ScanForm()
    status = 200
    if request.method == "POST":
        scan = forms.ScanForm(request.POST)
        if scan.is_valid():
            try:
                item = bag_services.add_to_bag(actor=user, bag=found, s10=scan.cleaned_data["s10"])
            except DomainError as exc:
                _refusal(scan, exc)
            else:
                messages.success(request, _("Đã cho %(id)s vào túi.") % {"id": item.s10})
                return redirect("mail:bag", number=found.number)
        status = 422
    return render(request, "mail/network_bag.html", _bag_context(user, found, scan), status=status)


def _bag_context(user: User, found: Bag, scan: forms.ScanForm) -> dict[str, Any]:
    items = selectors.bag_items(found)
    at_origin = allows(user, "mail.scan", Target(path=found.origin.path))
    at_destination = allows(user, "mail.scan", Target(path=found.destination.path))
    closed = found.state == Bag.State.CLOSED
    return {
        "bag": found,
        "badge": BAG_BADGES.get(found.state, ""),
        "items": items,
        "weight": sum(i.weight_g for i in items),
        "scan": scan,
        "can_fill": at_origin and found.state == Bag.State.OPEN,
        "can_dispatch": at_origin and closed,
        "trips": selectors.trips_for_bag(user, found, clock.today())
        if at_origin and closed
        else [],
        "can_receive": at_destination and found.state == Bag.State.DISPATCHED,
    }


@guard(write="mail.scan")
def bag_remove(request: HttpRequest, number: str) -> HttpResponse:
    """Take an item back out of an open bag."""
    user = require_user(request.user)
    found = selectors.bag(user, number)
    form = forms.ScanForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(errors_of(form)))
    else:
        _attempt(
            request,
            lambda: bag_services.remove_from_bag(
                actor=user, bag=found, s10=form.cleaned_data["s10"]
            ),
            _("Đã lấy bưu gửi ra khỏi túi."),
        )
    return redirect("mail:bag", number=found.number)


@guard(write="mail.scan")
def bag_close(request: HttpRequest, number: str) -> HttpResponse:
    """Seal the bag."""
    user = require_user(request.user)
    found = selectors.bag(user, number)
    _attempt(
        request, lambda: bag_services.close_bag(actor=user, bag=found), _("Đã niêm phong túi.")
    )
    return redirect("mail:bag", number=found.number)


@guard(write="mail.scan")
def bag_dispatch(request: HttpRequest, number: str) -> HttpResponse:
    """Put the sealed bag on one of today's trips whose route carries it."""
    user = require_user(request.user)
    found = selectors.bag(user, number)
    form = forms.DispatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(errors_of(form)))
        return redirect("mail:bag", number=found.number)
    run = selectors.trip(user, form.cleaned_data["trip"]).trip
    _attempt(
        request,
        lambda: bag_services.dispatch_bag(actor=user, bag=found, trip=run),
        _("Túi đã lên chuyến %(route)s.") % {"route": run.route.code},
    )
    return redirect("mail:bag", number=found.number)


@guard(write="mail.scan")
def bag_receive(request: HttpRequest, number: str) -> HttpResponse:
    """The bag reached this unit: every item in it arrived."""
    user = require_user(request.user)
    found = selectors.bag(user, number)
    _attempt(
        request,
        lambda: bag_services.receive_bag(actor=user, bag=found),
        _("Đã nhận túi %(number)s.") % {"number": found.number},
    )
    return redirect("mail:bag", number=found.number)


# --- routes and trips -------------------------------------------------------------------


def _route_from(
    request: HttpRequest, user: User, form: forms.RouteForm, *, code: str | None = None
) -> MailRoute | None:
    """Save the route a valid form describes, or put the refusal next to its field."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        origin = network_selectors.unit_by_code(user, data["origin"])
    except (NotFound, OutOfScope) as exc:
        form.add_error("origin", exc.message)
        return None
    wanted = [c for c, _m in data["stops"]]
    found = network_selectors.units_by_code(user=user, codes=wanted)
    missing = [c for c in wanted if c not in found]
    if missing:
        form.add_error(
            "stops",
            _("Không có đơn vị mã %(codes)s trong phạm vi của bạn.")
            % {"codes": ", ".join(missing[:5])},
        )
        return None
    try:
        return route_services.save_route(
            actor=user,
            code=code or data["code"],
            name=data["name"],
            tier=data["tier"],
            origin=origin,
            departs=data["departs"],
            weekdays=[int(d) for d in data["weekdays"]],
            vehicle=data["vehicle"],
            carrier=data["carrier"],
            stops=[(found[c], m) for c, m in data["stops"]],
        )
    except DomainError as exc:
        _refusal(form, exc)
        return None


@guard(read="mail.view", write="mail.routes")
def routes(request: HttpRequest) -> HttpResponse:
    """Routes by tier with how punctual their trips ran; a manager creates a route here."""
    user = require_user(request.user)
    form = forms.RouteForm(initial={"weekdays": ["1", "2", "3", "4", "5", "6"]})
    if request.method == "POST":
        form = forms.RouteForm(request.POST)
        code = str(request.POST.get("code", "")).strip().upper()
        if form.is_valid() and selectors.route_exists(code):
            form.add_error("code", _("Mã tuyến %(code)s đã có.") % {"code": code})
        saved = _route_from(request, user, form)
        if saved is not None:
            messages.success(request, _("Đã lưu tuyến %(code)s.") % {"code": saved.code})
            return redirect("mail:route", code=saved.code)
    period = forms.PeriodForm(request.GET)
    values = cleaned_or_initial(period)
    start, end = forms.last_days(clock.today(), PUNCTUALITY_DAYS)
    start, end = values["date_from"] or start, values["date_to"] or end
    qs = selectors.routes(user, tier=values["tier"])
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "tier": values["tier"],
        "errors": errors_of(period),
        "form": form,
        "can_manage": allows(user, "mail.routes"),
        "punctuality": selectors.punctuality(user, start, end),
        "start": start,
        "end": end,
    }
    # Refused input is shown in the form as typed, on the list page as it was (200).
    return render(request, "mail/network_routes.html", ctx)


@guard(read="mail.view", write="mail.routes")
def route(request: HttpRequest, code: str) -> HttpResponse:
    """A route: its stops and timetable, how it meets the other tiers, its recent trips; a
    manager edits it here."""
    user = require_user(request.user)
    found = selectors.route(user, code)
    stops = selectors.stops(found)
    form = forms.RouteForm(initial=forms.route_initial(found, stops))
    status = 200
    if request.method == "POST":
        data = request.POST.copy()
        data["code"] = found.code
        form = forms.RouteForm(data)
        saved = _route_from(request, user, form, code=found.code)
        if saved is not None:
            messages.success(request, _("Đã lưu tuyến %(code)s.") % {"code": saved.code})
            return redirect("mail:route", code=saved.code)
        status = 422
    today = clock.today()
    recent = list(selectors.trips(user, route=found)[:14])
    ctx = {
        "route": found,
        "stops": stops,
        "links": selectors.connections(found),
        "trips": recent,
        "today_trip": next((t for t in recent if t.day == today), None),
        "today": today,
        "form": form,
        "can_manage": allows(user, "mail.routes", Target(path=found.origin.path)),
        "can_run": allows(user, "mail.trips"),
    }
    return render(request, "mail/network_route.html", ctx, status=status)


@guard(write="mail.trips")
def route_trip(request: HttpRequest, code: str) -> HttpResponse:
    """Start today's trip of the route."""
    user = require_user(request.user)
    found = selectors.route(user, code)
    started: list[Any] = []
    done = _attempt(
        request,
        lambda: started.append(
            route_services.start_trip(actor=user, route=found, day=clock.today())
        ),
        _("Đã mở chuyến hôm nay của tuyến %(code)s.") % {"code": found.code},
    )
    if done:
        return redirect("mail:trip", pk=started[0].pk)
    return redirect("mail:route", code=found.code)


@guard(read="mail.view", write="mail.trips")
def trip(request: HttpRequest, pk: Any) -> HttpResponse:
    """A trip's manifest (printable): its bags, the items in each, counts and weights; the
    trip is finished here when it reaches its last stop."""
    user = require_user(request.user)
    manifest = selectors.trip(user, pk)
    if request.method == "POST":
        form = forms.FinishTripForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(errors_of(form)))
        else:
            _attempt(
                request,
                lambda: route_services.finish_trip(
                    actor=user, trip=manifest.trip, at=form.cleaned_data["at"]
                ),
                _("Đã ghi chuyến thư về đến cuối tuyến."),
            )
        return redirect("mail:trip", pk=manifest.trip.pk)
    return render(
        request,
        "mail/network_trip.html",
        {
            "m": manifest,
            "trip": manifest.trip,
            "can_finish": manifest.trip.arrived_at is None and allows(user, "mail.trips"),
            "now": timezone.localtime(clock.now()).strftime("%Y-%m-%dT%H:%M"),
        },
    )


# --- exceptions -------------------------------------------------------------------------


@guard(read="mail.view")
def exceptions(request: HttpRequest) -> HttpResponse:
    """What is late: items not bagged, items past their standard's day, late trips; by kind
    and unit, paged, exported to Excel."""
    user = require_user(request.user)
    units = list(network_selectors.units(user).values_list("code", "name")[:2000])
    form = forms.ExceptionFilterForm(request.GET)
    form.fields["unit"].choices = [("", ""), *units]  # type: ignore[attr-defined]
    values = cleaned_or_initial(form)
    unit = network_selectors.unit_by_code(user, values["unit"]) if values["unit"] else None
    found = problems.exceptions(user, kind=values["kind"] or "", unit=unit)
    if values["format"] == "xlsx":
        return _export_problems(user, found)
    page: Page[Any] = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    counts: list[int | None] = (
        list(found.counts()) if not values["kind"] else [None] * len(problems.KINDS)
    )
    ctx = {
        "page": page,
        "errors": errors_of(form),
        "tabs": [(k, label, n) for (k, label), n in zip(problems.KINDS, counts, strict=True)],
        "kind": values["kind"] or "",
        "units": units,
        "unit": values["unit"] or "",
    }
    return render(request, "mail/network_exceptions.html", ctx)


def _export_problems(user: User, found: problems.Problems) -> HttpResponse:
    audit.record_access(
        actor=user,
        action="mail.exceptions_exported",
        object_type="mail.postalitem",
        count=found.count(),
        unit_path=scope_of(user).path or "",
        note=_("Xuất danh sách bưu gửi chậm ra Excel"),
    )
    rows = (
        [
            p.kind_label,
            p.ref,
            p.what,
            p.unit.name if p.unit else "",
            p.since,
            p.days_late,
            p.state,
        ]
        for p in found
    )
    headers = [
        _("Loại"),
        _("Số hiệu / chuyến"),
        _("Dịch vụ / tuyến"),
        _("Đơn vị"),
        _("Từ ngày"),
        _("Số ngày trễ"),
        _("Tình trạng"),
    ]
    return xlsx_response(
        export_xlsx(title=_("Bưu gửi chậm"), headers=headers, rows=rows), "buu-gui-cham.xlsx"
    )


urlpatterns: list[URLPattern] = [
    path("bags/", bags, name="bags"),
    path("bags/<str:number>/", bag, name="bag"),
    path("bags/<str:number>/remove/", bag_remove, name="bag_remove"),
    path("bags/<str:number>/close/", bag_close, name="bag_close"),
    path("bags/<str:number>/dispatch/", bag_dispatch, name="bag_dispatch"),
    path("bags/<str:number>/receive/", bag_receive, name="bag_receive"),
    path("routes/", routes, name="routes"),
    path("routes/<str:code>/", route, name="route"),
    path("routes/<str:code>/trips/", route_trip, name="route_trip"),
    path("trips/<uuid:pk>/", trip, name="trip"),
    path("exceptions/", exceptions, name="exceptions"),
]
