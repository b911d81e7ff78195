"""The demo province: Cao Bằng's real communes, area posts, offices and ~150 commune points,
a login per role, and the clerk of every office and point (who the counter demos post as).

Assumes the reference data is loaded (`buudien load_reference`): the province post serves
the shipped agencies, as `buudien setup_province` makes a real one do."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from buudien.core.models import Role, User
from buudien.network.admin_units import load_admin_units
from buudien.network.models import Commune, CommunePointProfile, Partner, PostUnit

PROVINCE_CODE = 4  # Cao Bằng
PROVINCE_UNIT = "BDT04"
DEMO_PASSWORD = "buudien-demo"  # noqa: S105 - printed for the demo, never used in production
# Area posts keep the old district names (plain unit names, not administrative units).
AREAS = [
    "Thành phố Cao Bằng",
    "Hòa An",
    "Hà Quảng",
    "Trùng Khánh",
    "Quảng Hòa",
    "Bảo Lạc",
    "Bảo Lâm",
    "Nguyên Bình",
    "Thạch An",
    "Hạ Lang",
]
BORDER_AREAS = {"Hà Quảng", "Trùng Khánh", "Quảng Hòa", "Bảo Lạc", "Hạ Lang", "Thạch An"}
POINTS = 150

DEMO_USERS = [
    ("admin", Role.ADMIN, "Quản trị hệ thống", PROVINCE_UNIT, None),
    ("tinh", Role.PROVINCE_MANAGER, "Nông Thị Hạnh", PROVINCE_UNIT, None),
    ("khuvuc", Role.AREA_MANAGER, "Hoàng Văn Dũng", "KV0402", None),
    ("diemvhx", Role.CLERK, "Lục Thị Mai", "FIRST_POINT_OF:KV0402", None),
    ("doitac", Role.PARTNER_OFFICER, "Đàm Văn Quân", None, "BHXH04"),
    ("kiemsoat", Role.AUDITOR, "Bế Thị Lan", PROVINCE_UNIT, None),
]


def _unit(code: str, name: str, kind: str, parent: PostUnit | None, **extra: object) -> PostUnit:
    unit = PostUnit.objects.filter(code=code).first() or PostUnit(code=code)
    unit.name, unit.kind, unit.parent = name, kind, parent
    for key, value in extra.items():
        setattr(unit, key, value)
    unit.refresh_path()
    unit.save()
    return unit


def _roomy_cache() -> None:
    """SQLite: while the demo loads, its connection keeps up to 1 GB of pages in memory, so
    the ledger's indexes are not read back from disk at every insert."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-1000000")


def short_name(commune: Commune) -> str:
    """A commune's name without its kind: "Quảng Lâm" for "Xã Quảng Lâm"."""
    kind = commune.division_type.strip()
    if kind and commune.name.lower().startswith(kind.lower() + " "):
        return commune.name[len(kind) + 1 :]
    return commune.name


