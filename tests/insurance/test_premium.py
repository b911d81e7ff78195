"""Premiums for each scheme, payment mode and support category under the shipped rules, and
under a change of rate or of the base salary in the middle of a paid period."""

from __future__ import annotations

import dataclasses
import datetime as dt
from fractions import Fraction

import pytest

from buudien.insurance import premium
from buudien.insurance.errors import InsuranceError
from buudien.insurance.premium import Member, RuleBook
from buudien.insurance.selectors.rules import rule_book

pytestmark = pytest.mark.django_db
D = dt.date
PAID_ON = D(2026, 11, 20)
DEC = D(2026, 12, 1)
FLOOR = 2_200_000  # the rural poverty line from 2026
SOCIAL_AT_FLOOR = 484_000  # 22% of it
BASE = 2_340_000


@pytest.fixture
def social(catalogue: None) -> RuleBook:
    return rule_book("voluntary_social")


@pytest.fixture
def health(catalogue: None) -> RuleBook:
    return rule_book("household_health")


def _social(
    book: RuleBook, *, mode: str = "12m", months: int = 12, start: dt.date = DEC, **kw: object
) -> premium.Quote:
    member = Member(name="Nông Văn Thào", start=start, income=FLOOR, **kw)  # type: ignore[arg-type]
    return premium.quote(book, mode=mode, months=months, members=[member], paid_on=PAID_ON)


@pytest.mark.parametrize(("mode", "months"), [("monthly", 1), ("3m", 3), ("6m", 6), ("12m", 12)])
def test_voluntary_social_insurance_costs_22_percent_less_the_support_each_month(
    social: RuleBook, mode: str, months: int
) -> None:
    q = _social(social, mode=mode, months=months)
    assert q.gross == SOCIAL_AT_FLOOR * months
    assert q.support == 96_800 * months  # 20% of 484,000 for everyone else since 1 July 2025
    assert q.total == (SOCIAL_AT_FLOOR - 96_800) * months


@pytest.mark.parametrize(
    ("category", "support"),
    [("poor", 242_000), ("near_poor", 193_600), ("ethnic_minority", 145_200), ("other", 96_800)],
)
def test_the_state_supports_each_category_by_its_share_of_the_contribution_at_the_floor(
    social: RuleBook, category: str, support: int
) -> None:
    member = Member(
        name="Lý Thị Mai", start=DEC, income=5_000_000, category=category, evidence="SHN-0412"
    )
    q = premium.quote(social, mode="monthly", months=1, members=[member], paid_on=PAID_ON)
    assert q.gross == 1_100_000  # the rate applies to the income chosen …
    assert q.support == support  # … the support only to the floor income


def test_support_stops_when_its_months_are_used_up(social: RuleBook) -> None:
    q = _social(social, supported_months=118)
    assert q.people[0].supported_months == 2
    assert q.support == 96_800 * 2
    lines = [ln.text for ln in premium.calculation(q)]
    assert any("12/2026–01/2027: 2 tháng" in t for t in lines)
    assert any("02/2027–11/2027: 10 tháng" in t for t in lines)


def test_a_supported_category_without_evidence_is_refused(social: RuleBook) -> None:
    with pytest.raises(InsuranceError, match="giấy tờ chứng minh") as caught:
        _social(social, category="poor")
    assert caught.value.field == "evidence"


@pytest.mark.parametrize("income", [FLOOR - 1, 20 * BASE + 1])
def test_an_income_outside_the_floor_and_ceiling_is_refused(social: RuleBook, income: int) -> None:
    member = Member(name="Nông Văn Thào", start=DEC, income=income)
    with pytest.raises(InsuranceError, match="2.200.000 ₫ đến 46.800.000 ₫"):
        premium.quote(social, mode="monthly", months=1, members=[member], paid_on=PAID_ON)


