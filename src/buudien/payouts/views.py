"""Payout pages: lists and their progress, import, paying at the counter, returns, closing
and the reconciliation, the home round, the cashless drive."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buudien.core.errors import DomainError
from buudien.core.excel import ImportReport, error_report_xlsx, export_xlsx, xlsx_response
from buudien.core.ids import mask_citizen_id
from buudien.core.models import Role
from buudien.core.scoping import require_user, scope_of
from buudien.counter import selectors as counter_selectors
from buudien.network.models import PostUnit
from buudien.payouts import selectors, services
from buudien.payouts.models import Payout, Programme


@login_required
def index(request: HttpRequest) -> HttpResponse:
    rows = [(pl, selectors.progress(pl)) for pl in selectors.lists(request.user)[:60]]
    return render(
        request,
        "payouts/index.html",
        {
            "rows": rows,
            "can_import": not scope_of(request.user).read_only,
            "programmes": Programme.objects.all(),
        },
    )


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    user = require_user(request.user)
    result = None
    if request.method == "POST" and request.FILES.get("file"):
        programme = Programme.objects.get(code=request.POST["programme"])
        month = dt.date.fromisoformat(request.POST["month"] + "-01")
        mapping = {
            k: v.strip()
            for k in services.DEFAULT_HEADERS
            if (v := request.POST.get(f"map_{k}", "")).strip()
        }
        upload_file: Any = request.FILES["file"]
        try:
            result = services.import_list(
                actor=user,
                programme=programme,
                month=month,
                source=upload_file,
                source_name=str(upload_file.name or ""),
                mapping=mapping or None,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if result.ok and result.payout_list is not None:
                messages.success(
                    request,
                    _("Đã nhập %(n)s dòng, chia cho %(p)s điểm.")
                    % {"n": result.rows, "p": len(result.per_point)},
                )
                return redirect("payouts:list", list_id=result.payout_list.pk)
            if request.POST.get("as") == "xlsx":
                return xlsx_response(
                    error_report_xlsx(ImportReport(errors=result.errors)),
                    "loi-danh-sach-chi-tra.xlsx",
                )
    return render(
        request,
        "payouts/upload.html",
        {
            "programmes": Programme.objects.all(),
            "result": result,
            "headers": services.DEFAULT_HEADERS,
        },
    )


@login_required
def payout_list(request: HttpRequest, list_id: uuid.UUID) -> HttpResponse:
    user = require_user(request.user)
    pl = selectors.payout_list(user, list_id)
    q = request.GET.get("q", "")
    lines = list(selectors.lines(user, pl, q=q, status=request.GET.get("status", ""))[:50])
    return render(
        request,
        "payouts/list.html",
        {
            "pl": pl,
            "lines": lines,
            "q": q,
            "progress": selectors.progress(pl),
            "session": counter_selectors.open_session_of(user),
            "reasons": Payout.Reason.choices,
            "is_officer": user.role == Role.PARTNER_OFFICER,
            "masked": {x.pk: mask_citizen_id(x.beneficiary.citizen_id) for x in lines},
            "can_close": not scope_of(user).read_only and user.role != Role.CLERK,
            "rec": services.reconciliation(pl) if pl.state == "closed" else None,
        },
    )


@login_required
@require_POST
def pay(request: HttpRequest, line_id: int) -> HttpResponse:
    user = require_user(request.user)
    line = selectors.line(user, line_id)
    session = counter_selectors.open_session_of(user)
    try:
        if session is None:
            raise DomainError(_("Bạn cần mở ca giao dịch trước khi chi trả."))
        services.pay(
            payout=line,
            clerk=user,
            session=session,
            receiver=request.POST.get("receiver", "self"),
            receiver_id=request.POST.get("receiver_id", "").strip(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã chi trả %(name)s.") % {"name": line.beneficiary.name})
    return redirect(f"/payouts/lists/{line.list_id}/?q={request.POST.get('q', '')}")


@login_required
@require_POST
def return_line(request: HttpRequest, line_id: int) -> HttpResponse:
    user = require_user(request.user)
    line = selectors.line(user, line_id)
    try:
        services.return_unpaid(payout=line, actor=user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã trả lại dòng của %(n)s.") % {"n": line.beneficiary.name})
    return redirect(f"/payouts/lists/{line.list_id}/")


@login_required
@require_POST
def close(request: HttpRequest, list_id: uuid.UUID) -> HttpResponse:
    user = require_user(request.user)
    pl = selectors.payout_list(user, list_id)
    try:
        services.close_list(
            payout_list=pl, actor=user, return_rest=request.POST.get("return_rest") or None
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã quyết toán danh sách."))
    return redirect("payouts:list", list_id=pl.pk)


RECONCILIATION_HEADERS = [
    "Mã điểm",
    "Điểm",
    "Chi tại quầy (số)",
    "Chi tại quầy (tiền)",
    "Chi tại nhà (số)",
    "Chi tại nhà (tiền)",
    "Chi qua tài khoản (số)",
    "Chi qua tài khoản (tiền)",
    "Trả lại (số)",
    "Trả lại (tiền)",
]
KEYS = ["paid_counter", "paid_home", "paid_account", "returned"]


@login_required
def reconciliation(request: HttpRequest, list_id: uuid.UUID, fmt: str) -> HttpResponse:
    pl = selectors.payout_list(request.user, list_id)
    rec = services.reconciliation(pl)
    if fmt == "xlsx":
        rows = [
            [r["code"], r["name"], *[r.get(f"{k}_{x}", 0) for k in KEYS for x in "ns"]]
            for r in rec.rows
        ]
        rows.append(["", "Tổng", *[rec.totals[f"{k}_{x}"] for k in KEYS for x in "ns"]])
        return xlsx_response(
            export_xlsx(
                title=f"Đối soát {pl}", headers=RECONCILIATION_HEADERS, rows=rows, sheet="Đối soát"
            ),
            f"doi-soat-{pl.programme.code}-{pl.month:%Y-%m}.xlsx",
        )
    from django.conf import settings
    from weasyprint import HTML

    html = render_to_string(
        "payouts/reconciliation.html",
        {
            "pl": pl,
            "rec": rec,
            "keys": KEYS,
            "font_dir": (settings.BASE_DIR / "static" / "fonts").as_uri(),
        },
    )
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="doi-soat-{pl.month:%Y-%m}.pdf"'
    return response


@login_required
def home_round(request: HttpRequest, list_id: uuid.UUID, code: str) -> HttpResponse:
    user = require_user(request.user)
    pl = selectors.payout_list(user, list_id)
    point = PostUnit.objects.get(code=code)
    lines = [
        x
        for x in selectors.lines(user, pl, status="pending").filter(point=point)
        if x.method == "home"
    ]
    return render(request, "payouts/round.html", {"pl": pl, "point": point, "lines": lines})


@login_required
def cashless(request: HttpRequest) -> HttpResponse:
    user = require_user(request.user)
    month = timezone.localdate().replace(day=1)
    if request.GET.get("month"):
        month = dt.date.fromisoformat(request.GET["month"] + "-01")
    points = list(
        PostUnit.objects.filter(kind="commune_point", path__startswith=scope_of(user).path or "/")[
            :300
        ]
    )
    return render(
        request, "payouts/cashless.html", {"rows": services.cashless(points, month), "month": month}
    )


@login_required
def settlement(request: HttpRequest, list_id: uuid.UUID) -> HttpResponse:
    pl = selectors.payout_list(request.user, list_id)
    return xlsx_response(
        export_xlsx(
            title="Lệnh chi",
            headers=services.SETTLEMENT_HEADERS,
            rows=services.settlement_rows(pl),
            sheet="Chi qua TK",
        ),
        f"lenh-chi-{pl.programme.code}-{pl.month:%Y-%m}.xlsx",
    )


@login_required
@require_POST
def bank_results(request: HttpRequest, list_id: uuid.UUID) -> HttpResponse:
    user = require_user(request.user)
    pl = selectors.payout_list(user, list_id)
    session = counter_selectors.open_session_of(user)
    if session is None or not request.FILES.get("file"):
        messages.error(request, _("Cần mở ca giao dịch và chọn tệp kết quả của ngân hàng."))
        return redirect("payouts:list", list_id=pl.pk)
    try:
        paid, failed, errors = services.apply_bank_results(
            actor=user, payout_list=pl, source=request.FILES["file"], session=session
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if errors:
            messages.error(request, " ".join(e.message for e in errors[:20]))
        else:
            messages.success(
                request,
                _("Ngân hàng: %(p)s dòng thành công, %(f)s thất bại.") % {"p": paid, "f": failed},
            )
    return redirect("payouts:list", list_id=pl.pk)


@login_required
def beneficiaries(request: HttpRequest) -> HttpResponse:
    from buudien.core.scoping import scoped_by_unit
    from buudien.core.text import search_terms
    from buudien.payouts.models import Beneficiary

    qs = scoped_by_unit(
        Beneficiary.objects.select_related("point"), request.user, unit_field="point"
    )
    q = request.GET.get("q", "")
    for term in search_terms(q):
        qs = qs.filter(search_text__contains=term)
    return render(
        request,
        "payouts/beneficiaries.html",
        {"people": [(b, mask_citizen_id(b.citizen_id)) for b in qs.order_by("name")[:100]], "q": q},
    )


@login_required
def beneficiary(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    from buudien.core.scoping import ensure_in_scope
    from buudien.payouts.models import Beneficiary

    user = require_user(request.user)
    person = Beneficiary.objects.select_related("point").get(pk=pk)
    ensure_in_scope(user, person.point.path)
    error = ""
    if request.method == "POST":

        def day(name: str) -> dt.date | None:
            raw = request.POST.get(name, "")
            return dt.date.fromisoformat(raw) if raw else None

        try:
            services.update_beneficiary(
                actor=user,
                beneficiary=person,
                status=request.POST.get("status") or None,
                status_date=day("status_date"),
                status_source=request.POST.get("status_source", ""),
                method=request.POST.get("method") or None,
                account_no=request.POST.get("account_no"),
                authorised_name=request.POST.get("authorised_name"),
                authorised_id=request.POST.get("authorised_id", ""),
                authorised_until=day("authorised_until"),
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("payouts:beneficiary", pk=person.pk)
    from buudien.core.audit import history

    return render(
        request,
        "payouts/beneficiary.html",
        {
            "b": person,
            "error": error,
            "data": request.POST,
            "statuses": person.Status.choices,
            "methods": person.Method.choices,
            "payouts": person.payouts.select_related("list__programme").order_by("-list__month")[
                :24
            ],
            "history": history(person)[:20],
        },
    )
