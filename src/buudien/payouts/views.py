"""Payout pages: lists and their progress, import, paying at the counter, returns, closing
and the reconciliation, the home round, the cashless drive."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.core import permissions
from buudien.core.audit import history
from buudien.core.errors import DomainError, Forbidden, NotFound, OutOfScope
from buudien.core.excel import ImportReport, error_report_xlsx, export_xlsx, xlsx_response
from buudien.core.ids import mask_citizen_id
from buudien.core.permissions import Target, guard
from buudien.core.scoping import require_user
from buudien.counter import selectors as counter_selectors
from buudien.network import selectors as network_selectors
from buudien.payouts import forms, selectors, services
from buudien.payouts.models import Beneficiary, Payout, PayoutList

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.counter.models import CounterSession

# Refusals of access go on to the 403/404 pages; other domain errors are shown on the page.
ACCESS_ERRORS = (Forbidden, OutOfScope, NotFound)
# Reasons a clerk can choose at the counter (a failed transfer comes from the bank's file).
RETURN_REASONS = [(v, label) for v, label in Payout.Reason.choices if v != Payout.Reason.FAILED]
PAGE_SIZE = 50


def _page(request: HttpRequest, items: Any) -> Page[Any]:
    """One page of a list (50 lines); a page number out of range shows the last page."""
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _export_requested(request: HttpRequest) -> bool:
    return request.GET.get("export") == "xlsx"


@guard(read="payouts.view")
def index(request: HttpRequest) -> HttpResponse:
    user = require_user(request.user)
    form = forms.ListFilters(request.GET, user=user)
    found = selectors.filtered_lists(
        user=user,
        programme=form.value("programme") or "",
        state=form.value("state") or "",
        month=form.value("month"),
        sort=form.value("sort") or "",
    )
    if _export_requested(request):
        return _lists_xlsx(user, list(found))
    page = _page(request, found)
    progress = selectors.progress_of(user=user, payout_lists=page.object_list)
    context = {
        "form": form,
        "page": page,
        "rows": [(pl, progress[pl.pk]) for pl in page.object_list],
        "sort": form.value("sort") or "-month",
    }
    return render(request, "payouts/index.html", context)


def _lists_xlsx(user: User, found: list[PayoutList]) -> HttpResponse:
    progress = selectors.progress_of(user=user, payout_lists=found)
    headers = [
        _("Chương trình"),
        _("Tháng"),
        _("Trạng thái"),
        _("Số dòng"),
        _("Tổng tiền"),
        _("Đã chi"),
        _("Trả lại"),
        _("Chờ chi"),
    ]
    rows = (
        [
            pl.programme.name,
            f"{pl.month:%m/%Y}",
            pl.get_state_display(),
            *(progress[pl.pk][k] for k in ("lines", "total", "paid_n", "returned_n", "pending_n")),
        ]
        for pl in found
    )
    return xlsx_response(
        export_xlsx(title=_("Danh sách chi trả"), headers=headers, rows=rows, sheet=_("Chi trả")),
        "danh-sach-chi-tra.xlsx",
    )


def _importable(user: User) -> list[Any]:
    """The programmes whose lists this user may import."""
    return [
        p
        for p in selectors.programmes(user=user)
        if permissions.allows(user, "payouts.import", selectors.programme_target(p))
    ]


@guard(read="payouts.import", write="payouts.import")
def upload(request: HttpRequest) -> HttpResponse:
    user = require_user(request.user)
    data = request.POST if request.method == "POST" else request.GET
    chosen = None
    if data.get("programme"):
        chosen = selectors.programme(user=user, code=data["programme"])
        permissions.require(user, "payouts.import", selectors.programme_target(chosen))
    result, error = None, None
    if request.method == "POST":
        try:
            result = _import(request, user, chosen)
        except ACCESS_ERRORS:
            raise
        except DomainError as exc:
            error = exc
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
    context = {
        "programmes": _importable(user),
        "chosen": chosen,
        "result": result,
        "error": error,
        "data": data,
        "headers": services.DEFAULT_HEADERS,
    }
    return render(request, "payouts/upload.html", context)


def _import(request: HttpRequest, user: User, programme: Any) -> services.ImportResult:
    if programme is None:
        raise DomainError(_("Hãy chọn chương trình."), field="programme")
    month = parse_month(request.POST.get("month", ""), field="month")
    upload_file: Any = request.FILES.get("file")
    mapping = {k: request.POST.get(f"map_{k}", "") for k in services.DEFAULT_HEADERS}
    return services.import_list(
        actor=user,
        programme=programme,
        month=month,
        source=upload_file,
        source_name=str(getattr(upload_file, "name", "") or ""),
        mapping=mapping,
    )


def parse_month(text: str, *, field: str) -> dt.date:
    """'2025-03' (or a day of it) as the first of the month; anything else names the field."""
    day = forms.first_of_month(text)
    if day is None:
        raise DomainError(_("Tháng không hợp lệ; ghi theo dạng 2025-03."), field=field)
    return day


@dataclass(frozen=True)
class LineRow:
    """A line as the list page shows it, with the actions this user can take on it."""

    line: Payout
    masked_id: str
    can_pay: bool
    can_return: bool


def _line_row(
    user: User, pl: PayoutList, line: Payout, session: CounterSession | None, today: dt.date
) -> LineRow:
    target = Target(path=line.point.path, agency_id=pl.programme.agency_id)
    pending = pl.state == PayoutList.State.OPEN and line.status == Payout.Status.PENDING
    payable = (
        pending
        and line.method != Beneficiary.Method.ACCOUNT
        and line.beneficiary.status == Beneficiary.Status.ACTIVE
        and services.in_window(pl, today)
        and session is not None
        and session.unit_id == line.point_id
    )
    return LineRow(
        line=line,
        masked_id=mask_citizen_id(line.beneficiary.citizen_id),
        can_pay=payable and permissions.allows(user, "payouts.pay", target),
        can_return=pending and permissions.allows(user, "payouts.return", target),
    )


@guard(read="payouts.view")
def payout_list(request: HttpRequest, list_id: uuid.UUID) -> HttpResponse:
    user = require_user(request.user)
    pl = selectors.payout_list(user=user, pk=list_id)
    form = forms.LineFilters(request.GET, user=user)
    flt = form.line_filter()
    found = selectors.filtered_lines(user=user, payout_list=pl, flt=flt)
    if _export_requested(request):
        return _lines_xlsx(pl, found)
    # A page of keys first (from the index alone), then only its 50 lines with their people.
    page = _page(request, found.values_list("pk", flat=True))
    shown = selectors.lines_by_pk(user=user, keys=list(page.object_list))
    session = counter_selectors.open_session_of(user=user)
    today = timezone.localdate()
    target = selectors.list_target(pl)
    context = {
        "pl": pl,
        "form": form,
        "flt": flt,
        "page": page,
        "rows": [_line_row(user, pl, x, session, today) for x in shown],
        "points": forms.point_choices(user),
        "hamlets": selectors.hamlets(user=user, payout_list=pl, point=flt.point),
        "progress": selectors.progress_of(user=user, payout_lists=[pl])[pl.pk],
        "session": session,
        "reasons": RETURN_REASONS,
        "back": request.GET.urlencode(),
        "can_pay": permissions.allows(user, "payouts.pay"),
        "can_settle": permissions.allows(user, "payouts.settlement", target),
        "can_bank": permissions.allows(user, "payouts.bank_results", target),
        "can_close": permissions.allows(user, "payouts.close", target),
        "rec": (
            services.reconciliation(user=user, payout_list=pl)
            if pl.state == PayoutList.State.CLOSED
            else None
        ),
    }
    return render(request, "payouts/list.html", context)


LINE_HEADERS = [
    gettext_lazy("Họ tên"),
    gettext_lazy("Số CCCD"),
    gettext_lazy("Thôn, bản"),
    gettext_lazy("Mã điểm"),
    gettext_lazy("Điểm"),
    gettext_lazy("Số tiền"),
    gettext_lazy("Hình thức"),
    gettext_lazy("Trạng thái"),
    gettext_lazy("Tình trạng người hưởng"),
    gettext_lazy("Ngày chi"),
    gettext_lazy("Người nhận"),
    gettext_lazy("Lý do trả lại"),
]


def _lines_xlsx(pl: PayoutList, found: Any) -> HttpResponse:
    """The filtered lines as a workbook, citizen ids masked as on the page."""
    rows = (
        [
            x.beneficiary.name,
            mask_citizen_id(x.beneficiary.citizen_id),
            x.beneficiary.hamlet,
            x.point.code,
            x.point.name,
            x.amount,
            x.get_method_display(),
            x.get_status_display(),
            x.beneficiary.get_status_display(),
            timezone.localtime(x.paid_at).strftime("%d/%m/%Y %H:%M") if x.paid_at else "",
            x.receiver,
            x.get_return_reason_display(),
        ]
        for x in found.iterator(chunk_size=2000)
    )
    return xlsx_response(
        export_xlsx(title=str(pl), headers=[str(h) for h in LINE_HEADERS], rows=rows),
        f"chi-tra-{pl.programme.code}-{pl.month:%Y-%m}.xlsx",
    )


def _back_to_list(line: Payout, back: str = "", q: str = "") -> HttpResponse:
    """Back to the list's page the form was posted from, with its filters, sort and page."""
    url = reverse("payouts:list", kwargs={"list_id": line.list_id})
    kept = QueryDict(selectors.clean_text(back, 1000), mutable=True)
    kept.pop("export", None)
    if q and "q" not in kept:
        kept["q"] = selectors.clean_text(q)
    query = kept.urlencode()
    return redirect(f"{url}?{query}" if query else url)


