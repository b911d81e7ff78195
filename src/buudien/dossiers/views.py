"""Dossier pages: intake, lists with deadlines, a dossier's page and steps, slips, batches,
complaints, the public look-up and the outbox. Each route declares its one action per method."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from buudien.core import audit
from buudien.core.errors import DomainError, Forbidden, NotFound, OutOfScope, Throttled
from buudien.core.excel import export_xlsx, template_xlsx, xlsx_response
from buudien.core.forms import errors_of
from buudien.core.ids import mask_citizen_id, mask_phone
from buudien.core.permissions import allows, guard
from buudien.core.scoping import require_user, scope_of
from buudien.core.throttle import client_address
from buudien.counter import selectors as counter_selectors
from buudien.dossiers import filters, forms, selectors, services
from buudien.dossiers.errors import DossierError
from buudien.dossiers.importers import ProcedureImport
from buudien.dossiers.models import (
    Batch,
    Complaint,
    Dossier,
    Procedure,
    RequiredDocument,
    Status,
)
from buudien.dossiers.services import AGENCY_STEPS, POST_STEPS, TRANSITIONS, DocumentIn

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.counter.models import CounterSession

ACCESS_ERRORS = (Forbidden, NotFound, OutOfScope)
DEVICE_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
DEVICE_MAX_AGE = 365 * 24 * 3600


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


def _device(request: HttpRequest) -> tuple[str, str]:
    """The browser's look-up cookie ("" without one: cookie-less tries share one budget), and
    a new cookie to give it when it has none."""
    found = request.COOKIES.get(selectors.DEVICE_COOKIE, "")
    if DEVICE_RE.match(found):
        return found, ""
    return "", secrets.token_urlsafe(12)


@guard(read="public.lookup")
def public_lookup(request: HttpRequest) -> HttpResponse:
    """A citizen's tracking page: the slip's QR code opens it with the code and its token, and
    asks only for the last 4 digits of his phone; by hand, the code and the 4 digits."""
    data = request.GET
    device, fresh = _device(request)
    code = data.get("code", "").strip().upper()[:20]
    token = data.get("t", "").strip()[:32]
    from_slip = selectors.holds_slip(code=code, token=token)
    view, error, status = None, "", 200
    if "phone_last4" in data:
        view, error, status = _look_up(request, data, device, from_slip=from_slip)
    context = {
        "view": view,
        "error": error,
        "code": code,
        "token": token if from_slip else "",
        "from_slip": from_slip,
        "last4": data.get("phone_last4", "")[:4],
        "today": timezone.localdate(),
    }
    response = render(request, "dossiers/lookup.html", context, status=status)
    if fresh:
        response.set_cookie(
            selectors.DEVICE_COOKIE,
            fresh,
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def _look_up(
    request: HttpRequest, data: QueryDict, device: str, *, from_slip: bool
) -> tuple[selectors.PublicView | None, str, int]:
    """The dossier, or a message that never tells whether the code exists, and the status."""
    form = forms.LookupForm(data)
    if not form.is_valid():
        return None, " ".join(errors_of(form)), 200
    try:
        view = selectors.public_lookup(
            code=form.cleaned_data["code"],
            phone_last4=form.cleaned_data["phone_last4"],
            address=client_address(request),
            device=device,
            token=form.cleaned_data["t"],
        )
    except Throttled as exc:
        return None, exc.message, 429
    except DossierError:
        if from_slip:
            return (
                None,
                _(
                    "4 số cuối chưa khớp với số điện thoại đã đăng ký khi nộp hồ sơ. "
                    "Hãy kiểm tra lại rồi nhập lại."
                ),
                200,
            )
        return (
            None,
            _(
                "Chưa tìm thấy hồ sơ khớp với mã và 4 số cuối điện thoại này. Hãy kiểm tra "
                "lại mã trên phiếu gửi hồ sơ và số điện thoại đã đăng ký khi nộp."
            ),
            200,
        )
    return view, "", 200


PER_PAGE = 50

# A dossier's state as a badge: the post's work in blue, the citizen's or the agency's to do
# in amber, a refusal in red, a result on its way in green, a closed file grey.
STATUS_BADGES = {
    Status.RECEIVED: "info",
    Status.IN_TRANSIT: "info",
    Status.AT_AGENCY: "info",
    Status.SUPPLEMENT_REQUESTED: "warn",
    Status.SUPPLEMENTED: "info",
    Status.RESULT_READY: "ok",
    Status.REJECTED: "bad",
    Status.RESULT_COLLECTED: "ok",
    Status.AT_POINT: "ok",
    Status.OUT_FOR_DELIVERY: "info",
    Status.DELIVERY_FAILED: "warn",
    Status.RETURNED: "muted",
    Status.WITHDRAWN: "muted",
}


class CountedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator that counts on another queryset with the same rows: the one the database
    counts fastest need not be the one it pages fastest."""

    def __init__(self, rows: Any, per_page: int, *, counted: QuerySet[Any]) -> None:
        super().__init__(rows, per_page)
        self.counted = counted

    @cached_property
    def count(self) -> int:
        return self.counted.count()


