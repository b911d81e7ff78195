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
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from buudien.core import audit
from buudien.core.errors import DomainError, Forbidden, NotFound, OutOfScope, Throttled
from buudien.core.excel import export_xlsx, template_xlsx, xlsx_response
from buudien.core.permissions import allows, guard
from buudien.core.scoping import require_user, scope_of
from buudien.core.throttle import client_address
from buudien.counter import selectors as counter_selectors
from buudien.dossiers import forms, selectors, services
from buudien.dossiers.errors import DossierError
from buudien.dossiers.importers import ProcedureImport
from buudien.dossiers.models import Batch, Dossier, Procedure, RequiredDocument
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
    """A citizen's look-up: the code (and the slip's token) with the last digits of his phone."""
    data = request.GET
    device, fresh = _device(request)
    view, error, status = None, "", 200
    if "phone_last4" in data:
        form = forms.LookupForm(data)
        if not form.is_valid():
            error = " ".join(forms.errors_of(form))
        else:
            try:
                view = selectors.public_lookup(
                    code=form.cleaned_data["code"],
                    phone_last4=form.cleaned_data["phone_last4"],
                    address=client_address(request),
                    device=device,
                    token=form.cleaned_data["t"],
                )
            except Throttled as exc:
                error, status = exc.message, 429
            except DossierError as exc:
                error = exc.message
    context = {
        "view": view,
        "error": error,
        "code": data.get("code", "")[:20],
        "token": data.get("t", "")[:32],
        "last4": data.get("phone_last4", "")[:4],
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


@guard(read="dossiers.view")
def dossier_list(request: HttpRequest) -> HttpResponse:
    """Open dossiers by deadline; the Excel export is recorded as a bulk access."""
    user = require_user(request.user)
    form = forms.ListFilterForm(request.GET)
    values = forms.cleaned_or_initial(form)
    flt = selectors.DueFilter(
        which=values["which"] or "overdue",
        point=values["point"] or "",
        agency=values["agency"] or "",
        procedure=values["procedure"] or "",
        q=values["q"] or "",
    )
    qs = selectors.due_list(user=user, flt=flt)
    if values["format"] == "xlsx":
        return _export_list(user, qs)
    today = timezone.localdate()
    return render(
        request,
        "dossiers/list.html",
        {
            "flt": flt,
            "lists": forms.WHICH,
            "errors": forms.errors_of(form),
            "rows": [(d, selectors.late_days(d, today)) for d in qs[:100]],
            "count": qs.count(),
            "alerts": selectors.unconfirmed_batches(user=user),
            "agencies": selectors.agencies(user=user),
        },
    )


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
    """Pick a procedure, then take in the citizen's documents and the fees."""
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
    return render(
        request,
        "dossiers/intake.html",
        {
            "session": session,
            "procedure": procedure,
            "documents": selectors.required_documents(procedure=procedure) if procedure else [],
            "error": error,
            "data": request.POST,
            "procedures": selectors.procedures(query=query)[:200],
            "forms": RequiredDocument.Form.choices,
            "request_key": secrets.token_hex(8),
        },
    )


def _take_in(
    request: HttpRequest, user: User, session: CounterSession | None, procedure: Procedure
) -> HttpResponse | str:
    """The dossier's page after intake, or why it was refused."""
    if session is None:
        return _("Bạn cần mở ca giao dịch trước khi tiếp nhận hồ sơ (thu phí vào ca).")
    form = forms.IntakeForm(request.POST)
    if not form.is_valid():
        return " ".join(forms.errors_of(form))
    fields = {k: v for k, v in form.cleaned_data.items() if k != "procedure"}
    fields["channel"] = fields["channel"] or Dossier.Channel.COUNTER
    try:
        dossier = services.intake(
            clerk=user,
            session=session,
            procedure=procedure,
            documents=_documents(request.POST, procedure),
            **fields,
        )
    except DomainError as exc:
        if isinstance(exc, ACCESS_ERRORS):
            raise
        return exc.message
    messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code})
    return redirect("dossiers:detail", code=dossier.code)


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
        messages.error(request, " ".join(forms.errors_of(form)))
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
    url = request.build_absolute_uri(reverse("lookup")) + "?" + query
    return render(
        request,
        "dossiers/slip.html",
        {"d": d, "documents": selectors.documents(dossier=d), "qr": _qr(url), "url": url},
    )


@guard(read="dossiers.view")
def batches(request: HttpRequest) -> HttpResponse:
    """Hand-over slips; the post picks an agency to see its waiting dossiers and results."""
    user = require_user(request.user)
    agency_code = request.GET.get("agency", "")[:32]
    ready: list[Dossier] = []
    back: list[Dossier] = []
    can_batch = allows(user, "dossiers.batch")
    if agency_code and can_batch:
        try:
            chosen = selectors.agency(user=user, code=agency_code)
        except NotFound as exc:
            messages.error(request, _("Cơ quan: ") + exc.message)
        else:
            ready, back = selectors.ready_for_batch(user=user, agency=chosen)
    return render(
        request,
        "dossiers/batches.html",
        {
            "batches": selectors.batches(user=user)[:100],
            "agencies": selectors.agencies(user=user),
            "agency": agency_code,
            "ready": ready,
            "back": back,
            "can_batch": can_batch,
            "alerts": selectors.unconfirmed_batches(user=user),
        },
    )


@guard(write="dossiers.batch")
def batch_open(request: HttpRequest) -> HttpResponse:
    """Open a slip for the chosen dossiers of one agency (or results to collect from it)."""
    user = require_user(request.user)
    form = forms.BatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(forms.errors_of(form)))
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
    """Complaints with their deadlines; a complaint is filed from its dossier's page."""
    user = require_user(request.user)
    listed = selectors.complaints(user=user).order_by("resolved_at", "due_date")[:200]
    return render(
        request,
        "dossiers/complaints.html",
        {"complaints": listed, "today": timezone.localdate()},
    )


@guard(write="dossiers.file_complaint")
def complaint_file(request: HttpRequest) -> HttpResponse:
    """Record a citizen's complaint about a dossier, with its deadline."""
    user = require_user(request.user)
    form = forms.ComplaintForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(forms.errors_of(form)))
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
        messages.error(request, " ".join(forms.errors_of(form)))
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


@guard(read="dossiers.outbox")
def outbox(request: HttpRequest) -> HttpResponse:
    """Messages sent to citizens about the dossiers in scope, phones masked."""
    rows = selectors.outbox(user=request.user)
    return render(request, "dossiers/outbox.html", {"messages_out": rows})


@guard(read="dossiers.view")
def report(request: HttpRequest) -> HttpResponse:
    """Dossiers received and returned by point, agency, procedure, channel; on-time rates."""
    today = timezone.localdate()
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = str(today.year)
    form = forms.ReportForm(data)
    errors = forms.errors_of(form) if not form.is_valid() else []
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
    return render(
        request,
        "dossiers/procedures.html",
        {
            "procedures": selectors.procedures(query=query).prefetch_related("documents")[:300],
            "report": result,
            "error": error,
            "q": query,
        },
        status=status,
    )
