"""Each role's main pages read for everybody: axe-core finds nothing serious or critical on
them at desktop and at phone size, and the keyboard focus is visible. With
BUUDIEN_SCREENSHOTS=1 the same run photographs them for the docs (docs/screens/)."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from buudien.core.models import Role
from tests.access.test_access_matrix import build
from tests.access.world import World, build_world
from tests.browser.test_network_browser import _login
from tests.main_pages import MAIN_PAGES, MainPage
from tests.reports.helpers import revenue

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
SHOOT = os.environ.get("BUUDIEN_SCREENSHOTS") == "1"
VIEWPORTS = {"desktop": (1366, 768), "phone": (390, 844)}
# The demo's logins, which MAIN_PAGES names its roles by, and the people behind them.
DEMO_LOGINS = {
    Role.CLERK: ("diemvhx", "Lục Thị Mai"),
    Role.AREA_MANAGER: ("khuvuc", "Hoàng Văn Dũng"),
    Role.PROVINCE_MANAGER: ("tinh", "Nông Thị Hạnh"),
    Role.PARTNER_OFFICER: ("doitac", "Đàm Văn Quân"),
    Role.AUDITOR: ("kiemsoat", "Bế Thị Lan"),
}


def _main_world() -> World:
    """The access tests' world, its users under the demo's logins, with the months of last
    year and this one so far of revenue at its point, so the dashboards have something to draw."""
    world = build_world()
    build(world)
    for role, (username, full_name) in DEMO_LOGINS.items():
        user = world.users[role]
        user.username, user.full_name = username, full_name
        user.save(update_fields=["username", "full_name"])
    point = world.side("in").point
    for year in (world.today.year - 1, world.today.year):
        for month in range(1, 13):
            day = dt.date(year, month, 10)
            if day >= world.today:
                break
            revenue(
                world.users[Role.ADMIN],
                point,
                day,
                delivery=4_000_000 + 150_000 * month,
                finance=9_000_000 + 300_000 * month,
                media=1_500_000 + 50_000 * month,
            )
    return world


def _url(world: World, main: MainPage) -> str:
    side = world.side("in")
    return main.path.format(point=side.point.code, area=side.area.code, province=side.province.code)


def _photograph(page: Page, path: Path) -> None:
    """The whole page as a PNG of 256 colours: a third of the size, the same to read."""
    shot = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    path.parent.mkdir(parents=True, exist_ok=True)
    shot.convert("RGB").quantize(256).save(path, optimize=True)


def _check(
    page: Page, main: MainPage, axe: Callable[[Page], list[str]], *, photograph: bool
) -> list[str]:
    """The page at each size: its serious violations, and its photograph when asked for."""
    found = []
    for size, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        found += [f"{size}: {line}" for line in axe(page)]
        if photograph:
            _photograph(page, SCREENS / f"{main.name}-{size}.png")
    return found


def test_main_pages_have_no_serious_accessibility_violation(
    browser: Browser,
    live_server: LiveServer,
    transactional_db: None,
    axe: Callable[[Page], list[str]],
) -> None:
    world = _main_world()
    problems: dict[str, list[str]] = {}
    for role in dict.fromkeys(main.role for main in MAIN_PAGES):
        context = browser.new_context(locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        if role:
            _login(page, live_server, role)
            page.wait_for_url(f"{live_server.url}/")
        for main in (m for m in MAIN_PAGES if m.role == role):
            answer = page.goto(live_server.url + _url(world, main))
            status = answer.status if answer else 0
            found = [f"the page answered {status}"] if status != 200 else []
            # An error page is checked too, but never replaces the page's photograph.
            found += _check(page, main, axe, photograph=SHOOT and status == 200)
            if found:
                problems[f"{main.name} ({role or 'citizen'} {main.path})"] = found
        context.close()
    report = "\n".join(
        f"{name}:\n" + "\n".join(f"  - {line}" for line in lines)
        for name, lines in problems.items()
    )
    assert not problems, f"accessibility problems on the main pages:\n{report}"


def test_a_keyboard_user_can_skip_the_navigation_and_sees_a_clear_focus_ring(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/khong-co-trang-nay/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Chuyển đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.goto(f"{live_server.url}/login/")
    expect(page.get_by_label("Tên đăng nhập")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    button = page.get_by_role("button", name="Đăng nhập")
    expect(button).to_be_focused()
    style, width = button.evaluate(
        "b => { const s = getComputedStyle(b); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert style == "solid" and float(width.removesuffix("px")) >= 2, (style, width)


def test_the_checker_finds_an_unlabelled_field_and_unreadable_text(
    page: Page, axe: Callable[[Page], list[str]]
) -> None:
    page.set_content(
        '<html lang="vi"><title>t</title><main><input name="q">'
        '<p style="color:#bbb;background:#fff">Chữ nhạt</p></main></html>'
    )
    rules = {line.split(" ", 1)[0] for line in axe(page)}
    assert {"label", "color-contrast"} <= rules
