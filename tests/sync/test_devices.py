"""Laptops at the province: a one-time enrolment code, shown once and kept as a digest; a
device credential checked in constant time; revoking; a conflict settled once, with a note."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from buudien.core import clock
from buudien.core.errors import Forbidden, OutOfScope
from buudien.core.models import AuditEvent, Role, User
from buudien.sync import selectors, services
from buudien.sync.errors import SyncCode, SyncError
from buudien.sync.models import AppliedOperation, Conflict, Device, EnrolmentCode
from tests.conftest import Tree
from tests.factories import PostUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def _code(tree: Tree, users: dict[str, User], point: Any = None) -> str:
    _, raw = services.issue_code(
        actor=users[Role.AREA_MANAGER], point_id=(point or tree.point_a1).pk
    )
    return raw


def test_a_code_is_typable_shown_once_and_only_its_digest_is_kept(
    tree: Tree, users: dict[str, User]
) -> None:
    code, raw = services.issue_code(actor=users[Role.AREA_MANAGER], point_id=tree.point_a1.pk)
    groups = raw.split("-")
    assert [len(g) for g in groups] == [4, 4, 4]
    assert not set("".join(groups)) & set("O0I1L")
    stored = EnrolmentCode.objects.get(pk=code.pk)
    assert stored.digest == services.digest("".join(groups))
    assert raw.replace("-", "") not in str(EnrolmentCode.objects.values().get(pk=code.pk))
    assert dt.timedelta(hours=23) < stored.expires_at - timezone.now() <= dt.timedelta(hours=24)
    event = AuditEvent.objects.get(action="sync.code_issued")
    assert event.actor == users[Role.AREA_MANAGER]
    assert raw.replace("-", "") not in str(event.after) + event.note + event.object_repr
    assert stored.digest not in str(event.after)


def test_two_codes_are_different(tree: Tree, users: dict[str, User]) -> None:
    assert _code(tree, users) != _code(tree, users)


def test_the_code_enrols_one_device_and_returns_its_secret_once(
    tree: Tree, users: dict[str, User]
) -> None:
    raw = _code(tree, users)
    device, secret = services.enroll(code=raw.lower().replace("-", " "), label="Máy Đức Long")
    assert len(secret) >= 43  # 32 bytes, urlsafe base64
    assert device.point == tree.point_a1
    assert device.enrolled_by == users[Role.AREA_MANAGER]
    stored = Device.objects.get(pk=device.pk)
    assert stored.secret_digest == services.digest(secret)
    assert secret not in str(Device.objects.values().get(pk=device.pk))
    code = EnrolmentCode.objects.get()
    assert code.used_at is not None and code.device_id == device.pk
    enrolled = AuditEvent.objects.get(action="sync.device_enrolled")
    assert stored.secret_digest not in str(enrolled.after)


def test_a_used_code_is_refused_the_second_time(tree: Tree, users: dict[str, User]) -> None:
    raw = _code(tree, users)
    services.enroll(code=raw, label="Máy 1")
    with pytest.raises(SyncError) as refused:
        services.enroll(code=raw, label="Máy 2")
    assert refused.value.code == SyncCode.ENROL_CODE_USED
    assert "đã được dùng" in refused.value.message
    assert Device.objects.count() == 1


def test_an_expired_code_is_refused(tree: Tree, users: dict[str, User]) -> None:
    raw = _code(tree, users)
    with clock.at(timezone.now() + dt.timedelta(hours=25)), pytest.raises(SyncError) as late:
        services.enroll(code=raw, label="")
    assert late.value.code == SyncCode.ENROL_CODE_EXPIRED
    assert "hết hạn" in late.value.message
    assert Device.objects.count() == 0


def test_the_lifetime_of_a_code_is_a_setting(
    tree: Tree, users: dict[str, User], settings: Any
) -> None:
    settings.BUUDIEN_ENROL_HOURS = 2
    code, _ = services.issue_code(actor=users[Role.AREA_MANAGER], point_id=tree.point_a1.pk)
    assert code.expires_at - timezone.now() <= dt.timedelta(hours=2)


@pytest.mark.parametrize(
    "typed", ["", "ABCD", "ABCD-EFGH-JKM0", "ABCD-EFGH-JKMN-PQRS", "\x00" * 12]
)
def test_an_unknown_or_malformed_code_is_refused_with_a_message(
    tree: Tree, users: dict[str, User], typed: str
) -> None:
    _code(tree, users)
    with pytest.raises(SyncError) as bad:
        services.enroll(code=typed, label="")
    assert bad.value.code == SyncCode.ENROL_CODE_INVALID
    assert bad.value.field == "code"


def test_a_label_too_long_is_refused(tree: Tree, users: dict[str, User]) -> None:
    with pytest.raises(SyncError) as bad:
        services.enroll(code=_code(tree, users), label="x" * 101)
    assert bad.value.field == "label"
    assert not EnrolmentCode.objects.filter(used_at__isnull=False).exists()


def test_an_area_manager_cannot_issue_a_code_for_another_areas_point(
    tree: Tree, users: dict[str, User]
) -> None:
    with pytest.raises(OutOfScope):
        services.issue_code(actor=users[Role.AREA_MANAGER], point_id=tree.point_b1.pk)
    with pytest.raises(OutOfScope):
        services.issue_code(actor=users[Role.AREA_MANAGER], point_id="not-a-uuid")
    assert not EnrolmentCode.objects.exists()
    services.issue_code(actor=users[Role.PROVINCE_MANAGER], point_id=tree.point_b1.pk)


def test_codes_are_for_open_commune_points_and_for_managers_only(
    tree: Tree, users: dict[str, User]
) -> None:
    with pytest.raises(SyncError) as office:
        services.issue_code(actor=users[Role.AREA_MANAGER], point_id=tree.office_a.pk)
    assert office.value.code == SyncCode.NOT_A_COMMUNE_POINT
    tree.point_a2.status = "closed"
    tree.point_a2.closed_on = dt.date(2025, 1, 1)
    tree.point_a2.save()
    with pytest.raises(SyncError) as closed:
        services.issue_code(actor=users[Role.AREA_MANAGER], point_id=tree.point_a2.pk)
    assert closed.value.code == SyncCode.POINT_CLOSED
    for role in (Role.CLERK, Role.AUDITOR, Role.PARTNER_OFFICER):
        with pytest.raises(Forbidden):
            services.issue_code(actor=users[role], point_id=tree.point_a1.pk)
    assert not EnrolmentCode.objects.exists()


def test_the_secret_authenticates_the_device_and_notes_its_contact(
    tree: Tree, users: dict[str, User]
) -> None:
    device, secret = services.enroll(code=_code(tree, users), label="")
    Device.objects.filter(pk=device.pk).update(last_seen_at=None)
    found = services.authenticate(device_id=str(device.pk), secret=secret)
    assert found.pk == device.pk
    assert Device.objects.get(pk=device.pk).last_seen_at is not None
    for device_id, given in (
        (str(device.pk), secret + "x"),
        (str(device.pk), ""),
        ("00000000-0000-0000-0000-000000000000", secret),
        ("rác", secret),
    ):
        with pytest.raises(SyncError) as refused:
            services.authenticate(device_id=device_id, secret=given)
        assert refused.value.code == SyncCode.DEVICE_FORBIDDEN


def test_a_revoked_device_is_refused_from_then_on(tree: Tree, users: dict[str, User]) -> None:
    device, secret = services.enroll(code=_code(tree, users), label="Máy bị mất")
    revoked = services.revoke(actor=users[Role.AREA_MANAGER], device=device)
    assert revoked.revoked_at is not None and revoked.revoked_by == users[Role.AREA_MANAGER]
    with pytest.raises(SyncError) as refused:
        services.authenticate(device_id=str(device.pk), secret=secret)
    assert refused.value.code == SyncCode.DEVICE_REVOKED
    assert "thu hồi" in refused.value.message
    event = AuditEvent.objects.get(action="sync.device_revoked")
    assert "secret_digest" not in str(event.before) + str(event.after)
    with pytest.raises(SyncError) as twice:
        services.revoke(actor=users[Role.PROVINCE_MANAGER], device=device)
    assert twice.value.code == SyncCode.ALREADY_REVOKED


def test_only_a_manager_of_the_points_area_may_revoke(tree: Tree, users: dict[str, User]) -> None:
    device, _ = services.enroll(code=_code(tree, users, tree.point_a1), label="")
    other_area = UserFactory(username="khuvuc-b", role=Role.AREA_MANAGER, home_unit=tree.area_b)
    with pytest.raises(OutOfScope):
        services.revoke(actor=other_area, device=device)
    with pytest.raises(Forbidden):
        services.revoke(actor=users[Role.CLERK], device=device)
    assert Device.objects.get(pk=device.pk).revoked_at is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two enrolments racing on real connections need PostgreSQL; CI runs it",
)
def test_two_laptops_racing_with_one_code_enrol_one_device() -> None:
    province = PostUnitFactory(kind="province")
    area = PostUnitFactory(kind="area", parent=province)
    office = PostUnitFactory(kind="office", parent=area)
    point = PostUnitFactory(kind="commune_point", parent=office)
    manager = UserFactory(role=Role.AREA_MANAGER, home_unit=area)
    _, raw = services.issue_code(actor=manager, point_id=point.pk)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            services.enroll(code=raw, label=f"Máy {i}")
            outcomes.append("enrolled")
        except SyncError as exc:
            outcomes.append(str(exc.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["enrolled"] + [SyncCode.ENROL_CODE_USED] * 3
    assert Device.objects.count() == 1


def test_a_code_spent_between_the_check_and_the_write_enrols_nothing(
    tree: Tree, users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where row locks do not hold (SQLite), the conditional update is what keeps one code
    to one device: the other laptop's enrolment lands just before this one writes."""
    raw = _code(tree, users)
    real_create = Device.objects.create

    def other_laptop_first(**kwargs: Any) -> Device:
        created = real_create(**kwargs)
        EnrolmentCode.objects.update(used_at=timezone.now())
        return created

    monkeypatch.setattr(Device.objects, "create", other_laptop_first)
    with pytest.raises(SyncError) as lost:
        services.enroll(code=raw, label="Máy chậm")
    assert lost.value.code == SyncCode.ENROL_CODE_USED
    assert Device.objects.count() == 0  # rolled back with the refusal


