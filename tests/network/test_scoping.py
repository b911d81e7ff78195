"""Every role sees its own subtree and is refused the rest, in pages and in the API."""

from __future__ import annotations

import pytest
from django.test import Client

from buudien.core.models import ApiToken, Role, User
from tests.conftest import Tree

# For each role: a unit it must see and a unit outside its scope.
CASES = {
    Role.PROVINCE_MANAGER: ("VHXB1", None),
    Role.AREA_MANAGER: ("VHXA2", "VHXB1"),
    Role.CLERK: ("VHXA1", "VHXA2"),
    Role.PARTNER_OFFICER: ("VHXA1", "BCB"),
    Role.AUDITOR: ("VHXB1", "VHXA1"),
}


def _browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: User) -> Client:
    _, raw = ApiToken.issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.mark.parametrize("role", [r for r, (_, out) in CASES.items() if out])
def test_detail_page_of_a_unit_outside_the_scope_is_refused(
    role: str, tree: Tree, users: dict[str, User]
) -> None:
    inside, outside = CASES[role]
    client = _browser(users[role])
    assert client.get(f"/network/{inside}/").status_code == 200
    refused = client.get(f"/network/{outside}/")
    assert refused.status_code == 403
    assert "ngoài phạm vi" in refused.content.decode()


@pytest.mark.parametrize("role", [r for r, (_, out) in CASES.items() if out])
def test_api_detail_of_a_unit_outside_the_scope_is_refused(
    role: str, tree: Tree, users: dict[str, User]
) -> None:
    inside, outside = CASES[role]
    client = _api(users[role])
    assert client.get(f"/api/network/units/{inside}").status_code == 200
    refused = client.get(f"/api/network/units/{outside}")
    assert refused.status_code == 403
    assert refused.json()["code"] == "core.out_of_scope"


@pytest.mark.parametrize("role", [r for r, (_, out) in CASES.items() if out])
def test_lists_show_only_the_scope_and_refuse_an_outside_area(
    role: str, tree: Tree, users: dict[str, User]
) -> None:
    inside, outside = CASES[role]
    page = _browser(users[role]).get("/network/").content.decode()
    assert inside in page
    assert outside not in page
    api_codes = {u["code"] for u in _api(users[role]).get("/api/network/units").json()["items"]}
    assert inside in api_codes
    assert outside not in api_codes
    other_area = "KVB" if outside in {"VHXB1", "BCB"} else None
    if other_area:
        assert _browser(users[role]).get(f"/network/?area={other_area}").status_code == 403
        assert _api(users[role]).get(f"/api/network/units?area={other_area}").status_code == 403


def test_province_manager_and_admin_see_the_whole_province(
    tree: Tree, users: dict[str, User]
) -> None:
    for role in (Role.ADMIN, Role.PROVINCE_MANAGER):
        codes = {u["code"] for u in _api(users[role]).get("/api/network/units").json()["items"]}
        assert {"BDT99", "KVA", "KVB", "VHXA1", "VHXB1"} <= codes


def test_admin_outside_every_tree_still_sees_a_unit_of_another_province(
    tree: Tree, users: dict[str, User]
) -> None:
    from tests.factories import PostUnitFactory

    PostUnitFactory(code="BDT01", name="Bưu điện tỉnh Khác", kind="province")
    assert _api(users[Role.ADMIN]).get("/api/network/units/BDT01").status_code == 200
    assert _api(users[Role.PROVINCE_MANAGER]).get("/api/network/units/BDT01").status_code == 403


def test_read_only_roles_cannot_change_a_unit_they_can_see(
    tree: Tree, users: dict[str, User]
) -> None:
    for role in (Role.CLERK, Role.AUDITOR, Role.PARTNER_OFFICER):
        client = _api(users[role])
        code = CASES[role][0]
        response = client.patch(
            f"/api/network/units/{code}", data={"name": "Tên mới"}, content_type="application/json"
        )
        assert response.status_code == 403, role
        assert _browser(users[role]).get(f"/network/{code}/edit/").status_code == 403


def test_anonymous_requests_are_sent_to_login_or_refused(tree: Tree) -> None:
    assert Client().get("/network/").status_code == 302
    assert Client().get("/api/network/units").status_code == 401
