"""The targets page: each point's and its area's enrolments against plan, last year and the
people covered, the same figures as the report and as the payments in the database."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from buudien.core import clock
from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession
from buudien.insurance import services
from buudien.insurance.models import Participant, PaymentLine
from buudien.network.models import PostUnit
from buudien.plans import services as plan_services
from buudien.plans.periods import Period
from buudien.reports.builders import plan_vs_actual
from tests.conftest import Tree
from tests.factories import UserFactory
from tests.insurance.conftest import TODAY, enrol_health, enrol_social, household_of, register
from tests.plans.indicators import load_indicators

pytestmark = pytest.mark.django_db
URL = "/bao-hiem/chi-tieu/"
SCHEMES = ("voluntary_social", "household_health")
THIS_YEAR = Period(2026, "ytd", 11)  # the page's default on 20 November 2026


def _open_shift(point: PostUnit, username: str) -> tuple[User, CounterSession]:
    clerk = UserFactory(username=username, role=Role.CLERK, home_unit=point)
    session = counter_services.open_session(
        clerk=clerk, unit=point, opening_cash=0, business_date=clock.today()
    )
    return clerk, session


def _family(actor: User, point: PostUnit) -> list[Participant]:
    """Another household of three, the Triệu's."""
    home = services.create_household(
        actor=actor, point=point, data=services.HouseholdIn(head_name="Triệu Văn Páo")
    )
    names = [("Triệu Văn Páo", 1975), ("Ma Thị Dìn", 1978), ("Triệu Văn Chỉnh", 2004)]
    return [
        register(actor, point, name=name, birth=dt.date(year, 4, 9), household_id=str(home.pk))
        for name, year in names
    ]


@pytest.fixture
def enrolled(
    shift: CounterSession, clerk: User, insured: Tree, users: dict[str, User]
) -> dict[str, Any]:
    """Point A1: two voluntary participants (one paying twice) and a household of four;
    point A2: a household of three and, a year ago, a voluntary participant. Area A's
    voluntary plan for the year is 24 people, shared by its points."""
    inds = load_indicators()
    for name in ("Nông Văn Thào", "Lục Thị Mến"):
        person = register(clerk, insured.point_a1, name=name)
        enrol_social(shift, clerk, person, mode="3m", months=3)
    enrol_social(shift, clerk, person, mode="3m", months=3)
    _home, family = household_of(clerk, insured.point_a1, 4)
    enrol_health(shift, clerk, family)
    with clock.at(timezone.make_aware(dt.datetime(2025, 11, 10, 9))):
        clerk_a2, shift_a2 = _open_shift(insured.point_a2, "diem-a2")
        someone = register(clerk_a2, insured.point_a2, name="Bế Văn Hùng")
        enrol_social(shift_a2, clerk_a2, someone, mode="12m", months=12)
        shift_a2.refresh_from_db()
        counter_services.close_session(
            session=shift_a2, clerk=clerk_a2, counted_cash=shift_a2.book_cash
        )
    shift_a2 = counter_services.open_session(
        clerk=clerk_a2, unit=insured.point_a2, opening_cash=0, business_date=TODAY
    )
    enrol_health(shift_a2, clerk_a2, _family(clerk_a2, insured.point_a2), months=6)
    manager = users[Role.PROVINCE_MANAGER]
    plan_services.set_plan(
        actor=manager, unit=insured.area_a, indicator=inds["BHXH_TN"], year=2026, target=24
    )
    plan_services.allocate(
        actor=manager,
        parent=insured.area_a,
        indicator=inds["BHXH_TN"],
        year=2026,
        method="entered",
        entered={"VHXA1": 12, "VHXA2": 12},
        kinds=("commune_point",),
    )
    return {"manager": manager}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _people_paid_for(unit: PostUnit, scheme: str, period: Period) -> int:
    return PaymentLine.objects.filter(
        payment__point__path__startswith=unit.path,
        payment__scheme_id=scheme,
        payment__business_date__gte=period.first_day,
        payment__business_date__lte=period.last_day,
    ).count()


