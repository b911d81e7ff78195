"""Report pages with drill-down, downloads, and the manager's dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.core.excel import xlsx_response
from buudien.core.permissions import guard
from buudien.core.scoping import Actor
from buudien.network import selectors as network_selectors
from buudien.plans.periods import Period
from buudien.reports import builders, charts, exports

if TYPE_CHECKING:
    from buudien.network.models import PostUnit

MIN_YEAR, MAX_YEAR = 2000, 2100
FORMATS = [("html", "HTML"), ("xlsx", "Excel"), ("pdf", "PDF")]


class PeriodForm(forms.Form):
    """The period and the format a report is asked for in, from the query string."""

    year = forms.IntegerField(
        label=gettext_lazy("Năm"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False
    )
    quarter = forms.IntegerField(
        label=gettext_lazy("Quý"), min_value=1, max_value=4, required=False
    )
    month = forms.IntegerField(
        label=gettext_lazy("Tháng"), min_value=1, max_value=12, required=False
    )
    ytd = forms.BooleanField(label=gettext_lazy("Lũy kế"), required=False)
    format = forms.ChoiceField(label=gettext_lazy("Định dạng"), choices=FORMATS, required=False)


@dataclass(frozen=True)
class Asked:
    """What the query string asked for, read into valid values."""

    year: int | None
    quarter: int | None
    month: int | None
    ytd: bool
    format: str


def _asked(request: HttpRequest) -> Asked:
    """The query read through the form; on a bad value, a message naming the field, no filter."""
    form = PeriodForm(request.GET)
    if not form.is_valid():
        for name, errors in form.errors.items():
            messages.error(
                request, f"{form.fields[name].label}: {' '.join(str(e) for e in errors)}"
            )
        return Asked(None, None, None, ytd=False, format="html")
    d = form.cleaned_data
    return Asked(d["year"], d["quarter"], d["month"], d["ytd"], d["format"] or "html")


def _period(asked: Asked) -> Period:
    year = asked.year or timezone.localdate().year
    return Period.parse(year=year, month=asked.month, quarter=asked.quarter, ytd=asked.ytd)


@guard(read="reports.view")
def report(request: HttpRequest, code: str) -> HttpResponse:
    """The report of a unit for a period, as a page, a workbook or a PDF."""
    unit = network_selectors.unit(user=request.user, code=code)
    asked = _asked(request)
    period = _period(asked)
    ctx = exports.context(request.user, unit, period)
    name = f"bao-cao-{unit.code}-{period.query.replace('&', '-').replace('=', '')}"
    if asked.format == "xlsx":
        return xlsx_response(exports.xlsx(ctx), f"{name}.xlsx")
    if asked.format == "pdf":
        response = HttpResponse(exports.pdf(ctx), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    return render(
        request,
        "reports/report.html",
        ctx
        | {
            "ancestors": network_selectors.ancestors(user=request.user, unit=unit),
            "years": range(max(period.year - 3, MIN_YEAR), min(period.year + 2, MAX_YEAR) + 1),
        },
    )


def _is_partial(request: HttpRequest) -> bool:
    """An htmx request (or ?partial=1) wants the fragment alone, never the whole page."""
    return request.headers.get("HX-Request") == "true" or bool(request.GET.get("partial"))


@dataclass(frozen=True)
class Glance:
    """One indicator at a glance: this month's and the year to date's rows."""

    month: builders.Row
    ytd: builders.Row


def _glances(user: Actor, unit: PostUnit, year: int, month: int) -> tuple[list[Glance], Any]:
    """The headline indicators for the month and the year to date, and the year-to-date report
    (its monthly trend, its plan warning)."""
    ytd = builders.plan_vs_actual(
        user, unit, Period(year, "ytd", month), with_children=False, codes=builders.AT_A_GLANCE
    )
    this_month = builders.plan_vs_actual(
        user,
        unit,
        Period(year, "month", month),
        with_children=False,
        codes=builders.AT_A_GLANCE,
        with_monthly=False,
    )
    by_code = {r.indicator.code: r for r in this_month.rows}
    return [Glance(by_code[r.indicator.code], r) for r in ytd.rows], ytd


@guard(read="reports.view")
def dashboard(request: HttpRequest) -> HttpResponse:
    """The month and the year to date of the user's unit against its plan, at a glance."""
    unit = network_selectors.home_unit(user=request.user)
    asked = _asked(request)
    today = timezone.localdate()
    year = asked.year or today.year
    month = asked.month or (today.month if year == today.year else 12)
    glances, found = _glances(request.user, unit, year, month)
    partial = _is_partial(request)
    return render(
        request,
        "reports/_dashboard.html" if partial else "reports/dashboard.html",
        {
            "glances": glances,
            "report": found,
            "unit": unit,
            "period": found.period,
            "month": Period(year, "month", month),
            "full": not partial,
            "chart": charts.monthly_vs_plan(
                found.monthly, _("Doanh thu theo tháng so với kế hoạch")
            ),
        },
    )