@guard(write="payouts.pay")
def pay(request: HttpRequest, line_id: int) -> HttpResponse:
    user = require_user(request.user)
    line = selectors.line(user=user, pk=line_id)
    session = counter_selectors.open_session_of(user=user)
    try:
        if session is None:
            raise DomainError(_("Bạn cần mở ca giao dịch trước khi chi trả."), field="session")
        services.pay(
            payout=line,
            clerk=user,
            session=session,
            receiver=request.POST.get("receiver", "self"),
            receiver_id=request.POST.get("receiver_id", "").strip(),
        )
    except ACCESS_ERRORS:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã chi trả %(name)s.") % {"name": line.beneficiary.name})
    return _back_to_list(line, request.POST.get("back", ""), request.POST.get("q", ""))


@guard(write="payouts.return")
def return_line(request: HttpRequest, line_id: int) -> HttpResponse:
    user = require_user(request.user)
    line = selectors.line(user=user, pk=line_id)
    try:
        services.return_unpaid(payout=line, actor=user, reason=request.POST.get("reason", ""))
    except ACCESS_ERRORS:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã trả lại dòng của %(n)s.") % {"n": line.beneficiary.name})
    return _back_to_list(line, request.POST.get("back", ""))


@guard(write="payouts.close")
def close(request: HttpRequest, list_id: uuid.UUID) -> HttpResponse:
    user = require_user(request.user)
    pl = selectors.payout_list(user=user, pk=list_id)
    try:
        services.close_list(
            payout_list=pl, actor=user, return_rest=request.POST.get("return_rest") or None
        )
    except ACCESS_ERRORS:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã quyết toán danh sách."))
    return redirect("payouts:list", list_id=pl.pk)


