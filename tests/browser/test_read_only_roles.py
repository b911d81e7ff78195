"""The auditor and the agency officer open every page they may, and find no form they cannot
use: only the language switch and logout, and for the officer the steps of his own agency."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import resolve
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from buudien.core.models import Role
from buudien.core.permissions import MATRIX, Reach, route_actions, rule
from tests.access.routes import html_routes
from tests.access.test_access_matrix import CASES, build
from tests.access.world import World, build_world
from tests.conftest import PASSWORD


def _login(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/")


def _pages_for(world: World, role: str) -> list[tuple[str, str]]:
    pages = []
    for route in html_routes():
        action = route.actions.get("GET")
        case = CASES.get(route.id)
        if action is None or case is None or role not in rule(action).roles:
            continue
        if rule(action).reach == Reach.PUBLIC:
            continue
        pages.append((route.id, case.url(world, "in")))
    return pages


def _forbidden_forms(page: Page, role: str) -> list[str]:
    """The POST forms on the page whose target the role may not use."""
    found = []
    for form in page.locator("form").all():
        if (form.get_attribute("method") or "get").lower() != "post":
            continue
        target = urlsplit(form.get_attribute("action") or page.url).path
        actions = route_actions(resolve(target).func) or {}
        action = actions.get("POST")
        if action is None or role not in rule(action).roles:
            found.append(f"{target} ({action})")
    return found


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.PARTNER_OFFICER])
def test_read_only_roles_see_no_form_they_may_not_use(
    page: Page, live_server: LiveServer, transactional_db: None, role: str
) -> None:
    world = build_world()
    build(world)
    _login(page, live_server, world.users[role].username)
    seen = 0
    for route_id, url in _pages_for(world, role):
        answer = page.request.get(live_server.url + url)
        if "text/html" not in answer.headers.get("content-type", ""):
            continue
        page.goto(live_server.url + url)
        seen += 1
        forms = _forbidden_forms(page, role)
        assert forms == [], f"{route_id} ({url}) shows the {role} forms: {forms}"
    assert seen >= 5


def test_the_auditor_may_use_no_form_but_the_language_switch_and_logout() -> None:
    writes = [a for a, r in MATRIX.items() if r.writes and Role.AUDITOR in r.roles]
    assert writes == []
