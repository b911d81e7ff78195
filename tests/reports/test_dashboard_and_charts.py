"""What a manager sees at a glance: the home dashboard, the charts, the PDF's numbered pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from buudien.core.models import Role, User
from buudien.plans import services
from buudien.plans.models import Indicator
from buudien.plans.periods import Period
from buudien.reports import charts, exports
from tests.conftest import Tree
from tests.plans.indicators import load_indicators
from tests.reports.helpers import revenue

TODAY = dt.date.today()


@pytest.fixture
def figures(tree: Tree, users: dict[str, User], catalogue: None) -> dict[str, Indicator]:
    """This month's revenue in both areas and a yearly plan for the province."""
    inds = load_indicators()
    admin = users[Role.ADMIN]
    day = timezone.localdate().replace(day=1)
    revenue(admin, tree.point_a1, day, finance=3_000_000_000, delivery=1_000_000_000)
    revenue(admin, tree.point_b1, day, media=500_000_000)
    services.set_plan(
        actor=admin,
        unit=tree.province,
        indicator=inds["DT_TONG"],
        year=day.year,
        target=120_000_000_000,
    )
    return inds


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_home_dashboard_fragment_has_no_second_site_header(
    tree: Tree, users: dict[str, User], figures: object
) -> None:
    client = _client(users[Role.PROVINCE_MANAGER])
    home = client.get("/").content.decode()
    assert home.count("<header") == 1 and 'hx-get="/reports/"' in home
    fragment = client.get("/reports/", HTTP_HX_REQUEST="true").content.decode()
    assert "<header" not in fragment and "<html" not in fragment
    assert 'data-indicator="DT_TONG"' in fragment
    assert client.get("/reports/").content.decode().count("<header") == 1


def test_the_dashboard_shows_month_and_year_to_date_against_plan(
    tree: Tree, users: dict[str, User], figures: object
) -> None:
    html = _client(users[Role.PROVINCE_MANAGER]).get("/reports/", HTTP_HX_REQUEST="true")
    text = html.content.decode()
    month = timezone.localdate().month
    assert f"Tháng {month}/" in text and f"Lũy kế T1–T{month}" in text
    assert "4.500 triệu đồng" in text  # this month's total revenue, in both rows
    assert "10.000 triệu đồng" in text  # the plan of one month of 120 tỷ
    assert "66,7%" in text  # the finance share of the revenue, as a share


def test_the_monthly_chart_has_axis_values_unit_and_legend() -> None:
    svg = str(
        charts.monthly_vs_plan(
            [(1, 4_500_000_000, 10_000_000_000), (2, 0, 10_000_000_000)], "Doanh thu"
        )
    )
    assert "(tỷ đồng)" in svg
    assert ">10<" in svg and ">0<" in svg  # tick values in tỷ
    assert ">Thực hiện<" in svg and ">Kế hoạch<" in svg
    assert "<desc>T1: 4.500 triệu đồng / KH 10.000 triệu đồng" in svg


def test_long_names_are_shortened_and_the_margin_fits_the_longest() -> None:
    name = "Điểm Bưu điện – Văn hóa xã Phường Ngọc Xuân thành phố Cao Bằng"
    svg = str(charts.ranking([(name, 12_000_000), ("Điểm A", 3_000_000)], "Xếp hạng"))
    assert name not in svg.split("<desc>", maxsplit=1)[0] and "…" in svg
    assert "(đồng/điểm/tháng)" in svg
    first_bar = svg.split('<rect x="')[1]
    assert float(first_bar.split('"')[0]) > 34 * 5  # the bars start right of the names


def test_the_pdf_has_numbered_pages_and_totals(
    tree: Tree, users: dict[str, User], figures: object
) -> None:
    user = users[Role.PROVINCE_MANAGER]
    ctx = exports.context(user, tree.province, Period(TODAY.year, "year", 12))
    html = exports.html_document(ctx)
    assert 'counter(page) "/" counter(pages)' in html and "Trang" in html
    assert html.count("<tfoot>") == 2  # the business lines, the children
    total_row = html.split('data-testid="children"')[1].split("<tfoot>")[1]
    assert "4.500.000.000" in total_row
    assert "tháng tháng" not in html
