"""Network pages: list, overview, a unit's page, create/edit forms, Excel import/export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from buudien.core.errors import DomainError
from buudien.core.excel import (
    error_report_xlsx,
    export_xlsx,
    run_import,
    template_xlsx,
    xlsx_response,
)
from buudien.core.permissions import Target, allows, guard, require
from buudien.core.scoping import require_user
from buudien.core.uploads import check_upload
from buudien.network import selectors, services
from buudien.network.forms import ImportForm, ProfileForm, UnitForm
from buudien.network.importers import PointImport, export_rows
from buudien.network.models import CommunePointProfile, PostUnit

if TYPE_CHECKING:
    from buudien.core.models import User


def _filter_context(request: HttpRequest, flt: selectors.UnitFilter) -> dict[str, Any]:
    return {
        "flt": flt,
        "areas": selectors.areas(user=request.user),
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
    }


# A unit's state as a badge: open for business, suspended for a while, closed for good.
STATUS_BADGES = {
    PostUnit.Status.ACTIVE: "ok",
    PostUnit.Status.SUSPENDED: "warn",
    PostUnit.Status.CLOSED: "bad",
}


@guard(read="network.view")
def unit_list(request: HttpRequest) -> HttpResponse:
    """The units in scope, filtered, searched and sorted; a table alone for htmx."""
    # An area outside the scope is answered like an unknown one (404): it reveals nothing.
    flt = selectors.UnitFilter.from_query(request.GET)
    qs = selectors.units(user=request.user, flt=flt)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    partial = bool(request.headers.get("HX-Request"))
    ctx = _filter_context(request, flt) | {
        "page": page,
        "rows": _rows(page.object_list),
        "no_internet_label": _("không internet"),
        "detail_base": reverse("network:list"),
        "can_create": allows(request.user, "network.manage"),
        "partial": partial,
    }
    template = "network/_table.html" if partial else "network/list.html"
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
                "badge": STATUS_BADGES.get(u.status, "muted"),
            }
        )
    return out


@guard(read="network.view")
def unit_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as a workbook in the import layout."""
    flt = selectors.UnitFilter.from_query(request.GET)
    headers, rows = export_rows(selectors.units(user=request.user, flt=flt))
    content = export_xlsx(title=_("Danh sách đơn vị"), headers=headers, rows=rows)
    return xlsx_response(content, "danh-sach-don-vi.xlsx")


@guard(read="network.view")
def overview(request: HttpRequest) -> HttpResponse:
    """Commune points by area: models and connectivity."""
    rows = selectors.overview(user=request.user)
    return render(
        request,
        "network/overview.html",
        {"rows": rows, "total": selectors.overview_total(rows)},
    )


@guard(read="network.view")
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's page: details, profile, units below, latest changes."""
    unit = selectors.unit(user=request.user, code=code)
    profile = getattr(unit, "profile", None) if unit.is_point else None
    return render(
        request,
        "network/detail.html",
        {
            "unit": unit,
            "profile": profile,
            "children": selectors.children(user=request.user, unit=unit)[:200],
            "ancestors": selectors.ancestors(user=request.user, unit=unit),
            "can_edit": allows(request.user, "network.manage", Target(path=unit.path)),
            "history": selectors.history(user=request.user, unit=unit),
        },
    )


def _apply_errors(form: Any, pform: Any, exc: DomainError) -> None:
    target = pform if exc.field in pform.fields else form
    if exc.field and exc.field in target.fields:
        target.add_error(exc.field, exc.message)
    else:
        target.add_error(None, exc.message)


def _pk(obj: Model | None) -> Any:
    return obj.pk if obj is not None else None


def _unit_fields(form: UnitForm) -> dict[str, Any]:
    data = form.cleaned_data
    keys = ("address", "latitude", "longitude", "phone", "opened_on")
    return {k: data[k] for k in keys} | {"commune_id": _pk(data["commune"])}


def _kind(request: HttpRequest) -> str:
    kind = request.POST.get("kind") or request.GET.get("kind") or ""
    return kind if kind in PostUnit.Kind.values else PostUnit.Kind.COMMUNE_POINT


