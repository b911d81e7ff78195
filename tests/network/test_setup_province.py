"""A real province installs without the demo: `buudien setup_province` creates its post unit and
first administrator once, with a clear message for every mistake, and nothing half-made."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from buudien.core import reference
from buudien.core.models import AuditEvent, Role, User
from buudien.core.scoping import scope_of
from buudien.network.admin_units import load_admin_units
from buudien.network.models import Partner, PostUnit
from tests.factories import PostUnitFactory

PASSWORD = "Quan-tri-tinh-2026"
CAO_BANG = ["--code", "BDT04", "--name", "Bưu điện tỉnh Cao Bằng", "--province-code", "4"]


def setup(*args: str, password: str | None = PASSWORD) -> str:
    out = io.StringIO()
    options = ["--no-input", *(["--password", password] if password else [])]
    call_command("setup_province", *CAO_BANG, "--admin", "quantri", *options, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def installed(db: None) -> None:
    """What a real install has run before: the administrative units and the reference data."""
    load_admin_units()
    reference.load()


def test_the_province_post_and_its_administrator_are_created(installed: None) -> None:
    printed = setup("--admin-name", "Nông Văn Quản")
    unit = PostUnit.objects.get(code="BDT04")
    assert (unit.kind, unit.name, unit.path, unit.parent) == (
        "province",
        "Bưu điện tỉnh Cao Bằng",
        "/BDT04/",
        None,
    )
    assert unit.commune is not None
    assert unit.commune.province.name == "Cao Bằng"
    admin = User.objects.get(username="quantri")
    assert (admin.role, admin.home_unit, admin.is_superuser) == (Role.ADMIN, unit, True)
    assert Client().login(username="quantri", password=PASSWORD)
    assert "Đã tạo BDT04 – Bưu điện tỉnh Cao Bằng" in printed
    assert AuditEvent.objects.filter(action="network.unit_created", object_id=str(unit.pk)).exists()


def test_the_new_province_post_serves_the_shipped_agencies(installed: None) -> None:
    setup()
    served = Partner.objects.filter(served_by__code="BDT04")
    assert served.count() == Partner.objects.count() == 11
    officer = User.objects.create_user(
        username="bhxh", password=PASSWORD, role=Role.PARTNER_OFFICER
    )
    officer.partner = Partner.objects.get(code="BHXH04")
    officer.save()
    assert scope_of(officer).path == "/BDT04/"  # the officer sees what the province post does


def test_running_it_again_changes_nothing_and_keeps_the_password(installed: None) -> None:
    setup()
    events = AuditEvent.objects.count()
    printed = setup(password="mat-khau-khac-han-2026")
    assert "Đã có BDT04" in printed
    assert "giữ nguyên mật khẩu" in printed
    assert (PostUnit.objects.count(), User.objects.count()) == (1, 1)
    assert AuditEvent.objects.count() == events
    assert Client().login(username="quantri", password=PASSWORD)


def test_a_new_name_renames_the_province_post(installed: None) -> None:
    setup()
    call_command(
        "setup_province",
        *CAO_BANG[:2],
        "--name",
        "Bưu điện tỉnh Cao Bằng (mới)",
        *CAO_BANG[4:],
        "--admin",
        "quantri",
        "--no-input",
        stdout=io.StringIO(),
    )
    assert PostUnit.objects.get(code="BDT04").name == "Bưu điện tỉnh Cao Bằng (mới)"


def test_before_the_administrative_units_are_loaded_it_says_what_to_run(db: None) -> None:
    with pytest.raises(CommandError, match="buudien load_admin_units"):
        setup()
    assert not User.objects.exists()


def test_a_weak_password_is_refused_and_nothing_stays_behind(
    installed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BUUDIEN_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="too short|quá ngắn"):
        setup(password="ngan")
    with pytest.raises(CommandError, match="BUUDIEN_ADMIN_PASSWORD"):
        setup(password=None)
    assert not User.objects.exists()
    assert not PostUnit.objects.exists()


def test_a_code_already_used_by_another_kind_of_unit_is_refused(installed: None) -> None:
    province = PostUnitFactory(code="BDT99", kind="province")
    PostUnitFactory(code="BDT04", kind="area", parent=province)
    with pytest.raises(CommandError, match="không phải một bưu điện tỉnh"):
        setup()
    assert not User.objects.exists()


def test_a_second_province_on_the_same_server_is_refused(installed: None) -> None:
    setup()
    with pytest.raises(CommandError, match="đã có bưu điện tỉnh BDT04"):
        call_command(
            "setup_province",
            "--code",
            "BDT4",
            *CAO_BANG[2:],
            "--admin",
            "quantri",
            "--no-input",
            stdout=io.StringIO(),
        )
    assert PostUnit.objects.count() == 1


def test_the_province_code_must_match_the_existing_post(installed: None) -> None:
    setup()
    with pytest.raises(CommandError, match="đã gắn với Cao Bằng"):
        call_command(
            "setup_province",
            *CAO_BANG[:4],
            "--province-code",
            "1",
            "--admin",
            "quantri",
            "--no-input",
            stdout=io.StringIO(),
        )


def test_an_account_of_another_role_is_not_made_administrator(installed: None) -> None:
    User.objects.create_user(username="quantri", password=PASSWORD, role=Role.CLERK)
    with pytest.raises(CommandError, match="đã có với vai trò"):
        setup()
    assert User.objects.get(username="quantri").role == Role.CLERK
    assert not PostUnit.objects.exists()