def _list_page(request: HttpRequest, full: str, partial: str, ctx: dict[str, Any]) -> HttpResponse:
    """A list page, or only its table when htmx asks for it after a filter changed."""
    template = partial if request.headers.get("HX-Request") else full
    return render(request, template, ctx)


def _due_filter(values: dict[str, Any]) -> selectors.DueFilter:
    return selectors.DueFilter(
        which=values["which"] or "overdue",
        point=values["point"] or "",
        agency=values["agency"] or "",
        procedure=values["procedure"] or "",
        q=values["q"] or "",
        status=values["status"] or "",
        received_from=values["date_from"],
        received_to=values["date_to"],
        sort=values["sort"] or ("-received" if values["which"] == "all" else "step_due"),
    )


@guard(read="dossiers.view")
def dossier_list(request: HttpRequest) -> HttpResponse:
    """Dossiers by deadline or by any filter, paged and sorted; the Excel export (same filters)
    is recorded as a bulk access."""
    user = require_user(request.user)
    values, errors = filters.read(filters.DossierFilterForm(request.GET))
    flt = _due_filter(values)
    qs = selectors.due_list(user=user, flt=flt)
    if values["format"] == "xlsx":
        return _export_list(user, qs)
    today = timezone.localdate()
    counted = selectors.due_counted(user, flt)
    page = CountedPaginator(selectors.due_page(user, flt), PER_PAGE, counted=counted).get_page(
        request.GET.get("page")
    )
    rows = [(d, selectors.late_days(d, today), STATUS_BADGES.get(d.status, "")) for d in page]
    ctx = {
        "flt": flt,
        "lists": filters.LISTS,
        "statuses": Status.choices,
        "errors": errors,
        "page": page,
        "rows": rows,
        "alerts": selectors.unconfirmed_batches(user=user),
        "agencies": selectors.agencies(user=user),
        "points": selectors.points(user=user),
        "procedures": selectors.procedures().values_list("code", "name").order_by("name"),
    }
    return _list_page(request, "dossiers/list.html", "dossiers/_list_table.html", ctx)


def _export_list(user: User, qs: QuerySet[Dossier]) -> HttpResponse:
    today = timezone.localdate()
    audit.record_access(
        actor=user,
        action="dossiers.list_exported",
        object_type="dossiers.dossier",
        count=qs.count(),
        unit_path=scope_of(user).path or "",
        note=_("Xuất danh sách hồ sơ ra Excel"),
    )
    rows = (
        [
            d.code,
            d.citizen_name,
            mask_citizen_id(d.citizen_id),
            mask_phone(d.phone),
            d.procedure.name,
            d.point.name,
            d.agency.name,
            d.get_status_display(),
            timezone.localtime(d.received_at).date(),
            d.due_date,
            d.step_due,
            selectors.late_days(d, today),
        ]
        for d in qs.iterator(chunk_size=2000)
    )
    headers = [
        _("Mã hồ sơ"),
        _("Họ tên công dân"),
        _("Số CCCD"),
        _("Điện thoại"),
        _("Thủ tục"),
        _("Điểm"),
        _("Cơ quan"),
        _("Trạng thái"),
        _("Ngày nhận"),
        _("Hẹn trả"),
        _("Hạn bước hiện tại"),
        _("Số ngày làm việc trễ"),
    ]
    content = export_xlsx(title=_("Hồ sơ"), headers=headers, rows=rows)
    return xlsx_response(content, "ho-so.xlsx")


