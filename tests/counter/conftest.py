"""Counter fixtures: the seeded catalogue and an open session at point A1."""

from __future__ import annotations

import datetime as dt

import pytest

from buudien.core.models import Role, User
from buudien.counter import services
from buudien.counter.models import CounterSession
from tests.conftest import Tree

DAY = dt.date(2025, 3, 14)


@pytest.fixture
def session(tree: Tree, users: dict[str, User], catalogue: None) -> CounterSession:
    return services.open_session(
        clerk=users[Role.CLERK], unit=tree.point_a1, opening_cash=100_000_000, business_date=DAY
    )