def test_paying_years_ahead_is_discounted_month_by_month(social: RuleBook) -> None:
    q = _social(social, mode="years", months=24)
    net = SOCIAL_AT_FLOOR - 96_800
    monthly = Fraction(400, 12 * 10_000)  # 4% a year
    v = 1 / (1 + monthly)
    exact = net * (1 - v**24) / (1 - v)  # the geometric series, summed at once
    assert q.total == int(exact + Fraction(1, 2))
    assert q.adjustment < 0


def test_paying_back_missed_months_carries_interest_and_no_support(social: RuleBook) -> None:
    q = _social(social, mode="back", months=5, start=D(2026, 6, 1))
    monthly = 1 + Fraction(400, 12 * 10_000)
    # June … October, paid in November: 5, 4, 3, 2 and 1 months of interest.
    exact = sum(SOCIAL_AT_FLOOR * monthly**k for k in (5, 4, 3, 2, 1))
    assert q.support == 0
    assert q.total == int(exact + Fraction(1, 2))


@pytest.mark.parametrize(
    ("scheme", "mode", "months"),
    [
        ("voluntary_social", "3m", 4),
        ("voluntary_social", "years", 30),
        ("household_health", "monthly", 1),
    ],
)
def test_months_a_mode_does_not_allow_are_refused(
    catalogue: None, scheme: str, mode: str, months: int
) -> None:
    with pytest.raises(InsuranceError) as caught:
        premium.check_mode(rule_book(scheme), mode=mode, months=months, day=PAID_ON)
    assert caught.value.field in ("mode", "months")


def test_a_household_of_six_pays_the_reduced_shares_from_the_second_member(
    health: RuleBook,
) -> None:
    members = [Member(name=f"Thành viên {i}", start=DEC, order=i) for i in range(1, 7)]
    q = premium.quote(health, mode="12m", months=12, members=members, paid_on=PAID_ON)
    each = [p.gross // 12 for p in q.people]
    assert each == [105_300, 73_710, 63_180, 52_650, 42_120, 42_120]
    assert q.total == 4_548_960


def test_a_rise_of_the_base_salary_mid_period_is_charged_from_its_month(health: RuleBook) -> None:
    raised = premium.Salary(D(2027, 7, 1), 2_530_000, "a decree")
    book = dataclasses.replace(health, salaries=(raised, *health.salaries))
    member = Member(name="Hoàng Văn Páo", start=D(2027, 1, 1), order=1)
    q = premium.quote(book, mode="12m", months=12, members=[member], paid_on=D(2026, 12, 20))
    assert q.total == 6 * 105_300 + 6 * 113_850  # 4.5% of 2,530,000 from July
    texts = [ln.text for ln in premium.calculation(q)]
    assert any("01/2027–06/2027: 6 tháng × 105.300 ₫" in t for t in texts)
    assert any("07/2027–12/2027: 6 tháng × 113.850 ₫" in t for t in texts)


def test_a_change_of_the_support_rate_mid_period_is_charged_from_its_month(
    social: RuleBook,
) -> None:
    # Paid in December 2024 for 2025: 10% of the floor contribution (1,500,000 × 22%) until
    # June, 20% from 1 July 2025 (Decree 159/2025).
    member = Member(name="Nông Văn Thào", start=D(2025, 1, 1), income=1_500_000)
    q = premium.quote(social, mode="12m", months=12, members=[member], paid_on=D(2024, 12, 20))
    assert q.gross == 330_000 * 12
    assert q.support == 6 * 33_000 + 6 * 66_000


def test_the_calculation_adds_up_to_the_total_line_by_line(health: RuleBook) -> None:
    members = [Member(name=f"Thành viên {i}", start=DEC, order=i) for i in range(1, 4)]
    q = premium.quote(health, mode="6m", months=6, members=members, paid_on=PAID_ON)
    lines = premium.calculation(q)
    assert lines[-1].amount == q.total
    persons = [ln.amount for ln in lines if ln.text.strip().startswith("Cộng")]
    assert sum(a or 0 for a in persons) == q.total
