"""Point mode as the clerk lives it: the province's server is down, she logs in on the
point's laptop, pays two pensions and sends a letter for one customer, takes a dossier; the
server comes back, she presses "Đồng bộ ngay" and nothing waits any more; at the province the
area manager sees the same transaction (same receipt numbers), the paid lines and the dossier.

Two real servers (`buudien serve`), each on its own SQLite database, a proxy between them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.sync.faults.processes import Laptop, Server, copy_province, running, serve, template
from tests.sync.faults.proxy import FaultProxy

PASSWORD = "buudien-demo"
# Two pensioners of the small province's list (sync.demo): row 3 and row 4.
FIRST, SECOND = "Bế Thị Lan 3", "Đàm Văn Páo 4"


@dataclass
class PointMode:
    province: Server
    laptop: Server
    proxy: FaultProxy

    def province_down(self) -> None:
        self.province.stop()

    def province_up(self) -> None:
        self.province = serve(self.province.data_dir, "--no-sync", port=self.province.port)


@pytest.fixture
def point_mode(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PointMode]:
    built = template(tmp_path_factory.getbasetemp())
    root = tmp_path_factory.mktemp("point-mode")
    province = serve(copy_province(built, root / "province"), "--no-sync")
    proxy = FaultProxy(province.port)
    laptop_dir = root / "laptop"
    laptop_dir.mkdir()
    Laptop(laptop_dir).enroll(proxy.url, str(built.facts["code"]))
    # The laptop's server syncs in the background by itself, as on a point.
    laptop = serve(laptop_dir, env={"BUUDIEN_SYNC_INTERVAL": "5"})
    mode = PointMode(province, laptop, proxy)
    with running(proxy, laptop):
        try:
            yield mode
        finally:
            mode.province.stop()


def login(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def add(page: Page, query: str, name: str) -> None:
    search = page.get_by_label("Tìm dịch vụ, hoặc người nhận chi trả", exact=False)
    search.fill(query)
    expect(page.get_by_test_id("basket-results").locator(".pick").first).to_contain_text(name)
    search.press("Enter")
    expect(page.get_by_test_id("basket-lines")).to_contain_text(name)


def pay(page: Page, name: str) -> None:
    """Find the pensioner by name and add exactly his line (names of the list look alike)."""
    page.get_by_label("Tìm dịch vụ, hoặc người nhận chi trả", exact=False).fill(name)
    page.get_by_test_id("basket-results").locator(f".pick[data-name='Chi trả: {name}']").click()
    expect(page.get_by_test_id("basket-lines")).to_contain_text(name)


def one_customer(page: Page, laptop: str) -> tuple[str, list[str]]:
    """A letter sent and two pensions paid, one transaction; its id and receipt numbers."""
    page.goto(f"{laptop}/counter/")
    page.get_by_label("Tiền mặt đầu ca (đồng)").fill("50.000.000")
    page.get_by_role("button", name="Mở ca").click()
    add(page, "thu bao dam", "Thư bảo đảm")
    for name in (FIRST, SECOND):
        pay(page, name)
    page.get_by_label("Tiền khách đưa (đồng)").press("F9")
    receipt = page.get_by_test_id("transaction-receipt")
    for name in ("Thư bảo đảm", FIRST, SECOND):
        expect(receipt).to_contain_text(name)
    href = page.get_by_test_id("receipt-pdf").get_attribute("href")
    assert href
    receipts = receipt.locator("small.muted").all_inner_texts()
    page.get_by_test_id("next-customer").click()
    return href.split("/")[-2], [r.split("·")[0].strip() for r in receipts]


def take_a_dossier(page: Page, laptop: str) -> str:
    page.goto(f"{laptop}/dossiers/new/?procedure=1.001193")
    form = page.get_by_test_id("intake-form")
    form.get_by_label("Họ và tên").fill("Nông Thị Hoa")
    form.get_by_label("Số CCCD").fill("004185001234")
    form.get_by_label("Điện thoại").fill("0912 345 678")
    form.get_by_label("Địa chỉ").fill("Thôn Nà Lẹng")
    for document in ("Tờ khai theo mẫu", "Căn cước công dân / thẻ căn cước", "Giấy chứng sinh"):
        form.get_by_label(document, exact=True).check()
    form.get_by_role("button", name="Xem lại các khoản thu").click()
    page.get_by_role("button", name="Xác nhận và thu 25.000 ₫").click()
    expect(page.get_by_test_id("status")).to_contain_text("Đã tiếp nhận tại điểm")
    return page.url.rstrip("/").split("/")[-1]


def test_the_clerk_works_with_the_province_down_then_syncs_and_the_province_shows_it(
    page: Page, browser: Browser, point_mode: PointMode
) -> None:
    laptop = point_mode.laptop.url
    point_mode.province_down()
    login(page, laptop, "diemvhx")
    transaction, receipts = one_customer(page, laptop)
    assert len(receipts) == 3
    code = take_a_dossier(page, laptop)

    page.goto(f"{laptop}/sync/")
    expect(page.get_by_test_id("pending")).to_contain_text("3 thao tác chờ gửi")
    page.get_by_role("button", name="Đồng bộ ngay").click()
    expect(page.locator(".messages")).to_contain_text("Không kết nối được máy chủ tỉnh")
    expect(page.get_by_test_id("pending")).to_contain_text("3 thao tác chờ gửi")

    point_mode.province_up()
    page.get_by_role("button", name="Đồng bộ ngay").click()
    expect(page.locator(".messages")).to_contain_text("còn 0 thao tác chờ gửi")
    expect(page.get_by_test_id("pending")).to_contain_text("0 thao tác chờ gửi")
    expect(page.get_by_test_id("applied")).to_contain_text("3 đã ghi ở tỉnh")
    expect(page.get_by_test_id("refused")).to_contain_text("0 bị từ chối")

    manager = browser.new_context(locale="vi-VN").new_page()  # the province: its own cookies
    province = point_mode.province.url
    login(manager, province, "khuvuc")
    manager.goto(f"{province}/counter/transactions/{transaction}/")
    seen = manager.get_by_test_id("transaction-receipt")
    for text in ("Thư bảo đảm", FIRST, SECOND, *receipts):
        expect(seen).to_contain_text(text)
    manager.goto(f"{province}/payouts/")
    manager.get_by_test_id("lists").locator("tbody").get_by_role("link").first.click()
    expect(manager.get_by_test_id("progress")).to_contain_text("Đã chi 2 ")
    for name in (FIRST, SECOND):
        row = manager.locator(f"tr[data-name='{name}']")
        expect(row.get_by_test_id("line-status")).to_have_text("Đã chi trả")
    manager.goto(f"{province}/dossiers/{code}/")
    expect(manager.get_by_test_id("status")).to_contain_text("Đã tiếp nhận tại điểm")
    manager.context.close()
