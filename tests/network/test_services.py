"""Registering and changing units: tree shape, scope, audit trail and stale forms."""

from __future__ import annotations

import datetime as dt

import pytest

from buudien.core.audit import history
from buudien.core.errors import DomainError, Forbidden, OutOfScope, StaleRecord
from buudien.core.models import Role, User
from buudien.network import services
from buudien.network.models import PostUnit
from tests.conftest import Tree


def test_area_manager_registers_a_point_under_his_office_with_a_profile(
    tree: Tree, users: dict[str, User]
) -> None:
    unit = services.create_unit(
        actor=users[Role.AREA_MANAGER],
        code="vhxa3",
        name="Điểm BĐ-VHX Bạch Đằng",
        kind="commune_point",
        parent=tree.office_a,
        phone="+84 912 345 678",
        profile={
            "operating_model": "multi_service",
            "converted_on": dt.date(2025, 3, 1),
            "mobile_coverage": "3g",
        },
    )
    assert unit.code == "VHXA3"
    assert unit.path == "/BDT99/KVA/BCA/VHXA3/"
    assert unit.phone == "0912345678"
    assert unit.profile.operating_model == "multi_service"
    event = history(unit).get()
    assert event.actor == users[Role.AREA_MANAGER]
    assert event.before is None
    assert event.after["profile"]["mobile_coverage"] == "3g"


def test_a_point_must_sit_under_an_office(tree: Tree, users: dict[str, User]) -> None:
    with pytest.raises(DomainError, match="phải trực thuộc một Bưu cục") as exc:
        services.create_unit(
            actor=users[Role.ADMIN],
            code="X1",
            name="Điểm lạc",
            kind="commune_point",
            parent=tree.area_a,
        )
    assert exc.value.field == "parent"
    assert not PostUnit.objects.filter(code="X1").exists()


def test_a_taken_code_is_refused_naming_the_code(tree: Tree, users: dict[str, User]) -> None:
    with pytest.raises(DomainError, match="VHXA1 đã được dùng"):
        services.create_unit(
            actor=users[Role.ADMIN],
            code="VHXA1",
            name="Trùng",
            kind="commune_point",
            parent=tree.office_a,
        )


def test_area_manager_cannot_register_under_another_area(
    tree: Tree, users: dict[str, User]
) -> None:
    with pytest.raises(OutOfScope):
        services.create_unit(
            actor=users[Role.AREA_MANAGER],
            code="X2",
            name="Điểm",
            kind="commune_point",
            parent=tree.office_b,
        )
    with pytest.raises(Forbidden):
        services.create_unit(
            actor=users[Role.AUDITOR],
            code="X3",
            name="Điểm",
            kind="commune_point",
            parent=tree.office_b,
        )


def test_multi_service_point_needs_its_conversion_date(tree: Tree, users: dict[str, User]) -> None:
    with pytest.raises(DomainError, match="ngày chuyển đổi") as exc:
        services.update_unit(
            actor=users[Role.ADMIN],
            unit=tree.point_a1,
            profile={"operating_model": "multi_service"},
        )
    assert exc.value.field == "converted_on"
    tree.point_a1.profile.refresh_from_db()
    assert tree.point_a1.profile.operating_model == "traditional"


def test_update_records_before_and_after(tree: Tree, users: dict[str, User]) -> None:
    services.update_unit(
        actor=users[Role.PROVINCE_MANAGER],
        unit=tree.point_b1,
        name="Điểm BĐ-VHX Cốc Pàng mới",
        profile={"computers": 2},
    )
    event = history(tree.point_b1).first()
    assert event is not None
    changed = {k: (b, a) for k, b, a in event.changes()}
    assert changed["name"] == ("Điểm BĐ-VHX Cốc Pàng", "Điểm BĐ-VHX Cốc Pàng mới")
    assert changed["profile"][0]["computers"] == 0
    assert changed["profile"][1]["computers"] == 2


def test_a_stale_form_is_refused_and_changes_nothing(tree: Tree, users: dict[str, User]) -> None:
    first_version = tree.point_a1.version
    services.update_unit(
        actor=users[Role.ADMIN],
        unit=tree.point_a1,
        name="Sửa lần một",
        expected_version=first_version,
    )
    with pytest.raises(StaleRecord, match="vừa được người khác sửa"):
        services.update_unit(
            actor=users[Role.AREA_MANAGER],
            unit=tree.point_a1,
            name="Sửa từ trang cũ",
            expected_version=first_version,
        )
    tree.point_a1.refresh_from_db()
    assert tree.point_a1.name == "Sửa lần một"


def test_closing_keeps_the_date_and_refuses_a_unit_with_open_children(
    tree: Tree, users: dict[str, User]
) -> None:
    with pytest.raises(DomainError, match="Còn đơn vị trực thuộc"):
        services.change_status(
            actor=users[Role.ADMIN], unit=tree.office_b, status="closed", on=dt.date(2026, 1, 1)
        )
    closed = services.change_status(
        actor=users[Role.ADMIN], unit=tree.point_b1, status="closed", on=dt.date(2026, 1, 1)
    )
    assert closed.closed_on == dt.date(2026, 1, 1)
    with pytest.raises(DomainError, match="đã đóng cửa"):
        services.change_status(
            actor=users[Role.ADMIN], unit=closed, status="active", on=dt.date(2026, 2, 1)
        )


def test_a_bad_phone_is_refused_on_its_field(tree: Tree, users: dict[str, User]) -> None:
    with pytest.raises(DomainError) as exc:
        services.update_unit(actor=users[Role.ADMIN], unit=tree.point_a1, phone="12345")
    assert exc.value.field == "phone"
