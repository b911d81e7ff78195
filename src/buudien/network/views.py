"""Network pages: list, overview, a unit's page, create/edit forms, Excel import/export."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from buudien.core import audit
from buudien.core.errors import DomainError
from buudien.core.excel import (
    error_report_xlsx,
    export_xlsx,
    run_import,
    template_xlsx,
    xlsx_response,
)
from buudien.core.scoping import can_manage, ensure_can_manage, require_user, scope_of
from buudien.network import selectors, services
from buudien.network.forms import ImportForm, ProfileForm, UnitForm
from buudien.network.importers import PointImport, export_rows
from buudien.network.models import CommunePointProfile, PostUnit


def _filter_context(request: HttpRequest, flt: selectors.UnitFilter) -> dict[str, Any]:
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return {
        "flt": flt,
        "areas": selectors.areas(request.user),
        "kinds": PostUnit.Kind.choices,
        "models": CommunePointProfile.OperatingModel.choices,
        "area_classes": CommunePointProfile.AreaClass.choices,
        "statuses": PostUnit.Status.choices,
        "connectivities": [
            ("no_internet", _("Không có internet cố định")),
            ("no_mobile_data", _("Không có dữ liệu di động (không sóng hoặc 2G)")),
            ("offline", _("Không internet lẫn dữ liệu di động")),
            ("no_computer", _("Không có máy tính")),
            ("terminal", _("Có máy tra cứu dịch vụ công")),
        ],
        "query": urlencode(params),
        "sort_query": urlencode({k: v for k, v in params.items() if k != "sort"}),
    }


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    flt = selectors.UnitFilter.from_query(request.GET)
    qs = selectors.units(request.user, flt)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    ctx = _filter_context(request, flt) | {
        "page": page,
        "rows": _rows(page.object_list),
        "no_internet_label": _("không internet"),
        "detail_base": reverse("network:list"),
        "can_create": not scope_of(request.user).read_only,
    }
    template = "network/_table.html" if request.headers.get("HX-Request") else "network/list.html"
    return render(request, template, ctx)


def _rows(units: Any) -> list[dict[str, str]]:
    """Plain strings for the table: the page renders fast even on a busy server."""
    kinds = dict(PostUnit.Kind.choices)
    statuses = dict(PostUnit.Status.choices)
    models = dict(CommunePointProfile.OperatingModel.choices)
    classes = dict(CommunePointProfile.AreaClass.choices)
    internet = dict(CommunePointProfile.InternetType.choices)
    coverage = dict(CommunePointProfile.Coverage.choices)
    out = []
    for u in units:
        prof = getattr(u, "profile", None) if u.kind == PostUnit.Kind.COMMUNE_POINT else None
        area = ""
        if u.kind == PostUnit.Kind.COMMUNE_POINT and u.parent and u.parent.parent:
            area = u.parent.parent.name
        elif u.kind == PostUnit.Kind.OFFICE and u.parent:
            area = u.parent.name
        out.append(
            {
                "code": u.code,
                "name": u.name,
                "kind": str(kinds[u.kind]),
                "area": area,
                "commune": u.commune.name if u.commune else "",
                "model": str(models[prof.operating_model]) if prof else "",
                "area_class": str(classes[prof.area_class]) if prof else "",
                "offline": bool(prof and prof.internet_type == "none"),
                "internet": str(internet[prof.internet_type]) if prof else "",
                "coverage": str(coverage[prof.mobile_coverage]) if prof else "",
                "status": u.status,
                "status_label": str(statuses[u.status]),
            }
        )
    return out


@login_required
def unit_export(request: HttpRequest) -> HttpResponse:
    flt = selectors.UnitFilter.from_query(request.GET)
    qs = selectors.units(request.user, flt)
    headers, rows = export_rows(qs)
    content = export_xlsx(title=_("Danh sách đơn vị"), headers=headers, rows=rows)
    return xlsx_response(content, "danh-sach-don-vi.xlsx")


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    rows = selectors.overview(request.user)
    return render(
        request,
        "network/overview.html",
        {"rows": rows, "total": selectors.overview_total(rows)},
    )


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.unit_by_code(request.user, code)
    profile = getattr(unit, "profile", None) if unit.is_point else None
    return render(
        request,
        "network/detail.html",
        {
            "unit": unit,
            "profile": profile,
            "children": selectors.children(request.user, unit)[:200],
            "ancestors": _ancestors(unit),
            "can_edit": can_manage(request.user, unit.path),
            "history": audit.history(unit)[:20],
        },
    )


def _ancestors(unit: PostUnit) -> list[PostUnit]:
    codes = [c for c in unit.path.split("/") if c][:-1]
    by_code = {u.code: u for u in PostUnit.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def _apply_errors(form: Any, exc: DomainError) -> None:
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    else:
        form.add_error(None, exc.message)


def _profile_data(form: ProfileForm) -> dict[str, Any]:
    return dict(form.cleaned_data.items())


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    actor = require_user(request.user)
    scope = scope_of(actor)
    if scope.read_only:
        ensure_can_manage(actor, scope.path or "/")
    kind = request.POST.get("kind") or request.GET.get("kind") or PostUnit.Kind.COMMUNE_POINT
    parents = selectors.parents_for(actor, kind)
    communes = selectors.communes_near(actor)
    form = UnitForm(
        request.POST or None,
        parents=parents,
        communes=communes,
        editing=False,
        initial={"kind": kind, "parent": request.GET.get("parent")},
    )
    pform = ProfileForm(request.POST or None, prefix="p")
    if request.method == "POST":
        is_point = kind == PostUnit.Kind.COMMUNE_POINT
        if form.is_valid() and (not is_point or pform.is_valid()):
            data = form.cleaned_data
            try:
                unit = services.create_unit(
                    actor=actor,
                    code=data["code"],
                    name=data["name"],
                    kind=data["kind"],
                    parent=data["parent"],
                    commune_id=_pk(data["commune"]),
                    address=data["address"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    phone=data["phone"],
                    opened_on=data["opened_on"],
                    profile=_profile_data(pform) if is_point else None,
                )
            except DomainError as exc:
                _apply_errors(pform if exc.field in pform.fields else form, exc)
            else:
                messages.success(request, _("Đã tạo đơn vị %(unit)s.") % {"unit": unit})
                return redirect("network:detail", code=unit.code)
    return render(
        request, "network/form.html", {"form": form, "pform": pform, "kind": kind, "editing": False}
    )


def _pk(obj: Model | None) -> Any:
    return obj.pk if obj is not None else None


@login_required
def unit_edit(request: HttpRequest, code: str) -> HttpResponse:
    actor = require_user(request.user)
    unit = selectors.unit_by_code(actor, code)
    ensure_can_manage(actor, unit.path)
    profile = getattr(unit, "profile", None) if unit.is_point else None
    form = UnitForm(
        request.POST or None,
        instance=unit,
        parents=PostUnit.objects.filter(children=unit),
        communes=selectors.communes_near(actor),
        editing=True,
        initial={"version": unit.version},
    )
    pform = ProfileForm(request.POST or None, prefix="p", instance=profile)
    if request.method == "POST" and form.is_valid() and (not unit.is_point or pform.is_valid()):
        data = form.cleaned_data
        try:
            services.update_unit(
                actor=actor,
                unit=unit,
                expected_version=data.get("version"),
                name=data["name"],
                commune_id=_pk(data["commune"]),
                address=data["address"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                phone=data["phone"],
                opened_on=data["opened_on"],
                profile=_profile_data(pform) if unit.is_point else None,
            )
        except DomainError as exc:
            _apply_errors(pform if exc.field in pform.fields else form, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("network:detail", code=unit.code)
    return render(
        request,
        "network/form.html",
        {"form": form, "pform": pform, "unit": unit, "kind": unit.kind, "editing": True},
    )


@login_required
def point_import(request: HttpRequest) -> HttpResponse:
    actor = require_user(request.user)
    scope = scope_of(actor)
    ensure_can_manage(actor, scope.path or "/")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = run_import(
            PointImport(),
            form.cleaned_data["file"],
            actor=actor,
            commit=not form.cleaned_data["dry_run"],
        )
        if report.errors and request.POST.get("as") == "xlsx":
            return xlsx_response(error_report_xlsx(report), "loi-nhap-diem.xlsx")
    return render(request, "network/import.html", {"form": form, "report": report})


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(template_xlsx(PointImport()), "mau-danh-sach-diem.xlsx")
