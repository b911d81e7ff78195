"""Payout fixtures: the pension programme of a provincial agency, and a clerk's payday shift."""

from __future__ import annotations

import pytest
from django.test import Client

from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession
from buudien.network.models import Partner, PostUnit
from buudien.payouts.models import Programme
from tests.access import cases_payouts
from tests.access.world import World, build_world
from tests.conftest import Tree
from tests.payouts.test_payouts import PAYDAY


def pension_programme(served_by: PostUnit) -> Programme:
    """Monthly pensions of the province's social insurance, paid from the 2nd to the 20th
    (as shipped in the reference data, whether or not it was loaded)."""
    agency, _ = Partner.objects.update_or_create(
        code="BHXH04",
        defaults={
            "name": "BHXH tỉnh",
            "kind": Partner.Kind.SOCIAL_INSURANCE,
            "served_by": served_by,
        },
    )
    programme, _ = Programme.objects.update_or_create(
        code="LHUU",
        defaults={
            "name": "Lương hưu, trợ cấp bảo hiểm xã hội hằng tháng",
            "agency": agency,
            "service_code": "TC-LHUU",
            "window_start": 2,
            "window_end": 20,
        },
    )
    return programme


@pytest.fixture
def programme(tree: Tree, catalogue: None) -> Programme:
    return pension_programme(tree.province)


@pytest.fixture
def payday_session(tree: Tree, users: dict[str, User]) -> CounterSession:
    return counter_services.open_session(
        clerk=users[Role.CLERK],
        unit=tree.point_a1,
        opening_cash=500_000_000,
        business_date=PAYDAY.date(),
    )


@pytest.fixture
def world() -> World:
    """The access test's world with its payout lists, lines and people on both sides."""
    world = build_world()
    cases_payouts.build(world)
    return world


def client_as(world: World, role: str) -> Client:
    """A browser session of the world's user of that role."""
    client = Client()
    client.force_login(world.users[role])
    return client
