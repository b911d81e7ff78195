"""The dossier lists: paged with the count, filtered, sorted by their headings, exported with
the same filters, states as badges, scoped to the user, and no action a line cannot take."""

from __future__ import annotations

import copy
import datetime as dt
import io
import uuid
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession
from buudien.dossiers import services
from buudien.dossiers.models import Batch, Complaint, Dossier, Procedure
from tests.conftest import Tree
from tests.dossiers.conftest import CITIZEN, full_documents

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def dossier(
    clerk_session: CounterSession, users: dict[str, User], procedures: dict[str, Procedure]
) -> Dossier:
    return services.intake(
        clerk=users[Role.CLERK],
        session=clerk_session,
        procedure=procedures["1.001193"],
        documents=full_documents(procedures["1.001193"]),
        **CITIZEN,
    )


def _copies(d: Dossier, n: int, **fields: Any) -> list[Dossier]:
    """`n` more dossiers like `d` (codes HSX000…), with these fields changed."""
    made = []
    for i in range(n):
        c = copy.copy(d)
        c.id, c.code, c.request_key = uuid.uuid4(), f"HSX{i:03d}", ""
        for k, v in fields.items():
            setattr(c, k, v)
        made.append(c)
    return Dossier.objects.bulk_create(made)


def _xlsx(body: bytes) -> list[list[Any]]:
    ws = openpyxl.load_workbook(io.BytesIO(body)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_the_list_is_paged_and_shows_its_count(dossier: Dossier, users: dict[str, User]) -> None:
    _copies(dossier, 59)
    client = _client(users[Role.AREA_MANAGER])
    first = client.get("/dossiers/?which=open").content.decode()
    assert "60 hồ sơ" in first
    assert first.count('href="/dossiers/HS') == 50
    assert 'rel="next"' in first
    second = client.get("/dossiers/?which=open&page=2").content.decode()
    assert second.count('href="/dossiers/HS') == 10


def test_filters_by_status_and_received_dates(dossier: Dossier, users: dict[str, User]) -> None:
    old = timezone.now() - dt.timedelta(days=400)
    _copies(dossier, 3, status="at_agency", received_at=old)
    client = _client(users[Role.PROVINCE_MANAGER])
    page = client.get("/dossiers/?which=all&status=at_agency").content.decode()
    assert "3 hồ sơ" in page
    assert dossier.code not in page
    since = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    recent = client.get(f"/dossiers/?which=all&date_from={since}").content.decode()
    assert "1 hồ sơ" in recent
    assert dossier.code in recent


def test_a_wrong_date_is_named_and_the_list_still_shows(
    dossier: Dossier, users: dict[str, User]
) -> None:
    page = _client(users[Role.CLERK]).get("/dossiers/?which=all&date_from=31-02-2025")
    assert page.status_code == 200
    assert "Từ ngày:" in page.content.decode()
    assert dossier.code in page.content.decode()


def test_headings_sort_the_list(dossier: Dossier, users: dict[str, User]) -> None:
    _copies(dossier, 3)
    client = _client(users[Role.CLERK])
    up = client.get("/dossiers/?which=all&sort=code").content.decode()
    down = client.get("/dossiers/?which=all&sort=-code").content.decode()
    assert up.index("HSX000") < up.index("HSX002")
    assert down.index("HSX002") < down.index("HSX000")
    assert "giảm dần" in down  # the heading says how the list is sorted now


def test_states_show_as_badges_and_a_late_step_in_red(
    dossier: Dossier, users: dict[str, User]
) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(
        step_due=timezone.localdate() - dt.timedelta(days=14)
    )
    page = _client(users[Role.CLERK]).get("/dossiers/?which=overdue").content.decode()
    assert 'class="badge info" data-status="received"' in page
    assert 'class="badge bad" data-testid="overdue"' in page


def test_the_export_keeps_the_filters_and_masks_the_citizen_id(
    dossier: Dossier, users: dict[str, User]
) -> None:
    _copies(dossier, 2, status="at_agency")
    body = _client(users[Role.AREA_MANAGER]).get(
        "/dossiers/?which=all&status=at_agency&format=xlsx"
    )
    rows = _xlsx(body.content)
    assert len(rows) == 3  # the headers and the two dossiers at the agency
    assert {r[0] for r in rows[1:]} == {"HSX000", "HSX001"}
    assert CITIZEN["citizen_id"] not in str(rows)
    assert CITIZEN["phone"] not in str(rows)


def test_a_clerk_never_sees_another_points_dossiers(
    tree: Tree, dossier: Dossier, users: dict[str, User]
) -> None:
    _copies(dossier, 1, point=tree.point_b1)
    client = _client(users[Role.CLERK])
    for url in ("/dossiers/?which=all", "/dossiers/?which=all&point=VHXB1"):
        page = client.get(url).content.decode()
        assert "HSX000" not in page
    rows = _xlsx(client.get("/dossiers/?which=all&format=xlsx").content)
    assert [r[0] for r in rows[1:]] == [dossier.code]
    assert (
        "HSX000"
        in _client(users[Role.PROVINCE_MANAGER]).get("/dossiers/?which=all").content.decode()
    )


def _batch(tree: Tree, clerk: User, dossier: Dossier, *, send: bool) -> Batch:
    batch = services.open_batch(
        actor=clerk,
        unit=tree.point_a1,
        agency=dossier.agency,
        direction=Batch.Direction.TO_AGENCY,
        dossiers=[dossier],
    )
    return services.send_batch(actor=clerk, batch=batch) if send else batch


def test_a_sent_batch_offers_no_send_and_others_see_no_button(
    tree: Tree, dossier: Dossier, users: dict[str, User]
) -> None:
    clerk = users[Role.CLERK]
    opened = _batch(tree, clerk, dossier, send=False)
    page = _client(clerk).get("/dossiers/batches/").content.decode()
    assert 'data-testid="next-send"' in page
    assert 'class="badge info" data-state="open"' in page
    auditor = User.objects.create(username="ks-a", role=Role.AUDITOR, home_unit=tree.area_a)
    auditor_page = _client(auditor).get("/dossiers/batches/").content.decode()
    assert opened.code in auditor_page
    assert 'data-testid="next-send"' not in auditor_page
    services.send_batch(actor=clerk, batch=opened)
    sent = _client(clerk).get("/dossiers/batches/?state=sent").content.decode()
    assert opened.code in sent
    assert 'data-testid="next-send"' not in sent
    assert "1 biên bản" in sent
    assert "0 biên bản" in _client(clerk).get("/dossiers/batches/?state=open").content.decode()


def test_complaints_filter_by_state_and_show_overdue(
    dossier: Dossier, users: dict[str, User]
) -> None:
    complaint = services.file_complaint(
        actor=users[Role.CLERK], dossier=dossier, kind="delay", description="Quá hẹn"
    )
    Complaint.objects.filter(pk=complaint.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=3)
    )
    client = _client(users[Role.AREA_MANAGER])
    overdue = client.get("/dossiers/complaints/?state=overdue").content.decode()
    assert dossier.code in overdue
    assert 'data-testid="overdue"' in overdue
    assert "Xác nhận đã giải quyết" in overdue  # the manager may resolve it
    assert dossier.code not in client.get("/dossiers/complaints/?state=resolved").content.decode()
    clerk_page = _client(users[Role.CLERK]).get("/dossiers/complaints/").content.decode()
    assert dossier.code in clerk_page
    assert "Xác nhận đã giải quyết" not in clerk_page
    rows = _xlsx(client.get("/dossiers/complaints/?state=overdue&format=xlsx").content)
    assert rows[1][0] == dossier.code


