"""Mail pages of the counter: taking in an item (with its price first if asked), the item
list with its filters and Excel export, an item's page with its events and a scan, its
printed label, and the customers."""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from buudien.core import audit
from buudien.core.errors import DomainError, Forbidden, NotFound, OutOfScope
from buudien.core.excel import export_xlsx, xlsx_response
from buudien.core.ids import mask_phone
from buudien.core.money import format_vnd
from buudien.core.permissions import guard
from buudien.core.scoping import require_user, scope_of
from buudien.counter import selectors as counter_selectors
from buudien.counter import services as counter_services
from buudien.mail import forms
from buudien.mail.errors import MailCode, MailError
from buudien.mail.labels import LABEL_SIZES, code128_svg
from buudien.mail.models import PostalItem, Reason, Status, Zone
from buudien.mail.selectors import customers as customer_selectors
from buudien.mail.selectors import items as item_selectors
from buudien.mail.services import acceptance, tracking
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from django import forms as django_forms

    from buudien.core.models import User
    from buudien.counter.models import CounterSession, Customer
    from buudien.network.models import PostUnit

ACCESS_ERRORS = (Forbidden, NotFound, OutOfScope)
PER_PAGE = 50
CUSTOMERS_OFFERED = 200
INVALID = 422

# An item's state as a badge: on its way in blue, at the end in green, trouble in amber.
STATUS_BADGES: dict[str, str] = {
    Status.ACCEPTED: "info",
    Status.BAGGED: "info",
    Status.DISPATCHED: "info",
    Status.ARRIVED: "info",
    Status.OUT_FOR_DELIVERY: "info",
    Status.DELIVERED: "ok",
    Status.FAILED: "warn",
    Status.RETURNING: "warn",
    Status.RETURNED: "muted",
}


def _home_unit(user: User) -> PostUnit | None:
    try:
        return network_selectors.home_unit(user=user)
    except DomainError:
        return None


def _put_error(form: django_forms.Form, exc: DomainError) -> None:
    """A business refusal shown next to the field it names (else above the form)."""
    if isinstance(exc, ACCESS_ERRORS):
        raise exc
    field = exc.field if exc.field in form.fields else None
    if exc.field == "receiver_commune" and form.data.get("commune_code"):
        field = "commune_code"
    form.add_error(field, exc.message)


# Acceptance ----------------------------------------------------------------------------


def _chosen_customer(user: User, pk: Any) -> Customer | None:
    if not pk:
        return None
    try:
        return counter_selectors.customer(user, pk)
    except (NotFound, Forbidden):
        return None


def _with_sender(data: acceptance.ItemIn, customer: Customer | None) -> acceptance.ItemIn:
    """The chosen customer fills in the sender's fields the clerk left empty."""
    if customer is None:
        return data
    return dataclasses.replace(
        data,
        sender_name=data.sender_name or customer.name,
        sender_phone=data.sender_phone or customer.phone,
        sender_address=data.sender_address or customer.address,
    )


@guard(read="mail.accept", write="mail.accept")
def accept(request: HttpRequest) -> HttpResponse:
    """Take in an item at the clerk's open shift; "Tính cước" shows its price, saving nothing."""
    user = require_user(request.user)
    session = counter_selectors.open_session_of(user)
    unit = session.unit if session is not None else _home_unit(user)
    services = list(item_selectors.services(tracked_only=True))
    quote = None
    status = 200
    if request.method == "POST":
        form = forms.AcceptForm(request.POST, services=services)
        customer = None
        if form.is_valid():
            customer = _chosen_customer(user, form.cleaned_data["customer"])
            if form.cleaned_data["customer"] and customer is None:
                form.add_error("customer", _("Không tìm thấy khách hàng này."))
        if form.is_valid():
            data = _with_sender(form.item_in(customer=customer), customer)
            if "quote" in request.POST:
                quote = _quote(form, data, unit, session)
            else:
                done = _take_in(request, form, data, session, user)
                if done is not None:
                    return done
        if form.errors:
            status = INVALID
    else:
        customer = _chosen_customer(user, request.GET.get("customer", "")[:40])
        initial: dict[str, Any] = {"request_key": uuid.uuid4().hex}
        if customer is not None:
            initial |= {
                "customer": customer.pk,
                "sender_name": customer.name,
                "sender_phone": customer.phone,
                "sender_address": customer.address,
            }
        form = forms.AcceptForm(initial=initial, services=services)
    context = {
        "form": form,
        "session": session,
        "quote": quote,
        "customer": customer,
        "services": services,
        "communes": list(network_selectors.communes_near(user=user).values_list("code", "name")),
        "customers": _customers_offered(user, unit),
        "found_customers": _found_customers(user, request.GET.get("customer_q", "")[:100]),
        "extras": forms.TICKED_EXTRAS,
    }
    return render(request, "mail/counter_accept.html", context, status=status)


