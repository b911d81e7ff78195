"""Malformed values on the plans pages are refused naming the field, never a 500."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from buudien.core.models import Role, User
from buudien.plans.models import Indicator, ManualValue, Plan
from tests.conftest import Tree
from tests.plans.indicators import load_indicators


@pytest.fixture
def manager(users: dict[str, User]) -> Client:
    load_indicators()
    client = Client()
    client.force_login(users[Role.PROVINCE_MANAGER])
    return client


def _messages(response: object) -> str:
    return " ".join(str(m) for m in response.context["messages"])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("query", "field"),
    [("year=abc", "Năm"), ("year=99999", "Năm"), ("month=13", "Tháng"), ("month=x", "Tháng")],
)
def test_a_bad_year_or_month_is_a_message_naming_the_field(
    tree: Tree, manager: Client, query: str, field: str
) -> None:
    for url in ("/plans/BDT99/", "/plans/BDT99/manual/"):
        response = manager.get(f"{url}?{query}")
        assert response.status_code == 200
        assert _messages(response).startswith(f"{field}:")


def test_an_unknown_unit_is_not_found(tree: Tree, manager: Client) -> None:
    assert manager.get("/plans/KHONGCO/").status_code == 404
    assert manager.get("/plans/KHONGCO/manual/").status_code == 404
    assert manager.post("/plans/KHONGCO/allocate/", {}).status_code == 404


def test_a_plan_posted_for_a_bad_year_writes_nothing(tree: Tree, manager: Client) -> None:
    data = {"indicator": "DT_TONG", "target": "1.200", "phasing": "even", "year": "99999"}
    response = manager.post("/plans/BDT99/", data)
    assert response.status_code == 200
    assert "Năm:" in _messages(response)
    assert not Plan.objects.exists()


@pytest.mark.parametrize("target", ["abc", "-5", "9" * 40])
def test_a_malformed_or_huge_target_is_a_form_error(
    tree: Tree, manager: Client, target: str
) -> None:
    data = {"indicator": "DT_TONG", "target": target, "phasing": "even", "year": "2025"}
    response = manager.post("/plans/BDT99/?year=2025", data)
    assert response.status_code == 200
    assert "target" in response.context["form"].errors
    assert not Plan.objects.exists()


def test_a_bad_allocation_is_a_message(tree: Tree, manager: Client) -> None:
    response = manager.post("/plans/BDT99/allocate/", {"indicator": "KHONGCO", "year": "2025"})
    assert response.status_code == 302
    response = manager.post(
        "/plans/BDT99/allocate/",
        {"indicator": "DT_TONG", "method": "entered", "year": "2025", "t_KVA": "abc"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Số tiền không hợp lệ" in _messages(response)
    assert not Plan.objects.exists()


def test_a_huge_manual_figure_is_refused_on_its_row(tree: Tree, manager: Client) -> None:
    response = manager.post(
        "/plans/BDT99/manual/", {"year": "2025", "month": "3", "QUY_LUONG": "9" * 30}
    )
    assert response.status_code == 200
    assert "quá lớn" in response.content.decode()
    assert not ManualValue.objects.exists()


def test_the_upload_refuses_a_missing_file_and_a_file_of_another_kind(
    tree: Tree, manager: Client
) -> None:
    response = manager.post("/plans/manual/upload/", {})
    assert "file" in response.context["form"].errors
    fake = SimpleUploadedFile("so-lieu.xlsx", b"%PDF-1.4 not a workbook")
    response = manager.post("/plans/manual/upload/", {"file": fake})
    assert response.status_code == 200
    assert "Chỉ nhận tệp .xlsx" in " ".join(response.context["form"].errors["file"])
    assert response.context["report"] is None


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.CLERK])
def test_roles_that_only_read_see_no_form_to_post(
    tree: Tree, users: dict[str, User], role: str
) -> None:
    load_indicators()
    client = Client()
    client.force_login(users[role])
    unit = "VHXA1" if role == Role.CLERK else "KVB"
    pages = [f"/plans/{unit}/"] + ([f"/plans/{unit}/manual/"] if role == Role.AUDITOR else [])
    for url in pages:
        page = client.get(url).content.decode()
        main = page[page.index("<main") :]
        assert 'method="post"' not in main, url


def test_the_clerk_sees_no_finance_office_plans(tree: Tree, users: dict[str, User]) -> None:
    from buudien.plans import services

    load_indicators()
    for code in ("DT_TONG", "QUY_LUONG"):
        services.set_plan(
            actor=users[Role.ADMIN],
            unit=tree.point_a1,
            indicator=Indicator.objects.get(code=code),
            year=2025,
            target=1_200,
        )
    client = Client()
    client.force_login(users[Role.CLERK])
    page = client.get("/plans/VHXA1/?year=2025").content.decode()
    assert Indicator.objects.get(code="DT_TONG").name in page
    assert Indicator.objects.get(code="QUY_LUONG").name not in page
    assert client.get("/plans/VHXA1/manual/").status_code == 403
