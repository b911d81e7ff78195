"""A household's health insurance in the browser: the point's clerk registers a household of
five, enrols it for 12 months (the price line by line first), takes the money and prints the
receipt with the amount in words; the province manager then sees the five enrolments in the
target report."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from buudien.core.models import Role, User
from buudien.core.money import amount_in_words
from buudien.counter import services as counter_services
from buudien.insurance.models import Payment
from tests.browser.conftest import serious_violations
from tests.browser.test_network_browser import _login
from tests.conftest import Tree, serve_agencies
from tests.insurance.conftest import citizen_id

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
SHOOT = os.environ.get("BUUDIEN_SCREENSHOTS") == "1"  # photographs for the docs, on demand
HEAD = "Hoàng Văn Páo"
# The household: name, birth date, relation to the head.
MEMBERS = [
    (HEAD, dt.date(1970, 1, 10), ""),
    ("Nông Thị Mai", dt.date(1975, 2, 11), "vợ"),
    ("Hoàng Văn Dũng", dt.date(1995, 3, 12), "con"),
    ("Hoàng Thị Hoa", dt.date(1998, 4, 13), "con"),
    ("Hoàng Văn Tú", dt.date(2005, 5, 14), "con"),
]
# 4.5% of the base salary 2.340.000 for the first, 70%, 60%, 50%, 40% of it for the others.
TOTAL = (105_300 + 73_710 + 63_180 + 52_650 + 42_120) * 12


def _screens(page: Page, name: str) -> None:
    """The page at a laptop's 1366×768 and a phone's 390×844 (photographed on demand), with
    no serious accessibility violation at either size."""
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert serious_violations(page) == [], f"{name} at {width}px"
        if SHOOT:
            page.screenshot(path=str(SCREENS / f"insurance-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


@pytest.fixture
def point_clerk(tree: Tree, catalogue: None, users: dict[str, User]) -> User:
    """The point's clerk with her shift open, the shipped agencies served by the province."""
    serve_agencies(tree.province)
    clerk = users[Role.CLERK]
    counter_services.open_session(clerk=clerk, unit=tree.point_a1, opening_cash=0)
    return clerk


def _register_household(page: Page, live_server: LiveServer) -> str:
    """The household and its five members through the people pages; the household's id."""
    page.goto(f"{live_server.url}/bao-hiem/ho-gia-dinh/them/")
    page.get_by_label("Chủ hộ", exact=True).fill(HEAD)
    page.get_by_label("Thôn, bản", exact=True).fill("Nà Lẹng")
    page.get_by_role("button", name="Lập hộ").click()
    page.wait_for_url(re.compile(r"/bao-hiem/ho-gia-dinh/[0-9a-f-]{36}/$"))
    home = page.url.rstrip("/").rsplit("/", 1)[-1]
    for n, (name, birth, relation) in enumerate(MEMBERS):
        _add_member(page, live_server, home, name, birth, relation, female=n % 2 == 1)
    return home


def _add_member(
    page: Page,
    live_server: LiveServer,
    home: str,
    name: str,
    birth: dt.date,
    relation: str,
    *,
    female: bool,
) -> None:
    page.goto(f"{live_server.url}/bao-hiem/nguoi-tham-gia/them/?household={home}")
    page.get_by_label("Số CCCD", exact=True).fill(citizen_id(birth, female=female))
    page.get_by_label("Họ tên", exact=True).fill(name)
    page.get_by_label("Ngày sinh", exact=True).fill(birth.isoformat())
    page.get_by_label("Thôn, bản", exact=True).fill("Nà Lẹng")
    if relation:
        page.get_by_label("Quan hệ với chủ hộ").fill(relation)
    page.get_by_label(re.compile("đồng ý để Bưu điện")).check()
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_url(re.compile(r"/bao-hiem/nguoi-tham-gia/[0-9a-f-]{36}/$"))


def _enrol(page: Page, live_server: LiveServer, home: str) -> None:
    """The household for 12 months: the price first, then the money into the shift."""
    page.goto(f"{live_server.url}/bao-hiem/dong-tien/?household={home}")
    expect(page.get_by_test_id("member-row")).to_have_count(5)
    expect(page.get_by_label("Phương thức đóng")).to_have_value("12m")
    page.get_by_role("button", name="Tính tiền").click()
    calculation = page.get_by_test_id("calculation")
    expect(calculation).to_contain_text("người thứ 5 trong hộ")
    expect(page.get_by_test_id("total")).to_have_text("4.043.520 ₫")
    expect(page.get_by_test_id("total-words")).to_contain_text(amount_in_words(TOTAL))
    _screens(page, "enrol")
    page.get_by_role("button", name="Thu tiền").click()
    page.wait_for_url(re.compile(r"/bao-hiem/lan-dong/[0-9a-f-]{36}/$"))


def _print_receipt(page: Page) -> None:
    """The receipt shows every person's period and the amount in words, and prints."""
    payment = Payment.objects.get()
    expect(page.get_by_role("status")).to_contain_text(payment.receipt_no)
    # Opened again, as from the payments list (the flash message's markup is base.html's).
    page.reload()
    receipt = page.get_by_test_id("receipt")
    expect(receipt.get_by_test_id("receipt-no")).to_have_text(payment.receipt_no)
    expect(receipt.get_by_test_id("receipt-total")).to_have_text("4.043.520 ₫")
    expect(receipt.get_by_test_id("receipt-words")).to_contain_text(amount_in_words(TOTAL))
    for name, *_rest in MEMBERS:
        expect(receipt.get_by_test_id("receipt-people")).to_contain_text(name)
    _screens(page, "receipt")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_role("button", name="In biên lai").click()
    assert page.evaluate("() => window.printed") == 1
    page.get_by_role("link", name="Các lần đóng", exact=True).click()
    expect(page.get_by_test_id("payments")).to_contain_text(payment.receipt_no)
    _screens(page, "payments")


def _see_targets(page: Page, live_server: LiveServer, area_name: str) -> None:
    """The province manager's target report counts the five household enrolments, in the
    area of the point and in the province's total (this year to date)."""
    page.goto(f"{live_server.url}/bao-hiem/chi-tieu/")
    table = page.get_by_test_id("targets")
    expect(table).to_contain_text("BHYT hộ gia đình")
    # Each scheme has six columns (plan, done, % plan, last year, change, covered); the
    # household health insurance comes second, after the unit's name.
    area = table.get_by_role("row").filter(has_text=area_name)
    expect(area.get_by_role("cell").nth(1 + 6 + 1)).to_have_text("5")
    total = page.get_by_test_id("totals")
    expect(total.get_by_role("cell").nth(6 + 1)).to_have_text("5")
    _screens(page, "targets")


def test_a_household_of_five_enrolled_for_a_year_shows_in_the_target_report(
    page: Page, live_server: LiveServer, point_clerk: User, tree: Tree, users: dict[str, User]
) -> None:
    _login(page, live_server, point_clerk.username)
    home = _register_household(page, live_server)
    _enrol(page, live_server, home)
    _print_receipt(page)
    page.get_by_role("button", name="Đăng xuất").click()

    _login(page, live_server, users[Role.PROVINCE_MANAGER].username)
    _see_targets(page, live_server, tree.area_a.name)
