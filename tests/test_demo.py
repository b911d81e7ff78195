"""The demo province is today's: its data runs from two years back to yesterday, this year
has its plans and the finance office's figures, and its places keep their names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Max, Min, Sum

from buudien.core.models import User
from buudien.counter import demo as counter_demo
from buudien.counter.models import LedgerEntry, UnitMonthRollup
from buudien.dossiers import demo as dossiers_demo
from buudien.dossiers.models import Dossier
from buudien.network import demo as network_demo
from buudien.network.models import Commune, PostUnit
from buudien.payouts import demo as payouts_demo
from buudien.payouts.models import PayoutList
from buudien.plans import demo as plans_demo
from buudien.plans import selectors as plan_selectors
from buudien.plans.models import ManualValue, Plan
from buudien.plans.periods import Period

TODAY = dt.date(2026, 3, 11)
YESTERDAY = TODAY - dt.timedelta(days=1)
SCALE = 0.01  # a hundredth of the province's counter activity


@pytest.fixture
def demo(catalogue: None) -> User:
    """A small demo province, built as `buudien demo` builds it, on 11 March 2026."""
    network_demo.build(today=TODAY)
    counter_demo.build(today=TODAY, scale=SCALE)
    dossiers_demo.build(1500, today=TODAY)
    payouts_demo.build(300, today=TODAY)
    plans_demo.build(today=TODAY)
    return User.objects.get(username="tinh")


def test_the_demo_runs_from_two_years_back_to_yesterday(demo: User) -> None:
    entries = LedgerEntry.objects.aggregate(first=Min("business_date"), last=Max("business_date"))
    assert dt.date(2024, 1, 1) <= entries["first"] <= dt.date(2024, 1, 6)
    assert YESTERDAY - dt.timedelta(days=3) <= entries["last"] <= YESTERDAY
    received = Dossier.objects.aggregate(first=Min("received_at"), last=Max("received_at"))
    assert received["first"].date() < dt.date(2024, 1, 8)
    assert YESTERDAY - dt.timedelta(days=3) <= received["last"].date() <= YESTERDAY
    assert {pl.month for pl in PayoutList.objects.filter(state="open")} == {dt.date(2026, 3, 1)}


def test_the_demo_reads_like_a_province_of_113_billion_a_year(demo: User) -> None:
    revenue = UnitMonthRollup.objects.filter(month__year=2025).aggregate(r=Sum("revenue"))["r"]
    assert 100e9 <= revenue / SCALE <= 126e9
    finance = UnitMonthRollup.objects.filter(month__year=2025, line="finance")
    share = finance.aggregate(r=Sum("revenue"))["r"] / revenue
    assert 0.62 <= share <= 0.78


def test_this_year_has_plans_down_to_the_points_and_a_year_to_date(demo: User) -> None:
    province = PostUnit.objects.get(code=network_demo.PROVINCE_UNIT)
    planned = set(
        Plan.objects.filter(unit=province, year=2026).values_list("indicator_id", flat=True)
    )
    assert {"DT_TONG", "DT_BCCP", "DT_TCBC", "DT_PPTT"} <= planned
    for kind in ("area", "commune_point"):
        units = PostUnit.objects.filter(kind=kind, path__startswith=province.path)
        with_plan = units.filter(plans__year=2026, plans__indicator_id="DT_TCBC").distinct()
        assert with_plan.count() == units.exclude(status=PostUnit.Status.CLOSED).count(), kind
    # The finance office has typed in January and February, not the month still running.
    typed = ManualValue.objects.filter(unit=province, indicator_id="DT_TINH_LUONG", year=2026)
    assert sorted(typed.values_list("month", flat=True)) == [1, 2]
    codes = ["DT_TONG", "HS_NHAN", "LAO_DONG"]
    ytd = plan_selectors.values(
        user=demo, units=[province], period=Period(2026, "ytd", 3), codes=codes
    )[province.pk]
    assert ytd["DT_TONG"] and ytd["HS_NHAN"]
    # The workers each office reports (its staff and its points' clerks) add up the tree.
    assert 350 <= (ytd["LAO_DONG"] or 0) <= 550


def test_commune_names_keep_their_first_letter(demo: User) -> None:
    quang_lam = Commune(name="Xã Quảng Lâm", division_type="xã")
    assert network_demo.short_name(quang_lam) == "Quảng Lâm"
    zone = Commune(name="Đặc khu Bạch Long Vĩ", division_type="đặc khu")
    assert network_demo.short_name(zone) == "Bạch Long Vĩ"
    points = PostUnit.objects.filter(kind="commune_point").select_related("commune")
    for point in points:
        assert point.name.startswith(f"Điểm BĐ-VHX {network_demo.short_name(point.commune)}")
    communes = {p.pk: p.commune.name for p in points}
    for point_id, address in Dossier.objects.values_list("point_id", "address"):
        assert address.endswith(f", {communes[point_id]}")
    assert not Dossier.objects.filter(address__contains="Xã uảng").exists()
