"""Cases for the plans routes (HTML and API)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from buudien.core import reference
from buudien.core.models import Role
from buudien.plans import services
from buudien.plans.models import Indicator
from tests.access.case import Case
from tests.access.world import World


def build(world: World) -> None:
    """The indicators, and a yearly revenue plan for each side's area to allocate."""
    reference.load(only=["plans.indicators"])
    revenue = Indicator.objects.get(code="DT_TONG")
    for where in ("in", "out"):
        services.set_plan(
            actor=world.users[Role.ADMIN],
            unit=world.side(where).area,
            indicator=revenue,
            year=world.today.year,
            target=12_000_000,
        )


def _area(w: World, s: str) -> str:
    return w.side(s).area.code


def _point(w: World, s: str) -> str:
    return w.side(s).point.code


def _manual_file(w: World, s: str) -> dict[str, Any]:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Năm", "Tháng", "Mã chỉ tiêu", "Giá trị"])
    sheet.append([_area(w, s), w.today.year, 1, "QUY_LUONG", 5_000_000])
    buffer = io.BytesIO()
    book.save(buffer)
    return {"file": SimpleUploadedFile("so-lieu.xlsx", buffer.getvalue())}


CASES: dict[str, Case] = {
    "plans:index": Case(
        url=lambda w, s: f"/plans/?year={w.today.year}", marker=_area, listing=True
    ),
    "plans:unit": Case(
        url=lambda w, s: f"/plans/{_point(w, s)}/?year={w.today.year}",
        data=lambda w, s: {
            "indicator": "DT_TONG",
            "target": "1.200.000",
            "phasing": "even",
            "year": str(w.today.year),
        },
        marker=_point,
        doer="area_manager",
    ),
    "plans:allocate": Case(
        url=lambda w, s: f"/plans/{_area(w, s)}/allocate/",
        data=lambda w, s: {"indicator": "DT_TONG", "method": "last_year", "year": w.today.year},
        doer="area_manager",
    ),
    "plans:manual": Case(
        url=lambda w, s: f"/plans/{_area(w, s)}/manual/?year={w.today.year}&month=1",
        data=lambda w, s: {"year": w.today.year, "month": 1, "QUY_LUONG": "1.000.000"},
        marker=_area,
        doer="area_manager",
    ),
    "plans:manual_upload": Case(
        url=lambda w, s: "/plans/manual/upload/",
        data=_manual_file,
        listing=True,
        doer="area_manager",
    ),
    "plans:manual_template": Case(url=lambda w, s: "/plans/manual/template.xlsx", scoped=False),
}
