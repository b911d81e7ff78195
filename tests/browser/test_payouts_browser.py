"""Import a list, pay a line at the counter, refuse a second payment from a stale page,
return another, close the list and download the reconciliation; the auditor and the agency
officer find no write form on any payouts page they can open."""

from __future__ import annotations

import io

import openpyxl
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from buudien.core.models import Role, User
from buudien.network.models import Partner
from buudien.payouts import services
from buudien.payouts.models import Beneficiary, Payout, Programme
from tests.browser.test_network_browser import _login
from tests.conftest import Tree, serve_agencies
from tests.factories import UserFactory

# Forms that change something, in the page's own content (not the language or logout forms).
WRITE_FORMS = "main form[method=post]"


def _workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Số CCCD", "Họ tên", "Số tiền", "Mã điểm", "Hình thức nhận", "Thôn, bản"])
    ws.append(["004150000001", "Nông Văn Tài", 3_200_000, "VHXA1", "Tại quầy", "Nà Lẹng"])
    ws.append(["004150000002", "Lục Thị Mến", 2_800_000, "VHXA1", "Tại nhà", "Pác Bó"])
    ws.append(["004150000003", "Bế Văn Hùng", 1_900_000, "VHXA1", "Tại quầy", "Nà Lẹng"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_pay_refuse_return_close_download(
    page: Page, live_server: LiveServer, tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    serve_agencies(tree.province)
    Programme.objects.update(window_start=1, window_end=31)
    month = timezone.localdate().strftime("%Y-%m")

    _login(page, live_server, users[Role.PROVINCE_MANAGER].username)
    page.goto(f"{live_server.url}/payouts/import/")
    form = page.get_by_test_id("upload-form")
    form.get_by_label("Chương trình").select_option("BTXH")
    form.get_by_label("Tháng", exact=True).fill(month)
    form.get_by_label("Tệp Excel (.xlsx)").set_input_files(
        {"name": "ds.xlsx", "mimeType": "application/octet-stream", "buffer": _workbook()}
    )
    form.get_by_role("button", name="Nhập").click()
    expect(page.get_by_test_id("progress")).to_contain_text("chờ chi 3")
    list_url = page.url
    page.get_by_role("button", name="Đăng xuất").click()

    _login(page, live_server, users[Role.CLERK].username)
    page.goto(f"{live_server.url}/counter/")
    page.get_by_label("Tiền mặt đầu ca (đồng)").fill("50.000.000")
    page.get_by_role("button", name="Mở ca").click()
    stale = page.context.new_page()
    stale.goto(list_url)
    page.goto(list_url)
    page.get_by_label("Tìm người hưởng").fill("nong van tai")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_test_id("count")).to_have_text("1 dòng")
    row = page.locator("tr[data-name='Nông Văn Tài']")
    row.get_by_label("CCCD người nhận Nông Văn Tài").fill("004150000001")
    row.get_by_role("button", name="Chi trả").click()
    expect(page.get_by_text("Đã chi trả Nông Văn Tài")).to_be_visible()
    # Back on the same search, the line now shows its state and offers nothing more.
    expect(page.get_by_label("Tìm người hưởng")).to_have_value("nong van tai")
    expect(row.get_by_test_id("line-status")).to_have_text("Đã chi trả")
    expect(row.get_by_role("button")).to_have_count(0)

    stale.locator("tr[data-name='Nông Văn Tài']").get_by_role("button", name="Chi trả").click()
    expect(stale.get_by_role("alert")).to_contain_text("không chi lần hai")
    stale.close()
    assert Payout.objects.filter(status="paid").count() == 1

    page.goto(list_url)
    other = page.locator("tr[data-name='Lục Thị Mến']")
    _return_after_confirming(page, other)
    page.get_by_role("button", name="Đăng xuất").click()

    _login(page, live_server, users[Role.PROVINCE_MANAGER].username)
    page.goto(list_url)
    page.get_by_label("Các dòng chưa chi trả lại với lý do").select_option("not_found")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Đóng đợt chi trả và quyết toán").click()
    expect(page.get_by_test_id("rec-totals")).to_contain_text("Đã chi 1")
    with page.expect_download() as xlsx:
        page.get_by_test_id("rec-xlsx").click()
    with open(xlsx.value.path(), "rb") as f:
        workbook = openpyxl.load_workbook(io.BytesIO(f.read()))
    totals = list(workbook.active.iter_rows(values_only=True))[-1]
    assert totals[1] == "Tổng"
    assert totals[2:4] == (1, 3_200_000)
    assert totals[8:10] == (2, 4_700_000)
    with page.expect_download() as pdf:
        page.get_by_test_id("rec-pdf").click()
    with open(pdf.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"


def _return_after_confirming(page: Page, other: Locator) -> None:
    """Returning asks once more: dismissed, nothing happens; accepted, the line is returned."""
    other.get_by_label("Lý do trả lại Lục Thị Mến").select_option("moved")
    page.once("dialog", lambda dialog: dialog.dismiss())
    other.get_by_role("button", name="Trả lại").click()
    expect(other.get_by_test_id("line-status")).to_have_text("Chờ chi trả")
    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    other.get_by_role("button", name="Trả lại").click()
    expect(page.get_by_text("Đã trả lại dòng của Lục Thị Mến")).to_be_visible()
    assert "Lục Thị Mến" in questions[0]


def _pages(live_server: LiveServer, payout: Payout) -> list[str]:
    base = live_server.url
    return [
        f"{base}/payouts/",
        f"{base}/payouts/lists/{payout.list_id}/",
        f"{base}/payouts/lists/{payout.list_id}/round/VHXA1/",
        f"{base}/payouts/beneficiaries/",
        f"{base}/payouts/beneficiaries/{payout.beneficiary_id}/",
        f"{base}/payouts/cashless/",
    ]


def test_the_auditor_and_the_agency_officer_find_no_write_form(
    page: Page, live_server: LiveServer, tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    serve_agencies(tree.province)
    agency = Partner.objects.get(code="SYT04")
    Programme.objects.update(window_start=1, window_end=31)
    services.import_list(
        actor=users[Role.PROVINCE_MANAGER],
        programme=Programme.objects.get(code="BTXH"),
        month=timezone.localdate(),
        source=_workbook(),
    )
    payout = Payout.objects.order_by("row").first()
    assert payout is not None
    Beneficiary.objects.update(authorised_name="Nông Thị Con")
    auditor = UserFactory(username="kiemsoat-tinh", role=Role.AUDITOR, home_unit=tree.province)
    officer = UserFactory(username="syt", role=Role.PARTNER_OFFICER, partner=agency)
    for user in (auditor, officer):
        _login(page, live_server, user.username)
        opened = 0
        for url in _pages(live_server, payout):
            response = page.goto(url)
            assert response is not None
            if response.status == 403:
                continue
            assert response.status == 200, url
            opened += 1
            expect(page.locator(WRITE_FORMS)).to_have_count(0)
        assert opened >= 3
        # The officer may send his own agency's lists; the auditor may not even open the form.
        response = page.goto(f"{live_server.url}/payouts/import/")
        assert response is not None
        if user == officer:
            assert response.status == 200
            expect(page.locator(WRITE_FORMS)).to_have_count(1)
            expect(page.get_by_label("Chương trình")).to_contain_text("Trợ cấp xã hội")
        else:
            assert response.status == 403
            expect(page.locator(WRITE_FORMS)).to_have_count(0)
        page.get_by_role("button", name="Đăng xuất").click()
