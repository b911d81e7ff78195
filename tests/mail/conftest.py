"""Mail fixtures: the test network's points placed in real communes of Cao Bằng, the
reference data, and an open shift at point A1."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession
from buudien.mail.models import PostalItem
from buudien.mail.services.acceptance import ItemIn, accept
from buudien.network.models import Commune
from tests.conftest import Places, Tree

DAY = dt.date(2025, 3, 14)


@pytest.fixture
def shift(tree: Tree, users: dict[str, User], places: Places) -> CounterSession:
    return counter_services.open_session(
        clerk=users[Role.CLERK], unit=tree.point_a1, opening_cash=0, business_date=DAY
    )


def parcel(commune: Commune, **kw: Any) -> ItemIn:
    values: dict[str, Any] = {
        "service_code": "BC-BK",
        "sender_name": "Nông Thị Lan",
        "sender_phone": "0912345678",
        "receiver_name": "Hoàng Văn Pháo",
        "receiver_phone": "0987654321",
        "receiver_address": "Xóm Nà Lẹng",
        "receiver_hamlet": "Nà Lẹng",
        "receiver_commune": commune.code,
        "weight_g": 1500,
    }
    return ItemIn(**(values | kw))


@pytest.fixture
def accepted(shift: CounterSession, users: dict[str, User], places: Places) -> PostalItem:
    """A parcel with COD accepted at A1 for point B1."""
    return accept(
        session=shift, clerk=users[Role.CLERK], data=parcel(places.b1, cod_amount=350_000)
    )