@guard(read="dossiers.intake", write="dossiers.intake")
def intake(request: HttpRequest) -> HttpResponse:
    """Pick a procedure, take in the citizen's documents, confirm the fees, then charge them."""
    user = require_user(request.user)
    session = counter_selectors.open_session_of(user)
    code = (request.POST.get("procedure") or request.GET.get("procedure") or "")[:32]
    procedure, error = None, ""
    if code:
        try:
            procedure = selectors.procedure(code=code)
        except NotFound as exc:
            error = _("Thủ tục: ") + exc.message
    if request.method == "POST" and procedure is not None:
        outcome = _take_in(request, user, session, procedure)
        if isinstance(outcome, HttpResponse):
            return outcome
        error = outcome
    query = request.GET.get("q", "")[:100]
    context: dict[str, Any] = {
        "session": session,
        "procedure": procedure,
        "error": error,
        "data": request.POST,
        "procedures": selectors.procedures(query=query)[:200],
        "forms": RequiredDocument.Form.choices,
        "request_key": request.POST.get("request_key", "")[:64] or secrets.token_hex(8),
    }
    if procedure is not None:
        context["documents"] = _document_rows(request.POST, procedure)
        fees = _fees(user, session, procedure, Dossier.Channel.HOME, home_delivery=True)
        shown = [(f, _charged(f.when, request.POST)) for f in fees]
        context["fees"] = shown
        context["fees_total"] = sum(f.amount or 0 for f, charged in shown if charged)
    return render(request, "dossiers/intake.html", context)


# The citizen's fields that `services.check_intake` checks before the fees are shown.
CHECKED_FIELDS = (
    "citizen_name",
    "citizen_id",
    "phone",
    "address",
    "representative_name",
    "representative_id",
)


def _take_in(
    request: HttpRequest, user: User, session: CounterSession | None, procedure: Procedure
) -> HttpResponse | str:
    """The confirmation with the fees (step "review"), the dossier's page after intake, or
    why it was refused; "edit" goes back to the form as it was typed."""
    step = request.POST.get("step", "")
    if step == "edit":
        return ""
    if session is None:
        return _("Bạn cần mở ca giao dịch trước khi tiếp nhận hồ sơ (thu phí vào ca).")
    form = forms.IntakeForm(request.POST)
    if not form.is_valid():
        return " ".join(errors_of(form))
    fields = {k: v for k, v in form.cleaned_data.items() if k != "procedure"}
    fields["channel"] = fields["channel"] or Dossier.Channel.COUNTER
    try:
        documents = _documents(request.POST, procedure)
        if step == "review":
            checked = {k: fields[k] for k in CHECKED_FIELDS}
            services.check_intake(
                procedure=procedure, channel=fields["channel"], documents=documents, **checked
            )
            return _confirmation(
                request,
                user=user,
                session=session,
                procedure=procedure,
                fields=fields,
                documents=documents,
            )
        dossier = services.intake(
            clerk=user, session=session, procedure=procedure, documents=documents, **fields
        )
    except DomainError as exc:
        if isinstance(exc, ACCESS_ERRORS):
            raise
        return exc.message
    messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code})
    return redirect("dossiers:detail", code=dossier.code)


def _confirmation(
    request: HttpRequest,
    *,
    user: User,
    session: CounterSession,
    procedure: Procedure,
    fields: dict[str, Any],
    documents: list[DocumentIn],
) -> HttpResponse:
    """What will be taken in and charged, with the form's values carried to the real post."""
    fees = _fees(user, session, procedure, fields["channel"], home_delivery=fields["home_delivery"])
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in {"csrfmiddlewaretoken", "step"}
        for value in values
    ]
    return render(
        request,
        "dossiers/intake.html",
        {
            "session": session,
            "procedure": procedure,
            "confirm": True,
            "fields": fields,
            "channel_label": Dossier.Channel(fields["channel"]).label,
            "chosen": documents,
            "form_labels": dict(RequiredDocument.Form.choices),
            "fees": fees,
            "total": sum(f.amount or 0 for f in fees),
            "carried": carried,
        },
    )


