"""The payout lists as they grow: paged 50 lines at a time, filtered, sorted and exported, each
line's state shown, only the actions it can take offered; the reconciliation with its totals."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from buudien.core.models import Role
from buudien.core.text import build_search_text
from buudien.payouts import services
from buudien.payouts.models import Beneficiary, Payout, PayoutList
from tests.access.world import World
from tests.payouts.conftest import client_as as _as

pytestmark = pytest.mark.django_db
ROW = re.compile(r'<tr data-name="([^"]*)"')


def _list(world: World) -> PayoutList:
    pl: PayoutList = world.obj("in", "list")
    return pl


def _url(world: World) -> str:
    return reverse("payouts:list", kwargs={"list_id": _list(world).pk})


def _add_lines(
    world: World, n: int, *, name: str = "Hoàng Văn Thêm", amount: int = 500_000
) -> None:
    point = world.side("in").point
    for i in range(n):
        cid = f"0041{i:08d}"
        person = Beneficiary.objects.create(
            citizen_id=cid,
            name=f"{name} {i:03d}",
            point=point,
            hamlet="Nà Lẹng",
            search_text=build_search_text(f"{name} {i:03d}", cid),
        )
        Payout.objects.create(
            list=_list(world),
            beneficiary=person,
            point=point,
            row=100 + i,
            amount=amount + i,
            method="counter",
        )


def _names(client: Client, url: str, **params: Any) -> list[str]:
    response = client.get(url, params)
    assert response.status_code == 200
    return ROW.findall(response.content.decode())


def test_a_long_list_is_paged_fifty_lines_at_a_time(world: World) -> None:
    _add_lines(world, 70)
    manager = _as(world, Role.PROVINCE_MANAGER)
    first = manager.get(_url(world)).content.decode()
    assert len(ROW.findall(first)) == 50
    assert "74 dòng" in first
    assert "Trang 1/2" in first
    second = _names(manager, _url(world), page=2)
    assert len(second) == 24
    assert not set(second) & set(ROW.findall(first))


def test_filters_and_sort_change_the_lines_shown(world: World) -> None:
    _add_lines(world, 3)
    clerk = _as(world, Role.CLERK)
    assert _names(clerk, _url(world), q="hoang van them 001") == ["Hoàng Văn Thêm 001"]
    by_amount = _names(clerk, _url(world), sort="-amount")
    assert by_amount[0].startswith("Nông Văn Tài")  # 3,100,000: the largest
    assert _names(clerk, _url(world), sort="amount")[0] == "Hoàng Văn Thêm 000"
    services.return_unpaid(
        payout=world.obj("in", "return_line"), actor=world.users[Role.CLERK], reason="moved"
    )
    returned = _names(clerk, _url(world), status="returned")
    assert [n.split(" 9")[0] for n in returned] == ["Lục Thị Mến"]
    Beneficiary.objects.filter(name="Hoàng Văn Thêm 002").update(status="suspended")
    assert _names(clerk, _url(world), person="suspended") == ["Hoàng Văn Thêm 002"]


def test_a_wrong_date_is_named_and_the_typed_text_kept(world: World) -> None:
    response = _as(world, Role.CLERK).get(_url(world), {"paid_from": "31/02/2026", "q": "tai"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Chi từ ngày:" in page
    assert 'value="31/02/2026"' in page
    assert 'value="tai"' in page


def test_the_export_holds_the_filtered_lines_with_text_kept_as_text(world: World) -> None:
    _add_lines(world, 2, name="=HYPERLINK(1)")
    response = _as(world, Role.PROVINCE_MANAGER).get(
        _url(world), {"q": "hyperlink", "export": "xlsx"}
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["=HYPERLINK(1) 000", "=HYPERLINK(1) 001"]
    assert sheet["A2"].data_type == "s"
    assert rows[0][1] == "004******000"  # the citizen id masked as in the list


def test_no_pay_button_on_a_suspended_persons_line_and_its_state_shown(world: World) -> None:
    line = world.obj("in", "pay_line")
    pay = reverse("payouts:pay", kwargs={"line_id": line.pk})
    clerk = _as(world, Role.CLERK)
    assert pay in clerk.get(_url(world)).content.decode()
    Beneficiary.objects.filter(pk=line.beneficiary_id).update(status="suspended")
    page = clerk.get(_url(world)).content.decode()
    assert pay not in page
    assert '<span class="badge warn">Tạm dừng</span>' in page


def test_returning_a_line_asks_for_confirmation_and_a_reason(world: World) -> None:
    line = world.obj("in", "return_line")
    clerk = _as(world, Role.CLERK)
    page = clerk.get(_url(world)).content.decode()
    form = page.split(reverse("payouts:return", kwargs={"line_id": line.pk}))[1].split("</form>")[0]
    assert "data-confirm=" in form
    assert "required" in form
    response = clerk.post(
        reverse("payouts:return", kwargs={"line_id": line.pk}), {"reason": ""}, follow=True
    )
    assert "Cần chọn lý do trả lại" in response.content.decode()
    line.refresh_from_db()
    assert line.status == "pending"


def test_paying_returns_to_the_same_page_and_filters(world: World) -> None:
    line = world.obj("in", "pay_line")
    response = _as(world, Role.CLERK).post(
        reverse("payouts:pay", kwargs={"line_id": line.pk}),
        {"receiver": "self", "back": "status=pending&page=1&sort=name"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?status=pending&page=1&sort=name")


def test_the_lists_and_the_people_are_paged_filtered_and_exported(world: World) -> None:
    _add_lines(world, 60)
    manager = _as(world, Role.PROVINCE_MANAGER)
    people = manager.get(reverse("payouts:beneficiaries")).content.decode()
    assert "64 người" in people
    assert "Trang 1/2" in people
    found = manager.get(reverse("payouts:beneficiaries"), {"q": "them 059"}).content.decode()
    assert "Hoàng Văn Thêm 059" in found
    assert "Hoàng Văn Thêm 058" not in found
    book = manager.get(reverse("payouts:beneficiaries"), {"q": "them", "export": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(book.content)).active.iter_rows(min_row=2))
    assert len(rows) == 60
    lists = manager.get(reverse("payouts:index"), {"state": "closed"}).content.decode()
    assert "Chưa có danh sách." in lists
    lists = manager.get(reverse("payouts:index"), {"state": "open"}).content.decode()
    assert _list(world).programme.name in lists


def test_the_cashless_page_is_paged_and_names_a_wrong_month(world: World) -> None:
    manager = _as(world, Role.PROVINCE_MANAGER)
    page = manager.get(reverse("payouts:cashless"), {"month": "2026-13"}).content.decode()
    assert "Tháng:" in page
    month = _list(world).month.strftime("%Y-%m")
    page = manager.get(reverse("payouts:cashless"), {"month": month}).content.decode()
    point = world.side("in").point
    row = page.split(f"<td>{point.code}</td>")[1].split("</tr>")[0]
    assert re.findall(r'class="num">([^<]*)<', row) == ["1", "4", "1", "25%"]


def test_the_reconciliation_pdf_has_a_month_title_totals_and_page_numbers(world: World) -> None:
    pl = _list(world)
    clerk = world.users[Role.CLERK]
    services.return_unpaid(payout=world.obj("in", "return_line"), actor=clerk, reason="moved")
    rec = services.reconciliation(user=world.users[Role.PROVINCE_MANAGER], payout_list=pl)
    html = render_to_string(
        "payouts/reconciliation.html", {"pl": pl, "rec": rec, "font_dir": "file:///fonts"}
    )
    assert f"tháng {pl.month:%m/%Y}" in html
    assert "tháng tháng" not in html
    totals = html.split("<tfoot>")[1].split("</tfoot>")[0]
    assert "Tổng cộng" in totals
    assert "2.700.000" in totals  # the returned line's amount
    assert "counter(pages)" in html
