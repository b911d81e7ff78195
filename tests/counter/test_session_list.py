"""The list of shifts: scoped, filtered by status, point, dates and discrepancy, sorted,
paged, exported, each shift's state as a badge."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from buudien.core.models import Role, User
from buudien.counter import services
from buudien.counter.models import CounterSession
from tests.conftest import Tree

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _shift(clerk: User, unit: Any, day: dt.date, counted: int | None = None) -> CounterSession:
    session = services.open_session(clerk=clerk, unit=unit, opening_cash=0, business_date=day)
    if counted is not None:
        reason = "Thiếu tiền lẻ" if counted else ""
        session = services.close_session(
            session=session, clerk=clerk, counted_cash=counted, reason=reason
        )
    return session


@pytest.fixture
def shifts(tree: Tree, users: dict[str, User]) -> dict[str, CounterSession]:
    today = timezone.localdate()
    clerk = users[Role.CLERK]
    clerk_b = User.objects.create(username="diem-b", role=Role.CLERK, home_unit=tree.point_b1)
    return {
        "balanced": _shift(clerk, tree.point_a1, today - dt.timedelta(days=2), counted=0),
        "short": _shift(clerk, tree.point_a1, today - dt.timedelta(days=1), counted=5000),
        "open": _shift(clerk, tree.point_a1, today),
        "other": _shift(clerk_b, tree.point_b1, today, counted=0),
    }


def test_a_clerk_sees_only_her_points_shifts(
    shifts: dict[str, CounterSession], users: dict[str, User]
) -> None:
    client = _client(users[Role.CLERK])
    page = client.get("/counter/sessions/").content.decode()
    assert "3 ca" in page
    assert "Cốc Pàng" not in page
    assert "Cốc Pàng" not in client.get("/counter/sessions/?point=VHXB1").content.decode()
    assert (
        "Cốc Pàng"
        in _client(users[Role.PROVINCE_MANAGER]).get("/counter/sessions/").content.decode()
    )


def test_states_show_as_badges(shifts: dict[str, CounterSession], users: dict[str, User]) -> None:
    page = _client(users[Role.AREA_MANAGER]).get("/counter/sessions/").content.decode()
    assert 'class="badge info" data-status="open"' in page
    assert 'class="badge warn" data-status="pending_approval"' in page
    assert 'class="badge muted" data-status="closed"' in page
    services.approve_discrepancy(session=shifts["short"], manager=users[Role.AREA_MANAGER])
    approved = _client(users[Role.AREA_MANAGER]).get("/counter/sessions/?status=approved")
    assert "1 ca" in approved.content.decode()
    assert "Đã duyệt chênh lệch</span>" in approved.content.decode()


def test_filters_by_discrepancy_status_and_dates(
    shifts: dict[str, CounterSession], users: dict[str, User]
) -> None:
    client = _client(users[Role.AREA_MANAGER])
    assert "1 ca" in client.get("/counter/sessions/?discrepancy=1").content.decode()
    assert "1 ca" in client.get("/counter/sessions/?status=open").content.decode()
    day = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    page = client.get(f"/counter/sessions/?date_from={day}&date_to={day}").content.decode()
    assert "1 ca" in page
    bad = client.get("/counter/sessions/?date_from=hom-qua")
    assert bad.status_code == 200
    assert "Từ ngày:" in bad.content.decode()


def test_sorted_by_date_both_ways_and_exported_with_the_filters(
    shifts: dict[str, CounterSession], users: dict[str, User]
) -> None:
    client = _client(users[Role.CLERK])
    up = client.get("/counter/sessions/?sort=date").content.decode()
    down = client.get("/counter/sessions/?sort=-date").content.decode()
    first, last = (f"/counter/sessions/{shifts[k].pk}/" for k in ("balanced", "open"))
    assert up.index(first) < up.index(last)
    assert down.index(last) < down.index(first)
    body = client.get("/counter/sessions/?discrepancy=1&format=xlsx").content
    rows = list(openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][10] == 5000  # the discrepancy, counted minus expected


def test_the_list_is_paged(tree: Tree, users: dict[str, User]) -> None:
    clerk = users[Role.CLERK]
    clerk_2 = User.objects.create(username="diem-a2", role=Role.CLERK, home_unit=tree.point_a2)
    today = timezone.localdate()
    for i in range(26):
        _shift(clerk, tree.point_a1, today - dt.timedelta(days=i), counted=0)
        _shift(clerk_2, tree.point_a2, today - dt.timedelta(days=i), counted=0)
    client = _client(users[Role.AREA_MANAGER])
    first = client.get("/counter/sessions/").content.decode()
    assert "52 ca" in first
    assert first.count('data-status="closed"') == 50
    assert (
        client.get("/counter/sessions/?page=2").content.decode().count('data-status="closed"') == 2
    )


def test_filters_by_clerk_among_those_in_scope(
    tree: Tree, shifts: dict[str, CounterSession], users: dict[str, User]
) -> None:
    clerk_a2 = User.objects.create(
        username="diem-a2", full_name="Lò Thị Mai", role=Role.CLERK, home_unit=tree.point_a2
    )
    _shift(clerk_a2, tree.point_a2, timezone.localdate(), counted=0)
    area = _client(users[Role.AREA_MANAGER])
    page = area.get("/counter/sessions/").content.decode()
    assert "4 ca" in page
    assert f'<option value="{clerk_a2.pk}">Lò Thị Mai</option>' in page
    assert "diem-b" not in page  # the clerk of the other area is not offered
    hers = area.get(f"/counter/sessions/?clerk={clerk_a2.pk}").content.decode()
    assert "1 ca" in hers
    assert "Nguyễn Huệ" in hers
    rows = _xlsx(area.get(f"/counter/sessions/?clerk={clerk_a2.pk}&format=xlsx").content)
    assert [r[3] for r in rows[1:]] == ["Lò Thị Mai"]
    partial = area.get(f"/counter/sessions/?clerk={clerk_a2.pk}", headers={"HX-Request": "true"})
    assert (
        f'href="?clerk={clerk_a2.pk}&amp;format=xlsx" data-testid="export" hx-swap-oob="true"'
        in (partial.content.decode())
    )

    other = User.objects.get(username="diem-b")
    refused = area.get(f"/counter/sessions/?clerk={other.pk}").content.decode()
    assert "Nhân viên: Không có nhân viên này trong phạm vi của bạn." in refused
    assert "Cốc Pàng" not in refused
    assert "4 ca" in refused  # the list shows without the refused clerk


def test_a_clerk_is_offered_no_one_but_herself(
    tree: Tree, shifts: dict[str, CounterSession], users: dict[str, User]
) -> None:
    colleague = User.objects.create(username="diem-2", role=Role.CLERK, home_unit=tree.point_a1)
    _shift(colleague, tree.point_a1, timezone.localdate() - dt.timedelta(days=3), counted=0)
    client = _client(users[Role.CLERK])
    page = client.get("/counter/sessions/").content.decode()
    assert 'name="clerk"' not in page  # one choice only: no select to offer
    mine = client.get(f"/counter/sessions/?clerk={users[Role.CLERK].pk}").content.decode()
    assert "3 ca" in mine
    refused = client.get(f"/counter/sessions/?clerk={colleague.pk}").content.decode()
    assert "Nhân viên: Không có nhân viên này trong phạm vi của bạn." in refused


def _xlsx(body: bytes) -> list[list[Any]]:
    ws = openpyxl.load_workbook(io.BytesIO(body)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_a_unit_code_outside_the_scope_is_named_and_not_filtered_on(
    shifts: dict[str, CounterSession], users: dict[str, User]
) -> None:
    area = _client(users[Role.AREA_MANAGER])
    other = area.get("/counter/sessions/?point=VHXB1").content.decode()
    unknown = area.get("/counter/sessions/?point=KHONGCO").content.decode()
    for page in (other, unknown):
        assert "Đơn vị: Không có đơn vị mã" in page
        assert "Cốc Pàng" not in page
        assert "3 ca" in page  # the list itself, without the refused filter