def _covered_today(unit: PostUnit, scheme: str) -> int:
    return (
        PaymentLine.objects.filter(
            cover__point__path__startswith=unit.path,
            cover__scheme_id=scheme,
            period_from__lte=TODAY,
            period_to__gte=TODAY,
        )
        .values("cover")
        .distinct()
        .count()
    )


def test_the_targets_equal_the_enrolments_in_the_database_and_the_report(
    enrolled: dict[str, Any], insured: Tree
) -> None:
    manager = enrolled["manager"]
    page = _client(manager).get(URL, {"unit": "KVA"})
    assert page.status_code == 200
    targets = page.context["targets"]
    assert [r.unit.code for r in targets.rows] == ["VHXA1", "VHXA2"]
    assert targets.total.unit == insured.area_a
    for row in [*targets.rows, targets.total]:
        for scheme, figure in zip(SCHEMES, row.figures, strict=True):
            assert figure.enrolled == _people_paid_for(row.unit, scheme, THIS_YEAR)
            assert figure.covered == _covered_today(row.unit, scheme)
            last_year = _people_paid_for(row.unit, scheme, THIS_YEAR.last_year())
            assert figure.last_year == last_year
    social, health = targets.total.figures
    assert (social.enrolled, health.enrolled) == (3, 7)
    report = plan_vs_actual(manager, insured.area_a, THIS_YEAR)
    for code, figure in (("BHXH_TN", social), ("BHYT_HGD", health)):
        row = report.row(code)
        assert row is not None
        assert (row.actual, row.plan, row.last_year) == (
            figure.enrolled,
            figure.planned,
            figure.last_year,
        )


def test_each_point_reads_against_its_plan_and_last_year(enrolled: dict[str, Any]) -> None:
    body = _client(enrolled["manager"]).get(URL, {"unit": "KVA"})
    rows = {r.unit.code: r.figures[0] for r in body.context["targets"].rows}
    # Twelve a year, evenly: eleven to the end of November.
    assert (rows["VHXA1"].planned, rows["VHXA1"].enrolled, rows["VHXA1"].pct_plan) == (11, 3, 27)
    assert (rows["VHXA2"].enrolled, rows["VHXA2"].last_year, rows["VHXA2"].change) == (0, 1, -1)
    html = body.content.decode()
    assert "27%" in html
    assert "Tổng cộng Bưu điện khu vực Hòa An" in html


def test_the_workbook_has_a_row_a_point_and_the_total(enrolled: dict[str, Any]) -> None:
    response = _client(enrolled["manager"]).get(URL, {"unit": "KVA", "format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["VHXA1", "VHXA2", "KVA"]
    assert rows[-1][1] == "Tổng cộng Bưu điện khu vực Hòa An"
    assert rows[-1][3] == 3  # voluntary social insurance enrolled in the area
    assert rows[-1][9] == 7  # household health insurance enrolled


def test_a_clerk_sees_his_point_and_no_other(
    enrolled: dict[str, Any], clerk: User, insured: Tree
) -> None:
    client = _client(clerk)
    page = client.get(URL)
    assert page.context["targets"].unit == insured.point_a1
    assert page.context["targets"].rows == []
    assert client.get(URL, {"unit": "KVA"}).status_code == 404


def test_the_agency_officer_sees_the_province(
    enrolled: dict[str, Any], insurance_officer: User, insured: Tree
) -> None:
    page = _client(insurance_officer).get(URL)
    assert page.status_code == 200
    targets = page.context["targets"]
    assert targets.unit == insured.province
    assert targets.total.figures[0].enrolled == 3


def test_a_period_can_be_chosen_and_bad_values_are_named(enrolled: dict[str, Any]) -> None:
    client = _client(enrolled["manager"])
    page = client.get(URL, {"unit": "KVA", "year": "2025"})
    assert page.context["period"] == Period(2025, "year", 12)
    assert page.context["targets"].total.figures[0].enrolled == 1
    page = client.get(URL, {"unit": "KVA", "year": "abc", "month": "13"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Năm:" in html and "Tháng:" in html
    assert page.context["period"] == THIS_YEAR
    assert client.get(URL, {"unit": "<script>"}).status_code == 404
