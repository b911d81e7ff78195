"""Cases for the network routes (HTML and API)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.access.case import Case
from tests.access.world import World

PROFILE = {
    "p-operating_model": "traditional",
    "p-area_class": "ordinary",
    "p-internet_type": "none",
    "p-mobile_coverage": "4g",
    "p-computers": "1",
    "p-books": "0",
    "p-newspapers_received": "0",
    "p-has_reading_room": "on",
}


def build(world: World) -> None:
    """The network routes act on the units every world already has."""


def _point(w: World, s: str) -> str:
    return w.side(s).point.code


def _new_code(w: World, s: str, suffix: str) -> str:
    return f"{w.side(s).point.code}{suffix}"


def _create_form(w: World, s: str) -> dict[str, Any]:
    return {
        "code": _new_code(w, s, "M"),
        "name": "Điểm mới qua trang",
        "kind": "commune_point",
        "parent": w.side(s).office.code,
        **PROFILE,
    }


def _edit_form(w: World, s: str) -> dict[str, Any]:
    return {"name": "Điểm đã đổi tên", **PROFILE}


def _import_file(w: World, s: str) -> dict[str, Any]:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã điểm", "Tên điểm", "Mã bưu cục quản lý"])
    sheet.append([_new_code(w, s, "X"), "Điểm nhập từ Excel", w.side(s).office.code])
    buffer = io.BytesIO()
    book.save(buffer)
    return {"file": SimpleUploadedFile("diem.xlsx", buffer.getvalue())}


def _api_create(w: World, s: str) -> dict[str, Any]:
    return {
        "code": _new_code(w, s, "A"),
        "name": "Điểm mới qua API",
        "kind": "commune_point",
        "parent_code": w.side(s).office.code,
    }


CASES: dict[str, Case] = {
    "network:list": Case(url=lambda w, s: "/network/", marker=_point, listing=True),
    "network:export": Case(url=lambda w, s: "/network/export.xlsx", listing=True),
    "network:overview": Case(
        url=lambda w, s: "/network/overview/",
        marker=lambda w, s: f"area={w.side(s).area.code}",
        listing=True,
    ),
    "network:create": Case(
        url=lambda w, s: f"/network/new/?kind=commune_point&parent={w.side(s).office.code}",
        data=_create_form,
        doer="area_manager",
    ),
    "network:import": Case(
        url=lambda w, s: "/network/import/",
        data=_import_file,
        listing=True,
        doer="area_manager",
    ),
    "network:import_template": Case(url=lambda w, s: "/network/import/template.xlsx", scoped=False),
    "network:detail": Case(url=lambda w, s: f"/network/{_point(w, s)}/", marker=_point),
    "network:edit": Case(
        url=lambda w, s: f"/network/{_point(w, s)}/edit/",
        data=_edit_form,
        marker=_point,
        doer="area_manager",
    ),
    "GET /api/network/units": Case(
        url=lambda w, s: "/api/network/units", marker=_point, listing=True
    ),
    "GET /api/network/units/{code}": Case(
        url=lambda w, s: f"/api/network/units/{_point(w, s)}", marker=_point
    ),
    "POST /api/network/units": Case(
        url=lambda w, s: "/api/network/units", data=_api_create, doer="area_manager"
    ),
    "PATCH /api/network/units/{code}": Case(
        url=lambda w, s: f"/api/network/units/{_point(w, s)}",
        data=lambda w, s: {"name": "Điểm đổi tên qua API"},
        marker=_point,
        doer="area_manager",
    ),
}
