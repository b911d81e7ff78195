"""A parcel's whole journey in the browser: taken in with COD at the office, its label
printed, bagged for the commune point, carried on the tier-3 route, received and delivered
there with the COD collected, and followed on the public tracking page at every step."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import LedgerEntry
from buudien.mail.models import PostalItem
from buudien.mail.services import routes
from tests.browser.test_network_browser import _login
from tests.conftest import Places, Tree
from tests.factories import UserFactory

RECEIVER = "Hoàng Văn Pháo"
SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
SHOOT = os.environ.get("BUUDIEN_SCREENSHOTS") == "1"  # photographs for the docs, on demand


def _screens(page: Page, name: str) -> None:
    """The page at a laptop's 1366×768 and a phone's 390×844 (photographed on demand)."""
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        if SHOOT:
            page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


@pytest.fixture
def office_clerk(tree: Tree, users: dict[str, User], places: Places) -> User:
    """The office's clerk with her shift open, the tier-3 route of her office running every
    day, and the point's clerk with her shift open too."""
    clerk = UserFactory(username="buucuc", role=Role.CLERK, home_unit=tree.office_a)
    routes.save_route(
        actor=users[Role.AREA_MANAGER],
        code="T3-BCA",
        name="Bưu cục Nước Hai – Đức Long – Nguyễn Huệ",
        tier=3,
        origin=tree.office_a,
        departs=dt.time(8, 0),
        weekdays="1,2,3,4,5,6,7",
        vehicle="Xe máy",
        stops=[(tree.point_a1, 30), (tree.point_a2, 60)],
    )
    for who, unit in ((clerk, tree.office_a), (users[Role.CLERK], tree.point_a1)):
        counter_services.open_session(clerk=who, unit=unit, opening_cash=0)
    return clerk


def _track(page: Page, live_server: LiveServer, s10: str, status: str) -> None:
    """What anyone sees on the public page: the status, and never the receiver's name."""
    citizen = page.context.browser.new_page(locale="vi-VN")  # type: ignore[union-attr]
    citizen.goto(f"{live_server.url}/tra-cuu-buu-gui/")
    citizen.get_by_label(re.compile("Số hiệu bưu gửi")).fill(s10.lower())
    citizen.get_by_role("button", name="Tra cứu").click()
    expect(citizen.get_by_test_id("track-status")).to_have_text(status)
    expect(citizen.locator("body")).not_to_contain_text(RECEIVER)
    expect(citizen.locator("body")).not_to_contain_text("0987")
    _screens(citizen, "mail-track")
    citizen.close()


def _accept(page: Page, live_server: LiveServer, places: Places) -> str:
    page.get_by_role("link", name="Bưu gửi", exact=True).click()
    page.goto(f"{live_server.url}/mail/accept/")
    page.get_by_label("Dịch vụ").select_option("BC-BK")
    page.get_by_label("Người gửi", exact=True).fill("Nông Thị Lan")
    page.get_by_label("Điện thoại người gửi").fill("0912 345 678")
    page.get_by_label("Người nhận", exact=True).fill(RECEIVER)
    page.get_by_label("Điện thoại người nhận").fill("0987 654 321")
    page.get_by_label("Địa chỉ người nhận").fill("Xóm Nà Lẹng")
    page.get_by_label("Thôn, bản, tổ").fill("Nà Lẹng")
    page.get_by_label("Mã xã, phường (tỉnh khác)").fill(str(places.a1.code))
    page.get_by_label("Khối lượng (g)").fill("1500")
    page.get_by_label("Tiền thu hộ COD (đồng)").fill("350.000")
    page.get_by_role("button", name="Tính cước").click()
    expect(page.locator("body")).to_contain_text("46.000")
    _screens(page, "mail-accept")
    # The quote kept what was typed; now take it in.
    expect(page.get_by_label("Người nhận", exact=True)).to_have_value(RECEIVER)
    page.get_by_role("button", name="Nhận gửi", exact=True).click()
    item = PostalItem.objects.get()
    expect(page.locator("body")).to_contain_text(item.s10)
    _screens(page, "mail-item")
    return item.s10


def _label(page: Page, s10: str) -> None:
    with page.expect_popup() as opened:
        page.get_by_role("link", name="In nhãn A6").click()
    label = opened.value
    expect(label.get_by_test_id("label-print")).to_be_visible()
    expect(label.locator("body")).to_contain_text(s10)
    expect(label.locator("svg").first).to_be_visible()
    expect(label.locator("body")).to_contain_text("350.000")
    _screens(label, "mail-label")
    label.close()


def _bag_and_dispatch(page: Page, live_server: LiveServer, s10: str) -> str:
    page.goto(f"{live_server.url}/mail/routes/T3-BCA/")
    page.get_by_test_id("start-trip").click()
    page.goto(f"{live_server.url}/mail/bags/")
    page.locator("select[name=destination]").first.select_option("VHXA1")
    page.get_by_role("button", name="Mở túi", exact=True).first.click()
    scan = page.get_by_label("Quét hoặc gõ số hiệu bưu gửi rồi nhấn Enter")
    scan.fill(s10[:-3] + "0VN" if s10[-3] != "0" else s10[:-3] + "1VN")  # a mistyped id
    scan.press("Enter")
    expect(page.get_by_role("alert").first).to_contain_text("số kiểm tra")
    page.get_by_label("Quét hoặc gõ số hiệu bưu gửi rồi nhấn Enter").fill(s10)
    page.get_by_label("Quét hoặc gõ số hiệu bưu gửi rồi nhấn Enter").press("Enter")
    expect(page.get_by_test_id("bag-items")).to_contain_text(s10)
    page.get_by_test_id("close-bag").click()
    page.get_by_role("button", name="Chuyển đi").click()
    expect(page.get_by_test_id("bag-state")).to_have_text("Đã chuyển đi")
    _screens(page, "mail-bag")
    return page.url


def _receive_and_deliver(page: Page, live_server: LiveServer, bag_url: str, s10: str) -> None:
    page.goto(bag_url)
    page.get_by_test_id("receive-bag").click()
    expect(page.get_by_test_id("bag-state")).to_have_text("Đã nhận")
    page.get_by_role("link", name="Phát", exact=True).click()
    row = page.get_by_test_id("hamlet").filter(has_text="Nà Lẹng")
    expect(row).to_contain_text(s10)
    _screens(page, "mail-delivery")
    form = row.get_by_test_id("deliver-form")
    if not form.is_visible():
        row.locator("summary", has_text="Phát").first.click()
    form.get_by_label(re.compile("Đã thu đủ COD")).check()
    form.get_by_role("button", name="Xác nhận đã phát").click()
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_contain_text(s10)


def test_a_parcel_with_cod_from_the_counter_to_the_receivers_door(
    page: Page,
    live_server: LiveServer,
    office_clerk: User,
    users: dict[str, User],
    places: Places,
) -> None:
    _login(page, live_server, office_clerk.username)
    s10 = _accept(page, live_server, places)
    _track(page, live_server, s10, "Đã nhận gửi")
    _label(page, s10)
    bag_url = _bag_and_dispatch(page, live_server, s10)
    _track(page, live_server, s10, "Đang vận chuyển")
    page.get_by_role("button", name="Đăng xuất").click()

    _login(page, live_server, users[Role.CLERK].username)
    _receive_and_deliver(page, live_server, bag_url, s10)
    _track(page, live_server, s10, "Đã phát thành công")
    cod = LedgerEntry.objects.get(service__code="BC-COD")
    assert (cod.amount, cod.reference, cod.unit.code) == (350_000, s10, "VHXA1")
