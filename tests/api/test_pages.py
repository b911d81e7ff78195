"""API lists are paged within bounds: a page past any list is a 422 naming the field."""

from __future__ import annotations

import pytest
from django.test import Client

from buudien.core.models import Role, User
from tests.conftest import Tree


@pytest.mark.parametrize("path", ["/api/counter/entries", "/api/dossiers/", "/api/network/units"])
def test_a_page_number_beyond_any_list_is_refused_naming_the_field(
    path: str, tree: Tree, users: dict[str, User]
) -> None:
    client = Client()
    client.force_login(users[Role.ADMIN])
    response = client.get(path, {"page": "2744678058776970139795456"})
    assert response.status_code == 422
    assert response.json()["field"] == "page"
    assert client.get(path, {"page": "1"}).status_code == 200
