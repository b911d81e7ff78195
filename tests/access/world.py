"""The world the access test acts in: one province with a user per role, and a second province
whose records are out of everybody's scope but the administrator's.

Each app adds its records in `cases_<app>.build(world)`: under "in" the records at point A1 and
of agency A (inside every test user's scope), under "out" the same kind of records in the other
province and of agency B."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from buudien.core import reference
from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.network.models import Partner, PostUnit
from tests.factories import PartnerFactory, PostUnitFactory, UserFactory

ROLES: list[str] = [
    Role.CLERK,
    Role.AREA_MANAGER,
    Role.PROVINCE_MANAGER,
    Role.ADMIN,
    Role.PARTNER_OFFICER,
    Role.AUDITOR,
]


@dataclass
class Side:
    """One side of the world: the units, agency, clerk and session of "in" or "out"."""

    province: PostUnit
    area: PostUnit
    office: PostUnit
    point: PostUnit
    agency: Partner
    clerk: User
    session: Any
    objects: dict[str, Any] = field(default_factory=dict)


@dataclass
class World:
    users: dict[str, User]
    sides: dict[str, Side]
    today: dt.date

    def side(self, where: str) -> Side:
        return self.sides[where]

    def obj(self, where: str, name: str) -> Any:
        return self.sides[where].objects[name]

    def put(self, where: str, name: str, value: Any) -> None:
        self.sides[where].objects[name] = value


def _side(prefix: str, agency_code: str, clerk_name: str) -> tuple[PostUnit, ...]:
    province = PostUnitFactory(code=f"BDT{prefix}", name=f"Bưu điện tỉnh {prefix}", kind="province")
    area = PostUnitFactory(
        code=f"KV{prefix}", name=f"Bưu điện khu vực {prefix}", kind="area", parent=province
    )
    office = PostUnitFactory(
        code=f"BC{prefix}", name=f"Bưu cục {prefix}", kind="office", parent=area
    )
    point = PostUnitFactory(
        code=f"VHX{prefix}", name=f"Điểm BĐ-VHX {prefix}", kind="commune_point", parent=office
    )
    return province, area, office, point


def build_world() -> World:
    """Reference data, the two provinces, the users, an open shift at each point."""
    reference.load()
    today = timezone.localdate()
    sides: dict[str, Side] = {}
    users: dict[str, User] = {}
    for where, prefix, agency_code in (("in", "91", "BHXHA"), ("out", "92", "BHXHB")):
        province, area, office, point = _side(prefix, agency_code, f"clerk-{where}")
        agency = PartnerFactory(
            code=agency_code,
            name=f"Bảo hiểm xã hội {prefix}",
            kind=Partner.Kind.SOCIAL_INSURANCE,
            served_by=province,
        )
        clerk = UserFactory(username=f"clerk-{where}", role=Role.CLERK, home_unit=point)
        session = counter_services.open_session(
            clerk=clerk, unit=point, opening_cash=50_000_000, business_date=today
        )
        sides[where] = Side(province, area, office, point, agency, clerk, session)
    inside = sides["in"]
    users[Role.CLERK] = inside.clerk
    users[Role.AREA_MANAGER] = UserFactory(
        username="khuvuc", role=Role.AREA_MANAGER, home_unit=inside.area
    )
    users[Role.PROVINCE_MANAGER] = UserFactory(
        username="tinh", role=Role.PROVINCE_MANAGER, home_unit=inside.province
    )
    users[Role.ADMIN] = UserFactory(username="admin", role=Role.ADMIN, home_unit=inside.province)
    users[Role.PARTNER_OFFICER] = UserFactory(
        username="doitac", role=Role.PARTNER_OFFICER, partner=inside.agency
    )
    users[Role.AUDITOR] = UserFactory(
        username="kiemsoat", role=Role.AUDITOR, home_unit=inside.province
    )
    return World(users=users, sides=sides, today=today)
