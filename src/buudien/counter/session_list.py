"""The list of shifts: filtered by status, point, clerk, business dates and discrepancy, sorted by
its headings, paged and exported with the same filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.core.errors import NotFound, OutOfScope
from buudien.core.excel import export_xlsx, xlsx_response
from buudien.counter import selectors
from buudien.counter.models import CounterSession
from buudien.network import selectors as network_selectors

PER_PAGE = 50
# Without dates the list opens on the last month: a province holds years of shifts.
DEFAULT_DAYS = 31
STATUSES = [*CounterSession.Status.choices, ("approved", gettext_lazy("Đã duyệt chênh lệch"))]
SORTS = {
    "date": ("business_date", "opened_at"),
    "unit": ("unit__name", "business_date"),
    "revenue": ("revenue", "business_date"),
    "status": ("status", "business_date"),
}


class SessionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Trạng thái"), choices=[("", ""), *STATUSES], required=False
    )
    point = forms.CharField(label=gettext_lazy("Đơn vị"), max_length=20, required=False)
    # The choices are the clerks whose shifts the user may see (set for each request).
    clerk = forms.ChoiceField(
        label=gettext_lazy("Nhân viên"),
        choices=[("", "")],
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy("Không có nhân viên này trong phạm vi của bạn.")
        },
    )
    date_from = forms.DateField(label=gettext_lazy("Từ ngày"), required=False)
    date_to = forms.DateField(label=gettext_lazy("Đến ngày"), required=False)
    discrepancy = forms.BooleanField(label=gettext_lazy("Có chênh lệch"), required=False)
    sort = forms.CharField(label=gettext_lazy("Sắp xếp"), max_length=20, required=False)


def _values(
    request: HttpRequest, clerks: list[tuple[str, str]]
) -> tuple[dict[str, Any], list[str]]:
    data = request.GET.copy()
    if "date_from" not in data and "date_to" not in data:
        data["date_from"] = (timezone.localdate() - dt.timedelta(days=DEFAULT_DAYS)).isoformat()
    form = SessionFilterForm(data)
    form.fields["clerk"].choices = [("", ""), *clerks]  # type: ignore[attr-defined]
    form.is_valid()
    values = dict.fromkeys(form.fields) | getattr(form, "cleaned_data", {})
    errors = [f"{form.fields[k].label}: {m}" for k, ms in form.errors.items() for m in ms]
    for name in form.errors:
        values[name] = None
    return values, errors


def _point_in_scope(request: HttpRequest, values: dict[str, Any]) -> list[str]:
    """A unit code outside the user's scope is named as such (and not filtered on), the same
    words as for a code that does not exist."""
    code = str(values.get("point") or "").strip()
    if not code:
        return []
    try:
        network_selectors.unit_by_code(user=request.user, code=code)
    except (NotFound, OutOfScope) as exc:
        values["point"] = None
        return [f"{SessionFilterForm.base_fields['point'].label}: {exc.message}"]
    return []


def _ordering(sort: str) -> list[str]:
    fields = SORTS.get(sort.removeprefix("-"), SORTS["date"])
    descending = sort.startswith("-") or sort.removeprefix("-") not in SORTS
    return [f"-{f}" for f in fields] if descending else list(fields)


def _badge(s: CounterSession) -> tuple[str, str]:
    """The shift's state as the list shows it: open, waiting for approval, approved, closed."""
    if s.status == CounterSession.Status.OPEN:
        return "info", _("Đang mở")
    if s.status == CounterSession.Status.PENDING_APPROVAL:
        return "warn", _("Chênh lệch, chờ duyệt")
    if s.approved_by_id:
        return "ok", _("Đã duyệt chênh lệch")
    return "muted", _("Đã kết ca")


def render_list(request: HttpRequest) -> HttpResponse:
    clerks = selectors.session_clerks(user=request.user)
    values, errors = _values(request, clerks)
    errors += _point_in_scope(request, values)
    sort = values["sort"] or "-date"
    qs = selectors.sessions(
        user=request.user,
        status=values["status"] or "",
        point=values["point"] or "",
        clerk=values["clerk"] or None,
        date_from=values["date_from"],
        date_to=values["date_to"],
        discrepancy=bool(values["discrepancy"]),
    ).order_by(*_ordering(sort))
    if request.GET.get("format") == "xlsx":
        return _export(qs)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "rows": [(s, *_badge(s)) for s in page],
        "values": values,
        "sort": sort,
        "errors": errors,
        "statuses": STATUSES,
        "clerks": clerks,
    }
    template = "counter/_sessions_table.html" if request.headers.get("HX-Request") else None
    return render(request, template or "counter/sessions.html", ctx)


def _export(qs: QuerySet[CounterSession]) -> HttpResponse:
    rows = (
        [
            s.business_date,
            s.unit.code,
            s.unit.name,
            s.clerk.display_name,
            _badge(s)[1],
            s.entries_count,
            s.revenue,
            s.opening_cash,
            s.expected_cash,
            s.counted_cash,
            s.discrepancy,
            s.discrepancy_reason,
        ]
        for s in qs.iterator(chunk_size=2000)
    )
    headers = [
        _("Ngày giao dịch"),
        _("Mã đơn vị"),
        _("Đơn vị"),
        _("Nhân viên"),
        _("Trạng thái"),
        _("Số giao dịch"),
        _("Doanh thu (đồng)"),
        _("Tiền đầu ca (đồng)"),
        _("Tiền theo sổ (đồng)"),
        _("Tiền kiểm đếm (đồng)"),
        _("Chênh lệch (đồng)"),
        _("Lý do chênh lệch"),
    ]
    content = export_xlsx(title=_("Ca làm việc"), headers=headers, rows=rows)
    return xlsx_response(content, "ca-lam-viec.xlsx")
