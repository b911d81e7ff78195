"""The total-revenue plan of a unit is the sum of its three business lines' plans.

Decided: once the total and the three lines are all planned, a plan that breaks the sum is
refused with the gap named; while one of them is missing, the plans page and the report show
what is missing. The lines and their total are set (and revised) together; allocating a line
gives each child a total equal to the sum of its own lines.
"""

from __future__ import annotations

import pytest
from django.test import Client

from buudien.core.models import Role, User
from buudien.plans import selectors, services
from buudien.plans.errors import PlanCode, PlanError
from buudien.plans.models import Indicator, Plan
from buudien.plans.periods import Period
from buudien.reports.builders import plan_vs_actual
from tests.conftest import Tree
from tests.plans.indicators import load_indicators

LINES = {"DT_BCCP": 30_000, "DT_TCBC": 50_000, "DT_PPTT": 20_000}


@pytest.fixture
def inds(db: None) -> dict[str, Indicator]:
    return load_indicators()


@pytest.fixture
def manager(users: dict[str, User]) -> User:
    return users[Role.PROVINCE_MANAGER]


def _plan(manager: User, unit: object, ind: Indicator, target: int, **kw: object) -> Plan:
    return services.set_plan(
        actor=manager,
        unit=unit,  # type: ignore[arg-type]
        indicator=ind,
        year=2025,
        target=target,
        **kw,  # type: ignore[arg-type]
    )


def test_a_total_that_differs_from_the_sum_of_its_lines_is_refused_naming_the_gap(
    tree: Tree, manager: User, inds: dict[str, Indicator]
) -> None:
    for code, target in LINES.items():
        _plan(manager, tree.province, inds[code], target)
    with pytest.raises(PlanError) as refused:
        _plan(manager, tree.province, inds["DT_TONG"], 100_001)
    assert refused.value.code == PlanCode.REVENUE_LINES_MISMATCH
    assert refused.value.field == "target"
    assert "100.001" in refused.value.message
    assert "100.000" in refused.value.message
    assert "lệch 1" in refused.value.message
    assert not Plan.objects.filter(indicator_id="DT_TONG").exists()
    _plan(manager, tree.province, inds["DT_TONG"], 100_000)
    assert selectors.revenue_plan(unit=tree.province, year=2025).consistent


def test_a_line_that_would_break_the_total_is_refused_too(
    tree: Tree, manager: User, inds: dict[str, Indicator]
) -> None:
    _plan(manager, tree.province, inds["DT_TONG"], 100_000)
    _plan(manager, tree.province, inds["DT_BCCP"], 30_000)
    _plan(manager, tree.province, inds["DT_TCBC"], 50_000)
    with pytest.raises(PlanError, match="lệch"):
        _plan(manager, tree.province, inds["DT_PPTT"], 25_000)
    assert not Plan.objects.filter(indicator_id="DT_PPTT").exists()


def test_the_lines_and_their_total_are_set_and_revised_together(
    tree: Tree, manager: User, inds: dict[str, Indicator]
) -> None:
    import datetime as dt

    services.set_revenue_plan(actor=manager, unit=tree.province, year=2025, lines=LINES)
    total = Plan.objects.get(indicator_id="DT_TONG")
    assert total.target == 100_000
    lines = Plan.objects.filter(indicator_id__in=LINES)
    for m in range(12):  # the months add up too, so a quarter's plans agree
        assert total.monthly[m] == sum(p.monthly[m] for p in lines)
    services.set_revenue_plan(
        actor=manager,
        unit=tree.province,
        year=2025,
        lines={**LINES, "DT_PPTT": 26_000},
        effective_from=dt.date(2025, 7, 1),
    )
    check = selectors.revenue_plan(unit=tree.province, year=2025)
    assert (check.total, check.consistent) == (106_000, True)
    q1 = plan_vs_actual(manager, tree.province, Period(2025, "quarter", 1))
    assert q1.row("DT_TONG").plan == sum(  # type: ignore[union-attr]
        q1.row(c).plan
        for c in LINES  # type: ignore[union-attr, misc]
    )


def test_a_missing_line_is_shown_on_the_plans_page_and_the_report(
    tree: Tree, manager: User, inds: dict[str, Indicator]
) -> None:
    _plan(manager, tree.province, inds["DT_TONG"], 100_000)
    _plan(manager, tree.province, inds["DT_BCCP"], 30_000)
    check = selectors.revenue_plan(unit=tree.province, year=2025)
    assert check.missing == ["Doanh thu tài chính bưu chính", "Doanh thu phân phối truyền thông"]
    client = Client()
    client.force_login(manager)
    page = client.get(f"/plans/{tree.province.code}/?year=2025").content.decode()
    assert "chưa giao doanh thu tài chính bưu chính, doanh thu phân phối truyền thông" in page
    report = client.get(f"/reports/{tree.province.code}/?year=2025").content.decode()
    assert 'data-testid="plan-warning"' in report
    assert plan_vs_actual(manager, tree.province, Period(2025, "year", 12)).plan_warning


def test_the_revenue_form_names_the_line_it_cannot_read(
    tree: Tree, manager: User, inds: dict[str, Indicator]
) -> None:
    client = Client()
    client.force_login(manager)
    page = client.post(
        f"/plans/{tree.province.code}/?year=2025",
        {
            "form": "revenue",
            "year": 2025,
            "bccp": "30.000",
            "tcbc": "5O.000",
            "pptt": "20.000",
            "phasing": "even",
        },
    ).content.decode()
    assert "Số tiền không hợp lệ: «5O.000»" in page
    assert not Plan.objects.exists()
    client.post(
        f"/plans/{tree.province.code}/?year=2025",
        {
            "form": "revenue",
            "year": 2025,
            "bccp": "30.000",
            "tcbc": "50.000",
            "pptt": "20.000",
            "phasing": "even",
        },
    )
    assert Plan.objects.get(indicator_id="DT_TONG").target == 100_000


def test_allocating_the_lines_gives_each_child_a_total_equal_to_its_lines(
    tree: Tree, manager: User, inds: dict[str, Indicator]
) -> None:
    services.set_revenue_plan(actor=manager, unit=tree.province, year=2025, lines=LINES)
    with pytest.raises(PlanError, match="phân bổ từng nhóm"):
        services.allocate(actor=manager, parent=tree.province, indicator=inds["DT_TONG"], year=2025)
    for code in LINES:
        services.allocate(actor=manager, parent=tree.province, indicator=inds[code], year=2025)
    for area in (tree.area_a, tree.area_b):
        check = selectors.revenue_plan(unit=area, year=2025)
        assert check.consistent, check
    assert (
        sum(
            selectors.revenue_plan(unit=a, year=2025).total or 0 for a in (tree.area_a, tree.area_b)
        )
        == 100_000
    )


def test_a_level_or_a_rate_is_not_split_down_the_tree(
    tree: Tree, manager: User, inds: dict[str, Indicator]
) -> None:
    _plan(manager, tree.province, inds["DT_DIEM"], 6_800_000)
    with pytest.raises(PlanError, match="bình quân hoặc tỷ số") as refused:
        services.allocate(actor=manager, parent=tree.province, indicator=inds["DT_DIEM"], year=2025)
    assert refused.value.code == PlanCode.NOT_ALLOCATABLE
    plan = Plan.objects.get()
    assert plan.monthly == [6_800_000] * 12  # a rate is the same every month
    assert plan.for_months([1, 2, 3], summed=False) == 6_800_000
