"""Plans of a unit, revisions, allocation to children, manual figures (form and Excel)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core.errors import DomainError
from buudien.core.excel import run_import, template_xlsx, xlsx_response
from buudien.core.money import parse_amount
from buudien.core.scoping import can_manage, ensure_can_manage, require_user
from buudien.network import selectors as network_selectors
from buudien.network.models import PostUnit
from buudien.plans import selectors, services
from buudien.plans.forms import AllocateForm, PlanForm, UploadForm
from buudien.plans.importers import ManualValueImport
from buudien.plans.models import Indicator

CHILD_KINDS = {"province": ("area",), "area": ("commune_point",), "office": ("commune_point",)}


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


@login_required
def unit_plans(request: HttpRequest, code: str) -> HttpResponse:
    unit = network_selectors.unit_by_code(request.user, code)
    year = _year(request)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = require_user(request.user)
        data = form.cleaned_data
        try:
            monthly = (
                data["months"]
                if data["phasing"] == "entered"
                else services.phase(
                    data["target"],
                    by=data["phasing"],
                    unit=unit,
                    indicator=data["indicator"],
                    year=year,
                )
            )
            services.set_plan(
                actor=actor,
                unit=unit,
                indicator=data["indicator"],
                year=year,
                target=data["target"],
                monthly=monthly,
                effective_from=data["effective_from"],
                note=data["note"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Đã lưu kế hoạch."))
            return redirect(f"{request.path}?year={year}")
    gaps = []
    kinds = CHILD_KINDS.get(unit.kind)
    if kinds:
        for ind in Indicator.objects.exclude(aggregation="ratio"):
            parent, children = services.allocation_gap(unit, ind, year, kinds)
            if parent or children:
                gaps.append((ind, parent, children, parent - children))
    return render(
        request,
        "plans/unit.html",
        {
            "unit": unit,
            "year": year,
            "plans": selectors.revisions(unit, year),
            "form": form,
            "gaps": gaps,
            "can_edit": can_manage(request.user, unit.path),
            "allocate_form": AllocateForm(),
            "children": _children(unit),
        },
    )


def _children(unit: PostUnit) -> list[PostUnit]:
    kinds = CHILD_KINDS.get(unit.kind, ())
    return list(
        PostUnit.objects.filter(path__startswith=unit.path, kind__in=kinds)
        .exclude(pk=unit.pk)
        .exclude(status="closed")
        .order_by("code")
    )


@login_required
def allocate(request: HttpRequest, code: str) -> HttpResponse:
    actor = require_user(request.user)
    unit = network_selectors.unit_by_code(actor, code)
    ensure_can_manage(actor, unit.path)
    year = _year(request)
    form = AllocateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entered: dict[str, int] = {}
        try:
            if form.cleaned_data["method"] == "entered":
                for child in _children(unit):
                    entered[child.code] = parse_amount(request.POST.get(f"t_{child.code}", ""))
            plans = services.allocate(
                actor=actor,
                parent=unit,
                indicator=form.cleaned_data["indicator"],
                year=year,
                method=form.cleaned_data["method"],
                entered=entered,
                kinds=CHILD_KINDS.get(unit.kind, ("area",)),
            )
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
        else:
            messages.success(
                request, _("Đã phân bổ kế hoạch cho %(n)s đơn vị.") % {"n": len(plans)}
            )
    return redirect(f"/plans/{unit.code}/?year={year}")


@login_required
def manual_sheet(request: HttpRequest, code: str) -> HttpResponse:
    unit = network_selectors.unit_by_code(request.user, code)
    year = _year(request)
    try:
        month = int(request.GET.get("month") or request.POST.get("month") or 1)
    except ValueError:
        month = 1
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        actor = require_user(request.user)
        values: dict[str, int | None] = {}
        for ind, _value in services.manual_rows(unit, year, month):
            raw = request.POST.get(ind.code, "").strip()
            typed[ind.code] = raw
            if not raw:
                values[ind.code] = None
                continue
            try:
                values[ind.code] = parse_amount(raw.lstrip("-")) * (
                    -1 if raw.startswith("-") else 1
                )
            except ValueError as exc:
                errors[ind.code] = str(exc)
        if not errors:
            try:
                n = services.enter_manual_values(
                    actor=actor, unit=unit, year=year, month=month, values=values
                )
            except DomainError as exc:
                errors[exc.field or ""] = exc.message
            else:
                messages.success(request, _("Đã lưu %(n)s số liệu.") % {"n": n})
                return redirect(f"{request.path}?year={year}&month={month}")
    rows = [
        (
            ind,
            typed.get(ind.code, "" if v is None else f"{v:,}".replace(",", ".")),
            errors.get(ind.code, ""),
        )
        for ind, v in services.manual_rows(unit, year, month)
    ]
    return render(
        request,
        "plans/manual.html",
        {
            "unit": unit,
            "year": year,
            "month": month,
            "rows": rows,
            "months": range(1, 13),
            "can_edit": can_manage(request.user, unit.path),
            "upload": UploadForm(),
        },
    )


@login_required
def manual_upload(request: HttpRequest) -> HttpResponse:
    actor = require_user(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = run_import(ManualValueImport(), form.cleaned_data["file"], actor=actor)
    return render(request, "plans/upload.html", {"form": form, "report": report})


@login_required
def manual_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(template_xlsx(ManualValueImport()), "mau-so-lieu-nhap-tay.xlsx")
