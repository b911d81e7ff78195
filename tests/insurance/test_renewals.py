"""Keeping people covered: the renewals due by point and hamlet, the reminders (once per paid
period), the call list with full phones only for those who call, the lapsed list, and the
insurance home's figures."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from django.test import Client

from buudien.core import clock
from buudien.core.ids import mask_citizen_id
from buudien.core.models import AuditEvent, OutboxMessage, Role, User
from buudien.counter.models import CounterSession
from buudien.insurance.models import Participant
from tests.conftest import Tree
from tests.factories import UserFactory
from tests.insurance.conftest import NOW, enrol_social, register

pytestmark = pytest.mark.django_db

DUE = "/bao-hiem/gia-han/"
LAPSED = "/bao-hiem/gian-doan/"
LATER = NOW + dt.timedelta(days=45)


@dataclass
class People:
    due: Participant  # paid to 30/11/2026, has a phone
    silent: Participant  # paid to 30/11/2026, no phone
    paid: Participant  # paid to 31/10/2027


@pytest.fixture
def people(shift: CounterSession, clerk: User, insured: Tree) -> People:
    due = register(clerk, insured.point_a1, name="Nông Văn Thào", hamlet="Nà Lẹng")
    silent = register(
        clerk,
        insured.point_a1,
        name="Lý Thị Sen",
        birth=dt.date(1979, 3, 3),
        hamlet="Bản Giới",
        phone="",
    )
    paid = register(
        clerk, insured.point_a1, name="Hoàng Văn Dũng", birth=dt.date(1988, 8, 8), hamlet="Cốc Lùng"
    )
    enrol_social(shift, clerk, due, mode="monthly", months=1)
    enrol_social(shift, clerk, silent, mode="monthly", months=1)
    enrol_social(shift, clerk, paid, mode="12m", months=12)
    return People(due, silent, paid)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _xlsx(body: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def auditor(insured: Tree) -> User:
    return UserFactory(username="kiemsoat-tinh", role=Role.AUDITOR, home_unit=insured.province)


# The renewals due --------------------------------------------------------------------------


def test_the_covers_ending_within_30_days_are_listed_by_point_and_hamlet(
    people: People, clerk: User
) -> None:
    body = _client(clerk).get(DUE).content.decode()
    assert "Nông Văn Thào" in body and "Lý Thị Sen" in body
    assert "Hoàng Văn Dũng" not in body
    assert "Điểm BĐ-VHX Đức Long · Bản Giới" in body
    assert "Điểm BĐ-VHX Đức Long · Nà Lẹng" in body
    assert body.index("Bản Giới</th>") < body.index("Nà Lẹng</th>")
    assert "30/11/2026" in body
    assert mask_citizen_id(people.due.citizen_id) in body and people.due.citizen_id not in body


def test_the_days_and_hamlet_filters_narrow_the_list(people: People, clerk: User) -> None:
    client = _client(clerk)
    year = client.get(DUE, {"days": "365"}).content.decode()
    assert "Hoàng Văn Dũng" in year
    hamlet = client.get(DUE, {"hamlet": "Nà Lẹng"}).content.decode()
    assert "Nông Văn Thào" in hamlet and "Lý Thị Sen" not in hamlet
    wrong = client.get(DUE, {"days": "9999"})
    assert wrong.status_code == 200
    assert "Đến hạn trong (ngày)" in wrong.content.decode()
    assert "Nông Văn Thào" in wrong.content.decode()


def test_reminders_go_to_people_with_a_phone_once_per_paid_period(
    people: People,
    clerk: User,
    shift: CounterSession,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = _client(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(DUE, {"days": "30"}, follow=True)
    assert "Đã gửi 1 tin nhắn nhắc gia hạn cho 2 người" in first.content.decode()
    message = OutboxMessage.objects.get()
    assert message.to == people.due.phone
    assert "30/11/2026" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(DUE, {"days": "30"}, follow=True)
    assert "Đã gửi 0 tin nhắn" in again.content.decode()
    assert OutboxMessage.objects.count() == 1
    enrol_social(shift, clerk, people.due, mode="monthly", months=1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(DUE, {"days": "60"})
    assert OutboxMessage.objects.count() == 2
    assert "31/12/2026" in OutboxMessage.objects.order_by("-created_at").first().body  # type: ignore[union-attr]


def test_reminders_for_a_point_outside_the_scope_are_refused_and_nothing_is_sent(
    people: People, clerk: User
) -> None:
    response = _client(clerk).post(DUE, {"point": "VHXB1"}, follow=True)
    assert "Không có điểm mã này trong phạm vi của bạn." in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_the_call_list_has_full_phones_for_the_clerk(people: People, clerk: User) -> None:
    response = _client(clerk).get(DUE, {"format": "xlsx"})
    rows = _xlsx(response.content)
    assert rows[0] == [
        "Họ tên",
        "Số CCCD",
        "Điện thoại",
        "Thôn, bản",
        "Loại bảo hiểm",
        "Đóng đến ngày",
        "Điểm",
    ]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Nông Văn Thào"][1] == mask_citizen_id(people.due.citizen_id)
    assert by_name["Nông Văn Thào"][2] == "0912345678"
    assert by_name["Nông Văn Thào"][5] == dt.datetime(2026, 11, 30)
    assert AuditEvent.objects.filter(action="insurance.call_list_exported").exists()


def test_a_role_that_may_not_call_gets_no_call_list_and_no_reminder_button(
    people: People, auditor: User, insurance_officer: User
) -> None:
    for user in (auditor, insurance_officer):
        client = _client(user)
        page = client.get(DUE)
        assert page.status_code == 200
        assert "Nông Văn Thào" in page.content.decode()
        assert 'data-testid="remind"' not in page.content.decode()
        assert 'data-testid="call-list"' not in page.content.decode()
        assert client.get(DUE, {"format": "xlsx"}).status_code == 403
        assert client.post(DUE, {"days": "30"}).status_code == 403
    assert not OutboxMessage.objects.exists()


# Lapsed ------------------------------------------------------------------------------------


def test_covers_past_their_paid_period_are_listed_as_lapsed(people: People, clerk: User) -> None:
    client = _client(clerk)
    assert "Nông Văn Thào" not in client.get(LAPSED).content.decode()
    with clock.at(LATER):
        body = client.get(LAPSED).content.decode()
        due = client.get(DUE).content.decode()
    assert "Nông Văn Thào" in body and "Lý Thị Sen" in body
    assert "Hoàng Văn Dũng" not in body
    assert "Nông Văn Thào" not in due


def test_the_lapsed_export_masks_phones_for_those_who_do_not_call(
    people: People, clerk: User, auditor: User
) -> None:
    with clock.at(LATER):
        for_clerk = _xlsx(_client(clerk).get(LAPSED, {"format": "xlsx"}).content)
        for_auditor = _xlsx(_client(auditor).get(LAPSED, {"format": "xlsx"}).content)
    clerk_row = next(r for r in for_clerk if r[0] == "Nông Văn Thào")
    auditor_row = next(r for r in for_auditor if r[0] == "Nông Văn Thào")
    assert clerk_row[2] == "0912345678"
    assert auditor_row[2] == "0912***678"


# The insurance home ------------------------------------------------------------------------


def test_the_home_counts_covered_people_renewals_due_lapses_and_this_months_payments(
    people: People, clerk: User
) -> None:
    client = _client(clerk)
    body = client.get("/bao-hiem/").content.decode()
    assert (
        'data-testid="active-voluntary_social"><span>Đang tham gia BHXH tự nguyện</span><b>3</b>'
        in body
    )
    assert 'data-testid="due"><span>Đến hạn đóng trong 30 ngày</span><b>2</b>' in body
    assert 'data-testid="lapsed"><span>Gián đoạn (quá hạn đóng)</span><b>0</b>' in body
    month = body[body.index('data-testid="month"') :]
    assert '<td>BHXH tự nguyện</td><td class="num">3</td><td class="num">3</td>' in month
    assert 'href="/bao-hiem/gia-han/"' in body
