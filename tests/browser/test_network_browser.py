"""A point clerk logs in, sees only his point, and switches the language."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from buudien.core.models import Role, User
from tests.conftest import PASSWORD, Tree


def _login(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_clerk_sees_only_his_point_and_switches_to_english(
    page: Page, live_server: LiveServer, tree: Tree, users: dict[str, User]
) -> None:
    _login(page, live_server, users[Role.CLERK].username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Điểm BĐ-VHX Đức Long")
    page.get_by_role("link", name="Mạng lưới", exact=True).click()
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("VHXA1")
    expect(page.locator("body")).not_to_contain_text("VHXA2")

    page.goto(f"{live_server.url}/network/VHXA2/")
    expect(page.locator("body")).to_contain_text("Không tìm thấy")
    expect(page.locator("body")).not_to_contain_text("Nguyễn Huệ")

    page.goto(f"{live_server.url}/network/")
    page.get_by_test_id("lang-switch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Units")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.get_by_test_id("lang-switch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Danh sách đơn vị")


def test_manager_searches_without_accents_and_filters(
    page: Page, live_server: LiveServer, tree: Tree, users: dict[str, User]
) -> None:
    _login(page, live_server, users[Role.PROVINCE_MANAGER].username)
    page.goto(f"{live_server.url}/network/?kind=commune_point")
    expect(page.locator("table.list tbody tr")).to_have_count(3)
    page.get_by_placeholder("Tìm theo mã, tên, địa chỉ (không cần dấu)").fill("coc pang")
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("table.list tbody tr").first).to_contain_text("Cốc Pàng")
