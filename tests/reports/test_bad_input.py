"""Malformed report queries are refused naming the field; exported names stay text."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from buudien.core.models import ApiToken, Role, User
from buudien.network.models import PostUnit
from tests.conftest import Tree
from tests.plans.indicators import load_indicators


@pytest.fixture
def manager(users: dict[str, User]) -> Client:
    load_indicators()
    client = Client()
    client.force_login(users[Role.PROVINCE_MANAGER])
    return client


@pytest.fixture
def api(users: dict[str, User]) -> Client:
    load_indicators()
    _, raw = ApiToken.issue(user=users[Role.PROVINCE_MANAGER], name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _messages(response: object) -> str:
    return " ".join(str(m) for m in response.context["messages"])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year=abc", "Năm"),
        ("year=99999", "Năm"),
        ("month=13", "Tháng"),
        ("quarter=9", "Quý"),
        ("format=docx", "Định dạng"),
    ],
)
def test_a_bad_period_is_a_message_naming_the_field(
    tree: Tree, manager: Client, query: str, field: str
) -> None:
    for url in ("/reports/BDT99/", "/reports/"):
        response = manager.get(f"{url}?{query}")
        assert response.status_code == 200
        assert _messages(response).startswith(f"{field}:")


def test_an_unknown_unit_is_not_found(tree: Tree, manager: Client, api: Client) -> None:
    assert manager.get("/reports/KHONGCO/").status_code == 404
    assert api.get("/api/reports/plan-actual?unit=KHONGCO&year=2025").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("unit=BDT99&year=abc", "year"),
        ("unit=BDT99&year=1", "year"),
        ("unit=BDT99&year=2025&month=13", "month"),
        ("unit=BDT99&year=2025&quarter=9", "quarter"),
        ("year=2025", "unit"),
    ],
)
def test_the_api_answers_422_naming_the_field(
    tree: Tree, api: Client, query: str, field: str
) -> None:
    for path in ("plan-actual", "network"):
        response = api.get(f"/api/reports/{path}?{query}")
        assert response.status_code == 422
        assert response.json()["field"] == field


def test_the_dashboard_of_a_user_without_a_unit_is_not_a_server_error(
    tree: Tree, users: dict[str, User]
) -> None:
    from tests.factories import UserFactory

    load_indicators()
    client = Client()
    client.force_login(UserFactory(role=Role.ADMIN, home_unit=None))
    assert client.get("/reports/").status_code == 404


@pytest.mark.parametrize("role", [Role.CLERK, Role.PARTNER_OFFICER])
def test_the_post_s_figures_are_refused_to_the_clerk_and_the_agency_officer(
    tree: Tree, users: dict[str, User], role: str
) -> None:
    client = Client()
    client.force_login(users[role])
    for url in ("/reports/", "/reports/VHXA1/", "/api/reports/plan-actual?unit=VHXA1&year=2025"):
        response = client.get(url)
        assert response.status_code == 403
        assert "reports.view" in response.content.decode()


def test_a_unit_named_like_a_formula_is_text_in_the_report_workbook(
    tree: Tree, manager: Client
) -> None:
    formula = '=HYPERLINK("http://x")'
    PostUnit.objects.filter(code="KVA").update(name=formula)
    PostUnit.objects.filter(code="VHXA1").update(name=formula)
    response = manager.get("/reports/BDT99/?year=2025&format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [
        c
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert any(c.value == formula for c in cells)
    assert all(c.data_type == "s" for c in cells)
