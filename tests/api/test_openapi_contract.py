"""schemathesis against the API's own OpenAPI document, with each role's token.

Every operation is called with generated values (valid and malformed) as every role and as
nobody: no answer is a server error, and every status an operation answers is declared in the
document with the body it declares. Bounded: a few examples per operation and role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from buudien.core.models import ApiToken
from tests.access.test_access_matrix import build
from tests.access.world import ROLES, build_world

APP = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APP)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def tokens(db: None) -> Iterator[dict[str, str]]:
    """The access test's world, one bearer token per role; requests share the test's
    transaction, so Django must not close the connection at the end of each request."""
    world = build_world()
    build(world)
    raw = {role: ApiToken.issue(user=world.users[role], name="contract")[1] for role in ROLES}
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield raw
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_error_and_only_declared_statuses(case: Any, tokens: dict[str, str]) -> None:
    # Each generated request as nobody and as every role: one world per operation.
    for role in [None, *ROLES]:
        # Uncompressed: the in-process transport does not undo the brotli a real client reads.
        headers = {"Accept-Encoding": "identity"}
        if role:
            headers["Authorization"] = f"Bearer {tokens[role]}"
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)
