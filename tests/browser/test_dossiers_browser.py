"""A dossier's whole journey in the browser, with the citizen looking it up at each step."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from buudien.core.models import Role, User
from buudien.dossiers.models import Dossier
from tests.browser.test_network_browser import _login
from tests.conftest import Tree


def _lookup(page: Page, live_server: LiveServer, code: str, status: str) -> None:
    citizen = page.context.browser.new_page(locale="vi-VN")  # type: ignore[union-attr]
    citizen.goto(f"{live_server.url}/tra-cuu/")
    citizen.get_by_label("Mã hồ sơ (trên phiếu gửi hồ sơ)").fill(code)
    citizen.get_by_label("4 số cuối điện thoại đã đăng ký").fill("5678")
    citizen.get_by_role("button", name="Tra cứu").click()
    expect(citizen.get_by_test_id("lookup-status")).to_have_text(status)
    expect(citizen.locator("body")).not_to_contain_text("Nông Thị Hoa")
    citizen.close()


def _logout(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()


def _take_in_with_a_missing_document_first(page: Page, live_server: LiveServer) -> None:
    """The clerk sees the fees follow her choices, is told what is missing without losing a
    tick, reviews the fees and confirms."""
    page.goto(f"{live_server.url}/dossiers/new/?procedure=1.001193")
    form = page.get_by_test_id("intake-form")
    form.get_by_label("Họ và tên").fill("Nông Thị Hoa")
    form.get_by_label("Số CCCD").fill("004185001234")
    form.get_by_label("Điện thoại").fill("0912 345 678")
    form.get_by_label("Địa chỉ").fill("Thôn Nà Lẹng, xã Đức Long")
    form.get_by_label("Tờ khai theo mẫu", exact=True).check()
    form.get_by_label("Căn cước công dân / thẻ căn cước", exact=True).check()
    expect(form.get_by_test_id("intake-form-total")).to_have_text("25.000 ₫")
    form.get_by_label("Trả kết quả tại nhà").check()
    expect(form.get_by_test_id("intake-form-total")).to_have_text("40.000 ₫")
    form.get_by_label("Trả kết quả tại nhà").uncheck()
    form.get_by_role("button", name="Xem lại các khoản thu").click()
    expect(page.get_by_role("alert")).to_contain_text("cần mang thêm: Giấy chứng sinh")
    expect(page.get_by_label("Họ và tên")).to_have_value("Nông Thị Hoa")
    expect(page.get_by_label("Tờ khai theo mẫu", exact=True)).to_be_checked()
    expect(page.get_by_label("Căn cước công dân / thẻ căn cước", exact=True)).to_be_checked()
    page.get_by_label("Giấy chứng sinh", exact=True).check()
    page.get_by_role("button", name="Xem lại các khoản thu").click()
    expect(page.get_by_test_id("intake-total")).to_have_text("25.000 ₫")
    page.get_by_role("button", name="Xác nhận và thu 25.000 ₫").click()
    expect(page.get_by_test_id("status")).to_contain_text("Đã tiếp nhận tại điểm")


def test_intake_batch_agency_result_and_return(
    page: Page,
    live_server: LiveServer,
    tree: Tree,
    users: dict[str, User],
    procedures: Any,
    officer: User,
) -> None:
    _login(page, live_server, users[Role.CLERK].username)
    page.goto(f"{live_server.url}/counter/")
    page.get_by_label("Tiền mặt đầu ca (đồng)").fill("0")
    page.get_by_role("button", name="Mở ca").click()

    _take_in_with_a_missing_document_first(page, live_server)
    code = Dossier.objects.get().code

    with page.context.expect_page() as slip_info:
        page.get_by_test_id("print-slip").click()
    slip = slip_info.value
    expect(slip.get_by_test_id("slip-code")).to_have_text(code)
    expect(slip.locator("svg")).to_have_count(1)
    slip.close()
    _lookup(page, live_server, code, "Đã tiếp nhận tại điểm")

    page.goto(f"{live_server.url}/dossiers/batches/?agency=UBNDXA04")
    page.get_by_role("button", name="Lập biên bản giao").click()
    page.get_by_role("button", name="Giao biên bản").click()
    expect(page.get_by_test_id("batch-state")).to_have_text("Đã giao, chờ xác nhận")
    batch_url = page.url
    _lookup(page, live_server, code, "Đang chuyển đến cơ quan")
    _logout(page)

    _login(page, live_server, officer.username)
    page.goto(batch_url)
    page.get_by_label(f"Số biên nhận {code}").fill("UB-2025-001")
    page.get_by_role("button", name="Xác nhận đã nhận đủ").click()
    expect(page.get_by_test_id("batch-state")).to_have_text("Đã xác nhận")
    _lookup(page, live_server, code, "Cơ quan đã nhận")
    page.goto(f"{live_server.url}/dossiers/{code}/")
    page.get_by_test_id("action-result_ready").get_by_role("button").click()
    expect(page.get_by_test_id("status")).to_contain_text("Có kết quả tại cơ quan")
    _lookup(page, live_server, code, "Có kết quả tại cơ quan")
    _logout(page)

    _login(page, live_server, users[Role.CLERK].username)
    page.goto(f"{live_server.url}/dossiers/batches/?agency=UBNDXA04")
    page.get_by_role("button", name="Lập biên bản nhận kết quả").click()
    page.get_by_role("button", name="Giao biên bản").click()
    page.get_by_role("button", name="Xác nhận đã nhận đủ").click()
    expect(page.get_by_test_id("batch-state")).to_have_text("Đã xác nhận")
    _lookup(page, live_server, code, "Kết quả ở điểm bưu điện")
    page.goto(f"{live_server.url}/dossiers/{code}/")
    action = page.get_by_test_id("action-return")
    action.get_by_label("Người nhận").fill("Nông Thị Hoa")
    action.get_by_role("button").click()
    expect(page.get_by_test_id("status")).to_contain_text("Đã trả cho công dân")
    _lookup(page, live_server, code, "Đã trả cho công dân")


def _write_forms(page: Page) -> list[str]:
    """The POST forms on the page, but the language and logout forms of every page."""
    return [
        str(action)
        for action in page.locator("form[method='post' i]").evaluate_all(
            "forms => forms.map(f => f.getAttribute('action') || location.pathname)"
        )
        if action not in {"/logout/", "/i18n/setlang/"}
    ]


def test_the_auditor_and_the_agency_officer_find_no_write_form_they_cannot_use(
    page: Page,
    live_server: LiveServer,
    tree: Tree,
    users: dict[str, User],
    procedures: Any,
    officer: User,
) -> None:
    from buudien.counter import services as counter_services
    from buudien.dossiers import services
    from buudien.dossiers.models import Batch
    from tests.dossiers.conftest import CITIZEN, full_documents
    from tests.factories import UserFactory

    clerk = users[Role.CLERK]
    session = counter_services.open_session(
        clerk=clerk, unit=tree.point_a1, opening_cash=0, business_date=dt.date.today()
    )
    procedure = procedures["1.001193"]
    d = services.intake(
        clerk=clerk,
        session=session,
        procedure=procedure,
        documents=full_documents(procedure),
        **CITIZEN,
    )
    services.file_complaint(actor=clerk, dossier=d, kind="delay", description="Chậm")
    batch = services.open_batch(
        actor=clerk, agency=d.agency, direction=Batch.Direction.TO_AGENCY, dossiers=[d]
    )
    pages = [
        "/dossiers/?which=open",
        f"/dossiers/{d.code}/",
        "/dossiers/batches/?agency=UBNDXA04",
        f"/dossiers/batches/{batch.code}/",
        "/dossiers/complaints/",
        "/dossiers/procedures/",
        "/dossiers/report/",
    ]
    auditor = UserFactory(username="kiemsoat-tinh", role=Role.AUDITOR, home_unit=tree.province)
    for user in (auditor, officer):
        _login(page, live_server, user.username)
        for path in pages:
            answer = page.goto(f"{live_server.url}{path}")
            assert answer is not None and answer.status == 200, (user.username, path)
            assert _write_forms(page) == [], (user.username, path)
        _logout(page)


def test_the_citizen_scans_the_slips_qr_code_on_his_phone(
    browser: Browser,
    page: Page,
    live_server: LiveServer,
    tree: Tree,
    users: dict[str, User],
    procedures: Any,
) -> None:
    from buudien.counter import services as counter_services
    from buudien.dossiers import services
    from buudien.network.models import PostUnit
    from tests.dossiers.conftest import CITIZEN, full_documents

    PostUnit.objects.filter(pk=tree.point_a1.pk).update(
        address="Thôn Nà Lẹng, xã Đức Long", phone="0206 3851 234"
    )
    clerk = users[Role.CLERK]
    session = counter_services.open_session(
        clerk=clerk, unit=tree.point_a1, opening_cash=0, business_date=dt.date.today()
    )
    procedure = procedures["1.001193"]
    d = services.intake(
        clerk=clerk,
        session=session,
        procedure=procedure,
        documents=full_documents(procedure),
        **CITIZEN,
    )
    _login(page, live_server, clerk.username)
    page.goto(f"{live_server.url}/dossiers/{d.code}/slip/")
    link = page.get_by_test_id("slip-tracking-link").get_attribute("href")
    assert link is not None and "t=" in link

    phone = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    citizen = phone.new_page()
    citizen.goto(link)
    expect(citizen.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ {d.code}")
    expect(citizen.get_by_label("Mã hồ sơ (trên phiếu gửi hồ sơ)")).to_have_count(0)
    expect(citizen.get_by_label("4 số cuối điện thoại đã đăng ký")).to_be_focused()
    assert citizen.locator("script").count() == 0
    citizen.get_by_label("4 số cuối điện thoại đã đăng ký").fill("0000")
    citizen.get_by_role("button", name="Xem hồ sơ").click()
    expect(citizen.get_by_role("alert")).to_contain_text("4 số cuối chưa khớp")
    expect(citizen.locator("body")).not_to_contain_text("Đăng ký khai sinh")
    citizen.get_by_label("4 số cuối điện thoại đã đăng ký").fill("5678")
    citizen.get_by_role("button", name="Xem hồ sơ").click()
    expect(citizen.get_by_test_id("lookup-status")).to_have_text("Đã tiếp nhận tại điểm")
    expect(citizen.get_by_test_id("lookup-timeline")).to_contain_text("Đã tiếp nhận tại điểm")
    expect(citizen.get_by_test_id("lookup-agency")).not_to_be_empty()
    expect(citizen.get_by_test_id("lookup-contact")).to_contain_text("Thôn Nà Lẹng")
    expect(citizen.get_by_role("link", name="Gọi 0206 3851 234")).to_be_visible()
    expect(citizen.locator("body")).not_to_contain_text("Nông Thị Hoa")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390
    phone.close()
