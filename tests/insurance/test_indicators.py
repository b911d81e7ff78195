"""The insurance indicators of the plans and reports: people enrolled in each scheme (from the
daily rollup), people covered at the end of a period, and how the report's prose tells them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from buudien.core import clock
from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession
from buudien.insurance.models import Cover, InsuranceDay, Participant
from buudien.network.models import PostUnit
from buudien.plans import registry
from buudien.plans import selectors as plan_selectors
from buudien.plans import services as plan_services
from buudien.plans.models import Indicator
from buudien.plans.periods import Period
from buudien.reports.builders import plan_vs_actual
from buudien.reports.narrative import plan_vs_actual_text
from tests.conftest import Tree
from tests.insurance.conftest import enrol_health, enrol_social, household_of, register
from tests.plans.indicators import load_indicators

pytestmark = pytest.mark.django_db
CODES = ("BHXH_TN", "BHYT_HGD", "BHXH_TN_DANG", "BHYT_HGD_DANG")


def test_insurance_declares_its_four_indicators_as_the_table_does(insured: Tree) -> None:
    inds = load_indicators()
    owners = registry.registered()
    for code in CODES:
        assert owners[code].app == "insurance"
        assert inds[code].source == Indicator.Source.COMPUTED
    assert inds["BHXH_TN"].get_measure_display() == "lượt người"
    assert inds["BHXH_TN_DANG"].aggregation == Indicator.Aggregation.LEVEL


def test_each_person_paid_for_is_an_enrolment_at_the_point_and_its_area(
    shift: CounterSession, clerk: User, insured: Tree, users: dict[str, User]
) -> None:
    load_indicators()
    person = register(clerk, insured.point_a1)
    enrol_social(shift, clerk, person, mode="3m", months=3)
    enrol_social(shift, clerk, person, mode="3m", months=3)  # paid again: a second time
    _home, family = household_of(clerk, insured.point_a1, 4)
    enrol_health(shift, clerk, family)
    units = [insured.point_a1, insured.area_a, insured.area_b, insured.province]
    found = plan_selectors.values(
        user=users[Role.PROVINCE_MANAGER],
        units=units,
        period=Period(2026, "month", 11),
        codes=CODES,
    )
    # The household's cards are valid 30 days after paying: nobody of it is covered today.
    covered = {"BHXH_TN": 2, "BHYT_HGD": 4, "BHXH_TN_DANG": 1, "BHYT_HGD_DANG": 0}
    assert found[insured.point_a1.pk] == covered
    assert found[insured.area_a.pk] == covered
    assert found[insured.province.pk] == covered
    assert found[insured.area_b.pk] == dict.fromkeys(CODES, 0)
    october = plan_selectors.values(
        user=users[Role.PROVINCE_MANAGER],
        units=[insured.point_a1],
        period=Period(2026, "month", 10),
        codes=CODES,
    )
    assert october[insured.point_a1.pk] == dict.fromkeys(CODES, 0)


def test_the_household_is_counted_covered_once_its_cards_are_valid(
    shift: CounterSession, clerk: User, insured: Tree, users: dict[str, User]
) -> None:
    load_indicators()
    _home, family = household_of(clerk, insured.point_a1, 3)
    enrol_health(shift, clerk, family)  # paid 20/11/2026, valid from 20/12/2026
    manager = users[Role.PROVINCE_MANAGER]
    with clock.at(timezone.make_aware(dt.datetime(2027, 1, 15, 9))):
        december = plan_selectors.values(
            user=manager, units=[insured.point_a1], period=Period(2026, "month", 12), codes=CODES
        )
    assert december[insured.point_a1.pk]["BHYT_HGD_DANG"] == 3
    # Enrolled in November, where the rollup counted them; none in December.
    assert december[insured.point_a1.pk]["BHYT_HGD"] == 0


def _paid_on(day: dt.date, clerk: User, person: Participant, months: int) -> None:
    """A payment of voluntary social insurance taken in a shift of its own on that day."""
    with clock.at(timezone.make_aware(dt.datetime(day.year, day.month, day.day, 9))):
        session = counter_services.open_session(
            clerk=clerk, unit=person.point, opening_cash=0, business_date=day
        )
        enrol_social(session, clerk, person, mode=f"{months}m", months=months)
        session.refresh_from_db()
        counter_services.close_session(session=session, clerk=clerk, counted_cash=session.book_cash)


def _covered(user: User, unit: PostUnit, year: int, month: int) -> int | None:
    """People covered by voluntary social insurance at the end of a month, in a subtree."""
    period = Period(year, "month", month)
    found = plan_selectors.values(user=user, units=[unit], period=period, codes=CODES)
    return found[unit.pk]["BHXH_TN_DANG"]


def test_a_person_is_not_covered_in_the_months_he_did_not_pay(
    insured: Tree, clerk: User, users: dict[str, User]
) -> None:
    load_indicators()
    manager = users[Role.PROVINCE_MANAGER]
    with clock.at(timezone.make_aware(dt.datetime(2025, 1, 6, 9))):
        person = register(clerk, insured.point_a1)
    _paid_on(dt.date(2025, 1, 6), clerk, person, 3)  # January to March
    _paid_on(dt.date(2025, 8, 5), clerk, person, 6)  # back in August: August to January
    covered = [_covered(manager, insured.point_a1, 2025, m) for m in range(1, 13)]
    assert covered == [1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1]


def test_a_cover_from_before_the_books_counts_until_it_ends(
    insured: Tree, clerk: User, users: dict[str, User]
) -> None:
    """A participant brought in with the months he paid before the post kept his payments."""
    load_indicators()
    person = register(clerk, insured.point_a1)
    Cover.objects.create(
        participant=person,
        scheme_id="voluntary_social",
        point=insured.point_a1,
        income=2_200_000,
        mode="12m",
        first_from=dt.date(2023, 1, 1),
        paid_until=dt.date(2026, 12, 31),
    )
    manager = users[Role.PROVINCE_MANAGER]
    assert _covered(manager, insured.point_a1, 2022, 12) == 0
    assert _covered(manager, insured.point_a1, 2024, 6) == 1
    assert _covered(manager, insured.area_a, 2026, 10) == 1


def _rollup(unit_id: Any, day: dt.date, scheme: str, people: int) -> None:
    InsuranceDay.objects.create(unit_id=unit_id, day=day, scheme_id=scheme, enrolments=people)


def test_the_narrative_tells_the_enrolments_as_the_published_report(
    insured: Tree, users: dict[str, User]
) -> None:
    """Cao Bằng 2023: 15.959 people enrolled against a plan of 19.668, 317 more than 2022."""
    inds = load_indicators()
    manager = users[Role.PROVINCE_MANAGER]
    _rollup(insured.point_a1.pk, dt.date(2023, 3, 2), "voluntary_social", 9_000)
    _rollup(insured.point_b1.pk, dt.date(2023, 10, 5), "voluntary_social", 6_959)
    _rollup(insured.point_a1.pk, dt.date(2022, 6, 1), "voluntary_social", 15_642)
    _rollup(insured.point_a2.pk, dt.date(2023, 8, 1), "household_health", 8_100)
    plan_services.set_plan(
        actor=manager, unit=insured.province, indicator=inds["BHXH_TN"], year=2023, target=19_668
    )
    plan_services.set_plan(
        actor=manager, unit=insured.province, indicator=inds["BHYT_HGD"], year=2023, target=9_000
    )
    report = plan_vs_actual(manager, insured.province, Period(2023, "year", 12))
    text = plan_vs_actual_text(report)
    assert (
        "Dịch vụ phát triển BHXH tự nguyện 15.959/19.668 lượt người, đạt 81%, "
        "tăng 317 lượt người so với cùng kỳ."
    ) in text
    # Household health insurance gets a sentence of its own, in the same words (nobody was
    # enrolled the year before: there is nothing to compare).
    assert "Dịch vụ phát triển BHYT hộ gia đình 8.100/9.000 lượt người, đạt 90%." in text


def test_a_report_without_insurance_says_nothing_of_it(
    insured: Tree, users: dict[str, User]
) -> None:
    load_indicators()
    report = plan_vs_actual(
        users[Role.PROVINCE_MANAGER], insured.province, Period(2023, "year", 12)
    )
    assert report.row("BHXH_TN") is not None
    assert "lượt người" not in plan_vs_actual_text(report)
