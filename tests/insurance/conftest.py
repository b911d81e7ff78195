"""Insurance fixtures: the shipped rules, the social-insurance agency served by the test
province, people with valid citizen ids, households, and an open shift at point A1.

Time is fixed with `clock.at(NOW)` where a test depends on the day (`at_now` fixture)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from buudien.core import clock
from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession
from buudien.insurance import services
from buudien.insurance.models import Household, Participant, Payment
from buudien.network.models import Partner, PostUnit
from tests.conftest import Tree, serve_agencies
from tests.factories import UserFactory

TODAY = dt.date(2026, 11, 20)
NOW = timezone.make_aware(dt.datetime(2026, 11, 20, 9, 30))
_serial = itertools.count(100_001)


def citizen_id(birth: dt.date, *, female: bool = False) -> str:
    """A valid 12-digit CCCD born in Cao Bằng in the person's birth year."""
    century = (birth.year // 100 - 19) * 2 + (1 if female else 0)
    return f"004{century}{birth.year % 100:02d}{next(_serial):06d}"


def person_in(
    name: str = "Nông Văn Thào",
    birth: dt.date = dt.date(1980, 5, 17),
    **kw: Any,
) -> services.PersonIn:
    values: dict[str, Any] = {
        "citizen_id": citizen_id(birth, female=kw.pop("female", False)),
        "name": name,
        "birth_date": birth,
        "hamlet": "Nà Lẹng",
        "phone": "0912345678",
        "consent": True,
    }
    return services.PersonIn(**(values | kw))


@pytest.fixture
def insured(tree: Tree, catalogue: None) -> Tree:
    """The reference data loaded and the shipped agencies served by the test province."""
    serve_agencies(tree.province)
    return tree


@pytest.fixture
def at_now() -> Iterator[None]:
    with clock.at(NOW):
        yield


@pytest.fixture
def clerk(users: dict[str, User]) -> User:
    return users[Role.CLERK]


@pytest.fixture
def insurance_officer(insured: Tree) -> User:
    """An officer of the provincial social-insurance agency."""
    return UserFactory(
        role=Role.PARTNER_OFFICER, username="canbo-bhxh", partner=Partner.objects.get(code="BHXH04")
    )


@pytest.fixture
def shift(insured: Tree, clerk: User, at_now: None) -> CounterSession:
    return counter_services.open_session(
        clerk=clerk, unit=insured.point_a1, opening_cash=0, business_date=TODAY
    )


def register(actor: User, point: PostUnit, **kw: Any) -> Participant:
    return services.register_participant(actor=actor, point=point, data=person_in(**kw))


def household_of(actor: User, point: PostUnit, size: int) -> tuple[Household, list[Participant]]:
    """A household and its `size` members, the head first."""
    home = services.create_household(
        actor=actor,
        point=point,
        data=services.HouseholdIn(head_name="Hoàng Văn Páo", hamlet="Nà Lẹng"),
    )
    names = [
        "Hoàng Văn Páo",
        "Nông Thị Mai",
        "Hoàng Văn Dũng",
        "Hoàng Thị Hoa",
        "Hoàng Văn Tú",
        "Hoàng Thị Nga",
        "Hoàng Văn Sơn",
        "Hoàng Thị Lan",
    ]
    births = [dt.date(1970 + 5 * i, 1 + i, 10 + i) for i in range(len(names))]
    people = [
        register(
            actor,
            point,
            name=names[i],
            birth=births[i],
            female=i % 2 == 1,
            household_id=str(home.pk),
            relation="" if i == 0 else "con",
        )
        for i in range(size)
    ]
    return home, people


def enrol_health(
    session: CounterSession, clerk: User, people: list[Participant], months: int = 12, **kw: Any
) -> Payment:
    return services.enrol(
        session=session,
        clerk=clerk,
        data=services.EnrolmentIn(
            scheme="household_health",
            mode=f"{months}m",
            months=months,
            members=tuple(services.MemberIn(participant_id=str(p.pk)) for p in people),
            **kw,
        ),
    )


def enrol_social(
    session: CounterSession,
    clerk: User,
    person: Participant,
    *,
    income: int = 2_200_000,
    mode: str = "12m",
    months: int = 12,
    category: str = "other",
    evidence: str = "",
    **kw: Any,
) -> Payment:
    return services.enrol(
        session=session,
        clerk=clerk,
        data=services.EnrolmentIn(
            scheme="voluntary_social",
            mode=mode,
            months=months,
            members=(
                services.MemberIn(
                    participant_id=str(person.pk),
                    income=income,
                    category=category,
                    evidence=evidence,
                ),
            ),
            **kw,
        ),
    )
