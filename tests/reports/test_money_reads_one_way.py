"""Money reads one way: the page, the printed report, the prose and the workbook all write an
amount with `core.money`, so a figure a reader compares across them is the same figure."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.test import Client

from buudien.core.models import Role, User
from buudien.core.money import format_number, format_report, format_short
from buudien.plans.periods import Period
from buudien.reports import exports
from tests.conftest import Tree
from tests.plans.indicators import load_indicators
from tests.reports.helpers import revenue

AMOUNT = 113_298_456_789  # 113 tỷ 298 triệu đồng, as the published report words it


def test_an_amount_reads_the_same_on_the_page_in_print_in_prose_and_in_the_workbook(
    tree: Tree, users: dict[str, User], catalogue: None
) -> None:
    load_indicators()
    manager = users[Role.PROVINCE_MANAGER]
    revenue(users[Role.ADMIN], tree.point_a1, dt.date(2025, 3, 14), finance=AMOUNT)
    ctx = exports.context(manager, tree.province, Period(2025, "year", 12))
    per_point = ctx["network"].average_per_point_month
    client = Client()
    client.force_login(manager)
    page = client.get(f"/reports/{tree.province.code}/?year=2025").content.decode()
    printed = exports.html_document(ctx)

    for shown in (page, printed):
        assert "113.298.456.789" in shown  # the table: digits grouped, no symbol
        assert format_number(AMOUNT) in shown
        assert "Tổng doanh thu 113 tỷ 298 triệu đồng" in shown  # the prose
        assert format_report(AMOUNT) in shown
        assert f"{format_short(per_point)}/điểm/tháng" in shown
    assert "113 tỷ 298 triệu đồng" in ctx["text"]

    sheet = openpyxl.load_workbook(io.BytesIO(exports.xlsx(ctx)))["KH - Thực hiện"]
    total = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == "Tổng doanh thu")
    assert total[2].value == AMOUNT  # a number Excel can add, grouped by its own format
    assert total[2].number_format == "#,##0"