def _customers_offered(user: User, unit: PostUnit | None) -> list[Customer]:
    if unit is None:
        return []
    try:
        return list(counter_selectors.customers(user, unit=unit)[:CUSTOMERS_OFFERED])
    except Forbidden:
        return []


def _found_customers(user: User, query: str) -> list[Customer]:
    if not query.strip():
        return []
    try:
        return list(counter_selectors.customers(user, query)[:20])
    except Forbidden:
        return []


def _quote(
    form: forms.AcceptForm,
    data: acceptance.ItemIn,
    unit: PostUnit | None,
    session: CounterSession | None,
) -> Any:
    try:
        zone, price = forms.quote_item(
            unit=unit,
            service_code=data.service_code,
            commune_code=data.receiver_commune,
            weight_g=data.weight_g,
            day=session.business_date if session is not None else None,
            cod_amount=data.cod_amount,
            declared_value=data.declared_value,
            extras=data.extras,
        )
    except DomainError as exc:
        _put_error(form, exc)
        return None
    return {"zone": Zone(zone).label, "price": price}


def _take_in(
    request: HttpRequest,
    form: forms.AcceptForm,
    data: acceptance.ItemIn,
    session: CounterSession | None,
    user: User,
) -> HttpResponse | None:
    if session is None:
        form.add_error(None, _("Bạn chưa mở ca giao dịch; cước được thu vào ca. Hãy mở ca trước."))
        return None
    try:
        item = acceptance.accept(session=session, clerk=user, data=data)
    except DomainError as exc:
        _put_error(form, exc)
        return None
    messages.success(
        request,
        _("Đã nhận gửi %(s10)s, cước %(charge)s. In nhãn ngay dưới đây.")
        % {"s10": item.s10, "charge": format_vnd(item.charge)},
    )
    return redirect(f"{reverse('mail:item', args=[item.s10])}?accepted=1")


# Item list -----------------------------------------------------------------------------


@guard(read="mail.view")
def items(request: HttpRequest) -> HttpResponse:
    """Items in scope, filtered, sorted and paged; the same list as Excel (phones masked)."""
    user = require_user(request.user)
    values, errors = forms.read_filters(forms.ItemFilterForm(request.GET))
    unit = None
    if values["unit"]:
        try:
            unit = network_selectors.unit_by_code(user, values["unit"])
        except (NotFound, OutOfScope) as exc:
            errors.append(_("Mã đơn vị: ") + exc.message)
            values["unit"] = ""
    if unit is None and values["direction"]:
        unit = _home_unit(user)
    flt = item_selectors.ItemFilter(
        query=values["q"] or "",
        status=values["status"] or "",
        service=values["service"] or "",
        direction=values["direction"] or "",
        unit=unit,
        start=values["start"],
        end=values["end"],
        cod=bool(values["cod"]),
    )
    sort = values["sort"] or ""
    qs = item_selectors.items(user, flt).order_by(*forms.ordering(sort))
    if values["format"] == "xlsx":
        return _export(user, qs)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(i, STATUS_BADGES.get(i.status, "")) for i in page]
    context = {
        "values": values,
        "sort": sort,
        "errors": errors,
        "page": page,
        "rows": rows,
        "statuses": Status.choices,
        "services": item_selectors.services(tracked_only=False),
        "directions": forms.DIRECTIONS,
    }
    return render(request, "mail/counter_items.html", context)


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _export(user: User, qs: QuerySet[PostalItem]) -> HttpResponse:
    audit.record_access(
        actor=user,
        action="mail.items_exported",
        object_type="mail.postalitem",
        count=qs.count(),
        unit_path=scope_of(user).path or "",
        note=_("Xuất danh sách bưu gửi ra Excel"),
    )
    rows = (
        [
            i.s10,
            i.service.name,
            i.sender_name,
            mask_phone(i.sender_phone),
            i.receiver_name,
            mask_phone(i.receiver_phone),
            i.receiver_address,
            i.origin.name if i.origin else "",
            i.destination.name if i.destination else "",
            i.weight_g,
            i.charge,
            i.cod_amount,
            i.get_status_display(),
            _local(i.accepted_at),
            i.received_on,
            _local(i.delivered_at),
        ]
        for i in qs.iterator(chunk_size=2000)
    )
    headers = [
        _("Số hiệu"),
        _("Dịch vụ"),
        _("Người gửi"),
        _("Điện thoại người gửi"),
        _("Người nhận"),
        _("Điện thoại người nhận"),
        _("Địa chỉ người nhận"),
        _("Nơi nhận gửi"),
        _("Nơi phát"),
        _("Khối lượng (g)"),
        _("Cước (đồng)"),
        _("COD (đồng)"),
        _("Trạng thái"),
        _("Nhận gửi lúc"),
        _("Đến bưu cục phát ngày"),
        _("Phát lúc"),
    ]
    content = export_xlsx(title=_("Bưu gửi"), headers=headers, rows=rows)
    return xlsx_response(content, "buu-gui.xlsx")


