"""A clerk runs a shift: three services, one reversal, a short drawer, a receipt; a manager
approves the difference."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from buudien.core.models import Role, User
from buudien.counter.models import CounterSession, LedgerEntry
from tests.browser.test_network_browser import _login
from tests.conftest import Tree


def test_clerk_runs_a_shift_and_manager_approves_the_difference(
    page: Page, live_server: LiveServer, tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    _login(page, live_server, users[Role.CLERK].username)
    page.get_by_role("link", name="Quầy", exact=True).click()
    page.get_by_label("Tiền mặt đầu ca (đồng)").fill("500.000")
    page.get_by_role("button", name="Mở ca").click()

    form = page.get_by_test_id("entry-form")
    for service, quantity, amount in (
        ("BC-EMS", "2", ""),
        ("TC-DIEN", "1", "320.000"),
        ("PP-OCOP", "1", ""),
    ):
        form.get_by_label("Mã dịch vụ").fill(service)
        form.get_by_label("Số lượng").fill(quantity)
        form.get_by_label("Số tiền (thu hộ, chi hộ)").fill(amount)
        form.get_by_role("button", name="Ghi (Enter)").click()
        expect(page.get_by_text("Đã ghi")).to_be_visible()
    expect(page.get_by_test_id("book-cash")).to_have_text("1.030.000")

    latest = page.get_by_test_id("latest")
    ocop = latest.locator("tr", has_text="PP-OCOP")
    ocop.get_by_text("Hủy", exact=True).click()
    ocop.get_by_placeholder("Lý do hủy").fill("Khách đổi ý, trả lại hàng")
    ocop.get_by_role("button", name="Xác nhận hủy").click()
    expect(page.get_by_text("Đã hủy giao dịch")).to_be_visible()
    expect(page.get_by_test_id("book-cash")).to_have_text("910.000")

    with page.context.expect_page() as receipt_info:
        latest.locator("tr", has_text="TC-DIEN").get_by_role("link", name="Biên lai").click()
    receipt = receipt_info.value
    expect(receipt.get_by_text("Ba trăm hai mươi nghìn đồng")).to_be_visible()
    href = receipt.get_by_test_id("receipt-pdf").get_attribute("href")
    assert href
    response = receipt.request.get(live_server.url + href)
    assert response.headers["content-type"] == "application/pdf"
    receipt.close()

    close = page.get_by_test_id("close-form")
    close.get_by_label("Tiền mặt kiểm đếm cuối ca (đồng)").fill("900.000")
    close.get_by_role("button", name="Kết ca").click()
    expect(page.get_by_role("alert")).to_contain_text("lệch -10.000 ₫")
    close.get_by_label("Lý do chênh lệch (nếu có)").fill("Thiếu tiền lẻ trả khách")
    close.get_by_role("button", name="Kết ca").click()
    expect(page.get_by_test_id("session-status")).to_have_text("Chờ duyệt chênh lệch")
    session_url = page.url

    page.context.clear_cookies()
    _login(page, live_server, users[Role.AREA_MANAGER].username)
    page.goto(session_url)
    page.get_by_role("button", name="Duyệt chênh lệch").click()
    expect(page.get_by_test_id("session-status")).to_have_text("Đã kết ca")
    session = CounterSession.objects.get()
    assert session.approved_by == users[Role.AREA_MANAGER]
    assert LedgerEntry.objects.filter(reverses__isnull=False).count() == 1
