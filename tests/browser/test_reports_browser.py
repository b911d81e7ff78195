"""A province manager opens the dashboard, drills down to a point, downloads Excel and PDF."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from buudien.core import reference
from buudien.core.models import Role, User
from buudien.plans import services as plan_services
from buudien.plans.models import Indicator
from tests.browser.test_network_browser import _login
from tests.conftest import Tree
from tests.reports.helpers import book


def test_manager_drills_down_and_downloads(
    page: Page, live_server: LiveServer, tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    reference.load(only=["plans.indicators"])
    admin = users[Role.ADMIN]
    for day in (dt.date(2024, 3, 5), dt.date(2025, 3, 5)):
        book(admin, tree.point_a1, day, ("TC-LHUU", 5_000_000, 1), ("BC-EMS", None, 2))
        book(admin, tree.point_b1, day, ("PP-OCOP", None, 3))
    plan_services.set_plan(
        actor=users[Role.PROVINCE_MANAGER],
        unit=tree.province,
        indicator=Indicator.objects.get(code="DT_TONG"),
        year=2025,
        target=1_200_000,
    )
    _login(page, live_server, users[Role.PROVINCE_MANAGER].username)
    page.goto(f"{live_server.url}/reports/?year=2025&month=12")
    expect(page.get_by_test_id("attainment")).to_contain_text("Tổng doanh thu")
    page.get_by_test_id("full-report").click()
    expect(page.get_by_test_id("narrative")).to_contain_text("Tổng doanh thu")
    page.get_by_test_id("children").get_by_role("link", name="Bưu điện khu vực Hòa An").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bưu điện khu vực Hòa An")
    page.get_by_test_id("children").get_by_role("link", name="Điểm BĐ-VHX Đức Long").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Điểm BĐ-VHX Đức Long")
    expect(page.get_by_test_id("plan-actual")).to_contain_text("Doanh thu tài chính bưu chính")

    with page.expect_download() as xlsx:
        page.get_by_test_id("download-xlsx").click()
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    with page.expect_download() as pdf:
        page.get_by_test_id("download-pdf").click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    with open(pdf.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