# An item's page ------------------------------------------------------------------------


def _scan_choices(found: PostalItem) -> list[tuple[str, str]]:
    allowed = tracking.NEXT.get(found.status, frozenset())
    return [(s.value, str(s.label)) for s in tracking.SCANNABLE if s in allowed]


@guard(read="mail.view", write="mail.scan")
def item(request: HttpRequest, s10: str) -> HttpResponse:
    """An item with every field and its events; a scan recorded at the user's unit, refused
    when the item changed since the page was shown."""
    user = require_user(request.user)
    found = item_selectors.item(user, s10)
    form = forms.ScanForm()
    status = 200
    if request.method == "POST":
        form = forms.ScanForm(request.POST)
        if form.is_valid():
            done = _scan(request, user, found, form)
            if done is not None:
                return done
        status = 409 if form.has_error("__all__", MailCode.STALE) else INVALID
    context = {
        "item": found,
        "badge": STATUS_BADGES.get(found.status, ""),
        "events": list(item_selectors.events(found)),
        "scan_choices": _scan_choices(found),
        "reasons": Reason.choices,
        "form": form,
        "just_accepted": request.GET.get("accepted") == "1",
        "sizes": list(LABEL_SIZES),
    }
    return render(request, "mail/counter_item.html", context, status=status)


def _scan(
    request: HttpRequest, user: User, found: PostalItem, form: forms.ScanForm
) -> HttpResponse | None:
    d = form.cleaned_data
    if d["seen"] != found.status:
        form.add_error(
            None,
            ValidationError(
                _(
                    "Bưu gửi %(id)s vừa được ghi «%(now)s» sau khi trang này mở; "
                    "không ghi thêm. Hãy xem lại hành trình rồi ghi nếu còn cần."
                )
                % {"id": found.s10, "now": Status(found.status).label},
                code=MailCode.STALE,
            ),
        )
        return None
    unit = _home_unit(user)
    try:
        tracking.record_event(
            item=found,
            actor=user,
            status=d["status"],
            unit=unit,
            reason=d["reason"],
            note=d["note"],
            delivered_to=d["delivered_to"],
        )
    except DomainError as exc:
        _put_error(form, exc)
        return None
    messages.success(
        request,
        _("Đã ghi «%(status)s» cho %(id)s.")
        % {"status": Status(d["status"]).label, "id": found.s10},
    )
    return redirect("mail:item", s10=found.s10)


@guard(read="mail.view")
def label(request: HttpRequest, s10: str) -> HttpResponse:
    """The item's label for a label printer: A6 or 100×150 mm, with its barcode."""
    user = require_user(request.user)
    found = item_selectors.item(user, s10)
    size = request.GET.get("size", "a6")
    if size not in LABEL_SIZES:
        size = "a6"
    width, height = LABEL_SIZES[size]
    context = {
        "item": found,
        "size": size,
        "width": width,
        "height": height,
        # Made from the S10 id alone (checked letters and digits), nothing a person typed.
        "barcode": mark_safe(code128_svg(found.s10)),
    }
    return render(request, "mail/counter_label.html", context)