def _valid(form: UnitForm, pform: ProfileForm, is_point: bool) -> bool:
    return form.is_valid() and (not is_point or pform.is_valid())


@guard(read="network.manage", write="network.manage")
def unit_create(request: HttpRequest) -> HttpResponse:
    """Register a unit under a parent in scope."""
    actor = require_user(request.user)
    kind = _kind(request)
    data = request.POST if request.method == "POST" else None
    parent = (data or request.GET).get("parent")
    if parent:
        # A parent outside the scope is answered like an unknown one: it reveals nothing.
        selectors.unit(user=actor, code=parent)
    form = UnitForm(
        data,
        parents=selectors.parents_for(user=actor, kind=kind),
        communes=selectors.communes_near(user=actor),
        editing=False,
        initial={"kind": kind, "parent": parent},
    )
    pform = ProfileForm(data, prefix="p")
    is_point = kind == PostUnit.Kind.COMMUNE_POINT
    if data is not None and _valid(form, pform, is_point):
        unit = _create(actor, form, pform, is_point=is_point)
        if unit is not None:
            messages.success(request, _("Đã tạo đơn vị %(unit)s.") % {"unit": unit})
            return redirect("network:detail", code=unit.code)
    return render(
        request, "network/form.html", {"form": form, "pform": pform, "kind": kind, "editing": False}
    )


def _create(actor: User, form: UnitForm, pform: ProfileForm, *, is_point: bool) -> PostUnit | None:
    data = form.cleaned_data
    try:
        return services.create_unit(
            actor=actor,
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            parent=data["parent"],
            profile=dict(pform.cleaned_data) if is_point else None,
            **_unit_fields(form),
        )
    except DomainError as exc:
        _apply_errors(form, pform, exc)
        return None


@guard(read="network.manage", write="network.manage")
def unit_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Change a unit's details and profile."""
    actor = require_user(request.user)
    unit = selectors.unit(user=actor, code=code)
    require(actor, "network.manage", Target(path=unit.path))
    data = request.POST if request.method == "POST" else None
    form = UnitForm(
        data,
        instance=unit,
        parents=selectors.parents_of(user=actor, unit=unit),
        communes=selectors.communes_near(user=actor),
        editing=True,
        initial={"version": unit.version},
    )
    profile = getattr(unit, "profile", None) if unit.is_point else None
    pform = ProfileForm(data, prefix="p", instance=profile)
    if data is not None and _valid(form, pform, unit.is_point):
        try:
            services.update_unit(
                actor=actor,
                unit=unit,
                expected_version=form.cleaned_data.get("version"),
                name=form.cleaned_data["name"],
                profile=dict(pform.cleaned_data) if unit.is_point else None,
                **_unit_fields(form),
            )
        except DomainError as exc:
            _apply_errors(form, pform, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("network:detail", code=unit.code)
    return render(
        request,
        "network/form.html",
        {"form": form, "pform": pform, "unit": unit, "kind": unit.kind, "editing": True},
    )


@guard(read="network.manage", write="network.manage")
def point_import(request: HttpRequest) -> HttpResponse:
    """Check or import a list of commune points from Excel."""
    actor = require_user(request.user)
    bound = request.method == "POST"
    form = ImportForm(request.POST if bound else None, request.FILES if bound else None)
    report = None
    if bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_upload(upload, kinds=("xlsx",), field="file")
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            report = run_import(
                PointImport(), upload, actor=actor, commit=not form.cleaned_data["dry_run"]
            )
            if report.errors and request.POST.get("as") == "xlsx":
                return xlsx_response(error_report_xlsx(report), "loi-nhap-diem.xlsx")
    return render(request, "network/import.html", {"form": form, "report": report})


@guard(read="network.manage")
def import_template(request: HttpRequest) -> HttpResponse:
    """An empty workbook with the import columns."""
    return xlsx_response(template_xlsx(PointImport()), "mau-danh-sach-diem.xlsx")