def _conflict(device: Device, *, amount: int = 1_500_000) -> Conflict:
    op = AppliedOperation.objects.create(
        id="0190f000-0000-7000-8000-000000000001",
        device=device,
        seq=7,
        kind="payouts.pay",
        at=timezone.now(),
        actor="diem",
        payload={},
        outcome=AppliedOperation.Outcome.CONFLICT,
        code="sync.conflict",
        message="Dòng chi đã chi trước đó",
    )
    return Conflict.objects.create(
        operation=op,
        point=device.point,
        kind=Conflict.Kind.DOUBLE_PAYMENT,
        message="Dòng chi 12 đã chi trước đó; cần thu hồi 1.500.000 ₫.",
        amount=amount,
        details={"first_receipt": "BL-0001", "second_receipt": "BL-0900"},
    )


def test_a_conflict_is_settled_once_with_a_note(tree: Tree, users: dict[str, User]) -> None:
    device, _ = services.enroll(code=_code(tree, users), label="")
    conflict = _conflict(device)
    manager = users[Role.AREA_MANAGER]
    with pytest.raises(SyncError) as empty:
        services.resolve(actor=manager, conflict=conflict, resolution="   ")
    assert empty.value.field == "resolution"
    with pytest.raises(Forbidden):
        services.resolve(actor=users[Role.AUDITOR], conflict=conflict, resolution="xong")
    done = services.resolve(actor=manager, conflict=conflict, resolution="đã thu hồi 1.500.000 đ")
    assert done.state == Conflict.State.RESOLVED
    assert done.resolution == "đã thu hồi 1.500.000 đ" and done.resolved_by == manager
    assert AuditEvent.objects.filter(action="sync.conflict_resolved").count() == 1
    with pytest.raises(SyncError) as twice:
        services.resolve(actor=users[Role.PROVINCE_MANAGER], conflict=conflict, resolution="lại")
    assert twice.value.code == SyncCode.CONFLICT_ALREADY_SETTLED
    assert "đã thu hồi 1.500.000 đ" in twice.value.message
    assert Conflict.objects.get(pk=conflict.pk).resolution == "đã thu hồi 1.500.000 đ"


