"""A report asks the network as it was many times (each app, each month); inside one
report's computation the same question is answered once, and nothing outlives it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from buudien.core.models import User
from buudien.network import selectors
from tests.conftest import Tree

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def _ask(user: User, tree: Tree) -> selectors.NetworkThen:
    return selectors.network_then(
        user=user, paths=[tree.province.path], first_day=MARCH[0], last_day=MARCH[1]
    )


@pytest.mark.django_db
def test_one_report_reads_the_network_once_and_forgets_it_after(
    tree: Tree, users: dict[str, User]
) -> None:
    manager = users["province_manager"]
    with selectors.remembering():
        with CaptureQueriesContext(connection) as first:
            once = _ask(manager, tree)
        with CaptureQueriesContext(connection) as again:
            twice = _ask(manager, tree)
        months = selectors.networks_then(
            user=manager, paths=[tree.province.path], spans=[MARCH, (MARCH[0], MARCH[0])]
        )
    assert len(first.captured_queries) > 0
    assert again.captured_queries == []
    assert twice == once == months[0]
    tree.point_a1.name = "Điểm đổi tên"
    tree.point_a1.save()
    with CaptureQueriesContext(connection) as after:
        later = _ask(manager, tree)
    assert len(after.captured_queries) > 0  # a new page reads the network anew
    assert "Điểm đổi tên" in {u.name for u in later.units}


@pytest.mark.django_db
def test_each_user_gets_the_network_of_his_own_scope(tree: Tree, users: dict[str, User]) -> None:
    with selectors.remembering():
        province = _ask(users["province_manager"], tree)
        clerk = _ask(users["clerk"], tree)
    assert {u.code for u in clerk.units} < {u.code for u in province.units}
