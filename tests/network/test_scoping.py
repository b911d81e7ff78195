"""Every role sees its own subtree; the rest is "not found", in pages and in the API."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
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


def _main(response: HttpResponse) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def _api(user: User) -> Client:
    _, raw = ApiToken.issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.mark.parametrize("role", [r for r, (_, out) in CASES.items() if out])
def test_detail_page_of_a_unit_outside_the_scope_is_not_found(
    role: str, tree: Tree, users: dict[str, User]
) -> None:
    inside, outside = CASES[role]
    client = _browser(users[role])
    assert client.get(f"/network/{inside}/").status_code == 200
    refused = client.get(f"/network/{outside}/")
    unknown = client.get("/network/KHONGCO/")
    assert refused.status_code == unknown.status_code == 404
    # The same words as for a code that does not exist: nothing is revealed.
    assert "ngoài phạm vi" in _main(refused)
    assert _main(refused).replace(outside, "KHONGCO") == _main(unknown)


@pytest.mark.parametrize("role", [r for r, (_, out) in CASES.items() if out])
def test_api_detail_of_a_unit_outside_the_scope_is_not_found(
    role: str, tree: Tree, users: dict[str, User]
) -> None:
    inside, outside = CASES[role]
    client = _api(users[role])
    assert client.get(f"/api/network/units/{inside}").status_code == 200
    refused = client.get(f"/api/network/units/{outside}")
    unknown = client.get("/api/network/units/KHONGCO")
    assert refused.status_code == unknown.status_code == 404
    assert refused.json()["code"] == unknown.json()["code"] == "core.not_found"


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
        assert _browser(users[role]).get(f"/network/?area={other_area}").status_code == 404
        assert _api(users[role]).get(f"/api/network/units?area={other_area}").status_code == 404


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
    assert _api(users[Role.PROVINCE_MANAGER]).get("/api/network/units/BDT01").status_code == 404


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


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.PARTNER_OFFICER, Role.CLERK])
def test_roles_that_may_not_change_units_see_no_form_to_post_nor_a_link_to_one(
    role: str, tree: Tree, users: dict[str, User]
) -> None:
    client = _browser(users[role])
    code = CASES[role][0]
    for url in ("/network/", "/network/overview/", f"/network/{code}/"):
        main = _main(client.get(url))
        assert 'method="post"' not in main, url
        assert "/edit/" not in main
        assert "/network/new/" not in main
        assert "/network/import/" not in main