def _fees(
    user: User,
    session: CounterSession | None,
    procedure: Procedure,
    channel: str,
    *,
    home_delivery: bool,
) -> list[selectors.FeeLine]:
    """The fees priced at the point's kind of unit (the shift's, else the user's own)."""
    unit = session.unit if session is not None else user.home_unit
    return selectors.intake_fees(
        procedure=procedure,
        unit_kind=unit.kind if unit is not None else "",
        day=timezone.localdate(),
        channel=channel,
        home_delivery=home_delivery,
    )


def _charged(when: str, post: QueryDict) -> bool:
    """Whether a fee added by a choice of the form is charged with what was typed."""
    if when == "home_pickup":
        return post.get("channel") == Dossier.Channel.HOME
    if when == "home_delivery":
        return bool(post.get("home_delivery"))
    return True


def _document_rows(post: QueryDict, procedure: Procedure) -> list[dict[str, Any]]:
    """Each required document as the form shows it: ticked, its form and copies as typed."""
    rows = []
    for req in selectors.required_documents(procedure=procedure):
        name = f"doc_{req.pk}"
        default_form = "copy" if req.form == RequiredDocument.Form.COPY else "original"
        rows.append(
            {
                "req": req,
                "name": name,
                "checked": bool(post.get(name)),
                "form": post.get(f"{name}_form", default_form),
                "count": post.get(f"{name}_count", str(req.copies))[:3],
            }
        )
    return rows


def _documents(post: QueryDict, procedure: Procedure) -> list[DocumentIn]:
    """The documents ticked on the intake form, with their form and number of copies."""
    docs = []
    for req in selectors.required_documents(procedure=procedure):
        if not post.get(f"doc_{req.pk}"):
            continue
        count = post.get(f"doc_{req.pk}_count", "0").strip() or "0"
        if not (count.isascii() and count.isdigit()) or int(count) > services.MAX_COPIES:
            raise DomainError(
                _("Số bản của «%(name)s» phải là số từ 0 đến %(max)s.")
                % {"name": req.name, "max": services.MAX_COPIES},
                field=f"doc_{req.pk}_count",
            )
        form = post.get(f"doc_{req.pk}_form", RequiredDocument.Form.ORIGINAL)
        if int(count) > 0:
            docs.append(DocumentIn(req.pk, req.name, form, int(count)))
    return docs


def _qr(url: str) -> SafeString:
    return mark_safe(segno.make(url, error="m").svg_inline(scale=3))


@guard(read="dossiers.view", write="dossiers.post_step")
def detail(request: HttpRequest, code: str) -> HttpResponse:
    """A dossier's page; its form posts the post's steps (the agency's have their own route)."""
    user = require_user(request.user)
    if request.method == "POST":
        return _step(request, user, code, agency=False)
    page = selectors.dossier_page(user=user, code=code)
    target = services.target_of(page.dossier)
    open_steps = services.allowed_actions(page.dossier)

    def offered(names: list[str], action: str) -> list[tuple[str, str]]:
        if not allows(user, action, target):
            return []
        return [(n, _(TRANSITIONS[n].label)) for n in open_steps if n in names]

    return render(
        request,
        "dossiers/detail.html",
        {
            "page": page,
            "d": page.dossier,
            "post_actions": offered(POST_STEPS, "dossiers.post_step"),
            "agency_actions": offered(AGENCY_STEPS, "dossiers.agency_step"),
            "can_complain": allows(user, "dossiers.file_complaint", target),
        },
    )


@guard(write="dossiers.agency_step")
def agency_step(request: HttpRequest, code: str) -> HttpResponse:
    """The agency's officer records its own step on a dossier of his agency."""
    return _step(request, require_user(request.user), code, agency=True)


def _step(request: HttpRequest, user: User, code: str, *, agency: bool) -> HttpResponse:
    d = selectors.dossier(user=user, code=code)
    form = forms.StepForm(request.POST, agency=agency)
    if not form.is_valid():
        messages.error(request, " ".join(errors_of(form)))
        return redirect("dossiers:detail", code=d.code)
    _attempt(
        request,
        lambda: services.transition(
            dossier=d,
            actor=user,
            action=form.cleaned_data["action"],
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
            **form.step_data(),
        ),
        _("Đã cập nhật hồ sơ."),
    )
    return redirect("dossiers:detail", code=d.code)


