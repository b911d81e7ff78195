"""A manager types a 12-month plan and sees the total and the gap to the year as she types;
a clerk prints the home-delivery round with its button, which the paper leaves out."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from buudien.core.models import Role, User
from tests.access import cases_payouts
from tests.access.world import build_world
from tests.browser.test_network_browser import _login
from tests.conftest import Tree
from tests.plans.indicators import load_indicators

YEAR = dt.date.today().year


def test_the_12_month_grid_adds_up_while_the_manager_types(
    page: Page, live_server: LiveServer, tree: Tree, users: dict[str, User]
) -> None:
    load_indicators()
    _login(page, live_server, users[Role.PROVINCE_MANAGER].username)
    page.goto(f"{live_server.url}/plans/{tree.area_a.code}/?year={YEAR}")
    total = page.get_by_test_id("months-sum")
    expect(total).to_be_hidden()
    page.get_by_label("Chỉ tiêu").first.select_option("DT_TONG")
    page.get_by_label("Phân bổ theo tháng").first.select_option("entered")
    page.get_by_label("Kế hoạch năm", exact=True).fill("12.000.000")
    for m in range(1, 12):
        page.get_by_label(f"T{m}", exact=True).fill("1.000.000")
    page.get_by_label("T12", exact=True).fill("900.000")
    expect(total).to_contain_text("Tổng 12 tháng: 11.900.000")
    expect(total).to_contain_text("Chênh lệch so với kế hoạch năm: -100.000")
    page.get_by_label("T3", exact=True).fill("ba triệu")
    expect(total).to_contain_text("Tổng 12 tháng: 10.900.000")
    wrong = total.get_by_text("Chưa cộng các tháng nhập sai")
    expect(wrong).to_be_visible()
    expect(wrong).to_contain_text("T3")
    page.get_by_label("T3", exact=True).fill("1.100.000")
    expect(total).to_contain_text("Chênh lệch so với kế hoạch năm: 0")
    expect(wrong).to_be_hidden()
    page.get_by_role("button", name="Lưu kế hoạch", exact=True).click()
    expect(page.get_by_text("Đã lưu kế hoạch.")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("12.000.000")


def test_the_round_sheet_prints_from_its_button_which_stays_off_the_paper(
    page: Page, live_server: LiveServer
) -> None:
    world = build_world()
    cases_payouts.build(world)
    client = Client()
    client.force_login(world.users[Role.CLERK])
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(live_server.url + cases_payouts.CASES["payouts:round"].url(world, "in"))
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_role("button", name="In danh sách").click()
    assert page.evaluate("() => window.printed") == 1
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="In danh sách")).to_be_hidden()
    expect(page.get_by_role("heading", name="DANH SÁCH CHI TRẢ TẠI NHÀ")).to_be_visible()