def test_devices_are_listed_in_scope_with_their_silence(
    tree: Tree, users: dict[str, User], settings: Any
) -> None:
    mine, _ = services.enroll(code=_code(tree, users, tree.point_a1), label="A1")
    quiet, _ = services.enroll(code=_code(tree, users, tree.point_a2), label="A2")
    _, raw_b = services.issue_code(actor=users[Role.PROVINCE_MANAGER], point_id=tree.point_b1.pk)
    services.enroll(code=raw_b, label="B1")
    Device.objects.filter(pk=quiet.pk).update(last_seen_at=timezone.now() - dt.timedelta(days=4))
    manager = users[Role.AREA_MANAGER]
    assert {d.label for d in selectors.devices(user=manager)} == {"A1", "A2"}
    assert [d.label for d in selectors.devices(user=manager, state="silent")] == ["A2"]
    assert selectors.silent_count(user=manager) == 1
    assert selectors.days_silent(selectors.device(user=manager, pk=quiet.pk)) == 4
    settings.BUUDIEN_SYNC_SILENT_DAYS = 5
    assert selectors.silent_count(user=manager) == 0
    assert len(selectors.devices(user=users[Role.PROVINCE_MANAGER])) == 3
    _conflict(mine)
    assert selectors.devices(user=manager, point="VHXA1").get().open_conflicts == 1
