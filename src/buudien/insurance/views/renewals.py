"""Insurance pages about keeping people covered: the insurance home, the covers due for
renewal (with the call list and the reminders) and the lapsed covers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from buudien.core import audit, permissions
from buudien.core.errors import DomainError
from buudien.core.excel import export_xlsx, xlsx_response
from buudien.core.ids import mask_citizen_id, mask_phone
from buudien.core.permissions import guard
from buudien.core.scoping import require_user, scope_of
from buudien.insurance import people_forms as forms
from buudien.insurance import services
from buudien.insurance.models import Cover, SchemeCode
from buudien.insurance.selectors import participants as people
from buudien.insurance.selectors import renewals as selectors
from buudien.insurance.views.people import STATE_BADGES, page_of
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit

DUE_SHOWN = 10
FILTERS = ("point", "hamlet", "scheme", "days")


@guard(read="insurance.view")
def index(request: HttpRequest) -> HttpResponse:
    """The insurance home for the user's scope: people covered, renewals due, lapses, and
    this month's enrolments."""
    user = require_user(request.user)
    due = selectors.due(user=user)
    context = {
        "active": people.active_by_scheme(user=user),
        "due_count": due.count(),
        "due_soon": list(due.order_by("paid_until", "participant__name")[:DUE_SHOWN]),
        "lapsed_count": selectors.lapsed(user=user).count(),
        "month": people.month_enrolments(user=user),
        "today": people.today(),
        "section": "index",
    }
    return render(request, "insurance/index.html", context)


def _covers(user: User, form: forms.CoverFilters, *, lapsed: bool) -> QuerySet[Cover]:
    filters: dict[str, Any] = {
        "user": user,
        "point": form.value("point"),
        "scheme": form.text("scheme"),
        "hamlet": form.text("hamlet"),
    }
    if lapsed:
        return selectors.lapsed(**filters)
    return selectors.due(days=form.days_ahead(), **filters)


def _rows(page: Any, *, lapsed: bool) -> list[dict[str, Any]]:
    """Each cover on the page with the person's masked ids and its state's badge."""
    state = "lapsed" if lapsed else "due"
    return [
        {
            "cover": c,
            "person": c.participant,
            "citizen_id": mask_citizen_id(c.participant.citizen_id),
            "phone": mask_phone(c.participant.phone),
            "state": state,
            "badge": STATE_BADGES[state],
        }
        for c in page.object_list
    ]


def _list_context(request: HttpRequest, user: User, form: forms.CoverFilters, qs: Any) -> Any:
    page = page_of(request, qs)
    return {
        "form": form,
        "problems": form.problems(),
        "page": page,
        "points": forms.point_choices(user),
        "hamlets": selectors.hamlets(user=user, point=form.value("point")),
        "schemes": SchemeCode.choices,
    }


@guard(read="insurance.view", write="insurance.remind")
def renewals(request: HttpRequest) -> HttpResponse:
    """Covers whose paid period ends within N days (30 unless asked), by point and hamlet;
    the call list as Excel; reminders sent for the filtered covers."""
    user = require_user(request.user)
    if request.method == "POST":
        return _remind(request, user)
    form = forms.CoverFilters(request.GET, user=user)
    qs = _covers(user, form, lapsed=False)
    if form.value("format") == "xlsx":
        permissions.require(user, "insurance.remind")
        return _call_list(user, qs, full_phones=True, name="danh-sach-goi-gia-han.xlsx")
    context = _list_context(request, user, form, qs)
    context |= {
        "rows": _rows(context["page"], lapsed=False),
        "days": form.days_ahead(),
        "section": "renewals",
    }
    return render(request, "insurance/renewals_due.html", context)


@guard(read="insurance.view")
def lapsed(request: HttpRequest) -> HttpResponse:
    """Covers whose paid period ended and was not renewed, by point and hamlet; as Excel,
    with full phones only for those who may call people back."""
    user = require_user(request.user)
    form = forms.CoverFilters(request.GET, user=user)
    qs = _covers(user, form, lapsed=True)
    if form.value("format") == "xlsx":
        full = permissions.allows(user, "insurance.remind")
        return _call_list(user, qs, full_phones=full, name="danh-sach-gian-doan.xlsx")
    context = _list_context(request, user, form, qs)
    context |= {"rows": _rows(context["page"], lapsed=True), "section": "lapsed"}
    return render(request, "insurance/renewals_lapsed.html", context)


def _call_list(user: User, qs: QuerySet[Cover], *, full_phones: bool, name: str) -> HttpResponse:
    """The covers as a call list: the CCCD masked, the phone in full when the clerk must
    call; the bulk access is recorded."""
    audit.record_access(
        actor=user,
        action="insurance.call_list_exported",
        object_type="insurance.cover",
        count=qs.count(),
        unit_path=scope_of(user).path or "",
        note=_("Xuất danh sách gọi điện gia hạn bảo hiểm ra Excel"),
    )
    phone = (lambda v: v or "") if full_phones else mask_phone
    rows = (
        [
            c.participant.name,
            mask_citizen_id(c.participant.citizen_id),
            phone(c.participant.phone),
            c.participant.hamlet,
            c.scheme.name,
            c.paid_until,
            c.point.name,
        ]
        for c in qs.iterator(chunk_size=2000)
    )
    headers = [
        _("Họ tên"),
        _("Số CCCD"),
        _("Điện thoại"),
        _("Thôn, bản"),
        _("Loại bảo hiểm"),
        _("Đóng đến ngày"),
        _("Điểm"),
    ]
    content = export_xlsx(
        title=_("Danh sách gọi điện gia hạn"), headers=headers, rows=rows, sheet=_("Gọi điện")
    )
    return xlsx_response(content, name)


def _back(form: forms.CoverFilters) -> HttpResponse:
    """Back to the renewal list with the filters the reminders were sent for."""
    query = {k: str(form.data.get(k, ""))[:120] for k in FILTERS if form.data.get(k)}
    url = reverse("insurance:renewals")
    return redirect(f"{url}?{urlencode(query)}" if query else url)


def _reminding_unit(user: User, form: forms.CoverFilters) -> PostUnit | None:
    """The point chosen in the filters, else the user's own unit."""
    chosen: PostUnit | None = form.value("point")
    if chosen is not None:
        return chosen
    try:
        return network_selectors.home_unit(user=user)
    except DomainError:
        return None


def _remind(request: HttpRequest, user: User) -> HttpResponse:
    """Send a reminder to each person of the filtered list not yet reminded this period."""
    form = forms.CoverFilters(request.POST, user=user)
    problems = form.problems()
    unit = _reminding_unit(user, form)
    if problems or unit is None:
        for problem in problems or [_("Hãy chọn điểm để gửi tin nhắc.")]:
            messages.error(request, problem)
        return _back(form)
    covers = list(_covers(user, form, lapsed=False))
    sent = services.send_reminders(actor=user, unit=unit, covers=covers)
    messages.success(
        request,
        _(
            "Đã gửi %(sent)s tin nhắn nhắc gia hạn cho %(n)s người trong danh sách (người không "
            "có số điện thoại hoặc đã được nhắc cho kỳ đóng này thì không gửi lại)."
        )
        % {"sent": sent, "n": len(covers)},
    )
    return _back(form)


urlpatterns: list[URLPattern] = [
    path("", index, name="index"),
    path("gia-han/", renewals, name="renewals"),
    path("gian-doan/", lapsed, name="lapsed"),
]