# Customers -----------------------------------------------------------------------------


def _customer_unit(user: User, code: str) -> PostUnit:
    if code.strip():
        return network_selectors.unit_by_code(user, code)
    unit = _home_unit(user)
    if unit is None:
        raise MailError(
            _("Tài khoản chưa gắn với đơn vị nào: hãy nhập mã đơn vị."),
            code=MailCode.INVALID,
            field="unit",
        )
    return unit


@guard(read="mail.customers")
def customers(request: HttpRequest) -> HttpResponse:
    """Customers in scope, searched without accents and by kind, phones masked."""
    user = require_user(request.user)
    query = request.GET.get("q", "")[:100]
    kind = request.GET.get("kind", "")[:10]
    qs = counter_selectors.customers(user, query, kind)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [(c, mask_phone(c.phone)) for c in page],
        "q": query,
        "kind": kind,
        "kinds": counter_selectors.customer_kinds(),
    }
    return render(request, "mail/counter_customers.html", context)


@guard(read="mail.manage_customers", write="mail.manage_customers")
def customer_new(request: HttpRequest) -> HttpResponse:
    """Add a customer at the user's unit (or at a unit of his scope given by its code)."""
    user = require_user(request.user)
    form = forms.CustomerForm()
    unit_code = request.GET.get("unit", "")[:20]
    status = 200
    if request.method == "POST":
        form = forms.CustomerForm(request.POST)
        unit_code = request.POST.get("unit", "")[:20]
        if form.is_valid():
            d = form.cleaned_data
            try:
                made = counter_services.create_customer(
                    actor=user,
                    unit=_customer_unit(user, unit_code),
                    name=d["name"],
                    kind=d["kind"],
                    phone=d["phone"],
                    address=d["address"],
                    contract_no=d["contract_no"],
                )
            except (NotFound, OutOfScope) as exc:
                form.add_error(None, _("Mã đơn vị: ") + exc.message)
            except DomainError as exc:
                _put_error(form, exc)
            else:
                messages.success(request, _("Đã thêm khách hàng %(name)s.") % {"name": made.name})
                return redirect("mail:customer", pk=made.pk)
        status = INVALID
    context = {"form": form, "unit_code": unit_code}
    return render(request, "mail/counter_customer_new.html", context, status=status)


@guard(read="mail.customers", write="mail.manage_customers")
def customer(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A customer's record (phone in full), its edit form, its mail this year and last."""
    user = require_user(request.user)
    found = counter_selectors.customer(user, pk)
    status = 200
    form = forms.CustomerForm(
        initial={
            "name": found.name,
            "kind": found.kind,
            "phone": found.phone,
            "address": found.address,
            "contract_no": found.contract_no,
            "version": found.version,
        }
    )
    if request.method == "POST":
        form = forms.CustomerForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                counter_services.update_customer(
                    actor=user,
                    customer=found,
                    name=d["name"],
                    kind=d["kind"],
                    phone=d["phone"],
                    address=d["address"],
                    contract_no=d["contract_no"],
                    expected_version=d["version"],
                )
            except DomainError as exc:
                _put_error(form, exc)
            else:
                messages.success(request, _("Đã lưu khách hàng."))
                return redirect("mail:customer", pk=found.pk)
        status = INVALID
    context = {
        "customer": found,
        "form": form,
        "volumes": _volumes(user, found),
    }
    return render(request, "mail/counter_customer.html", context, status=status)


def _volumes(user: User, found: Customer) -> list[Any]:
    try:
        return list(customer_selectors.customer_volumes(user, found))
    except Forbidden:
        return []


urlpatterns: list[URLPattern] = [
    path("", items, name="items"),
    path("accept/", accept, name="accept"),
    path("items/<str:s10>/", item, name="item"),
    path("items/<str:s10>/label/", label, name="label"),
    path("customers/", customers, name="customers"),
    path("customers/new/", customer_new, name="customer_new"),
    path("customers/<uuid:pk>/", customer, name="customer"),
]
