"""Malformed values on the network pages and API are refused naming the field, never a 500."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from buudien.core.models import ApiToken, Role, User
from buudien.network.models import PostUnit
from tests.conftest import Tree

PROFILE = {
    "p-operating_model": "traditional",
    "p-area_class": "ordinary",
    "p-internet_type": "none",
    "p-mobile_coverage": "4g",
    "p-computers": "1",
    "p-books": "0",
    "p-newspapers_received": "0",
}


@pytest.fixture
def manager(users: dict[str, User]) -> Client:
    client = Client()
    client.force_login(users[Role.PROVINCE_MANAGER])
    return client


@pytest.fixture
def api(users: dict[str, User]) -> Client:
    _, raw = ApiToken.issue(user=users[Role.PROVINCE_MANAGER], name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _new_point(**changes: Any) -> dict[str, Any]:
    return {
        "code": "VHXN1",
        "name": "Điểm mới",
        "kind": "commune_point",
        "parent": "BCA",
        **PROFILE,
    } | changes


@pytest.mark.parametrize(
    "query",
    ["?area=KHONGCO", "?area=" + "X" * 300, "?page=abc", "?sort=zzz", "?q=%00", "?kind=%00"],
)
def test_a_malformed_filter_is_not_a_server_error(tree: Tree, manager: Client, query: str) -> None:
    # A control character is refused before any view with a page naming the field (400).
    assert manager.get(f"/network/{query}").status_code in {200, 400, 404}
    assert manager.get(f"/network/export.xlsx{query}").status_code in {200, 400, 404}


@pytest.mark.parametrize("code", ["KHONGCO", "X" * 300, "%00", "A%0AB"])
def test_an_unknown_unit_code_is_not_found(
    tree: Tree, manager: Client, api: Client, code: str
) -> None:
    refused = {400, 404} if code == "%00" else {404}
    assert manager.get(f"/network/{code}/").status_code in refused
    assert manager.get(f"/network/{code}/edit/").status_code in refused
    assert api.get(f"/api/network/units/{code}").status_code in refused | {422}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("latitude", "1000"),
        ("latitude", "91"),
        ("longitude", "abc"),
        ("latitude", "10.1234567"),
        ("opened_on", "2024-13-45"),
        ("p-computers", "-1"),
        ("p-books", "99999999999"),
        ("p-operating_model", "khac"),
        ("code", "X" * 30),
    ],
)
def test_a_bad_value_in_the_unit_form_is_shown_on_its_field(
    tree: Tree, manager: Client, field: str, value: str
) -> None:
    response = manager.post("/network/new/?kind=commune_point", _new_point(**{field: value}))
    assert response.status_code == 200
    form = response.context["pform" if field.startswith("p-") else "form"]
    assert field.removeprefix("p-") in form.errors
    assert not PostUnit.objects.filter(code="VHXN1").exists()


def test_a_non_numeric_version_is_a_form_error(tree: Tree, manager: Client) -> None:
    response = manager.post(
        "/network/VHXA1/edit/", {"name": "Tên mới", "version": "abc", **PROFILE}
    )
    assert response.status_code == 200
    assert "version" in response.context["form"].errors
    assert PostUnit.objects.get(code="VHXA1").name != "Tên mới"


def test_the_import_refuses_a_missing_file_and_a_file_of_another_kind(
    tree: Tree, manager: Client
) -> None:
    response = manager.post("/network/import/", {})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    text = SimpleUploadedFile("diem.xlsx", b"Ma diem;Ten diem\nVHX1;A\n")
    response = manager.post("/network/import/", {"file": text})
    assert response.status_code == 200
    assert "Chỉ nhận tệp .xlsx" in " ".join(response.context["form"].errors["file"])
    assert response.context["report"] is None


def _post(api: Client, body: dict[str, Any]) -> Any:
    return api.post("/api/network/units", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"latitude": 1000}, "latitude"),
        ({"longitude": "abc"}, "longitude"),
        ({"latitude": "NaN"}, "latitude"),
        ({"kind": "khac"}, "kind"),
        ({"commune_code": 10**12}, "commune_code"),
        ({"commune_code": 5}, "commune_code"),
        ({"code": "X" * 30}, "code"),
        ({"name": ""}, "name"),
        ({"name": "A\x00B"}, "name"),
        ({"profile": {"computers": -1}}, "profile.computers"),
        ({"profile": {"operating_model": "khac"}}, "profile.operating_model"),
        ({"opened_on": "2024-13-45"}, "opened_on"),
    ],
)
def test_the_api_answers_422_naming_the_field(
    tree: Tree, api: Client, change: dict[str, Any], field: str
) -> None:
    body = {"code": "VHXN2", "name": "Điểm", "kind": "commune_point", "parent_code": "BCA"}
    response = _post(api, body | change)
    assert response.status_code == 422, response.content
    error = response.json()
    assert set(error) == {"code", "message", "field"}
    assert error["field"] == field
    assert not PostUnit.objects.filter(code="VHXN2").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"version": "abc"}, "version"), ({"version": -1}, "version"), ({"name": ""}, "name")],
)
def test_a_malformed_patch_is_422(
    tree: Tree, api: Client, body: dict[str, Any], field: str
) -> None:
    response = api.patch(
        "/api/network/units/VHXA1", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_a_unit_named_like_a_formula_is_exported_as_text(tree: Tree, manager: Client) -> None:
    PostUnit.objects.filter(code="VHXA1").update(name='=HYPERLINK("http://x")')
    response = manager.get("/network/export.xlsx?kind=commune_point")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")']
    assert cells
    assert all(c.data_type == "s" for c in cells)
