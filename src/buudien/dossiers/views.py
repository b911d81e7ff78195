"""Dossier pages: intake, lists with deadlines, a dossier's page and steps, slips, batches,
the public look-up and the outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buudien.core.errors import DomainError
from buudien.core.excel import export_xlsx, xlsx_response
from buudien.core.ids import mask_citizen_id, mask_phone
from buudien.core.models import OutboxMessage, Role
from buudien.core.scoping import require_user, scope_of
from buudien.counter import selectors as counter_selectors
from buudien.dossiers import selectors, services
from buudien.dossiers.api import client_address
from buudien.dossiers.errors import DossierError
from buudien.dossiers.models import Batch, Complaint, Procedure, RequiredDocument
from buudien.dossiers.services import TRANSITIONS, DocumentIn
from buudien.network.models import Partner

LISTS = [
    ("overdue", _("Quá hạn")),
    ("today", _("Đến hạn hôm nay")),
    ("week", _("Đến hạn tuần này")),
    ("open", _("Đang xử lý")),
]


def public_lookup(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()
    last4 = request.GET.get("phone_last4", "").strip()
    view = error = None
    if code:
        try:
            view = selectors.public_lookup(
                code=code, phone_last4=last4, address=client_address(request)
            )
        except DossierError as exc:
            error = exc.message
    return render(
        request,
        "dossiers/lookup.html",
        {"view": view, "error": error, "code": code, "last4": last4},
        status=429 if error and "quá nhiều" in error else 200,
    )


@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    flt = selectors.DueFilter(
        which=request.GET.get("which", "overdue"),
        point=request.GET.get("point", ""),
        agency=request.GET.get("agency", ""),
        procedure=request.GET.get("procedure", ""),
        q=request.GET.get("q", ""),
    )
    qs = selectors.due_list(request.user, flt)
    today = timezone.localdate()
    if request.GET.get("format") == "xlsx":
        rows = (
            [
                d.code,
                d.procedure.name,
                d.point.name,
                d.agency.name,
                d.get_status_display(),
                d.received_at.date(),
                d.due_date,
                d.step_due,
                selectors.late_days(d, today),
            ]
            for d in qs.iterator(chunk_size=2000)
        )
        return xlsx_response(
            export_xlsx(
                title="Hồ sơ",
                headers=[
                    "Mã hồ sơ",
                    "Thủ tục",
                    "Điểm",
                    "Cơ quan",
                    "Trạng thái",
                    "Ngày nhận",
                    "Hẹn trả",
                    "Hạn bước hiện tại",
                    "Số ngày làm việc trễ",
                ],
                rows=rows,
            ),
            "ho-so.xlsx",
        )
    page = list(qs[:100])
    return render(
        request,
        "dossiers/list.html",
        {
            "flt": flt,
            "lists": LISTS,
            "rows": [(d, selectors.late_days(d, today)) for d in page],
            "count": qs.count(),
            "alerts": selectors.unconfirmed_batches(request.user),
            "agencies": Partner.objects.filter(procedures__isnull=False).distinct(),
            "is_officer": getattr(request.user, "role", "") == Role.PARTNER_OFFICER,
        },
    )


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    user = require_user(request.user)
    session = counter_selectors.open_session_of(user)
    procedure = None
    code = request.POST.get("procedure") or request.GET.get("procedure")
    if code:
        procedure = Procedure.objects.filter(code=code).select_related("agency").first()
    error = ""
    if request.method == "POST" and procedure is not None:
        if session is None:
            error = _("Bạn cần mở ca giao dịch trước khi tiếp nhận hồ sơ (thu phí vào ca).")
        else:
            docs = []
            for req in procedure.documents.all():
                count = request.POST.get(f"doc_{req.pk}_count", "0").strip() or "0"
                if request.POST.get(f"doc_{req.pk}") and count.isdigit() and int(count) > 0:
                    docs.append(
                        DocumentIn(
                            req.pk,
                            req.name,
                            request.POST.get(f"doc_{req.pk}_form", "original"),
                            int(count),
                        )
                    )
            try:
                dossier = services.intake(
                    clerk=user,
                    session=session,
                    procedure=procedure,
                    citizen_name=request.POST.get("citizen_name", ""),
                    citizen_id=request.POST.get("citizen_id", ""),
                    phone=request.POST.get("phone", ""),
                    address=request.POST.get("address", ""),
                    documents=docs,
                    channel=request.POST.get("channel", "counter"),
                    home_delivery=bool(request.POST.get("home_delivery")),
                    representative_name=request.POST.get("representative_name", ""),
                    representative_id=request.POST.get("representative_id", ""),
                    request_key=request.POST.get("request_key", ""),
                )
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(
                    request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code}
                )
                return redirect("dossiers:detail", code=dossier.code)
    return render(
        request,
        "dossiers/intake.html",
        {
            "session": session,
            "procedure": procedure,
            "error": error,
            "data": request.POST,
            "procedures": selectors.procedures(request.GET.get("q", ""))[:200],
            "forms": RequiredDocument.Form.choices,
            "request_key": timezone.now().timestamp(),
        },
    )


def _qr(url: str) -> str:
    return mark_safe(segno.make(url, error="m").svg_inline(scale=3))


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    user = require_user(request.user)
    d = selectors.dossier(user, code)
    if request.method == "POST":
        action = request.POST.get("action", "")
        data: dict[str, Any] = {
            k: request.POST.get(k, "") for k in ("what", "reason", "receiver", "receipt_no")
        }
        for key in ("by", "next_attempt", "appointment_date"):
            raw = request.POST.get(key, "")
            data[key] = dt.date.fromisoformat(raw) if raw else None
        try:
            services.transition(
                dossier=d,
                actor=user,
                action=action,
                expected_version=int(request.POST.get("version", "0") or 0),
                note=request.POST.get("note", ""),
                **data,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã cập nhật hồ sơ."))
        return redirect("dossiers:detail", code=d.code)
    is_officer = user.role == Role.PARTNER_OFFICER
    actions = [
        (name, _(TRANSITIONS[name].label))
        for name in services.allowed_actions(d)
        if TRANSITIONS[name].by_agency == is_officer
        and name not in {"send", "collect", "hand_over", "arrive"}
    ]
    full = scope_of(user).covers(d.point.path)
    return render(
        request,
        "dossiers/detail.html",
        {
            "d": d,
            "events": d.events.select_related("actor"),
            "documents": d.documents.all(),
            "actions": actions,
            "complaints": d.complaints.all(),
            "citizen_id": d.citizen_id if full else mask_citizen_id(d.citizen_id),
            "phone": d.phone if full else mask_phone(d.phone),
            "late": selectors.late_days(d),
        },
    )


@login_required
def slip(request: HttpRequest, code: str) -> HttpResponse:
    d = selectors.dossier(request.user, code)
    url = request.build_absolute_uri(reverse("lookup")) + f"?code={d.code}"
    return render(
        request,
        "dossiers/slip.html",
        {"d": d, "documents": d.documents.all(), "qr": _qr(url), "url": url},
    )


@login_required
def batches(request: HttpRequest) -> HttpResponse:
    user = require_user(request.user)
    if request.method == "POST":
        agency = Partner.objects.get(code=request.POST["agency"])
        direction = request.POST.get("direction", Batch.Direction.TO_AGENCY)
        codes = request.POST.getlist("dossier")
        chosen = list(selectors.dossiers(user).filter(code__in=codes))
        try:
            unit = user.home_unit
            if unit is None:
                raise DomainError(_("Tài khoản chưa gắn với đơn vị."))
            batch = services.open_batch(
                actor=user, unit=unit, agency=agency, direction=direction, dossiers=chosen
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(f"{reverse('dossiers:batches')}?agency={agency.code}")
        return redirect("dossiers:batch", batch_code=batch.code)
    agency_code = request.GET.get("agency", "")
    ready = back = []
    if agency_code:
        mine = selectors.dossiers(user).filter(agency__code=agency_code, batch__isnull=True)
        ready = list(mine.filter(status__in=["received", "supplemented"])[:300])
        back = list(mine.filter(status__in=["result_ready", "rejected"])[:300])
    scope = scope_of(user)
    listed = Batch.objects.select_related("agency", "unit").order_by("-created_at")
    if user.role == Role.PARTNER_OFFICER:
        listed = listed.filter(agency_id=scope.partner_id)
    else:
        listed = (
            listed.filter(unit__path__startswith=scope.path or "/")
            if not scope.everything
            else listed
        )
    return render(
        request,
        "dossiers/batches.html",
        {
            "batches": listed[:100],
            "agencies": Partner.objects.filter(procedures__isnull=False).distinct(),
            "agency": agency_code,
            "ready": ready,
            "back": back,
            "alerts": selectors.unconfirmed_batches(user),
        },
    )


@login_required
def batch_detail(request: HttpRequest, batch_code: str) -> HttpResponse:
    user = require_user(request.user)
    batch = (
        Batch.objects.select_related("agency", "unit", "created_by").filter(code=batch_code).first()
    )
    if batch is None:
        return render(request, "404.html", {"message": _("Không có biên bản này.")}, status=404)
    scope = scope_of(user)
    if user.role == Role.PARTNER_OFFICER:
        if batch.agency_id != scope.partner_id:
            return render(
                request, "403.html", {"message": _("Biên bản không thuộc cơ quan.")}, status=403
            )
    elif not scope.covers(batch.unit.path):
        return render(request, "403.html", {"message": _("Ngoài phạm vi.")}, status=403)
    items = list(batch.items.select_related("dossier", "dossier__procedure"))
    return render(
        request,
        "dossiers/batch.html",
        {
            "batch": batch,
            "items": items,
            "total": sum(i.documents for i in items),
            "is_officer": user.role == Role.PARTNER_OFFICER,
        },
    )


@login_required
@require_POST
def batch_action(request: HttpRequest, batch_code: str) -> HttpResponse:
    user = require_user(request.user)
    batch = Batch.objects.get(code=batch_code)
    try:
        if request.POST.get("do") == "send":
            services.send_batch(actor=user, batch=batch)
            messages.success(request, _("Đã giao biên bản."))
        else:
            receipts = {}
            for item in batch.items.select_related("dossier"):
                c = item.dossier.code
                raw = request.POST.get(f"appointment_{c}", "")
                receipts[c] = (
                    request.POST.get(f"receipt_{c}", ""),
                    dt.date.fromisoformat(raw) if raw else None,
                )
            if request.FILES.get("signed_slip"):
                batch.signed_slip = request.FILES["signed_slip"]
                batch.save(update_fields=["signed_slip"])
            services.confirm_batch(actor=user, batch=batch, receipts=receipts)
            messages.success(request, _("Đã xác nhận biên bản."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("dossiers:batch", batch_code=batch.code)


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    return render(
        request, "dossiers/outbox.html", {"messages_out": OutboxMessage.objects.all()[:200]}
    )


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Dossiers received and returned by point, agency, procedure, channel; on-time rates."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        month = int(request.GET["month"]) if request.GET.get("month") else None
    except ValueError:
        year, month = today.year, None
    start = dt.date(year, month or 1, 1)
    end = (
        dt.date(year + (month == 12), (month % 12) + 1, 1) - dt.timedelta(days=1)
        if month
        else dt.date(year, 12, 31)
    )
    all_tables = selectors.breakdowns(request.user, start=start, end=end)
    tables = [
        (by, label, all_tables[by])
        for by, label in (
            ("point", _("Theo điểm")),
            ("agency", _("Theo cơ quan")),
            ("procedure", _("Theo thủ tục")),
            ("channel", _("Theo kênh")),
        )
    ]
    if request.GET.get("format") == "xlsx":
        rows = (
            [label, r.label, r.received, r.returned, r.on_time, r.on_time_rate]
            for _by, label, table in tables
            for r in table
        )
        return xlsx_response(
            export_xlsx(
                title="Báo cáo hồ sơ",
                headers=[
                    "Nhóm",
                    "Đơn vị / cơ quan / thủ tục / kênh",
                    "Tiếp nhận",
                    "Đã trả",
                    "Trả đúng hẹn",
                    "% đúng hẹn",
                ],
                rows=rows,
            ),
            f"bao-cao-ho-so-{year}.xlsx",
        )
    return render(
        request,
        "dossiers/report.html",
        {"tables": tables, "year": year, "month": month, "start": start, "end": end},
    )


@login_required
def complaints(request: HttpRequest) -> HttpResponse:
    """Complaints with their deadlines; file one from a dossier, resolve it here."""
    user = require_user(request.user)
    if request.method == "POST":
        try:
            if request.POST.get("complaint"):
                complaint = Complaint.objects.select_related("dossier__point").get(
                    pk=request.POST["complaint"]
                )
                services.resolve_complaint(
                    actor=user,
                    complaint=complaint,
                    resolution=request.POST.get("resolution", ""),
                    compensation=int(request.POST.get("compensation") or 0),
                )
                messages.success(request, _("Đã ghi kết quả giải quyết."))
            else:
                d = selectors.dossier(user, request.POST.get("dossier", ""))
                services.file_complaint(
                    actor=user,
                    dossier=d,
                    kind=request.POST.get("kind", "other"),
                    description=request.POST.get("description", ""),
                    interprovincial=bool(request.POST.get("interprovincial")),
                )
                messages.success(request, _("Đã ghi nhận khiếu nại."))
                return redirect("dossiers:detail", code=d.code)
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
    qs = Complaint.objects.filter(dossier__in=selectors.dossiers(user)).select_related("dossier")
    return render(
        request,
        "dossiers/complaints.html",
        {"complaints": qs.order_by("resolved_at", "due_date")[:200], "today": timezone.localdate()},
    )


@login_required
def procedure_list(request: HttpRequest) -> HttpResponse:
    """The procedure catalogue, searchable, with Excel import for managers."""
    from buudien.core.excel import run_import, template_xlsx
    from buudien.dossiers.importers import ProcedureImport

    user = require_user(request.user)
    report = None
    if request.GET.get("template"):
        return xlsx_response(template_xlsx(ProcedureImport()), "mau-thu-tuc.xlsx")
    if request.method == "POST" and request.FILES.get("file"):
        if scope_of(user).read_only:
            return render(
                request, "403.html", {"message": _("Chỉ quản lý được nhập danh mục.")}, status=403
            )
        report = run_import(ProcedureImport(), request.FILES["file"], actor=user)
    return render(
        request,
        "dossiers/procedures.html",
        {
            "procedures": selectors.procedures(request.GET.get("q", "")).prefetch_related(
                "documents"
            )[:300],
            "report": report,
            "q": request.GET.get("q", ""),
            "can_import": not scope_of(user).read_only,
        },
    )
