"""Payout fixtures: the pension programme of a provincial agency, and a clerk's payday shift."""

from __future__ import annotations

import pytest

from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession
from buudien.payouts.models import Programme
from buudien.payouts.seed import seed_programmes
from tests.conftest import Tree
from tests.factories import PartnerFactory
from tests.payouts.test_payouts import PAYDAY


@pytest.fixture
def programme(tree: Tree, catalogue: None) -> Programme:
    PartnerFactory(code="BHXH04", name="BHXH tỉnh", served_by=tree.province)
    seed_programmes()
    return Programme.objects.get(code="LHUU")


@pytest.fixture
def payday_session(tree: Tree, users: dict[str, User]) -> CounterSession:
    return counter_services.open_session(
        clerk=users[Role.CLERK],
        unit=tree.point_a1,
        opening_cash=500_000_000,
        business_date=PAYDAY.date(),
    )
