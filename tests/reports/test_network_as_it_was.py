"""A past year's network report describes the commune points as they were that year."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from buudien.core.models import Role, User
from buudien.network import services as network_services
from buudien.network.models import CommunePointProfile, PostUnit
from buudien.plans.periods import Period
from buudien.reports.builders import network_report, plan_vs_actual
from buudien.reports.narrative import network_text
from tests.conftest import Tree
from tests.factories import PostUnitFactory
from tests.plans.indicators import load_indicators
from tests.reports.helpers import revenue

TRIEU = 1_000_000
Y2025, Y2026 = Period(2025, "year", 12), Period(2026, "year", 12)


@pytest.fixture
def history(tree: Tree, users: dict[str, User], catalogue: None) -> dict[str, Any]:
    """Points opened later, closed during, after and before 2025, converted and re-equipped."""
    load_indicators()

    def point(code: str, **dates: Any) -> PostUnit:
        status = "closed" if dates.get("closed_on") else "active"
        return PostUnitFactory(
            code=code,
            name=f"Điểm {code}",
            kind="commune_point",
            parent=tree.office_a,
            status=status,
            **dates,
        )

    made = {
        "later": point("VHXMOI", opened_on=dt.date(2026, 3, 1)),
        "closed_during": point(
            "VHXDONG", opened_on=dt.date(2019, 5, 1), closed_on=dt.date(2025, 6, 30)
        ),
        "closed_after": point("VHXSAU", closed_on=dt.date(2026, 2, 1)),
        "closed_before": point("VHXCU", closed_on=dt.date(2024, 12, 31)),
        "converted": point("VHXDDV"),
        "changed": point("VHXNET"),
    }
    CommunePointProfile.objects.exclude(unit=made["changed"]).update(internet_type="fiber")
    CommunePointProfile.objects.filter(unit=made["converted"]).update(
        operating_model="multi_service", converted_on=dt.date(2026, 1, 10)
    )
    admin = users[Role.ADMIN]
    network_services.update_unit(  # recorded in the audit trail today, in 2026
        actor=admin,
        unit=made["changed"],
        name="Điểm BĐ-VHX Nà Pồng",
        profile={"internet_type": "fiber"},
    )
    revenue(admin, tree.point_a1, dt.date(2025, 3, 3), media=120 * TRIEU)
    revenue(admin, made["closed_during"], dt.date(2025, 3, 3), finance=60 * TRIEU)
    revenue(admin, made["changed"], dt.date(2025, 3, 3), finance=240 * TRIEU)
    return made


def test_a_past_year_counts_the_points_open_that_year(
    tree: Tree, users: dict[str, User], history: dict[str, Any]
) -> None:
    """2025 counts the points closed during or after it, not the point opened in 2026 nor the
    one closed before it; 2026 counts the new point and not the one closed in June 2025."""
    manager = users[Role.PROVINCE_MANAGER]
    then = network_report(manager, tree.province, Y2025)
    codes = {u.code for u, _v in then.top}
    assert then.points == 7  # the tree's three, closed during, closed after, converted, changed
    assert {"VHXDONG", "VHXSAU"} <= codes
    assert not {"VHXMOI", "VHXCU"} & codes
    now = network_report(manager, tree.province, Y2026)
    assert now.points == 7
    assert "VHXMOI" in {u.code for u, _v in now.top}
    assert "VHXDONG" not in {u.code for u, _v in now.top}


def test_a_past_year_describes_the_points_as_they_were(
    tree: Tree, users: dict[str, User], history: dict[str, Any]
) -> None:
    """The point converted to multi-service in 2026 was traditional in 2025; the point given
    fixed internet (and a new name) in 2026 had none in 2025, under its old name."""
    manager = users[Role.PROVINCE_MANAGER]
    then = network_report(manager, tree.province, Y2025)
    assert then.by_model == {"Đa dịch vụ": 0, "Truyền thống": 7}
    assert then.no_internet == 1
    assert ("Điểm VHXNET", 20 * TRIEU) in [(u.name, v) for u, v in then.top]
    assert "có 7 điểm" in network_text(then)
    now = network_report(manager, tree.province, Y2026)
    assert now.by_model["Đa dịch vụ"] == 1
    assert now.no_internet == 0
    assert now.conversions == 1


def test_revenue_per_point_counts_each_point_for_the_months_it_was_open(
    tree: Tree, users: dict[str, User], history: dict[str, Any]
) -> None:
    """A point closed at the end of June 2025 made 60 triệu in six months: 10 triệu a month;
    the network's average is its points' revenue over their months open (the same figure as
    the report's revenue per point)."""
    manager = users[Role.PROVINCE_MANAGER]
    then = network_report(manager, tree.province, Y2025)
    per_month = {u.code: v for u, v in then.top}
    assert per_month["VHXDONG"] == 10 * TRIEU
    assert per_month["VHXA1"] == 10 * TRIEU
    point_months = 6 * 12 + 6  # six points open all year, one for six months
    expected = (420 * TRIEU * 2 + point_months) // (2 * point_months)
    assert then.average_per_point_month == expected
    row = plan_vs_actual(manager, tree.province, Y2025).row("DT_DIEM")
    assert row is not None
    assert row.actual == expected
