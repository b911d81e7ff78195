"""Point mode's pages as people see them: a manager issues a code and sees it once, a silent
laptop stands out, a revoke button only for who may, conflicts settled from the list, the
exports, and the laptop's own sync page."""

from __future__ import annotations

import datetime as dt
import io
import sys
import types
import uuid
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from buudien.core import journal
from buudien.core.errors import DomainError
from buudien.core.models import Operation, PointDevice, Role, User
from buudien.sync import services
from buudien.sync.models import AppliedOperation, Conflict, Device, EnrolmentCode
from tests.conftest import Tree

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _enrol(users: dict[str, User], point: Any, label: str) -> Device:
    _, code = services.issue_code(actor=users[Role.PROVINCE_MANAGER], point_id=point.pk)
    return services.enroll(code=code, label=label)[0]


def _op(device: Device, seq: int, outcome: str, message: str) -> AppliedOperation:
    return AppliedOperation.objects.create(
        id=uuid.uuid4(),
        device=device,
        seq=seq,
        kind="payouts.pay",
        at=timezone.now(),
        actor="diem",
        payload={},
        outcome=outcome,
        message=message,
    )


def _conflict(device: Device, message: str, *, amount: int = 1_500_000) -> Conflict:
    return Conflict.objects.create(
        operation=_op(device, 100 + Conflict.objects.count(), "conflict", message),
        point=device.point,
        kind=Conflict.Kind.DOUBLE_PAYMENT,
        message=message,
        amount=amount,
        details={"first_receipt": "BL-TINH-0001", "second_receipt": "BL-DIEM-0900"},
    )


def test_a_manager_sees_the_code_once_with_the_command_to_type(
    tree: Tree, users: dict[str, User]
) -> None:
    client = _client(users[Role.AREA_MANAGER])
    form = client.get("/sync/devices/").content.decode()
    assert "Cấp mã đăng ký" in form
    assert tree.point_a1.name in form and tree.point_b1.name not in form  # only points in scope
    page = client.post("/sync/devices/", {"point": str(tree.point_a1.pk)})
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    body = page.content.decode()
    code = EnrolmentCode.objects.get()
    shown = body.split('data-testid="code">')[1].split("<")[0]
    assert services.digest(shown.replace("-", "")) == code.digest
    assert f"buudien point enroll --server http://testserver --code {shown}" in body
    assert timezone.localtime(code.expires_at).strftime("%H:%M %d/%m/%Y") in body
    again = client.get("/sync/devices/").content.decode()
    assert shown not in again
    device, _ = services.enroll(code=shown, label="Máy mới")
    assert device.point == tree.point_a1


def test_a_code_for_another_areas_point_is_refused_with_a_message(
    tree: Tree, users: dict[str, User]
) -> None:
    page = _client(users[Role.AREA_MANAGER]).post(
        "/sync/devices/", {"point": str(tree.point_b1.pk)}
    )
    assert page.status_code == 200
    assert "nằm ngoài phạm vi" in page.content.decode()
    assert not EnrolmentCode.objects.exists()


def test_a_silent_laptop_has_a_badge_and_the_list_an_alert(
    tree: Tree, users: dict[str, User]
) -> None:
    _enrol(users, tree.point_a1, "Máy Đức Long")
    quiet = _enrol(users, tree.point_a2, "Máy Nguyễn Huệ")
    client = _client(users[Role.AREA_MANAGER])
    assert 'data-testid="silent-alert"' not in client.get("/sync/devices/").content.decode()
    Device.objects.filter(pk=quiet.pk).update(last_seen_at=timezone.now() - dt.timedelta(days=5))
    page = client.get("/sync/devices/").content.decode()
    assert 'data-testid="silent-alert"' in page
    assert "1 máy không liên lạc với máy chủ tỉnh quá 3 ngày" in page
    assert page.count('data-testid="silent"') == 1
    assert "im lặng 5 ngày" in page
    only = client.get("/sync/devices/?state=silent").content.decode()
    assert "Máy Nguyễn Huệ" in only and "Máy Đức Long" not in only


def test_the_list_shows_backlog_refusals_and_open_conflicts(
    tree: Tree, users: dict[str, User]
) -> None:
    device = _enrol(users, tree.point_a1, "Máy Đức Long")
    Device.objects.filter(pk=device.pk).update(backlog=12, refused=2)
    _conflict(device, "Chi trùng dòng 7")
    page = _client(users[Role.AUDITOR]).get("/sync/devices/").content.decode()
    assert "Máy Đức Long" not in page  # the auditor's scope is area B
    page = _client(users[Role.PROVINCE_MANAGER]).get("/sync/devices/?point=vhxa1").content.decode()
    assert "Máy Đức Long" in page
    row = page.split(f'data-device="{device.pk}"')[1].split("</tr>")[0]
    assert ">12<" in row and ">2</a>" in row and ">1</a>" in row
    bad = _client(users[Role.AREA_MANAGER]).get("/sync/devices/?point=VHXB1&state=zzz&sort=zzz")
    assert bad.status_code == 200
    assert "ngoài phạm vi" in bad.content.decode()