@guard(read="dossiers.view")
def slip(request: HttpRequest, code: str) -> HttpResponse:
    """The citizen's slip; its QR code carries the look-up token, so he types only 4 digits."""
    d = selectors.dossier(user=request.user, code=code)
    query = urlencode({"code": d.code, "t": selectors.lookup_token(d.code)})
    lookup_url = request.build_absolute_uri(reverse("lookup"))
    url = lookup_url + "?" + query
    return render(
        request,
        "dossiers/slip.html",
        {
            "d": d,
            "documents": selectors.documents(dossier=d),
            "qr": _qr(url),
            "url": url,
            "lookup_url": lookup_url,
        },
    )


BATCH_BADGES: dict[str, str] = {
    Batch.State.OPEN: "info",
    Batch.State.SENT: "warn",
    Batch.State.CONFIRMED: "ok",
}


@guard(read="dossiers.view")
def batches(request: HttpRequest) -> HttpResponse:
    """Hand-over slips, filtered, sorted and paged; the post picks an agency to see its waiting
    dossiers and results."""
    user = require_user(request.user)
    values, errors = filters.read(filters.BatchFilterForm(request.GET))
    flt = selectors.BatchFilter(
        state=values["state"] or "",
        direction=values["direction"] or "",
        agency=values["agency"] or "",
        created_from=values["date_from"],
        created_to=values["date_to"],
        sort=values["sort"] or "-created",
    )
    qs = selectors.batch_list(user=user, flt=flt)
    if values["format"] == "xlsx":
        return _export_batches(qs)
    can_batch = allows(user, "dossiers.batch")
    late = selectors.unconfirmed_codes(user=user)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    ctx = {
        "flt": flt,
        "errors": errors,
        "page": page,
        "rows": [(b, "bad" if b.code in late else BATCH_BADGES[b.state]) for b in page],
        "states": Batch.State.choices,
        "directions": Batch.Direction.choices,
        "agencies": selectors.agencies(user=user),
        "can_batch": can_batch,
        "alerts": selectors.unconfirmed_batches(user=user),
    }
    if request.headers.get("HX-Request"):
        return render(request, "dossiers/_batches_table.html", ctx)
    return render(request, "dossiers/batches.html", ctx | _ready(request, user, can_batch))


def _ready(request: HttpRequest, user: User, can_batch: bool) -> dict[str, Any]:
    """The chosen agency's dossiers waiting to go, and results waiting to come back (the same
    agency filters the slips below)."""
    agency_code = request.GET.get("agency", "")[:32]
    ready: list[Dossier] = []
    back: list[Dossier] = []
    if agency_code and can_batch:
        try:
            chosen = selectors.agency(user=user, code=agency_code)
        except NotFound as exc:
            messages.error(request, _("Cơ quan: ") + exc.message)
        else:
            ready, back = selectors.ready_for_batch(user=user, agency=chosen)
    return {"agency": agency_code, "ready": ready, "back": back}


def _export_batches(qs: QuerySet[Batch]) -> HttpResponse:
    rows = (
        [
            b.code,
            b.get_direction_display(),
            b.agency.name,
            b.unit.name,
            b.get_state_display(),
            timezone.localtime(b.created_at).replace(tzinfo=None),
            timezone.localtime(b.sent_at).replace(tzinfo=None) if b.sent_at else None,
            timezone.localtime(b.confirmed_at).replace(tzinfo=None) if b.confirmed_at else None,
        ]
        for b in qs.iterator(chunk_size=2000)
    )
    headers = [
        _("Số biên bản"),
        _("Chiều giao nhận"),
        _("Cơ quan"),
        _("Đơn vị"),
        _("Trạng thái"),
        _("Lập lúc"),
        _("Giao lúc"),
        _("Xác nhận lúc"),
    ]
    content = export_xlsx(title=_("Biên bản giao nhận"), headers=headers, rows=rows)
    return xlsx_response(content, "bien-ban-giao-nhan.xlsx")