RECONCILIATION_HEADERS = [
    gettext_lazy("Mã điểm"),
    gettext_lazy("Điểm"),
    gettext_lazy("Chi tại quầy (số)"),
    gettext_lazy("Chi tại quầy (tiền)"),
    gettext_lazy("Chi tại nhà (số)"),
    gettext_lazy("Chi tại nhà (tiền)"),
    gettext_lazy("Chi qua tài khoản (số)"),
    gettext_lazy("Chi qua tài khoản (tiền)"),
    gettext_lazy("Trả lại (số)"),
    gettext_lazy("Trả lại (tiền)"),
]
KEYS = ["paid_counter", "paid_home", "paid_account", "returned"]


@guard(read="payouts.reconciliation")
def reconciliation(request: HttpRequest, list_id: uuid.UUID, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "pdf"}:
        raise NotFound(_("Đối soát chỉ có dạng Excel (.xlsx) hoặc PDF."))
    user = require_user(request.user)
    pl = selectors.payout_list(user=user, pk=list_id)
    rec = services.reconciliation(user=user, payout_list=pl)
    return _reconciliation_xlsx(rec) if fmt == "xlsx" else _reconciliation_pdf(rec)


def _reconciliation_xlsx(rec: services.Reconciliation) -> HttpResponse:
    pl = rec.payout_list
    rows = [
        [r["code"], r["name"], *[r.get(f"{k}_{x}", 0) for k in KEYS for x in "ns"]]
        for r in rec.rows
    ]
    rows.append(["", _("Tổng"), *[rec.totals[f"{k}_{x}"] for k in KEYS for x in "ns"]])
    return xlsx_response(
        export_xlsx(
            title=_("Đối soát %(list)s") % {"list": pl},
            headers=[str(h) for h in RECONCILIATION_HEADERS],
            rows=rows,
            sheet=_("Đối soát"),
        ),
        f"doi-soat-{pl.programme.code}-{pl.month:%Y-%m}.xlsx",
    )