def _points_per_commune(communes: list[Commune]) -> list[int]:
    """About one point a commune, the remainder spread evenly, POINTS in all."""
    counts = [POINTS // len(communes)] * len(communes)
    for i in range(POINTS - sum(counts)):
        counts[(i * 7) % len(communes)] += 1
    return counts


def _offices(a: int, area: PostUnit, communes: list[Commune]) -> list[PostUnit]:
    offices = []
    for o in range(2 if len(communes) > 3 else 1):
        oc = communes[o * (len(communes) // 2)]
        offices.append(
            _unit(
                f"BC04{a + 1:02d}{o + 1}",
                f"Bưu cục {short_name(oc)}",
                "office",
                area,
                commune=oc,
                opened_on=dt.date(2000, 1, 1),
            )
        )
    return offices


@dataclass
class _Network:
    """What building the network needs as it goes: numbering, randomness, the first points."""

    rng: random.Random
    today: dt.date
    per_commune: dict[int, int]
    n_point: int = 0
    first_points: dict[str, str] = field(default_factory=dict)


def _area(net: _Network, a: int, name: str, province: PostUnit, communes: list[Commune]) -> None:
    area_code = f"KV04{a + 1:02d}"
    area = _unit(
        area_code,
        f"Bưu điện khu vực {name}",
        "area",
        province,
        commune=communes[0],
        opened_on=dt.date(1995, 1, 1),
    )
    offices = _offices(a, area, communes)
    for c_index, commune in enumerate(communes):
        second_half = c_index >= len(communes) // 2
        office = offices[1] if second_half and len(offices) > 1 else offices[0]
        for k in range(net.per_commune[commune.code]):
            net.n_point += 1
            code = f"VHX04{net.n_point:03d}"
            name = short_name(commune) + (f" {k + 1}" if k else "")
            unit = _point(net, code, name, office, commune)
            net.first_points.setdefault(area_code, code)
            _profile(unit, net.rng, border=name in BORDER_AREAS, urban=a == 0, today=net.today)


def _point(net: _Network, code: str, name: str, office: PostUnit, commune: Commune) -> PostUnit:
    rng = net.rng
    hamlet = f"{rng.choice(['Nà', 'Bản', 'Khau', 'Pác', 'Lũng'])} "
    hamlet += rng.choice(["Mới", "Giữa", "Trên", "Dưới", "Cũ"])
    suspended = rng.random() < 0.03
    last_month = (net.today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return _unit(
        code,
        f"Điểm BĐ-VHX {name}",
        "commune_point",
        office,
        commune=commune,
        address=f"Thôn {hamlet}, {commune.name}",
        latitude=Decimal(f"{22.3 + rng.random() * 0.9:.6f}"),
        longitude=Decimal(f"{105.5 + rng.random() * 1.3:.6f}"),
        phone=f"09{rng.randint(10000000, 99999999)}",
        status="suspended" if suspended else "active",
        closed_on=None,
        suspended_on=last_month if suspended else None,
        opened_on=dt.date(1998 + rng.randint(0, 10), rng.randint(1, 12), 1),
    )


@transaction.atomic
def build(*, today: dt.date | None = None) -> list[tuple[str, str, str]]:
    """Create (or refresh) the demo network, one login per role and a clerk at every office
    and point; returns the logins."""
    today = today or timezone.localdate()
    _roomy_cache()
    if not Commune.objects.filter(province_id=PROVINCE_CODE).exists():
        load_admin_units()
    communes = list(Commune.objects.filter(province_id=PROVINCE_CODE).order_by("code"))
    province = _unit(
        PROVINCE_UNIT,
        "Bưu điện tỉnh Cao Bằng",
        "province",
        None,
        commune=communes[0],
        address="Số 10 Kim Đồng, phường Thục Phán",
        phone="0263852222",
        opened_on=dt.date(1990, 1, 1),
    )
    counts = _points_per_commune(communes)
    net = _Network(
        random.Random(4), today, {c.code: n for c, n in zip(communes, counts, strict=True)}
    )
    per_area = -(-len(communes) // len(AREAS))
    for a, area_name in enumerate(AREAS):
        area_communes = communes[a * per_area : (a + 1) * per_area]
        if area_communes:
            _area(net, a, area_name, province, area_communes)
    partners = _serve_agencies(province)
    logins = _users(net.first_points, partners)
    _clerks()
    return logins


def _profile(
    unit: PostUnit, rng: random.Random, *, border: bool, urban: bool, today: dt.date
) -> None:
    multi = rng.random() < (0.8 if urban else 0.45)
    area_class = (
        "ordinary"
        if urban
        else rng.choices(
            ["border", "especially_difficult", "difficult", "ordinary"],
            [0.5 if border else 0, 0.3, 0.15, 0.15],
        )[0]
    )
    remote = area_class in {"border", "especially_difficult"}
    internet = rng.choices(
        ["fiber", "adsl", "wireless", "satellite", "none"],
        [0.35, 0.1, 0.2, 0.03, 0.32 if remote else 0.1],
    )[0]
    coverage = rng.choices(
        ["none", "2g", "3g", "4g", "5g"],
        [0.08 if remote else 0.01, 0.12 if remote else 0.02, 0.2, 0.55, 0.05],
    )[0]
    CommunePointProfile.objects.update_or_create(
        unit=unit,
        defaults={
            "operating_model": "multi_service" if multi else "traditional",
            "converted_on": dt.date(today.year - rng.randint(1, 3), rng.randint(1, 12), 1)
            if multi
            else None,
            "area_class": area_class,
            "internet_type": internet,
            "mobile_coverage": coverage,
            "has_wifi": internet != "none" and rng.random() < 0.7,
            "computers": 0 if internet == "none" and rng.random() < 0.5 else rng.randint(1, 3),
            "has_public_service_terminal": multi and rng.random() < 0.4,
            "has_reading_room": rng.random() < 0.85,
            "books": rng.randint(150, 1500),
            "newspapers_received": rng.randint(2, 9),
            "opening_hours": "7:30–11:30, 13:30–17:00",
            "clerk_name": rng.choice(["Nông", "Hoàng", "Lục", "Bế", "Đàm", "Lương", "Ma", "Triệu"])
            + " "
            + rng.choice(["Thị", "Văn"])
            + " "
            + rng.choice(["Hoa", "Lan", "Thắm", "Tùng", "Hải", "Nga", "Thủy", "Sơn", "Dung"]),
            "clerk_phone": f"08{rng.randint(10000000, 99999999)}",
            "clerk_since": dt.date(today.year - rng.randint(2, 16), rng.randint(1, 12), 1),
        },
    )


def _serve_agencies(province: PostUnit) -> dict[str, Partner]:
    """The shipped agencies no unit serves yet are the province post's (as setup_province)."""
    Partner.objects.filter(served_by__isnull=True).update(served_by=province)
    return {p.code: p for p in Partner.objects.all()}


def _users(
    first_points: dict[str, str], partners: dict[str, Partner]
) -> list[tuple[str, str, str]]:
    logins = []
    for username, role, full_name, unit_ref, partner_code in DEMO_USERS:
        unit_code = unit_ref
        if unit_ref and unit_ref.startswith("FIRST_POINT_OF:"):
            unit_code = first_points[unit_ref.split(":", 1)[1]]
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role = role
        user.full_name = full_name
        user.home_unit = PostUnit.objects.get(code=unit_code) if unit_code else None
        user.partner = partners[partner_code] if partner_code else None
        user.is_staff = user.is_superuser = role == Role.ADMIN
        user.set_password(DEMO_PASSWORD)
        user.save()
        where = (
            user.home_unit.name if user.home_unit else (user.partner.name if user.partner else "")
        )
        logins.append((username, str(Role(role).label), where))
    return logins


def _clerks() -> None:
    """A clerk at every office and point that has none: the counters' shifts are theirs."""
    staffed = set(
        User.objects.filter(role=Role.CLERK, home_unit__isnull=False).values_list(
            "home_unit_id", flat=True
        )
    )
    new = []
    units = PostUnit.objects.filter(
        kind__in=["office", "commune_point"], path__startswith=f"/{PROVINCE_UNIT}/"
    )
    for unit in units.order_by("code"):
        if unit.pk in staffed:
            continue
        user = User(
            username=f"nv-{unit.code.lower()}",
            role=Role.CLERK,
            home_unit=unit,
            full_name=f"Nhân viên {unit.name}",
        )
        user.set_unusable_password()
        new.append(user)
    User.objects.bulk_create(new)