def test_procedures_are_paged_sorted_and_exported(
    procedures: dict[str, Procedure], users: dict[str, User]
) -> None:
    client = _client(users[Role.CLERK])
    page = client.get("/dossiers/procedures/?sort=-fee").content.decode()
    assert f"{len(procedures)} thủ tục" in page
    rows = _xlsx(client.get("/dossiers/procedures/?sort=-fee&format=xlsx").content)
    fees = [r[5] for r in rows[1:]]
    assert len(fees) == len(procedures)
    assert fees == sorted(fees, reverse=True)


def test_an_area_managers_list_leaves_out_the_other_area(
    tree: Tree, dossier: Dossier, users: dict[str, User]
) -> None:
    clerk_b = User.objects.create(username="diem-b", role=Role.CLERK, home_unit=tree.point_b1)
    session_b = counter_services.open_session(
        clerk=clerk_b, unit=tree.point_b1, opening_cash=0, business_date=dt.date(2025, 3, 14)
    )
    other = services.intake(
        clerk=clerk_b,
        session=session_b,
        procedure=dossier.procedure,
        documents=full_documents(dossier.procedure),
        **CITIZEN,
    )
    page = _client(users[Role.AREA_MANAGER]).get("/dossiers/?which=all").content.decode()
    assert dossier.code in page
    assert other.code not in page


def test_complaints_filter_by_point_in_scope_only(
    tree: Tree, dossier: Dossier, users: dict[str, User]
) -> None:
    clerk_b = User.objects.create(username="diem-b", role=Role.CLERK, home_unit=tree.point_b1)
    session_b = counter_services.open_session(
        clerk=clerk_b, unit=tree.point_b1, opening_cash=0, business_date=dt.date(2025, 3, 14)
    )
    other = services.intake(
        clerk=clerk_b,
        session=session_b,
        procedure=dossier.procedure,
        documents=full_documents(dossier.procedure),
        **CITIZEN,
    )
    for clerk, d in ((users[Role.CLERK], dossier), (clerk_b, other)):
        services.file_complaint(actor=clerk, dossier=d, kind="delay", description="Quá hẹn")
    province = _client(users[Role.PROVINCE_MANAGER])
    everything = province.get("/dossiers/complaints/").content.decode()
    assert "2 khiếu nại" in everything
    assert '<option value="VHXB1">' in everything
    at_b = province.get("/dossiers/complaints/?point=VHXB1").content.decode()
    assert "1 khiếu nại" in at_b
    assert other.code in at_b
    assert dossier.code not in at_b
    rows = _xlsx(province.get("/dossiers/complaints/?point=VHXB1&format=xlsx").content)
    assert [r[0] for r in rows[1:]] == [other.code]

    area = _client(users[Role.AREA_MANAGER])
    assert '<option value="VHXB1">' not in area.get("/dossiers/complaints/").content.decode()
    refused = area.get("/dossiers/complaints/?point=VHXB1")
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Mã điểm: Không có điểm mã này trong phạm vi của bạn." in html
    assert other.code not in html
    assert dossier.code in html  # the list shows without the refused point
    exported = _xlsx(area.get("/dossiers/complaints/?point=VHXB1&format=xlsx").content)
    assert [r[0] for r in exported[1:]] == [dossier.code]
