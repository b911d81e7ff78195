"""The unit list: sortable headings, each unit's state as a badge, the count, a pager, the
export with the same filters, and an area outside the scope not found, never shown."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client

from buudien.core.models import Role, User
from buudien.network.models import PostUnit
from tests.conftest import Tree
from tests.factories import PostUnitFactory

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _xlsx(body: bytes) -> list[list[Any]]:
    ws = openpyxl.load_workbook(io.BytesIO(body)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_states_show_as_badges(tree: Tree, users: dict[str, User]) -> None:
    PostUnit.objects.filter(pk=tree.point_a2.pk).update(status=PostUnit.Status.SUSPENDED)
    PostUnit.objects.filter(pk=tree.point_b1.pk).update(
        status=PostUnit.Status.CLOSED, closed_on=dt.date(2025, 1, 31)
    )
    page = _client(users[Role.PROVINCE_MANAGER]).get("/network/?kind=commune_point")
    html = page.content.decode()
    assert "3 đơn vị" in html
    assert 'class="badge ok" data-status="active">Đang hoạt động' in html
    assert 'class="badge warn" data-status="suspended">Tạm ngừng' in html
    assert 'class="badge bad" data-status="closed">Đã đóng cửa' in html


def test_headings_sort_the_list_both_ways(tree: Tree, users: dict[str, User]) -> None:
    client = _client(users[Role.PROVINCE_MANAGER])
    up = client.get("/network/?kind=commune_point&sort=code").content.decode()
    down = client.get("/network/?kind=commune_point&sort=-code").content.decode()
    names = ["Đức Long", "Nguyễn Huệ", "Cốc Pàng"]  # VHXA1, VHXA2, VHXB1
    assert [up.index(n) for n in names] == sorted(up.index(n) for n in names)
    assert [down.index(n) for n in names] == sorted((down.index(n) for n in names), reverse=True)
    # The heading now sorted offers the other way, and keeps the filter.
    assert "?kind=commune_point&amp;sort=-code" in up
    assert "?kind=commune_point&amp;sort=code" in down


def test_every_sort_key_answers_a_list(tree: Tree, users: dict[str, User]) -> None:
    client = _client(users[Role.PROVINCE_MANAGER])
    for key in ("code", "kind", "area", "commune", "model", "area_class", "status", "opened"):
        for sort in (key, f"-{key}"):
            page = client.get(f"/network/?sort={sort}")
            assert page.status_code == 200
            assert "8 đơn vị" in page.content.decode()


def test_the_list_is_paged(tree: Tree, users: dict[str, User]) -> None:
    for i in range(55):
        PostUnitFactory(
            code=f"VHXP{i:02d}",
            name=f"Điểm thử {i:02d}",
            kind=PostUnit.Kind.COMMUNE_POINT,
            parent=tree.office_a,
        )
    client = _client(users[Role.AREA_MANAGER])
    first = client.get("/network/?kind=commune_point").content.decode()
    assert "57 đơn vị" in first
    assert 'rel="next"' in first
    assert "Trang 1/2" in first
    second = client.get("/network/?kind=commune_point&page=2").content.decode()
    assert second.count('href="/network/VHX') == 7


def test_the_export_keeps_the_filters(tree: Tree, users: dict[str, User]) -> None:
    client = _client(users[Role.PROVINCE_MANAGER])
    page = client.get("/network/?area=KVB&kind=commune_point").content.decode()
    assert 'href="/network/export.xlsx?area=KVB&amp;kind=commune_point"' in page
    rows = _xlsx(client.get("/network/export.xlsx?area=KVB&kind=commune_point").content)
    codes = [r[0] for r in rows[1:]]
    assert codes == ["VHXB1"]


def test_an_htmx_refresh_swaps_the_export_link_with_the_table(
    tree: Tree, users: dict[str, User]
) -> None:
    client = _client(users[Role.PROVINCE_MANAGER])
    partial = client.get("/network/?area=KVA&kind=", headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert "<h1>" not in html
    assert 'hx-swap-oob="true"' in html
    assert "/network/export.xlsx?area=KVA&amp;kind=" in html


def test_an_area_outside_the_scope_is_not_found_and_never_shown(
    tree: Tree, users: dict[str, User]
) -> None:
    client = _client(users[Role.AREA_MANAGER])
    for url in ("/network/?area=KVB", "/network/export.xlsx?area=KVB"):
        refused = client.get(url)
        assert refused.status_code == 404
        assert "Cốc Pàng" not in refused.content.decode()