def _reconciliation_pdf(rec: services.Reconciliation) -> HttpResponse:
    from weasyprint import HTML

    pl = rec.payout_list
    html = render_to_string(
        "payouts/reconciliation.html",
        {
            "pl": pl,
            "rec": rec,
            "keys": KEYS,
            "font_dir": (settings.BASE_DIR / "static" / "fonts").as_uri(),
            "landscape": True,
        },
    )
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="doi-soat-{pl.month:%Y-%m}.pdf"'
    return response


@guard(read="payouts.view")
def home_round(request: HttpRequest, list_id: uuid.UUID, code: str) -> HttpResponse:
    user = require_user(request.user)
    pl = selectors.payout_list(user=user, pk=list_id)
    if not selectors.CODE.fullmatch(code):
        raise NotFound(_("Không tìm thấy điểm."))
    point = network_selectors.unit_by_code(user=user, code=code)
    lines = selectors.lines(user=user, payout_list=pl, status="pending", method="home", point=point)
    return render(request, "payouts/round.html", {"pl": pl, "point": point, "lines": lines})


@guard(read="payouts.cashless")
def cashless(request: HttpRequest) -> HttpResponse:
    user = require_user(request.user)
    form = forms.CashlessFilters(request.GET, user=user)
    month = form.value("month") or timezone.localdate().replace(day=1)
    sort = form.value("sort") or "code"
    points = network_selectors.units(
        user,
        network_selectors.UnitFilter(
            kind="commune_point", area=form.value("area") or "", q=form.value("q") or "", sort=sort
        ),
    )
    if _export_requested(request):
        return _cashless_xlsx(month, list(points))
    page = _page(request, points)
    context = {
        "form": form,
        "page": page,
        "rows": selectors.cashless(month=month, points=list(page.object_list)),
        "month": month,
        "sort": sort,
    }
    return render(request, "payouts/cashless.html", context)


def _cashless_xlsx(month: dt.date, points: list[Any]) -> HttpResponse:
    headers = [
        _("Mã điểm"),
        _("Điểm"),
        _("Tài khoản đã mở"),
        _("Số dòng chi trả"),
        _("Số dòng qua tài khoản"),
        _("% không dùng tiền mặt"),
    ]
    rows = (
        [
            r["point"].code,
            r["point"].name,
            r["accounts"],
            r["lines"],
            r["account_lines"],
            r["share"],
        ]
        for r in selectors.cashless(month=month, points=points)
    )
    return xlsx_response(
        export_xlsx(title=_("Chi trả không dùng tiền mặt"), headers=headers, rows=rows),
        f"khong-tien-mat-{month:%Y-%m}.xlsx",
    )