@guard(write="dossiers.batch")
def batch_open(request: HttpRequest) -> HttpResponse:
    """Open a slip for the chosen dossiers of one agency (or results to collect from it)."""
    user = require_user(request.user)
    form = forms.BatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(errors_of(form)))
        return redirect("dossiers:batches")
    agency = selectors.agency(user=user, code=form.cleaned_data["agency"])
    chosen = selectors.dossiers_by_code(user=user, codes=form.cleaned_data["dossier"])
    opened: list[Batch] = []
    done = _attempt(
        request,
        lambda: opened.append(
            services.open_batch(
                actor=user,
                agency=agency,
                direction=form.cleaned_data["direction"] or Batch.Direction.TO_AGENCY,
                dossiers=chosen,
            )
        ),
        _("Đã lập biên bản."),
    )
    if not done:
        return redirect(f"{reverse('dossiers:batches')}?agency={agency.code}")
    return redirect("dossiers:batch", batch_code=opened[0].code)


@guard(read="dossiers.view")
def batch_detail(request: HttpRequest, batch_code: str) -> HttpResponse:
    """A slip with its dossiers, and the one next step the user may take on it."""
    user = require_user(request.user)
    batch = selectors.batch(user=user, code=batch_code)
    items = selectors.batch_items(batch=batch)
    target = services.batch_target(batch)
    sent = batch.state == Batch.State.SENT
    to_agency = batch.direction == Batch.Direction.TO_AGENCY
    return render(
        request,
        "dossiers/batch.html",
        {
            "batch": batch,
            "items": items,
            "total": sum(i.documents for i in items),
            "can_send": batch.state == Batch.State.OPEN and allows(user, "dossiers.batch", target),
            "can_confirm": sent and to_agency and allows(user, "dossiers.confirm_handover", target),
            "can_arrive": sent
            and not to_agency
            and allows(user, "dossiers.confirm_arrival", target),
        },
    )


@guard(write="dossiers.batch")
def batch_send(request: HttpRequest, batch_code: str) -> HttpResponse:
    """The slip leaves the post with its dossiers (or its collected results)."""
    user = require_user(request.user)
    batch = selectors.batch(user=user, code=batch_code)
    _attempt(request, lambda: services.send_batch(actor=user, batch=batch), _("Đã giao biên bản."))
    return redirect("dossiers:batch", batch_code=batch.code)


@guard(write="dossiers.confirm_handover")
def batch_confirm(request: HttpRequest, batch_code: str) -> HttpResponse:
    """The agency confirms the slip it received, with its receipt numbers and dates."""
    user = require_user(request.user)
    batch = selectors.batch(user=user, code=batch_code)
    _attempt(
        request,
        lambda: services.confirm_handover(
            actor=user,
            batch=batch,
            receipts=_receipts(request.POST, batch),
            signed_slip=request.FILES.get("signed_slip"),
        ),
        _("Đã xác nhận biên bản."),
    )
    return redirect("dossiers:batch", batch_code=batch.code)


@guard(write="dossiers.confirm_arrival")
def batch_arrival(request: HttpRequest, batch_code: str) -> HttpResponse:
    """The point confirms that the results collected from the agency arrived."""
    user = require_user(request.user)
    batch = selectors.batch(user=user, code=batch_code)
    _attempt(
        request,
        lambda: services.confirm_arrival(
            actor=user, batch=batch, signed_slip=request.FILES.get("signed_slip")
        ),
        _("Đã xác nhận kết quả về đến điểm."),
    )
    return redirect("dossiers:batch", batch_code=batch.code)


def _receipts(post: QueryDict, batch: Batch) -> services.Receipts:
    receipts: services.Receipts = {}
    for item in selectors.batch_items(batch=batch):
        code = item.dossier.code
        appointment = forms.parse_date(
            post.get(f"appointment_{code}", ""),
            field=f"appointment_{code}",
            label=_("Ngày hẹn %(code)s") % {"code": code},
        )
        receipts[code] = (post.get(f"receipt_{code}", "").strip()[:40], appointment)
    return receipts


