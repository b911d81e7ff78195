"""A province hands over its point list in Excel: bad rows are named, nothing half-imported."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client

from buudien.core.excel import run_import
from buudien.core.models import Role, User
from buudien.network.importers import COLUMNS, PointImport
from buudien.network.models import PostUnit
from tests.conftest import Tree

HEADERS = [
    "Mã điểm",
    "Tên điểm",
    "Mã bưu cục quản lý",
    "Điện thoại",
    "Mô hình",
    "Ngày chuyển đổi đa dịch vụ",
    "Địa bàn",
    "Sóng di động",
    "Số máy tính",
]


def _row(i: int) -> list[Any]:
    multi = i % 3 == 0
    return [
        f"VHXN{i:03d}",
        f"Điểm BĐ-VHX Bản {i}",
        "BCA" if i % 2 else "BCB",
        f"09{i:08d}"[:10].replace("09000", "09120"),
        "Đa dịch vụ" if multi else "Truyền thống",
        "01/03/2025" if multi else None,
        "Biên giới" if i % 5 == 0 else "Bình thường",
        "4G",
        i % 4,
    ]


def _workbook(rows: list[list[Any]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH ĐIỂM BƯU ĐIỆN – VĂN HÓA XÃ"])
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_workbook_with_three_bad_rows_names_each_and_imports_nothing(
    tree: Tree, users: dict[str, User]
) -> None:
    rows = [_row(i) for i in range(1, 201)]
    rows[9][2] = "BC-KHONG-CO"  # Excel row 12: unknown office
    rows[49][3] = "12345"  # Excel row 52: not a mobile number
    rows[149][4] = "Siêu thị"  # Excel row 152: unknown operating model
    before = PostUnit.objects.count()
    report = run_import(PointImport(), _workbook(rows), actor=users[Role.PROVINCE_MANAGER])
    assert not report.committed
    assert sorted({e.row for e in report.errors}) == [12, 52, 152]
    messages = {e.row: (e.column, e.message) for e in report.errors}
    assert messages[12][0] == "Mã bưu cục quản lý"
    assert "BC-KHONG-CO" in messages[12][1]
    assert messages[52][0] == "Điện thoại"
    assert messages[152][0] == "Mô hình"
    assert PostUnit.objects.count() == before


def test_a_clean_workbook_imports_all_and_a_second_import_updates(
    tree: Tree, users: dict[str, User]
) -> None:
    rows = [_row(i) for i in range(1, 201)]
    report = run_import(PointImport(), _workbook(rows), actor=users[Role.PROVINCE_MANAGER])
    assert report.committed, report.errors
    assert report.created == 200
    points = PostUnit.objects.filter(code__startswith="VHXN")
    assert points.count() == 200
    assert points.get(code="VHXN003").profile.operating_model == "multi_service"
    assert points.get(code="VHXN001").parent.code == "BCA"

    rows[0][1] = "Điểm BĐ-VHX Bản Một (đổi tên)"
    again = run_import(PointImport(), _workbook(rows), actor=users[Role.PROVINCE_MANAGER])
    assert again.committed
    assert (again.created, again.updated, again.unchanged) == (0, 1, 199)
    assert PostUnit.objects.filter(code__startswith="VHXN").count() == 200
    assert PostUnit.objects.get(code="VHXN001").name == "Điểm BĐ-VHX Bản Một (đổi tên)"


def test_area_manager_cannot_import_into_another_area(tree: Tree, users: dict[str, User]) -> None:
    report = run_import(
        PointImport(), _workbook([_row(1), _row(2)]), actor=users[Role.AREA_MANAGER]
    )
    assert not report.committed
    assert [e.row for e in report.errors] == [4]
    assert "trong phạm vi quản lý" in report.errors[0].message


def test_export_can_be_imported_back_unchanged(tree: Tree, users: dict[str, User]) -> None:
    client = Client()
    client.force_login(users[Role.PROVINCE_MANAGER])
    response = client.get("/network/export.xlsx?kind=commune_point")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert header[: len(COLUMNS)] == [c.header for c in COLUMNS]
    assert ws.max_row == 4  # header + three points
    report = run_import(PointImport(), response.content, actor=users[Role.PROVINCE_MANAGER])
    assert report.committed, report.errors
    assert report.unchanged == 3


def test_import_page_shows_the_row_report(tree: Tree, users: dict[str, User]) -> None:
    client = Client()
    client.force_login(users[Role.PROVINCE_MANAGER])
    rows = [_row(1), _row(2)]
    rows[1][0] = None
    upload = io.BytesIO(_workbook(rows))
    upload.name = "diem.xlsx"
    page = client.post("/network/import/", {"file": upload}).content.decode()
    assert "Dòng" in page
    assert "Mã điểm" in page
    assert not PostUnit.objects.filter(code="VHXN001").exists()


@pytest.mark.parametrize("role", [Role.CLERK, Role.AUDITOR, Role.PARTNER_OFFICER])
def test_read_only_roles_cannot_open_the_import(
    role: str, tree: Tree, users: dict[str, User]
) -> None:
    client = Client()
    client.force_login(users[role])
    assert client.get("/network/import/").status_code == 403
