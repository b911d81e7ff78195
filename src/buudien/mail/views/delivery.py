"""Mail pages for delivery: the point's list by hamlet with its actions (deliver, failed,
round, return, hand back), the COD to pay to senders, items arriving from outside the
province, and the scanner's files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.core.errors import DomainError, Forbidden, NotFound, OutOfScope
from buudien.core.excel import export_xlsx, xlsx_response
from buudien.core.ids import mask_phone
from buudien.core.permissions import Target, allows, guard
from buudien.core.scoping import require_user
from buudien.counter import selectors as counter_selectors
from buudien.mail import delivery_forms as forms
from buudien.mail.models import Status
from buudien.mail.selectors import delivery as selectors
from buudien.mail.selectors import items as item_selectors
from buudien.mail.services import delivery as services
from buudien.mail.services import scans
from buudien.mail.services.tracking import SCANNABLE
from buudien.network import selectors as network_selectors
from buudien.network.selectors import UnitFilter

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.counter.models import CounterSession
    from buudien.mail.models import PostalItem
    from buudien.network.models import PostUnit

SCOPE_ERRORS = (NotFound, OutOfScope)
PAGE_SIZE = 50
ROUND_FORM = "round-form"
DELIVERING = ("commune_point", "office")


def _home(user: User) -> PostUnit | None:
    try:
        return network_selectors.home_unit(user=user)
    except SCOPE_ERRORS:
        return None


def _point(user: User, code: str | None, problems: list[str]) -> PostUnit | None:
    """The unit asked for (a code in the user's scope), else the user's own."""
    code = (code or "").strip()[:20]
    if code:
        try:
            if not re.fullmatch(forms.UNIT_CODE, code):
                raise NotFound(code)
            return network_selectors.unit_by_code(user, code.upper())
        except SCOPE_ERRORS:
            problems.append(_("Không có điểm mã này trong phạm vi của bạn."))
    return _home(user)


def _points(user: User) -> list[tuple[str, str]]:
    points = network_selectors.units(user, UnitFilter(kind="commune_point"))
    return [(code, f"{code} · {name}") for code, name in points.values_list("code", "name")[:500]]


def _no_session_message() -> str:
    return _("Bạn cần mở ca giao dịch trước khi ghi phát bưu gửi hoặc trả tiền COD.")


# --- the delivery list ----------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """An item as the list shows it, with the actions this user may take on it."""

    item: PostalItem
    phone: str
    can_deliver: bool
    can_fail: bool
    can_round: bool
    can_return: bool


def _row(user: User, item: PostalItem) -> Row:
    unit = item.destination or item.current_unit
    may = allows(user, "mail.deliver", Target(path=unit.path if unit else ""))
    status = item.status
    return Row(
        item=item,
        phone=mask_phone(item.receiver_phone),
        can_deliver=may,
        can_fail=may and status in {Status.ARRIVED, Status.OUT_FOR_DELIVERY},
        can_round=may and status in {Status.ARRIVED, Status.FAILED},
        can_return=may and status in services.RETURNABLE,
    )


def _back_url(back: str) -> str:
    """Back to the list the form was posted from, with its point and day."""
    kept = QueryDict(back[:500])
    query = QueryDict(mutable=True)
    for key in ("point", "day"):
        if kept.get(key):
            query[key] = str(kept[key])[:20]
    url = reverse("mail:delivery")
    return f"{url}?{query.urlencode()}" if query else url


def _list_context(
    request: HttpRequest, user: User, data: QueryDict, failed: dict[str, Any] | None = None
) -> dict[str, Any]:
    form = forms.ListFilters(data)
    problems = form.problems() if form.is_bound and data else []
    unit = _point(user, form.value("point"), problems)
    # A point's (or an office's) own list; above them, a manager chooses the point first.
    listable = unit is not None and (bool(form.value("point")) or unit.kind in DELIVERING)
    listing = None
    if unit is not None and listable:
        listing = selectors.delivery_list(user, unit, form.value("day"))
    groups = []
    if listing is not None:
        groups = [(g, [_row(user, i) for i in g.items]) for g in listing.groups]
    returning = list(selectors.returning_to(user, unit)) if unit else []
    may_deliver = allows(user, "mail.deliver")
    return {
        "form": form,
        "problems": problems,
        "unit": unit,
        "choose_point": unit is not None and not listable,
        "listing": listing,
        "groups": groups,
        "returning": [
            (i, allows(user, "mail.deliver", Target(path=i.origin.path)))
            for i in returning
            if i.origin is not None
        ],
        "points": _points(user),
        "reasons": forms.REASONS,
        "session": counter_selectors.open_session_of(user) if may_deliver else None,
        "may_deliver": may_deliver,
        "back": data.urlencode()[:500],
        "failed": failed or {},
        "round_form": ROUND_FORM,
        "printed_at": timezone.localtime(),
    }


@guard(read="mail.view", write="mail.deliver")
def delivery(request: HttpRequest) -> HttpResponse:
    user = require_user(request.user)
    if request.method == "POST":
        return _act(request, user)
    return render(request, "mail/delivery_list.html", _list_context(request, user, request.GET))


def _session(user: User) -> CounterSession:
    session = counter_selectors.open_session_of(user)
    if session is None:
        raise DomainError(_no_session_message(), field="session")
    return session


def _round(request: HttpRequest, user: User) -> str:
    chosen = request.POST.getlist("items")[: services.MAX_ROUND + 1]
    found = [item_selectors.item(user, s) for s in chosen]
    problems: list[str] = []
    unit = _point(user, request.POST.get("point", ""), problems)
    if problems or unit is None:
        raise DomainError(problems[0] if problems else _("Hãy chọn điểm phát."), field="point")
    n = services.start_round(clerk=user, unit=unit, items=found)
    return _("%(n)s bưu gửi đang đi phát.") % {"n": n}


def _one(request: HttpRequest, user: User, action: str, form: forms.ActionForm) -> str:
    item = item_selectors.item(user, form.cleaned_data["s10"])
    data = form.cleaned_data
    if action == "deliver":
        services.deliver(
            item=item,
            clerk=user,
            session=_session(user),
            receiver_name=data["receiver_name"],
            proof=data["proof"],
            cod_collected=data["cod_collected"],
        )
        return _("Đã phát %(id)s cho %(who)s.") % {"id": item.s10, "who": item.delivered_to}
    if action == "fail":
        services.fail_delivery(item=item, clerk=user, reason=data["reason"], note=data["note"])
        return _("Đã ghi phát không thành công %(id)s.") % {"id": item.s10}
    if action == "return":
        services.return_to_sender(item=item, clerk=user, reason=data["reason"])
        return _("Đã chuyển hoàn %(id)s.") % {"id": item.s10}
    services.hand_back(item=item, clerk=user, session=_session(user))
    return _("Đã trả %(id)s lại người gửi.") % {"id": item.s10}


def _act(request: HttpRequest, user: User) -> HttpResponse:
    form = forms.ActionForm(request.POST)
    back = request.POST.get("back", "")
    action = request.POST.get("action", "")
    try:
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            label = form.fields[field].label if field in form.fields else ""
            text = " ".join(str(e) for e in errors)
            raise DomainError(f"{label}: {text}" if label else text, field=field)
        done = _round(request, user) if action == "round" else _one(request, user, action, form)
    except Forbidden:
        raise
    except SCOPE_ERRORS:
        messages.error(request, _("Không tìm thấy bưu gửi này trong phạm vi của bạn."))
        return redirect(_back_url(back))
    except DomainError as exc:
        if action in {"deliver", "fail"} and request.POST.get("s10"):
            failed = {
                "s10": request.POST.get("s10", "").strip().upper()[:20],
                "action": action,
                "data": request.POST,
                "error": exc.message,
                "field": exc.field or "",
            }
            context = _list_context(request, user, QueryDict(back[:500]), failed)
            return render(request, "mail/delivery_list.html", context, status=422)
        messages.error(request, exc.message)
        return redirect(_back_url(back))
    messages.success(request, done)
    return redirect(_back_url(back))


# --- COD to pay to the senders ---------------------------------------------------------

COD_HEADERS = [
    gettext_lazy("Số hiệu"),
    gettext_lazy("Người gửi"),
    gettext_lazy("Điện thoại người gửi"),
    gettext_lazy("Đơn vị nhận gửi"),
    gettext_lazy("Tiền COD"),
    gettext_lazy("Thu lúc"),
]


def _cod_xlsx(found: Any) -> HttpResponse:
    rows = (
        [
            i.s10,
            i.sender_name,
            mask_phone(i.sender_phone),
            i.origin.code if i.origin else "",
            i.cod_amount,
            timezone.localtime(i.cod_collected_at).strftime("%d/%m/%Y %H:%M")
            if i.cod_collected_at
            else "",
        ]
        for i in found.iterator(chunk_size=2000)
    )
    return xlsx_response(
        export_xlsx(
            title=_("COD chưa trả người gửi"), headers=[str(h) for h in COD_HEADERS], rows=rows
        ),
        "cod-chua-tra.xlsx",
    )


def _page(request: HttpRequest, found: Any) -> Page[Any]:
    return Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))


@guard(read="mail.view", write="mail.deliver")
def cod(request: HttpRequest) -> HttpResponse:
    user = require_user(request.user)
    if request.method == "POST":
        return _pay(request, user)
    form = forms.ListFilters(request.GET)
    problems = form.problems() if request.GET else []
    unit = None
    if form.value("point"):
        unit = _point(user, form.value("point"), problems)
    found = selectors.cod_outstanding(user, unit)
    if request.GET.get("export") == "xlsx":
        return _cod_xlsx(found)
    page = _page(request, found)
    may_pay = allows(user, "mail.deliver")
    context = {
        "form": form,
        "problems": problems,
        "page": page,
        "rows": [
            (
                i,
                mask_phone(i.sender_phone),
                may_pay
                and i.origin is not None
                and allows(user, "mail.deliver", Target(path=i.origin.path)),
            )
            for i in page.object_list
        ],
        "total": selectors.cod_total(found),
        "to_collect": selectors.cod_total(selectors.cod_to_collect(user, unit)),
        "points": _points(user),
        "session": counter_selectors.open_session_of(user) if may_pay else None,
        "may_pay": may_pay,
        "back": request.GET.urlencode()[:500],
    }
    return render(request, "mail/delivery_cod.html", context)


def _pay(request: HttpRequest, user: User) -> HttpResponse:
    back = QueryDict(request.POST.get("back", "")[:500], mutable=True)
    back.pop("export", None)
    url = reverse("mail:cod") + (f"?{back.urlencode()}" if back else "")
    try:
        item = item_selectors.item(user, request.POST.get("s10", "")[:40])
        paid = services.pay_cod(item=item, clerk=user, session=_session(user))
    except Forbidden:
        raise
    except SCOPE_ERRORS:
        messages.error(request, _("Không tìm thấy bưu gửi này trong phạm vi của bạn."))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã trả tiền COD của %(id)s cho %(who)s.")
            % {"id": paid.s10, "who": paid.sender_name},
        )
    return redirect(url)


# --- items arriving from outside the province -----------------------------------------


def _inbound_unit(user: User, code: str) -> PostUnit | None:
    if code:
        if not re.fullmatch(forms.UNIT_CODE, code.strip()[:20]):
            raise NotFound(_("Không có đơn vị mã này trong phạm vi của bạn."))
        return network_selectors.unit_by_code(user, code.strip().upper()[:20])
    return _home(user)


@guard(read="mail.scan", write="mail.scan")
def inbound(request: HttpRequest) -> HttpResponse:
    user = require_user(request.user)
    data = request.POST if request.method == "POST" else request.GET
    unit = _inbound_unit(user, data.get("unit", ""))
    services_choices = [(s.code, s.name) for s in item_selectors.services(tracked_only=True)]
    form = forms.InboundForm(
        request.POST if request.method == "POST" else None, services=services_choices
    )
    if request.method == "POST" and form.is_valid():
        if unit is None:
            form.add_error(None, _("Tài khoản chưa gắn với đơn vị nào."))
        else:
            try:
                item = services.receive_inbound(
                    actor=user,
                    unit=unit,
                    **{k: v for k, v in form.cleaned_data.items() if k != "cod_amount"},
                    cod_amount=form.cleaned_data["cod_amount"] or 0,
                )
            except (Forbidden, *SCOPE_ERRORS):
                raise
            except DomainError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
            else:
                messages.success(
                    request,
                    _("Đã đăng ký %(id)s đến %(unit)s; phát tại %(dest)s.")
                    % {
                        "id": item.s10,
                        "unit": unit.name,
                        "dest": item.destination.name if item.destination else unit.name,
                    },
                )
                return redirect(f"{reverse('mail:inbound')}?unit={unit.code}")
    communes = list(network_selectors.communes_near(user=user).values_list("code", "name")[:1000])
    context = {"form": form, "unit": unit, "communes": communes}
    return render(request, "mail/delivery_inbound.html", context)


# --- the scanner's files --------------------------------------------------------------


@guard(read="mail.scan", write="mail.scan")
def scans_page(request: HttpRequest) -> HttpResponse:
    user = require_user(request.user)
    result, error = None, None
    if request.method == "POST":
        upload: Any = request.FILES.get("file")
        try:
            if upload is None:
                raise DomainError(_("Hãy chọn tệp CSV của máy quét."), field="file")
            if upload.size > scans.MAX_BYTES:
                raise DomainError(_("Tệp quá lớn: tối đa 5 MB."), field="file")
            result = scans.import_file(actor=user, data=upload.read())
        except (Forbidden, *SCOPE_ERRORS):
            raise
        except DomainError as exc:
            error = exc.message
        else:
            if result.ok:
                messages.success(
                    request, _("Đã ghi %(n)s sự kiện từ tệp quét.") % {"n": result.applied}
                )
                return redirect("mail:scans")
    context = {
        "result": result,
        "error": error,
        "statuses": SCANNABLE,
        "reasons": forms.REASONS[1:],
    }
    return render(
        request,
        "mail/delivery_scans.html",
        context,
        status=422 if error or (result and not result.ok) else 200,
    )


urlpatterns: list[URLPattern] = [
    path("delivery/", delivery, name="delivery"),
    path("cod/", cod, name="cod"),
    path("inbound/", inbound, name="inbound"),
    path("scans/", scans_page, name="scans"),
]