@guard(read="dossiers.view")
def complaints(request: HttpRequest) -> HttpResponse:
    """Complaints with their deadlines, filtered by state, kind, point and date; a complaint is
    filed from its dossier's page."""
    user = require_user(request.user)
    points = selectors.points(user=user)
    form = filters.ComplaintFilterForm(request.GET)
    form.fields["point"].choices = [("", ""), *points]  # type: ignore[attr-defined]
    values, errors = filters.read(form)
    flt = selectors.ComplaintFilter(
        state=values["state"] or "",
        kind=values["kind"] or "",
        received_from=values["date_from"],
        received_to=values["date_to"],
        sort=values["sort"] or "",
        point=values["point"] or "",
    )
    qs = selectors.complaint_list(user=user, flt=flt)
    if values["format"] == "xlsx":
        return _export_complaints(qs)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    ctx = {
        "flt": flt,
        "errors": errors,
        "page": page,
        "complaints": page.object_list,
        "states": filters.COMPLAINT_STATES,
        "kinds": Complaint.Kind.choices,
        "points": points,
        "today": timezone.localdate(),
    }
    return _list_page(request, "dossiers/complaints.html", "dossiers/_complaints_table.html", ctx)


def _export_complaints(qs: QuerySet[Complaint]) -> HttpResponse:
    rows = (
        [
            c.dossier.code,
            c.dossier.point.name,
            c.get_kind_display(),
            c.description,
            timezone.localtime(c.received_at).date(),
            c.due_date,
            timezone.localtime(c.resolved_at).date() if c.resolved_at else None,
            c.resolution,
            c.compensation,
        ]
        for c in qs.iterator(chunk_size=2000)
    )
    headers = [
        _("Mã hồ sơ"),
        _("Điểm"),
        _("Loại"),
        _("Nội dung"),
        _("Ngày nhận"),
        _("Hạn giải quyết"),
        _("Ngày giải quyết"),
        _("Kết quả"),
        _("Bồi thường (đồng)"),
    ]
    content = export_xlsx(title=_("Khiếu nại"), headers=headers, rows=rows)
    return xlsx_response(content, "khieu-nai.xlsx")


@guard(write="dossiers.file_complaint")
def complaint_file(request: HttpRequest) -> HttpResponse:
    """Record a citizen's complaint about a dossier, with its deadline."""
    user = require_user(request.user)
    form = forms.ComplaintForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(errors_of(form)))
        return redirect("dossiers:complaints")
    d = selectors.dossier(user=user, code=form.cleaned_data["dossier"])
    _attempt(
        request,
        lambda: services.file_complaint(
            actor=user,
            dossier=d,
            kind=form.cleaned_data["kind"],
            description=form.cleaned_data["description"],
            interprovincial=form.cleaned_data["interprovincial"],
        ),
        _("Đã ghi nhận khiếu nại."),
    )
    return redirect("dossiers:detail", code=d.code)


@guard(write="dossiers.resolve_complaint")
def complaint_resolve(request: HttpRequest, pk: Any) -> HttpResponse:
    """A manager closes a complaint with its resolution and any compensation."""
    user = require_user(request.user)
    complaint = selectors.complaint(user=user, pk=pk)
    form = forms.ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(errors_of(form)))
        return redirect("dossiers:complaints")
    _attempt(
        request,
        lambda: services.resolve_complaint(
            actor=user,
            complaint=complaint,
            resolution=form.cleaned_data["resolution"],
            compensation=form.cleaned_data["compensation"] or 0,
        ),
        _("Đã ghi kết quả giải quyết."),
    )
    return redirect("dossiers:complaints")


OUTBOX_KEPT = 2000


@guard(read="dossiers.outbox")
def outbox(request: HttpRequest) -> HttpResponse:
    """The latest messages sent to citizens about the dossiers in scope, phones masked, paged;
    filtered by day sent."""
    values, errors = filters.read(filters.OutboxFilterForm(request.GET))
    lo, hi = values["date_from"], values["date_to"]
    rows = [
        m
        for m in selectors.outbox(user=request.user, limit=OUTBOX_KEPT)
        if (lo is None or timezone.localtime(m.at).date() >= lo)
        and (hi is None or timezone.localtime(m.at).date() <= hi)
    ]
    if values["format"] == "xlsx":
        headers = [_("Lúc"), _("Đến số"), _("Chủ đề"), _("Nội dung"), _("Hồ sơ")]
        content = export_xlsx(
            title=_("Tin nhắn gửi công dân"),
            headers=headers,
            rows=(
                [timezone.localtime(m.at).replace(tzinfo=None), m.to, m.topic, m.body, m.ref]
                for m in rows
            ),
        )
        return xlsx_response(content, "tin-nhan.xlsx")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "messages_out": page.object_list,
        "errors": errors,
        "lo": lo,
        "hi": hi,
        "kept": OUTBOX_KEPT,
    }
    return render(request, "dossiers/outbox.html", ctx)


