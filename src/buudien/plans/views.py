"""Plans of a unit, revisions, allocation to children, manual figures (form and Excel)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core.errors import DomainError
from buudien.core.excel import run_import, template_xlsx, xlsx_response
from buudien.core.money import format_number, parse_amount
from buudien.core.permissions import Target, allows, guard
from buudien.core.scoping import require_user
from buudien.core.uploads import check_upload
from buudien.network import selectors as network_selectors
from buudien.plans import selectors, services
from buudien.plans.forms import (
    AllocateForm,
    PlanForm,
    RevenuePlanForm,
    UploadForm,
    WhenForm,
    parse_signed_amount,
)
from buudien.plans.importers import ManualValueImport
from buudien.plans.models import Indicator

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit


@dataclass(frozen=True)
class When:
    """The year and month a page is about; ok is False when what was asked for was invalid."""

    year: int
    month: int
    ok: bool


def _say_errors(request: HttpRequest, form: forms.Form) -> None:
    """Each error of a form as a message that names its field."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        prefix = f"{field.label}: " if field is not None else ""
        messages.error(request, prefix + " ".join(str(e) for e in errors))


def _when(request: HttpRequest) -> When:
    """The year and month asked for; this year's, with a message naming the field, if invalid."""
    data = QueryDict(mutable=True)
    for source in (request.GET, request.POST):
        for name in ("year", "month"):
            if source.get(name):
                data[name] = source[name]
    form = WhenForm(data)
    this_year = timezone.localdate().year
    if not form.is_valid():
        _say_errors(request, form)
        return When(this_year, 1, ok=False)
    return When(form.cleaned_data["year"] or this_year, form.cleaned_data["month"] or 1, ok=True)


def _page(unit: PostUnit, year: int, month: int | None = None, name: str = "plans:unit") -> str:
    query = f"?year={year}" + (f"&month={month}" if month else "")
    return reverse(name, kwargs={"code": unit.code}) + query


@dataclass(frozen=True)
class UnitProgress:
    """A unit on the plans landing page: its plans and what the user may open of it."""

    unit: PostUnit
    rows: list[selectors.Progress]
    can_manage: bool
    can_see_manual: bool
    can_allocate: bool


@guard(read="plans.view")
def index(request: HttpRequest) -> HttpResponse:
    """The plans of the user's unit and the units it allocates to, with progress to date."""
    user = request.user
    when = _when(request)
    home = network_selectors.home_unit(user=user)
    units = [home, *selectors.units_below(unit=home)]
    today = timezone.localdate()
    through = today.month if when.year == today.year else 12
    with_manual = allows(user, "plans.view_manual", Target(path=home.path))
    rows = selectors.progress(
        user=user, units=units, year=when.year, through_month=through, with_manual=with_manual
    )
    shown = []
    for unit in units:
        target = Target(path=unit.path)
        shown.append(
            UnitProgress(
                unit=unit,
                rows=[r for r in rows if r.unit.pk == unit.pk],
                can_manage=allows(user, "plans.manage", target),
                can_see_manual=allows(user, "plans.view_manual", target),
                can_allocate=unit.kind in selectors.CHILD_KINDS,
            )
        )
    return render(
        request,
        "plans/index.html",
        {
            "home": home,
            "year": when.year,
            "through": through,
            "units": shown,
            "can_upload": allows(user, "plans.enter_manual"),
        },
    )


