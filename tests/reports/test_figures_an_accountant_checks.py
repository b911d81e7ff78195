"""The figures as the finance office of a provincial post computes them by hand.

Each test states one rule the way the accountant would, and checks the report (its table, its
prose, its workbook and its API) gives what the rule gives.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from pypdf import PdfReader

from buudien.core.models import Role, User
from buudien.plans import services as plan_services
from buudien.plans.errors import PlanError
from buudien.plans.models import Indicator, ManualValue, Plan
from buudien.plans.periods import Period
from buudien.reports import exports
from buudien.reports.builders import plan_vs_actual
from buudien.reports.narrative import plan_vs_actual_text
from tests.conftest import Tree
from tests.plans.indicators import load_indicators
from tests.reports.helpers import revenue

TRIEU = 1_000_000
TY = 1_000_000_000
YEAR = Period(2025, "year", 12)


@pytest.fixture
def inds(catalogue: None) -> dict[str, Indicator]:
    return load_indicators()


@pytest.fixture
def manager(users: dict[str, User]) -> User:
    return users[Role.PROVINCE_MANAGER]


def _enter(manager: User, unit: object, month: int, **values: int) -> None:
    plan_services.enter_manual_values(
        actor=manager,
        unit=unit,  # type: ignore[arg-type]
        year=2025,
        month=month,
        values=dict(values),
    )


# 1. Labour productivity is revenue per worker, added up as totals, then divided.


def test_productivity_of_the_province_is_its_wage_revenue_over_all_its_workers(
    tree: Tree, manager: User, inds: dict[str, Indicator]
) -> None:
    """Năng suất lao động của tỉnh = doanh thu tính lương của tỉnh / tổng số lao động của tỉnh
    (300 và 400 triệu đồng/người ở hai khu vực cho 320 triệu, không phải 700 hay 350)."""
    for month in (1, 2):
        _enter(manager, tree.area_a, month, DT_TINH_LUONG=3 * TY, LAO_DONG=20)
        _enter(manager, tree.area_b, month, DT_TINH_LUONG=1 * TY, LAO_DONG=5)
    report = plan_vs_actual(manager, tree.province, YEAR)
    row = report.row("NSLD")
    assert row is not None
    assert row.actual == 320 * TRIEU
    assert report.row("LAO_DONG").actual == 25  # type: ignore[union-attr]  # not 50: a level
    text = plan_vs_actual_text(report)
    assert "năng suất lao động 320 triệu đồng/người" in text
    area_a = plan_vs_actual(manager, tree.area_a, YEAR).row("NSLD")
    area_b = plan_vs_actual(manager, tree.area_b, YEAR).row("NSLD")
    assert (area_a.actual, area_b.actual) == (300 * TRIEU, 400 * TRIEU)  # type: ignore[union-attr]


def test_productivity_plan_is_the_wage_revenue_plan_over_the_planned_workforce(
    tree: Tree, manager: User, inds: dict[str, Indicator]
) -> None:
    """KH năng suất lao động = KH doanh thu tính lương / KH lao động bình quân."""
    plan_services.set_plan(
        actor=manager, unit=tree.province, indicator=inds["DT_TINH_LUONG"], year=2025, target=9 * TY
    )
    plan_services.set_plan(
        actor=manager, unit=tree.province, indicator=inds["LAO_DONG"], year=2025, target=30
    )
    _enter(manager, tree.province, 6, DT_TINH_LUONG=8 * TY, LAO_DONG=25)
    row = plan_vs_actual(manager, tree.province, YEAR).row("NSLD")
    assert row is not None
    assert (row.actual, row.plan, row.pct_plan) == (320 * TRIEU, 300 * TRIEU, 107)
    with pytest.raises(PlanError, match="tỷ số"):
        plan_services.set_plan(
            actor=manager, unit=tree.province, indicator=inds["NSLD"], year=2025, target=1
        )


def test_average_income_is_the_wage_fund_over_the_worker_months(
    tree: Tree, manager: User, inds: dict[str, Indicator]
) -> None:
    """Thu nhập bình quân người/tháng = quỹ lương / (số lao động × số tháng), cộng tổng rồi mới
    chia: 20 triệu ở khu vực 20 người và 5 triệu ở khu vực 5 người cho 17 triệu, không 12,5."""
    for month in (1, 2):
        _enter(manager, tree.area_a, month, QUY_LUONG=400 * TRIEU, LAO_DONG=20)
        _enter(manager, tree.area_b, month, QUY_LUONG=25 * TRIEU, LAO_DONG=5)
    report = plan_vs_actual(manager, tree.province, Period(2025, "quarter", 1))
    assert report.row("THU_NHAP_BQ").actual == 17 * TRIEU  # type: ignore[union-attr]
    assert "thu nhập bình quân 17 triệu đồng/người/tháng" in plan_vs_actual_text(report)


# 2. Finance's share of revenue is a percentage, compared in percentage points.


@pytest.fixture
def finance_share(tree: Tree, users: dict[str, User], manager: User, inds: object) -> None:
    """2025: finance 6.230 of 10.000 (62,3%), planned 60%; 2024: 6.350 of 10.000 (63,5%)."""
    admin = users[Role.ADMIN]
    revenue(
        admin, tree.point_a1, dt.date(2025, 3, 3), finance=6_230 * TRIEU, delivery=2_770 * TRIEU
    )
    revenue(admin, tree.point_b1, dt.date(2025, 3, 3), media=1_000 * TRIEU)
    revenue(
        admin, tree.point_a1, dt.date(2024, 3, 3), finance=6_350 * TRIEU, delivery=3_650 * TRIEU
    )
    plan_services.set_revenue_plan(
        actor=manager,
        unit=tree.province,
        year=2025,
        lines={"DT_BCCP": 3_000 * TRIEU, "DT_TCBC": 6_000 * TRIEU, "DT_PPTT": 1_000 * TRIEU},
    )


@pytest.mark.usefixtures("finance_share")
def test_finance_share_is_a_percentage_of_revenue_compared_in_points(
    tree: Tree, manager: User
) -> None:
    """Tỷ trọng tài chính bưu chính 62,3% tổng doanh thu, tăng 2,3 điểm phần trăm so với KH,
    giảm 1,2 điểm phần trăm so với cùng kỳ: không bao giờ "đạt 104% KH"."""
    report = plan_vs_actual(manager, tree.province, YEAR)
    share = report.row("TT_TCBC")
    assert share is not None
    assert (share.shown_actual, share.shown_plan, share.shown_last_year) == (
        "62,3%",
        "60%",
        "63,5%",
    )
    assert (share.pct_plan, share.pct_last_year) == (None, None)
    assert (share.vs_plan, share.vs_last_year) == ("+2,3 điểm %", "-1,2 điểm %")
    text = plan_vs_actual_text(report)
    assert (
        "Tỷ trọng tài chính bưu chính 62,3% tổng doanh thu, tăng 2,3 điểm phần trăm so với "
        "kế hoạch (KH), giảm 1,2 điểm phần trăm so với cùng kỳ."
    ) in text
    sentence = next(s for s in text.split(". ") if s.startswith("Tỷ trọng"))
    assert "đạt" not in sentence  # never 62,3% / 60% = "104% KH"


@pytest.mark.usefixtures("finance_share")
def test_the_workbook_the_page_and_the_api_give_the_share_the_same_way(
    tree: Tree, manager: User
) -> None:
    """Excel holds 62,3% as a percentage and the change as points; the page shows the % sign."""
    ctx = exports.context(manager, tree.province, YEAR)
    sheet = openpyxl.load_workbook(io.BytesIO(exports.xlsx(ctx)))["KH - Thực hiện"]
    row = next(
        r
        for r in sheet.iter_rows(min_row=3)
        if r[0].value == ctx["report"].row("TT_TCBC").indicator.name
    )
    assert row[2].value == pytest.approx(0.623)
    assert row[2].number_format == "0.0%"
    assert row[4].value == pytest.approx(2.3)
    assert "điểm %" in row[4].number_format
    assert row[6].value == pytest.approx(-1.2)
    client = Client()
    client.force_login(manager)
    page = client.get(f"/reports/{tree.province.code}/?year=2025").content.decode()
    assert "62,3%" in page
    assert "+2,3 điểm %" in page
    api = client.get(f"/api/reports/plan-actual?unit={tree.province.code}&year=2025").json()
    found = {r["indicator"]: r for r in api["rows"]}["TT_TCBC"]
    assert (found["actual"], found["plan"], found["pct_plan"]) == (62.3, 60.0, None)
    assert (found["points_vs_plan"], found["points_vs_last_year"]) == (2.3, -1.2)
    assert "tăng 2,3 điểm phần trăm so với kế hoạch (KH)" in api["text"]
    pdf = PdfReader(io.BytesIO(exports.pdf(ctx)))
    printed = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "Tỷ trọng tài chính bưu chính 62,3% tổng doanh thu, tăng 2,3 điểm phần trăm" in printed


# 3. A planned loss.


def test_a_planned_loss_is_entered_and_a_smaller_loss_reads_better_than_plan(
    tree: Tree, manager: User, inds: dict[str, Indicator]
) -> None:
    """Kế hoạch lỗ 2 tỷ, thực hiện lỗ 1,5 tỷ: "lỗ ít hơn KH 500 triệu đồng", không có "75%"."""
    client = Client()
    client.force_login(manager)
    client.post(
        f"/plans/{tree.province.code}/?year=2025",
        {"indicator": "CHENH_LECH", "target": "-2.000.000.000", "phasing": "even", "year": 2025},
    )
    plan = Plan.objects.get(indicator_id="CHENH_LECH")
    assert plan.target == -2 * TY
    assert sum(plan.monthly) == -2 * TY
    _enter(manager, tree.province, 12, CHENH_LECH=-1_500 * TRIEU)
    report = plan_vs_actual(manager, tree.province, YEAR)
    row = report.row("CHENH_LECH")
    assert row is not None
    assert row.pct_plan is None
    assert row.vs_plan == "lỗ ít hơn KH 500 triệu đồng"
    text = plan_vs_actual_text(report)
    assert "Chênh lệch thu chi lỗ 1 tỷ 500 triệu đồng, lỗ ít hơn KH 500 triệu đồng." in text
    _enter(manager, tree.province, 12, CHENH_LECH=-2_600 * TRIEU)
    worse = plan_vs_actual(manager, tree.province, YEAR).row("CHENH_LECH")
    assert worse.vs_plan == "lỗ nhiều hơn KH 600 triệu đồng"  # type: ignore[union-attr]
    _enter(manager, tree.province, 12, CHENH_LECH=300 * TRIEU)
    profit = plan_vs_actual(manager, tree.province, YEAR).row("CHENH_LECH")
    assert profit.vs_plan == "có lãi trong khi KH lỗ 2 tỷ đồng"  # type: ignore[union-attr]


def test_a_planned_loss_goes_down_the_tree_and_adds_up(
    tree: Tree, manager: User, inds: dict[str, Indicator]
) -> None:
    """Kế hoạch lỗ của tỉnh chia cho các khu vực, tổng các khu vực bằng kế hoạch của tỉnh."""
    plan_services.set_plan(
        actor=manager, unit=tree.province, indicator=inds["CHENH_LECH"], year=2025, target=-1_001
    )
    plans = plan_services.allocate(
        actor=manager, parent=tree.province, indicator=inds["CHENH_LECH"], year=2025
    )
    assert sorted(p.target for p in plans) == [-501, -500]
    assert all(sum(p.monthly) == p.target for p in plans)


def test_a_loss_is_refused_for_a_figure_that_cannot_be_one(
    tree: Tree, manager: User, inds: dict[str, Indicator]
) -> None:
    """Quỹ tiền lương, tổng doanh thu không bao giờ âm: kế hoạch âm bị từ chối, không ghi gì."""
    for code in ("QUY_LUONG", "DT_BCCP"):
        with pytest.raises(PlanError, match="không được âm") as refused:
            plan_services.set_plan(
                actor=manager, unit=tree.province, indicator=inds[code], year=2025, target=-5
            )
        assert refused.value.field == "target"
    with pytest.raises(PlanError, match="không được âm"):
        _enter(manager, tree.province, 1, QUY_LUONG=-5)
    assert not Plan.objects.exists()
    assert not ManualValue.objects.exists()


def test_the_manual_workbook_takes_a_loss_and_refuses_a_negative_wage_fund(
    tree: Tree, manager: User, inds: dict[str, Indicator]
) -> None:
    from buudien.core.excel import run_import
    from buudien.plans.importers import ManualValueImport

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Năm", "Tháng", "Mã chỉ tiêu", "Giá trị"])
    sheet.append([tree.province.code, 2025, 1, "CHENH_LECH", -1_500_000])
    sheet.append([tree.province.code, 2025, 1, "QUY_LUONG", -5])
    buffer = io.BytesIO()
    book.save(buffer)
    report = run_import(ManualValueImport(), buffer.getvalue(), actor=manager)
    assert [(e.row, e.column) for e in report.errors] == [(3, "Giá trị")]
    sheet.delete_rows(3)
    buffer = io.BytesIO()
    book.save(buffer)
    assert run_import(ManualValueImport(), buffer.getvalue(), actor=manager).committed
    assert ManualValue.objects.get().value == -1_500_000


# 4. A figure typed at a unit is not added again at its parents.


def test_a_figure_typed_at_a_parent_is_the_parents_figure_not_added_to_its_childrens(
    tree: Tree, manager: User, inds: dict[str, Indicator]
) -> None:
    """Số liệu nhập tay của đơn vị cấp trên là số nhập tại chính đơn vị đó nếu có, nếu không
    thì là tổng của các đơn vị cấp dưới, không bao giờ cộng cả hai."""
    _enter(manager, tree.province, 1, QUY_LUONG=10 * TY)
    _enter(manager, tree.area_a, 1, QUY_LUONG=4 * TY)
    _enter(manager, tree.area_b, 1, QUY_LUONG=5 * TY)
    _enter(manager, tree.area_a, 2, QUY_LUONG=4 * TY)
    _enter(manager, tree.area_b, 2, QUY_LUONG=5 * TY)

    def wage_fund(unit: object, period: Period) -> int | None:
        return plan_vs_actual(manager, unit, period).row("QUY_LUONG").actual  # type: ignore[arg-type, union-attr]

    assert wage_fund(tree.province, Period(2025, "month", 1)) == 10 * TY  # not 19
    assert wage_fund(tree.province, Period(2025, "month", 2)) == 9 * TY  # the areas' sum
    assert wage_fund(tree.province, Period(2025, "quarter", 1)) == 19 * TY
    assert wage_fund(tree.area_a, Period(2025, "quarter", 1)) == 8 * TY


def test_a_unit_with_its_own_figure_hides_the_figures_below_it(
    tree: Tree, manager: User, inds: dict[str, Indicator]
) -> None:
    """Khu vực A không nhập: tổng các điểm của A. Khu vực B đã nhập: số của B, bỏ qua các điểm
    của B. Tỉnh không nhập: A + B như vậy."""
    _enter(manager, tree.point_a1, 3, CP_KHONG_LUONG=100 * TRIEU)
    _enter(manager, tree.point_a2, 3, CP_KHONG_LUONG=50 * TRIEU)
    _enter(manager, tree.area_b, 3, CP_KHONG_LUONG=700 * TRIEU)
    _enter(manager, tree.point_b1, 3, CP_KHONG_LUONG=90 * TRIEU)
    march = Period(2025, "month", 3)
    figure = {
        u.code: plan_vs_actual(manager, u, march).row("CP_KHONG_LUONG").actual  # type: ignore[union-attr]
        for u in (tree.province, tree.area_a, tree.area_b, tree.point_b1)
    }
    assert figure == {
        "BDT99": 850 * TRIEU,
        "KVA": 150 * TRIEU,
        "KVB": 700 * TRIEU,
        "VHXB1": 90 * TRIEU,
    }
