"""A value with a control character (NUL above all, which PostgreSQL refuses) is answered
with a message naming its field, on pages and in the API, before anything reads it."""

from __future__ import annotations

from django.test import Client

from buudien.core.models import Role, User
from tests.conftest import Tree


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_query_value_with_nul_gets_a_page_naming_the_field(
    tree: Tree, users: dict[str, User]
) -> None:
    response = _client(users[Role.ADMIN]).get("/network/", {"q": "Đức\x00Long"})
    assert response.status_code == 400
    assert "«q»" in response.content.decode()


def test_a_form_value_with_nul_is_refused_before_anything_is_written(
    tree: Tree, users: dict[str, User]
) -> None:
    response = _client(users[Role.ADMIN]).post("/network/new/", {"code": "X\x00", "name": "A"})
    assert response.status_code == 400
    assert "«code»" in response.content.decode()


def test_a_json_string_with_an_escaped_nul_is_a_422_naming_its_field(
    tree: Tree, users: dict[str, User]
) -> None:
    response = _client(users[Role.ADMIN]).post(
        "/api/network/units",
        '{"code": "X\\u0000", "name": "A", "kind": "office"}',
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "code"


def test_ordinary_text_with_new_lines_passes(tree: Tree, users: dict[str, User]) -> None:
    assert _client(users[Role.ADMIN]).get("/network/", {"q": "Đức\nLong"}).status_code == 200