@guard(read="plans.view", write="plans.manage")
def unit_plans(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's plans for a year, the forms to set one or the revenue plan, and the checks."""
    user = request.user
    unit = network_selectors.unit(user=user, code=code)
    when = _when(request)
    posted = request.POST if request.method == "POST" else None
    revenue_posted = posted is not None and posted.get("form") == "revenue"
    form = PlanForm(None if revenue_posted else posted)
    revenue_form = RevenuePlanForm(posted if revenue_posted else None)
    if (
        posted is not None
        and when.ok
        and _save(require_user(user), unit, when.year, form, revenue_form)
    ):
        messages.success(request, _("Đã lưu kế hoạch."))
        return redirect(_page(unit, when.year))
    target = Target(path=unit.path)
    with_manual = allows(user, "plans.view_manual", target)
    return render(
        request,
        "plans/unit.html",
        {
            "unit": unit,
            "year": when.year,
            "plans": selectors.revisions(unit=unit, year=when.year, with_manual=with_manual),
            "form": form,
            "revenue_form": revenue_form,
            "revenue": selectors.revenue_plan(unit=unit, year=when.year),
            "gaps": selectors.allocation_gaps(unit=unit, year=when.year, with_manual=with_manual),
            "can_edit": allows(user, "plans.manage", target),
            "can_see_manual": with_manual,
            "can_report": allows(user, "reports.view", target),
            "allocate_form": AllocateForm(),
            "children": selectors.units_below(unit=unit),
        },
    )


def _save(
    actor: User, unit: PostUnit, year: int, form: PlanForm, revenue_form: RevenuePlanForm
) -> bool:
    """Save whichever form was posted; False (the errors on the form) when it was refused."""
    if revenue_form.is_bound:
        return revenue_form.is_valid() and _set_revenue_plan(actor, unit, year, revenue_form)
    return form.is_valid() and _set_plan(actor, unit, year, form)


def _set_revenue_plan(actor: User, unit: PostUnit, year: int, form: RevenuePlanForm) -> bool:
    data = form.cleaned_data
    try:
        services.set_revenue_plan(
            actor=actor,
            unit=unit,
            year=year,
            lines=form.lines(),
            phasing=data["phasing"],
            effective_from=data["effective_from"],
            note=data["note"],
        )
    except DomainError as exc:
        form.add_error(form.field_of(exc.field), exc.message)
        return False
    return True


def _set_plan(actor: User, unit: PostUnit, year: int, form: PlanForm) -> bool:
    data = form.cleaned_data
    try:
        monthly = data["months"]
        if data["phasing"] != "entered":
            monthly = services.phase(
                data["target"],
                by=data["phasing"],
                actor=actor,
                unit=unit,
                indicator=data["indicator"],
                year=year,
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
        return False
    return True


@guard(write="plans.manage")
def allocate(request: HttpRequest, code: str) -> HttpResponse:
    """Split a unit's plan over the units below it."""
    actor = require_user(request.user)
    unit = network_selectors.unit(user=actor, code=code)
    when = _when(request)
    form = AllocateForm(request.POST)
    if not form.is_valid():
        _say_errors(request, form)
    elif when.ok:
        _allocate(request, actor, unit, when.year, form)
    return redirect(_page(unit, when.year))


def _entered(data: Any, children: list[PostUnit]) -> dict[str, int]:
    """The targets typed for each child, each refused naming its unit."""
    entered: dict[str, int] = {}
    for child in children:
        try:
            entered[child.code] = parse_amount(data.get(f"t_{child.code}", ""))
        except ValueError as exc:
            raise DomainError(f"{child.name}: {exc}", field=f"t_{child.code}") from exc
    return entered


def _allocate(
    request: HttpRequest, actor: User, unit: PostUnit, year: int, form: AllocateForm
) -> None:
    method = form.cleaned_data["method"]
    try:
        entered = {}
        if method == "entered":
            entered = _entered(request.POST, selectors.units_below(unit=unit))
        plans = services.allocate(
            actor=actor,
            parent=unit,
            indicator=form.cleaned_data["indicator"],
            year=year,
            method=method,
            entered=entered,
            kinds=selectors.CHILD_KINDS.get(unit.kind, ("area",)),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã phân bổ kế hoạch cho %(n)s đơn vị.") % {"n": len(plans)})


def _read_values(
    data: Any, rows: list[tuple[Indicator, Any]]
) -> tuple[dict[str, int | None], dict[str, str], dict[str, str]]:
    """The figures typed for each manual indicator, what was typed, and each one's error."""
    values: dict[str, int | None] = {}
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    for ind, _value in rows:
        raw = str(data.get(ind.code, "")).strip()
        typed[ind.code] = raw
        try:
            values[ind.code] = parse_signed_amount(raw) if raw else None
        except ValueError as exc:
            errors[ind.code] = str(exc)
    return values, typed, errors


def _shown(value: int | None) -> str:
    return "" if value is None else format_number(value)


@guard(read="plans.view_manual", write="plans.enter_manual")
def manual_sheet(request: HttpRequest, code: str) -> HttpResponse:
    """The finance office's figures of a unit for a month."""
    unit = network_selectors.unit(user=request.user, code=code)
    when = _when(request)
    rows = selectors.manual_rows(unit=unit, year=when.year, month=when.month)
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST" and when.ok:
        values, typed, errors = _read_values(request.POST, rows)
        if not errors:
            try:
                n = services.enter_manual_values(
                    actor=require_user(request.user),
                    unit=unit,
                    year=when.year,
                    month=when.month,
                    values=values,
                )
            except DomainError as exc:
                errors[exc.field if exc.field in typed else ""] = exc.message
            else:
                messages.success(request, _("Đã lưu %(n)s số liệu.") % {"n": n})
                return redirect(_page(unit, when.year, when.month, "plans:manual"))
    shown = [(ind, typed.get(ind.code, _shown(v)), errors.get(ind.code, "")) for ind, v in rows]
    return render(
        request,
        "plans/manual.html",
        {
            "unit": unit,
            "year": when.year,
            "month": when.month,
            "rows": shown,
            "error": errors.get("", ""),
            "months": range(1, 13),
            "can_edit": allows(request.user, "plans.enter_manual", Target(path=unit.path)),
        },
    )


@guard(read="plans.enter_manual", write="plans.enter_manual")
def manual_upload(request: HttpRequest) -> HttpResponse:
    """Import the finance office's figures from Excel."""
    actor = require_user(request.user)
    bound = request.method == "POST"
    form = UploadForm(request.POST if bound else None, request.FILES if bound else None)
    report = None
    if bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_upload(upload, kinds=("xlsx",), field="file")
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            report = run_import(ManualValueImport(), upload, actor=actor)
    return render(request, "plans/upload.html", {"form": form, "report": report})


@guard(read="plans.enter_manual")
def manual_template(request: HttpRequest) -> HttpResponse:
    """An empty workbook with the columns of the manual figures."""
    return xlsx_response(template_xlsx(ManualValueImport()), "mau-so-lieu-nhap-tay.xlsx")
