"""Shared fixtures: a small post network with one user per role."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

import pytest

from buudien.core import reference
from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession
from buudien.dossiers.models import Procedure
from buudien.network.admin_units import load_admin_units
from buudien.network.models import Commune, Partner, PostUnit
from tests.factories import PartnerFactory, PostUnitFactory, UserFactory

PASSWORD = "mat-khau-123"


@dataclass
class Tree:
    province: PostUnit
    area_a: PostUnit
    area_b: PostUnit
    office_a: PostUnit
    office_b: PostUnit
    point_a1: PostUnit
    point_a2: PostUnit
    point_b1: PostUnit
    partner: Partner


@pytest.fixture
def tree(db: None) -> Tree:
    province = PostUnitFactory(code="BDT99", name="Bưu điện tỉnh Thử", kind="province")
    area_a = PostUnitFactory(
        code="KVA", name="Bưu điện khu vực Hòa An", kind="area", parent=province
    )
    area_b = PostUnitFactory(
        code="KVB", name="Bưu điện khu vực Bảo Lạc", kind="area", parent=province
    )
    office_a = PostUnitFactory(code="BCA", name="Bưu cục Nước Hai", kind="office", parent=area_a)
    office_b = PostUnitFactory(code="BCB", name="Bưu cục Bảo Lạc", kind="office", parent=area_b)
    point_a1 = PostUnitFactory(
        code="VHXA1", name="Điểm BĐ-VHX Đức Long", kind="commune_point", parent=office_a
    )
    point_a2 = PostUnitFactory(
        code="VHXA2", name="Điểm BĐ-VHX Nguyễn Huệ", kind="commune_point", parent=office_a
    )
    point_b1 = PostUnitFactory(
        code="VHXB1", name="Điểm BĐ-VHX Cốc Pàng", kind="commune_point", parent=office_b
    )
    partner = PartnerFactory(
        code="UBNDA", name="UBND xã Đức Long", kind=Partner.Kind.COMMUNE_COMMITTEE, served_by=area_a
    )
    return Tree(province, area_a, area_b, office_a, office_b, point_a1, point_a2, point_b1, partner)


@pytest.fixture
def users(tree: Tree) -> dict[str, User]:
    """One user per role: the area manager, clerk and partner officer belong to area A."""
    return {
        Role.ADMIN: UserFactory(username="admin", role=Role.ADMIN, home_unit=tree.province),
        Role.PROVINCE_MANAGER: UserFactory(
            username="tinh", role=Role.PROVINCE_MANAGER, home_unit=tree.province
        ),
        Role.AREA_MANAGER: UserFactory(
            username="khuvuc", role=Role.AREA_MANAGER, home_unit=tree.area_a
        ),
        Role.CLERK: UserFactory(username="diem", role=Role.CLERK, home_unit=tree.point_a1),
        Role.PARTNER_OFFICER: UserFactory(
            username="doitac", role=Role.PARTNER_OFFICER, partner=tree.partner
        ),
        Role.AUDITOR: UserFactory(username="kiemsoat", role=Role.AUDITOR, home_unit=tree.area_b),
    }


@pytest.fixture(autouse=True)
def _fast_hashing(settings: pytest.FixtureRequest) -> None:
    """Argon2 is the production hasher; tests that do not test it use a fast one."""
    if not os.environ.get("BUUDIEN_TEST_REAL_HASHER"):
        settings.PASSWORD_HASHERS = [  # type: ignore[attr-defined]
            "django.contrib.auth.hashers.MD5PasswordHasher",
            "django.contrib.auth.hashers.Argon2PasswordHasher",
        ]


def serve_agencies(unit: PostUnit) -> None:
    """The shipped agencies that no unit serves are served by this one (as setup_province does)."""
    Partner.objects.filter(served_by__isnull=True).update(served_by=unit)


@pytest.fixture
def catalogue(db: None) -> None:
    """The reference data a real install loads: agencies, services and tariffs, indicators,
    the working calendar, procedures, payout programmes."""
    reference.load()


@pytest.fixture
def procedures(tree: Tree, catalogue: None) -> dict[str, Procedure]:
    """The shipped procedures, their agencies served by the test province."""
    serve_agencies(tree.province)
    return {p.code: p for p in Procedure.objects.all()}


@pytest.fixture
def clerk_session(tree: Tree, users: dict[str, User], procedures: Any) -> CounterSession:
    return counter_services.open_session(
        clerk=users[Role.CLERK],
        unit=tree.point_a1,
        opening_cash=0,
        business_date=dt.date(2025, 3, 14),
    )


@pytest.fixture
def officer(procedures: Any) -> User:
    return UserFactory(
        role=Role.PARTNER_OFFICER,
        username="canbo-ubnd",
        partner=Partner.objects.get(code="UBNDXA04"),
    )


CAO_BANG = 4
HA_NOI = 1
LAM_DONG = 68


@dataclass
class Places:
    a1: Commune
    a2: Commune
    b1: Commune
    elsewhere: Commune  # a commune of Cao Bằng no point serves
    ha_noi: Commune
    far: Commune


@pytest.fixture
def places(tree: Tree, catalogue: None) -> Places:
    load_admin_units()
    ours = list(Commune.objects.filter(province_id=CAO_BANG).order_by("code")[:4])
    for unit, commune in zip((tree.point_a1, tree.point_a2, tree.point_b1), ours, strict=False):
        unit.commune = commune
        unit.save()
    return Places(
        *ours,
        Commune.objects.filter(province_id=HA_NOI).order_by("code").first(),  # type: ignore[arg-type]
        Commune.objects.filter(province_id=LAM_DONG).order_by("code").first(),  # type: ignore[arg-type]
    )