def test_a_clerk_sees_no_devices_and_a_reader_no_revoke_button(
    tree: Tree, users: dict[str, User]
) -> None:
    device = _enrol(users, tree.point_a1, "Máy Đức Long")
    assert _client(users[Role.CLERK]).get(f"/sync/devices/{device.pk}/").status_code == 403
    auditor = User.objects.create(username="ks-a", role=Role.AUDITOR, home_unit=tree.area_a)
    seen = _client(auditor).get(f"/sync/devices/{device.pk}/").content.decode()
    assert "Máy Đức Long" in seen and 'data-testid="revoke-form"' not in seen
    assert "Cấp mã đăng ký" not in _client(auditor).get("/sync/devices/").content.decode()
    manager = _client(users[Role.AREA_MANAGER])
    page = manager.get(f"/sync/devices/{device.pk}/").content.decode()
    assert 'data-testid="revoke-form"' in page and "data-confirm=" in page
    done = manager.post(f"/sync/devices/{device.pk}/revoke/", follow=True).content.decode()
    assert "Đã thu hồi máy" in done and 'data-testid="revoke-form"' not in done
    assert Device.objects.get(pk=device.pk).revoked_at is not None
    again = manager.post(f"/sync/devices/{device.pk}/revoke/", follow=True).content.decode()
    assert "đã bị thu hồi lúc" in again


def test_a_device_page_lists_what_was_refused_and_why(tree: Tree, users: dict[str, User]) -> None:
    device = _enrol(users, tree.point_a1, "Máy Đức Long")
    _op(device, 1, "applied", "")
    _op(device, 2, "refused", "Ca ngày 14/03/2025 đã kết")
    _op(device, 3, "conflict", "Dòng chi đã chi trước đó")
    client = _client(users[Role.AREA_MANAGER])
    page = client.get(f"/sync/devices/{device.pk}/").content.decode()
    assert "Ca ngày 14/03/2025 đã kết" in page and "Dòng chi đã chi trước đó" in page
    assert "2 thao tác" in page
    refused = client.get(f"/sync/devices/{device.pk}/?outcome=refused").content.decode()
    assert "Dòng chi đã chi trước đó" not in refused
    assert client.get(f"/sync/devices/{uuid.uuid4()}/").status_code == 404


def test_conflicts_open_first_with_both_receipts_and_the_cash(
    tree: Tree, users: dict[str, User]
) -> None:
    device = _enrol(users, tree.point_a1, "Máy Đức Long")
    settled = _conflict(device, "Chi trùng dòng cũ")
    services.resolve(actor=users[Role.AREA_MANAGER], conflict=settled, resolution="đã thu hồi")
    _conflict(device, "Chi trùng dòng mới", amount=2_350_000)
    page = _client(users[Role.AREA_MANAGER]).get("/sync/conflicts/").content.decode()
    assert page.index("Chi trùng dòng mới") < page.index("Chi trùng dòng cũ")
    assert "2.350.000 ₫" in page
    assert "BL-TINH-0001" in page and "BL-DIEM-0900" in page
    assert page.count('data-testid="resolve-form"') == 1
    assert 'data-testid="resolved"' in page
    reader = _client(users[Role.PROVINCE_MANAGER])
    assert "Chi trùng dòng cũ" not in reader.get("/sync/conflicts/?state=open").content.decode()


def test_a_manager_settles_a_conflict_from_the_list(tree: Tree, users: dict[str, User]) -> None:
    device = _enrol(users, tree.point_a1, "Máy Đức Long")
    conflict = _conflict(device, "Chi trùng dòng 7")
    client = _client(users[Role.AREA_MANAGER])
    url = f"/sync/conflicts/{conflict.pk}/resolve/"
    empty = client.post(url, {"resolution": " ", "back": "/sync/conflicts/?kind=x"}, follow=True)
    assert "Hãy ghi đã xử lý thế nào" in empty.content.decode()
    assert empty.redirect_chain[-1][0] == "/sync/conflicts/?kind=x"
    done = client.post(
        url, {"resolution": "Đã thu hồi 1.500.000 đ", "back": "https://evil.example/"}, follow=True
    )
    assert done.redirect_chain[-1][0] == "/sync/conflicts/"
    assert "Đã ghi cách xử lý" in done.content.decode()
    assert Conflict.objects.get(pk=conflict.pk).state == Conflict.State.RESOLVED
    twice = client.post(url, {"resolution": "lần nữa"}, follow=True).content.decode()
    assert "đã được" in twice and "xử lý lúc" in twice
    auditor = User.objects.create(username="ks-a", role=Role.AUDITOR, home_unit=tree.area_a)
    assert _client(auditor).post(url, {"resolution": "x"}).status_code == 403