@guard(read="payouts.settlement")
def settlement(request: HttpRequest, list_id: uuid.UUID) -> HttpResponse:
    user = require_user(request.user)
    pl = selectors.payout_list(user=user, pk=list_id)
    return xlsx_response(
        export_xlsx(
            title=_("Lệnh chi"),
            headers=services.SETTLEMENT_HEADERS,
            rows=services.settlement_rows(actor=user, payout_list=pl),
            sheet=_("Chi qua TK"),
        ),
        f"lenh-chi-{pl.programme.code}-{pl.month:%Y-%m}.xlsx",
    )


@guard(write="payouts.bank_results")
def bank_results(request: HttpRequest, list_id: uuid.UUID) -> HttpResponse:
    user = require_user(request.user)
    pl = selectors.payout_list(user=user, pk=list_id)
    try:
        paid, failed, errors = services.apply_bank_results(
            actor=user,
            payout_list=pl,
            source=request.FILES.get("file"),
            session=counter_selectors.open_session_of(user=user),
        )
    except ACCESS_ERRORS:
        raise
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


@guard(read="payouts.beneficiaries")
def beneficiaries(request: HttpRequest) -> HttpResponse:
    user = require_user(request.user)
    form = forms.PeopleFilters(request.GET, user=user)
    found = selectors.beneficiaries(
        user=user,
        q=selectors.clean_text(form.value("q")),
        point=form.value("point"),
        status=form.value("status") or "",
        method=form.value("method") or "",
        programme=form.chosen_programme(),
        sort=form.value("sort") or "name",
    )
    if _export_requested(request):
        return _people_xlsx(found)
    page = _page(request, found)
    context = {
        "form": form,
        "page": page,
        "people": [(b, mask_citizen_id(b.citizen_id)) for b in page.object_list],
        "points": forms.point_choices(user),
        "sort": form.value("sort") or "name",
    }
    return render(request, "payouts/beneficiaries.html", context)


def _people_xlsx(found: Any) -> HttpResponse:
    headers = [
        _("Họ tên"),
        _("Số CCCD"),
        _("Mã điểm"),
        _("Điểm"),
        _("Thôn, bản"),
        _("Hình thức nhận"),
        _("Tình trạng"),
    ]
    rows = (
        [
            b.name,
            mask_citizen_id(b.citizen_id),
            b.point.code,
            b.point.name,
            b.hamlet,
            b.get_method_display(),
            b.get_status_display(),
        ]
        for b in found.iterator(chunk_size=2000)
    )
    return xlsx_response(
        export_xlsx(title=_("Đối tượng hưởng"), headers=headers, rows=rows),
        "doi-tuong-huong.xlsx",
    )


@guard(read="payouts.beneficiaries", write="payouts.update_beneficiary")
def beneficiary(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = require_user(request.user)
    person = selectors.beneficiary(user=user, pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.update_beneficiary(actor=user, beneficiary=person, **_changes(request.POST))
        except ACCESS_ERRORS:
            raise
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("payouts:beneficiary", pk=person.pk)
    target = selectors.beneficiary_target(person)
    context = {
        "b": person,
        "error": error,
        "data": request.POST,
        "can_edit": permissions.allows(user, "payouts.update_beneficiary", target),
        "statuses": Beneficiary.Status.choices,
        "methods": Beneficiary.Method.choices,
        "payouts": selectors.beneficiary_lines(user=user, beneficiary=person),
        "history": history(person)[:20],
    }
    return render(request, "payouts/beneficiary.html", context)


def _changes(post: QueryDict) -> dict[str, Any]:
    """The beneficiary form's fields as the service takes them; a bad date names its field."""
    return {
        "status": post.get("status") or None,
        "status_date": _day(post, "status_date"),
        "status_source": post.get("status_source", ""),
        "method": post.get("method") or None,
        "account_no": post.get("account_no"),
        "authorised_name": post.get("authorised_name"),
        "authorised_id": post.get("authorised_id", ""),
        "authorised_until": _day(post, "authorised_until"),
    }


def _day(post: QueryDict, name: str) -> dt.date | None:
    raw = (post.get(name) or "").strip()
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 2100:
        raise DomainError(_("Ngày không hợp lệ; ghi theo dạng 2025-03-31."), field=name)
    return day
