"""The generated access test: every route × every role × a record in and out of scope.

For each route it reads the action the route declared (`permissions.guard`), asks the matrix
what each role may do, and checks what the server answers:
- a role the rule does not name gets 403 (anonymous: the login page, or 401 from the API);
- a role it names gets the page, or a business answer, for the record in its scope;
- the record outside the scope is 404 (a listing leaves it out), and its text never shows;
- a refused request writes nothing to the database (no INSERT, UPDATE or DELETE), while the
  first allowed write of a valid request does take effect.
A route without a case here fails, so a new module cannot forget its routes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from buudien.core.models import Role
from buudien.core.permissions import Reach, rule
from tests.access import (
    cases_core,
    cases_counter,
    cases_dossiers,
    cases_insurance_agency,
    cases_insurance_counter,
    cases_insurance_people,
    cases_insurance_targets,
    cases_mail_counter,
    cases_mail_delivery,
    cases_mail_network,
    cases_mail_ordinary,
    cases_mail_public,
    cases_network,
    cases_payouts,
    cases_plans,
    cases_reports,
    cases_sync,
)
from tests.access.case import Case
from tests.access.routes import WRITE_METHODS, Route, all_routes
from tests.access.world import ROLES, World, build_world

MODULES = [
    cases_core,
    cases_network,
    cases_counter,
    cases_plans,
    cases_reports,
    cases_dossiers,
    cases_payouts,
    cases_sync,
    cases_mail_counter,
    cases_mail_delivery,
    cases_mail_network,
    cases_mail_ordinary,
    cases_mail_public,
    cases_insurance_people,
    cases_insurance_counter,
    cases_insurance_agency,
    cases_insurance_targets,
]
CASES: dict[str, Case] = {}
for _module in MODULES:
    CASES.update(_module.CASES)

ROUTES = {r.id: r for r in all_routes()}
# Tables a request may touch without changing anything a user owns.
HOUSEKEEPING = {"django_session", "core_attempt", "core_apitoken", "core_user"}
WRITE_SQL = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def test_every_route_declares_its_actions_and_has_a_case() -> None:
    undeclared = sorted(r.id for r in ROUTES.values() if not any(r.actions.values()))
    assert undeclared == [], f"routes without @guard or @public: {undeclared}"
    missing = sorted(set(ROUTES) - set(CASES))
    assert missing == [], f"routes with no case in tests/access/cases_*.py: {missing}"
    stale = sorted(set(CASES) - set(ROUTES))
    assert stale == [], f"cases for routes that no longer exist: {stale}"


def build(world: World) -> None:
    for module in MODULES:
        module.build(world)


def _writes(queries: list[dict[str, Any]]) -> list[str]:
    tables = []
    for q in queries:
        match = WRITE_SQL.match(q["sql"])
        if match and match.group(1) not in HOUSEKEEPING:
            tables.append(match.group(1))
    return tables


def _client(world: World, role: str | None) -> Client:
    client = Client()
    if role is not None:
        client.force_login(world.users[role])
    return client


def _send(client: Client, route: Route, method: str, url: str, data: Any) -> Any:
    if method == "GET":
        return client.get(url)
    has_file = isinstance(data, dict) and any(
        isinstance(v, SimpleUploadedFile) for v in data.values()
    )
    if not route.api or has_file:
        return client.post(url, data or {}) if method == "POST" else client.generic(method, url)
    return client.generic(method, url, json.dumps(data or {}), content_type="application/json")


def _expected(action: str, role: str | None, where: str, case: Case) -> str:
    found = rule(action)
    if found.reach == Reach.PUBLIC:
        return "public"
    if found.reach == Reach.DEVICE:
        return "device"
    if role is None:
        return "login"
    if role not in found.roles:
        return "forbidden"
    if where == "out" and role != Role.ADMIN and case.scoped:
        return "listed" if case.listing or found.reach == Reach.ANY else "hidden"
    return "ok"


def _check(route: Route, expected: str, response: Any, *, what: str) -> None:
    status = response.status_code
    assert status < 500, f"{what}: server error {status}"
    if expected == "login":
        if route.api:
            assert status == 401, f"{what}: anonymous API call answered {status}"
        else:
            assert status == 302 and "/login/" in response["Location"], f"{what}: {status}"
    elif expected == "forbidden":
        assert status == 403, f"{what}: expected 403, got {status}"
        if route.api:
            assert response.json()["code"] == "core.forbidden", what
        assert rule_name_in(response), f"{what}: the refusal does not name its rule"
    elif expected == "device":
        assert status in {401, 403, 422}, f"{what}: a device door answered {status} to a person"
    elif expected == "hidden":
        assert status == 404, f"{what}: expected 404, got {status}"
    elif expected == "public":
        assert status not in {401, 403}, f"{what}: a public route refused with {status}"
    elif expected == "listed":
        assert status in {200, 302}, f"{what}: expected the list, got {status}"
    else:
        assert status not in {401, 403, 404}, f"{what}: refused with {status}"
        if status == 302:
            assert "/login/" not in response["Location"], f"{what}: sent to login"


def rule_name_in(response: Any) -> bool:
    if response.get("Content-Type", "").startswith("application/json"):
        body = str(response.json().get("message", ""))
    else:
        body = response.content.decode(errors="replace")
    return "quy tắc" in body or "rule" in body


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return ""
    return response.content.decode(errors="replace")


def _try(world: World, route: Route, case: Case, method: str, role: str | None, where: str) -> bool:
    """One request; returns whether it wrote to the database."""
    action = route.actions[method if route.api else ("GET" if method == "GET" else "POST")]
    assert action is not None
    expected = _expected(action, role, where, case)
    url = case.url(world, where)
    data = case.data(world, where) if case.data and method in WRITE_METHODS else None
    client = _client(world, role)
    with CaptureQueriesContext(connection) as ctx:
        response = _send(client, route, method, url, data)
    what = f"{route.id} {method} as {role or 'anonymous'} on {where} ({url})"
    _check(route, expected, response, what=what)
    wrote = _writes(ctx.captured_queries)
    if expected not in {"ok", "public"}:
        assert wrote == [], f"{what}: refused but wrote to {sorted(set(wrote))}"
        if case.marker and where == "out" and response.status_code == 200:
            assert case.marker(world, "out") not in _body(response), f"{what}: shows the record"
    return bool(wrote)


def _methods(route: Route, case: Case) -> list[str]:
    if route.api:
        return [route.method]
    return [m for m in ("GET", "POST") if route.actions.get(m)]


@pytest.mark.parametrize("route_id", sorted(CASES))
@pytest.mark.django_db
def test_route_answers_each_role_as_the_matrix_declares(route_id: str) -> None:
    route = ROUTES.get(route_id)
    if route is None:
        pytest.fail(f"no route {route_id}")
    case = CASES[route_id]
    world = build_world()
    build(world)
    for method in _methods(route, case):
        action = route.actions[method if route.api else ("GET" if method == "GET" else "POST")]
        assert action is not None
        allowed = [r for r in ROLES if r in rule(action).roles]
        refused = [r for r in ROLES if r not in allowed]
        # Refused and out-of-scope tries first: they must not write, and leave the record as is.
        for role in [None, *refused]:
            for where in ("out", "in"):
                _try(world, route, case, method, role, where)
        for role in allowed:
            if role != Role.ADMIN and case.scoped:
                _try(world, route, case, method, role, "out")
        doer = case.doer if case.doer in allowed else None
        order = ([doer] if doer else []) + [r for r in allowed if r != doer]
        for role in order:
            wrote = _try(world, route, case, method, role, "in")
            if role == doer and method in WRITE_METHODS:
                assert wrote, f"{route_id} {method}: the allowed write by {role} took no effect"