@guard(read="dossiers.view")
def report(request: HttpRequest) -> HttpResponse:
    """Dossiers received and returned by point, agency, procedure, channel; on-time rates."""
    today = timezone.localdate()
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = str(today.year)
    form = forms.ReportForm(data)
    errors = errors_of(form) if not form.is_valid() else []
    if errors:
        form = forms.ReportForm({"year": today.year})
        form.is_valid()
    year, month = form.cleaned_data["year"], form.cleaned_data.get("month")
    start, end = form.period()
    all_tables = selectors.breakdowns(user=request.user, start=start, end=end)
    tables = [
        (by, label, all_tables[by])
        for by, label in (
            ("point", _("Theo điểm")),
            ("agency", _("Theo cơ quan")),
            ("procedure", _("Theo thủ tục")),
            ("channel", _("Theo kênh")),
        )
    ]
    if not errors and form.cleaned_data.get("format") == "xlsx":
        return _export_report(tables, year)
    return render(
        request,
        "dossiers/report.html",
        {
            "tables": tables,
            "year": year,
            "month": month,
            "start": start,
            "end": end,
            "errors": errors,
        },
    )


def _export_report(
    tables: list[tuple[str, str, list[selectors.Breakdown]]], year: int
) -> HttpResponse:
    rows = (
        [label, r.label, r.received, r.returned, r.on_time, r.on_time_rate]
        for _by, label, table in tables
        for r in table
    )
    headers = [
        _("Nhóm"),
        _("Đơn vị / cơ quan / thủ tục / kênh"),
        _("Tiếp nhận"),
        _("Đã trả"),
        _("Trả đúng hẹn"),
        _("% đúng hẹn"),
    ]
    content = export_xlsx(title=_("Báo cáo hồ sơ"), headers=headers, rows=rows)
    return xlsx_response(content, f"bao-cao-ho-so-{year}.xlsx")


@guard(read="dossiers.procedures", write="dossiers.import_procedures")
def procedure_list(request: HttpRequest) -> HttpResponse:
    """The procedure catalogue, searchable; province managers import it from Excel."""
    user = require_user(request.user)
    if request.GET.get("template"):
        return xlsx_response(template_xlsx(ProcedureImport()), "mau-thu-tuc.xlsx")
    result, error, status = None, "", 200
    if request.method == "POST":
        try:
            result = services.import_procedures(actor=user, upload=request.FILES.get("file"))
        except DomainError as exc:
            if isinstance(exc, ACCESS_ERRORS):
                raise
            error = _("Tệp: ") + exc.message
        if error or (result is not None and result.errors):
            status = 422
    query = request.GET.get("q", "")[:100]
    agency, sort = request.GET.get("agency", "")[:32], request.GET.get("sort", "")[:20] or "name"
    qs = selectors.procedure_list(query=query, agency=agency, sort=sort)
    if request.GET.get("format") == "xlsx":
        return _export_procedures(qs)
    page = Paginator(qs.prefetch_related("documents"), PER_PAGE).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "procedures": page.object_list,
        "report": result,
        "error": error,
        "q": query,
        "agency": agency,
        "sort": sort,
        "agencies": selectors.agencies(user=user),
    }
    return render(request, "dossiers/procedures.html", ctx, status=status)


def _export_procedures(qs: QuerySet[Procedure]) -> HttpResponse:
    rows = (
        [p.code, p.name, p.field, p.agency.name, p.processing_days, p.agency_fee]
        for p in qs.iterator(chunk_size=500)
    )
    headers = [
        _("Mã thủ tục"),
        _("Tên thủ tục"),
        _("Lĩnh vực"),
        _("Cơ quan"),
        _("Thời hạn (ngày làm việc)"),
        _("Phí, lệ phí (đồng)"),
    ]
    content = export_xlsx(title=_("Thủ tục hành chính"), headers=headers, rows=rows)
    return xlsx_response(content, "thu-tuc.xlsx")
