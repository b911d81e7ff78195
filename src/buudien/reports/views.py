"""Report pages with drill-down, downloads, and the manager's dashboard."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from buudien.core.errors import DomainError
from buudien.core.excel import xlsx_response
from buudien.network import selectors as network_selectors
from buudien.plans.periods import Period
from buudien.reports import exports


def period_from(data: Any) -> Period:
    today = timezone.localdate()
    try:
        year = int(data.get("year") or today.year)
        month = int(data["month"]) if data.get("month") else None
        quarter = int(data["quarter"]) if data.get("quarter") else None
        return Period.parse(year=year, month=month, quarter=quarter, ytd=bool(data.get("ytd")))
    except (TypeError, ValueError) as exc:
        raise DomainError(f"Kỳ báo cáo không hợp lệ: {exc}") from exc


@login_required
def report(request: HttpRequest, code: str) -> HttpResponse:
    unit = network_selectors.unit_by_code(request.user, code)
    period = period_from(request.GET)
    ctx = exports.context(request.user, unit, period)
    fmt = request.GET.get("format", "html")
    name = f"bao-cao-{unit.code}-{period.query.replace('&', '-').replace('=', '')}"
    if fmt == "xlsx":
        return xlsx_response(exports.xlsx(ctx), f"{name}.xlsx")
    if fmt == "pdf":
        response = HttpResponse(exports.pdf(ctx), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    return render(
        request,
        "reports/report.html",
        ctx
        | {
            "ancestors": _ancestors(unit),
            "years": range(period.year - 3, period.year + 2),
        },
    )


def _ancestors(unit: Any) -> list[Any]:
    from buudien.network.models import PostUnit

    codes = [c for c in unit.path.split("/") if c][:-1]
    found = {u.code: u for u in PostUnit.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    from buudien.reports.builders import plan_vs_actual
    from buudien.reports.charts import monthly_vs_plan

    user: Any = request.user
    unit = user.home_unit or (user.partner.served_by if user.partner else None)
    if unit is None:
        raise DomainError("Tài khoản chưa gắn với đơn vị nào.")
    today = timezone.localdate()
    year = int(request.GET.get("year") or today.year)
    month = int(request.GET.get("month") or (today.month if year == today.year else 12))
    period = Period(year, "ytd", month)
    report = plan_vs_actual(user, unit, period, with_children=False)
    return render(
        request,
        "reports/dashboard.html",
        {
            "report": report,
            "unit": unit,
            "period": period,
            "chart": monthly_vs_plan(report.monthly, "Doanh thu lũy kế theo tháng so với KH"),
        },
    )