def _sheet(response: Any) -> Any:
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_exports_keep_the_filters_and_text_never_becomes_a_formula(
    tree: Tree, users: dict[str, User]
) -> None:
    formula = '=HYPERLINK("http://x","bấm")'
    device = _enrol(users, tree.point_a1, formula)
    _enrol(users, tree.point_a2, "Máy Nguyễn Huệ")
    _conflict(device, "=1+1")
    _op(device, 5, "refused", "=cmd|' /C calc'!A0")
    client = _client(users[Role.AREA_MANAGER])
    sheet = _sheet(client.get("/sync/devices/?format=xlsx&point=VHXA1"))
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 1
    texts = [c for c in rows[0] if isinstance(c.value, str)]
    assert any(c.value == formula for c in texts)
    assert all(c.data_type == "s" for c in texts)
    conflicts = _sheet(client.get("/sync/conflicts/?format=xlsx&state=open"))
    cells = [c for row in conflicts.iter_rows(min_row=2) for c in row]
    assert any(c.value == "=1+1" and c.data_type == "s" for c in cells)
    assert any(c.value == 1_500_000 for c in cells)
    problems = _sheet(client.get(f"/sync/devices/{device.pk}/?format=xlsx"))
    assert all(
        c.data_type == "s"
        for row in problems.iter_rows(min_row=2)
        for c in row
        if isinstance(c.value, str)
    )


# --- the laptop ---------------------------------------------------------------------------


def test_at_the_province_the_sync_page_says_so(users: dict[str, User]) -> None:
    page = _client(users[Role.AREA_MANAGER]).get("/sync/").content.decode()
    assert 'data-testid="province"' in page and "/sync/devices/" in page
    clerk = _client(users[Role.CLERK])
    page = clerk.get("/sync/").content.decode()
    assert 'data-testid="province"' in page and 'href="/sync/devices/"' not in page
    said = clerk.post("/sync/", follow=True).content.decode()
    assert "máy chủ tỉnh, không có gì để đồng bộ" in said
    assert _client(users[Role.PARTNER_OFFICER]).get("/sync/").status_code == 403


@pytest.fixture
def laptop(tree: Tree) -> Iterator[PointDevice]:
    """This database as a point's laptop, with some work waiting and some refused."""
    device = PointDevice.objects.create(
        id=uuid.uuid4(),
        point_id=tree.point_a1.pk,
        point_code=tree.point_a1.code,
        server_url="https://tinh.example",
        secret="-",
        last_push_at=timezone.now() - dt.timedelta(hours=2),
    )
    journal.forget_device()
    for seq, state, message in (
        (1, "applied", ""),
        (2, "refused", "Ca ngày 14/03/2025 đã kết, không ghi thêm giao dịch được."),
        (3, "conflict", "Dòng chi 12 đã chi trước đó."),
        (4, "pending", ""),
        (5, "pending", ""),
    ):
        Operation.objects.create(
            id=uuid.uuid4(),
            seq=seq,
            kind="counter.post_entries",
            at=timezone.now(),
            actor="diem",
            payload={},
            state=state,
            message=message,
        )
    yield device
    journal.forget_device()


def _fake_client(monkeypatch: pytest.MonkeyPatch, sync_now: Any) -> None:
    module = types.ModuleType("buudien.sync.client")
    module.sync_now = sync_now  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "buudien.sync.client", module)
    monkeypatch.setattr("buudien.sync.client", module, raising=False)


def test_the_laptop_shows_what_waits_when_it_synced_and_what_was_refused(
    laptop: PointDevice, users: dict[str, User]
) -> None:
    clerk = _client(users[Role.CLERK])
    page = clerk.get("/sync/").content.decode()
    pending = page.split('data-testid="pending"><b>')[1].split("<")[0]
    assert pending == "2"
    assert timezone.localtime(laptop.last_push_at).strftime("%H:%M %d/%m/%Y") in page
    assert "chưa lần nào" in page  # never pulled yet
    assert "Ca ngày 14/03/2025 đã kết" in page and "Dòng chi 12 đã chi trước đó." in page
    assert "Đồng bộ ngay" in page
    assert 'href="/sync/"' in page  # the menu leads the clerk here
    refused = clerk.get("/sync/?outcome=refused").content.decode()
    assert "Dòng chi 12" not in refused


def test_sync_now_reports_what_it_did_or_why_it_could_not(
    laptop: PointDevice, users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    clerk = _client(users[Role.CLERK])
    done = types.SimpleNamespace(pushed=2, refused=0, conflicts=0, pulled_pages=1, waiting=0)
    _fake_client(monkeypatch, lambda: done)
    said = clerk.post("/sync/", follow=True).content.decode()
    assert "gửi 2 thao tác" in said and "còn 0 thao tác chờ gửi" in said

    def link_down() -> None:
        raise DomainError("Không kết nối được máy chủ tỉnh; các thao tác vẫn được giữ.")

    _fake_client(monkeypatch, link_down)
    said = clerk.post("/sync/", follow=True).content.decode()
    assert "Không kết nối được máy chủ tỉnh" in said
