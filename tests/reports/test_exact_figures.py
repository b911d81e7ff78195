"""Report figures equal sums computed independently from the raw ledger entries."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import Sum

from buudien.core.models import Role, User
from buudien.counter.models import LedgerEntry
from buudien.plans import services as plan_services
from buudien.plans.models import Indicator
from buudien.plans.periods import Period
from buudien.reports.builders import plan_vs_actual
from tests.conftest import Tree
from tests.plans.indicators import load_indicators
from tests.reports.helpers import book

SERVICES = [
    ("BC-BK", None),
    ("BC-EMS", None),
    ("TC-DIEN", 450_000),
    ("TC-LHUU", 3_200_000),
    ("PP-OCOP", None),
    ("TC-BHXH", 1_500_000),
]
DAYS = [
    dt.date(2023, 1, 3),
    dt.date(2023, 2, 28),
    dt.date(2023, 3, 1),
    dt.date(2023, 6, 30),
    dt.date(2023, 12, 31),
    dt.date(2024, 1, 2),
    dt.date(2024, 2, 29),
    dt.date(2024, 3, 1),
    dt.date(2024, 6, 30),
    dt.date(2024, 7, 1),
    dt.date(2024, 12, 31),
]


@pytest.fixture
def activity(tree: Tree, users: dict[str, User], catalogue: None) -> None:
    load_indicators()
    rng = random.Random(11)
    admin = users[Role.ADMIN]
    for day in DAYS:
        for unit in (tree.point_a1, tree.point_a2, tree.point_b1, tree.office_a):
            items = [(code, amount, rng.randint(1, 4)) for code, amount in rng.sample(SERVICES, 3)]
            book(admin, unit, day, *[(c, a, 1 if a else q) for c, a, q in items])


def raw(path: str, start: dt.date, end: dt.date, line: str | None = None) -> int:
    qs = LedgerEntry.objects.filter(
        unit__path__startswith=path, business_date__gte=start, business_date__lte=end
    )
    if line:
        qs = qs.filter(line=line)
    return qs.aggregate(s=Sum("revenue", default=0))["s"]


PERIODS = [
    Period(2024, "month", 2),
    Period(2024, "quarter", 1),
    Period(2024, "year", 12),
    Period(2024, "ytd", 6),
    Period(2023, "quarter", 4),
    Period(2024, "month", 7),
]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label)
@pytest.mark.parametrize("code", ["BDT99", "KVA", "BCA", "VHXA1", "KVB"])
def test_report_actuals_equal_raw_ledger_sums(
    activity: None, users: dict[str, User], tree: Tree, code: str, period: Period
) -> None:
    unit = {
        u.code: u for u in (tree.province, tree.area_a, tree.area_b, tree.office_a, tree.point_a1)
    }[code]
    report = plan_vs_actual(users[Role.ADMIN], unit, period)
    last = period.last_year()
    for ind, line in (
        ("DT_TONG", None),
        ("DT_BCCP", "delivery"),
        ("DT_TCBC", "finance"),
        ("DT_PPTT", "media"),
    ):
        row = report.row(ind)
        assert row is not None
        assert row.actual == raw(unit.path, period.first_day, period.last_day, line), ind
        assert row.last_year == raw(unit.path, last.first_day, last.last_day, line), ind


def test_leap_day_counts_in_february_2024(
    activity: None, users: dict[str, User], tree: Tree
) -> None:
    february = plan_vs_actual(users[Role.ADMIN], tree.province, Period(2024, "month", 2))
    leap = raw(tree.province.path, dt.date(2024, 2, 29), dt.date(2024, 2, 29))
    assert leap > 0
    total = february.row("DT_TONG")
    assert total is not None
    assert total.actual == raw(tree.province.path, dt.date(2024, 2, 1), dt.date(2024, 2, 29))


def test_a_plan_revised_mid_year_applies_from_its_date(
    activity: None, users: dict[str, User], tree: Tree
) -> None:
    manager = users[Role.PROVINCE_MANAGER]
    total = Indicator.objects.get(code="DT_TONG")
    plan_services.set_plan(
        actor=manager, unit=tree.province, indicator=total, year=2024, target=1_200_000_000
    )
    plan_services.set_plan(
        actor=manager,
        unit=tree.province,
        indicator=total,
        year=2024,
        target=2_400_000_000,
        effective_from=dt.date(2024, 7, 1),
        note="Điều chỉnh giữa năm",
    )
    q1 = plan_vs_actual(manager, tree.province, Period(2024, "quarter", 1)).row("DT_TONG")
    year = plan_vs_actual(manager, tree.province, Period(2024, "year", 12)).row("DT_TONG")
    assert q1 is not None
    assert year is not None
    assert q1.plan == 300_000_000
    assert q1.plan_label == "KH giao đầu năm 2024"
    assert year.plan == 2_400_000_000
    assert year.plan_label == "KH điều chỉnh lần 1 (từ 01/07/2024)"
    assert year.pct_plan == (year.actual * 200 + year.plan) // (2 * year.plan)
