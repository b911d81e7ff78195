"""The counter as one customer transaction: a bill, a letter and a pension in one basket, one
receipt with the change; then the shift closed with confirmation and its closing report."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from buudien.core.models import Role, User
from buudien.counter.models import CounterSession, CounterTransaction
from buudien.payouts.models import Payout
from tests.browser.test_network_browser import _login
from tests.conftest import Tree
from tests.counter.payday import pension_today

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
SHOOT = os.environ.get("BUUDIEN_SCREENSHOTS") == "1"  # photographs for the docs, on demand


def _add(page: Page, query: str, name: str) -> None:
    """Type a search, wait for the wanted line to be offered, and add the first with Enter."""
    search = page.get_by_label("Tìm dịch vụ, hoặc người nhận chi trả", exact=False)
    search.fill(query)
    expect(page.get_by_test_id("basket-results").locator(".pick").first).to_contain_text(name)
    search.press("Enter")
    expect(page.get_by_test_id("basket-lines")).to_contain_text(name)


def _screens(page: Page, name: str) -> None:
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        if SHOOT:
            page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def test_one_customer_pays_a_bill_sends_a_letter_and_collects_a_pension_in_one_transaction(
    page: Page, live_server: LiveServer, tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    line = pension_today(tree, users, name="Hoàng Thị Mến", amount=250_000)
    _login(page, live_server, users[Role.CLERK].username)
    page.get_by_role("link", name="Quầy", exact=True).click()
    page.get_by_label("Tiền mặt đầu ca (đồng)").fill("500.000")
    page.get_by_role("button", name="Mở ca").click()

    _add(page, "dien", "Thu hộ tiền điện")
    amount = page.get_by_test_id("basket-lines").get_by_label("Số tiền").last
    expect(amount).to_be_focused()
    amount.fill("320.000")
    page.get_by_test_id("basket-lines").get_by_label("Số hóa đơn / mã tham chiếu").last.fill(
        "PD2503-000123"
    )
    _add(page, "thu bao dam", "Thư bảo đảm")
    _add(page, "hoang thi men", "Hoàng Thị Mến")
    expect(page.get_by_test_id("basket-due")).to_have_text("88.000 ₫")
    cash = page.get_by_label("Tiền khách đưa (đồng)")
    cash.fill("100.000")
    expect(page.get_by_test_id("basket-change")).to_have_text("12.000 ₫")
    _screens(page, "counter-basket")
    cash.press("Enter")

    receipt = page.get_by_test_id("transaction-receipt")
    for name in ("Thu hộ tiền điện", "Thư bảo đảm", "Chi trả lương hưu, trợ cấp BHXH"):
        expect(receipt).to_contain_text(name)
    expect(receipt).to_contain_text("PD2503-000123")
    expect(page.get_by_test_id("receipt-change")).to_have_text("12.000 ₫")
    expect(page.get_by_role("button", name="In biên lai")).to_be_visible()
    href = page.get_by_test_id("receipt-pdf").get_attribute("href")
    assert href
    assert page.request.get(live_server.url + href).headers["content-type"] == "application/pdf"
    txn = CounterTransaction.objects.get()
    assert txn.entries.count() == 3
    line.refresh_from_db()
    assert line.status == Payout.Status.PAID
    _screens(page, "counter-receipt")

    page.get_by_test_id("next-customer").click()
    expect(page.get_by_test_id("book-cash")).to_have_text("588.000")
    close = page.get_by_test_id("close-form")
    close.get_by_label("Tiền mặt kiểm đếm cuối ca (đồng)").fill("588.000")
    close.get_by_role("button", name="Kết ca").click()
    expect(page.get_by_test_id("difference")).to_have_text("Khớp sổ")
    expect(page.get_by_test_id("expected-cash")).to_have_text("588.000 ₫")
    assert CounterSession.objects.get().status == CounterSession.Status.OPEN
    page.get_by_role("button", name="Xác nhận kết ca").click()

    report = page.get_by_test_id("closing-report")
    expect(report.get_by_test_id("session-status")).to_have_text("Đã kết ca")
    expect(report.get_by_test_id("transactions")).to_have_text("1")
    by_service = report.get_by_test_id("by-service")
    for name in ("Thu hộ tiền điện", "Thư bảo đảm", "Chi trả lương hưu, trợ cấp BHXH"):
        expect(by_service).to_contain_text(name)
    expect(report.get_by_test_id("by-method")).to_contain_text("Tiền mặt")
    expect(report.get_by_test_id("discrepancy")).to_have_text("0 ₫")
    _screens(page, "counter-closing-report")


def test_a_short_drawer_needs_a_reason_and_a_manager_approves_it(
    page: Page, live_server: LiveServer, tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    _login(page, live_server, users[Role.CLERK].username)
    page.get_by_role("link", name="Quầy", exact=True).click()
    page.get_by_label("Tiền mặt đầu ca (đồng)").fill("500.000")
    page.get_by_role("button", name="Mở ca").click()
    page.get_by_test_id("favourites").get_by_role("button", name="Chuyển phát nhanh EMS").click()
    page.get_by_label("Tiền khách đưa (đồng)").press("F9")
    expect(page.get_by_test_id("transaction-receipt")).to_contain_text("Chuyển phát nhanh EMS")
    page.get_by_test_id("next-customer").click()

    close = page.get_by_test_id("close-form")
    close.get_by_label("Tiền mặt kiểm đếm cuối ca (đồng)").fill("500.000")
    close.get_by_role("button", name="Kết ca").click()
    expect(page.get_by_test_id("difference")).to_contain_text("-")
    page.get_by_role("button", name="Xác nhận kết ca").click()
    expect(page.get_by_label("Lý do chênh lệch (bắt buộc)")).to_be_visible()
    page.get_by_label("Lý do chênh lệch (bắt buộc)").fill("Thiếu tiền lẻ trả khách")
    page.get_by_role("button", name="Xác nhận kết ca").click()
    expect(page.get_by_test_id("session-status")).to_have_text("Chờ duyệt chênh lệch")
    session = CounterSession.objects.get()

    page.context.clear_cookies()
    _login(page, live_server, users[Role.AREA_MANAGER].username)
    page.goto(f"{live_server.url}/counter/sessions/{session.pk}/")
    page.get_by_role("button", name="Duyệt chênh lệch").click()
    expect(page.get_by_test_id("session-status")).to_have_text("Đã kết ca")
    session.refresh_from_db()
    assert session.approved_by == users[Role.AREA_MANAGER]


def test_a_bill_by_qr_a_letter_in_cash_and_a_pension_to_the_authorised_receiver(
    page: Page, live_server: LiveServer, tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    line = pension_today(tree, users, name="Hoàng Thị Mến", amount=250_000)
    person = line.beneficiary
    person.authorised_name, person.authorised_id = "Lò Văn Sáng", "004190000456"
    person.authorised_until = dt.date(2100, 1, 1)
    person.save()
    _login(page, live_server, users[Role.CLERK].username)
    page.get_by_role("link", name="Quầy", exact=True).click()
    page.get_by_label("Tiền mặt đầu ca (đồng)").fill("500.000")
    page.get_by_role("button", name="Mở ca").click()

    lines = page.get_by_test_id("basket-lines")
    _add(page, "dien", "Thu hộ tiền điện")
    page.keyboard.type("320.000")
    page.keyboard.press("Tab")
    page.keyboard.type("PD2503-000124")
    page.keyboard.press("Tab")
    method = lines.get_by_label("Hình thức của dòng").last
    expect(method).to_be_focused()
    method.select_option("qr")
    _add(page, "thu bao dam", "Thư bảo đảm")
    _add(page, "hoang thi men", "Hoàng Thị Mến")
    receiver = lines.get_by_label("Người nhận tiền")
    receiver.select_option("authorised")
    expect(receiver).to_contain_text("Lò Văn Sáng")
    expect(page.get_by_test_id("basket-due")).to_have_text("88.000 ₫")
    expect(page.get_by_test_id("basket-cash-due")).to_have_text("−232.000 ₫")
    expect(page.get_by_test_id("basket-change")).to_have_text("232.000 ₫")

    page.get_by_label("Tiền khách đưa (đồng)").press("F9")
    expect(page.get_by_test_id("basket-error")).to_contain_text("Giao dịch thứ 3")
    expect(page.get_by_test_id("basket-error")).to_contain_text("CCCD")
    receiver = page.get_by_test_id("basket-lines").get_by_label("Người nhận tiền")
    expect(receiver).to_have_value("authorised")
    expect(
        page.get_by_test_id("basket-lines").get_by_label("Hình thức của dòng").first
    ).to_have_value("qr")
    page.get_by_label("Số CCCD người nhận").fill("004190000456")
    page.get_by_label("Tiền khách đưa (đồng)").press("F9")

    receipt = page.get_by_test_id("transaction-receipt")
    expect(receipt.get_by_test_id("by-method-qr")).to_contain_text("320.000 ₫")
    expect(receipt.get_by_test_id("by-method-cash")).to_contain_text("232.000 ₫")
    expect(page.get_by_test_id("receipt-change")).to_have_text("232.000 ₫")
    line.refresh_from_db()
    assert line.receiver == "Lò Văn Sáng"
    page.get_by_test_id("next-customer").click()
    expect(page.get_by_test_id("book-cash")).to_have_text("268.000")
