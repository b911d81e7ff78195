"""Every page, asked with malformed values, answers with a message, never a server error.

Each HTML route of the access test is requested as a role that may use it, with every
parameter name the pages read set to one bad value at a time (a month of 13, a year of letters,
a negative count, a huge number, a broken date, an unknown code, a control character), in the
query string and, for the routes that write, in the form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from buudien.core.models import Role
from buudien.core.permissions import rule
from tests.access.routes import html_routes
from tests.access.test_access_matrix import CASES, build
from tests.access.world import build_world

NAMES = [
    "year",
    "month",
    "quarter",
    "day",
    "page",
    "q",
    "status",
    "which",
    "point",
    "agency",
    "procedure",
    "programme",
    "kind",
    "area",
    "model",
    "area_class",
    "connectivity",
    "sort",
    "format",
    "unit",
    "start",
    "end",
    "by",
    "code",
    "fmt",
    "size",
    "ytd",
    "partial",
    "template",
    "as",
    "version",
    "latitude",
    "longitude",
    "amount",
    "quantity",
    "opening_cash",
    "counted_cash",
    "compensation",
    "count",
    "target",
    "method",
    "reason",
    "receiver",
    "receiver_id",
    "status_date",
    "authorised_until",
    "appointment_date",
    "next_attempt",
    "effective_from",
    "months",
    "phasing",
    "indicator",
    "direction",
    "dossier",
    "complaint",
    "citizen_id",
    "phone",
    "service",
    "customer_phone",
    "idempotency_key",
    "opening_cash",
    "dry_run",
    "action",
    "language",
    "next",
    "return_rest",
    "channel",
    "home_delivery",
    "account_no",
    "authorised_id",
]
BAD_VALUES = ["13", "-1", "abc", "9" * 40, "2025-13-45", "1e309", "\x00", "ZZZ-KHONG-CO", "-0.5"]
ROUTES = {r.id: r for r in html_routes()}


def _actor(action: str, doer: str | None) -> str:
    roles = rule(action).roles
    if doer in roles:
        return doer
    # A device's door has no person's role: anyone may knock, and must get a message.
    return Role.ADMIN if Role.ADMIN in roles or not roles else sorted(roles)[0]


def _with(url: str, params: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


@pytest.mark.parametrize("route_id", sorted(r for r in CASES if r in ROUTES))
@pytest.mark.django_db
def test_malformed_values_get_a_message_not_a_server_error(route_id: str) -> None:
    route, case = ROUTES[route_id], CASES[route_id]
    world = build_world()
    build(world)
    url = case.url(world, "in")
    for method, action in route.actions.items():
        if action is None:
            continue
        client = Client()
        client.force_login(world.users[_actor(action, case.doer)])
        for bad in BAD_VALUES:
            params = dict.fromkeys(NAMES, bad)
            if method == "GET":
                response: Any = client.get(_with(url, params))
            else:
                response = client.post(url, params)
            assert response.status_code < 500, f"{route_id} {method} with {bad!r}"
