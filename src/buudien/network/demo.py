"""The demo province: Cao Bằng's real communes, area posts, offices and ~150 commune points."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from buudien.core.models import Role, User
from buudien.core.text import build_search_text
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


@transaction.atomic
def build() -> list[tuple[str, str, str]]:
    """Create (or refresh) the demo network and one login per role; returns the logins."""
    load_admin_units()
    rng = random.Random(4)
    communes = list(Commune.objects.filter(province_id=PROVINCE_CODE).order_by("code"))
    centre = communes[0]
    province = _unit(
        PROVINCE_UNIT,
        "Bưu điện tỉnh Cao Bằng",
        "province",
        None,
        commune=centre,
        address="Số 10 Kim Đồng, phường Thục Phán",
        phone="0263852222",
        opened_on=dt.date(1990, 1, 1),
    )
    per_area = -(-len(communes) // len(AREAS))
    n_point = 0
    points_per_commune = [POINTS // len(communes)] * len(communes)
    for i in range(POINTS - sum(points_per_commune)):
        points_per_commune[(i * 7) % len(communes)] += 1
    first_points: dict[str, str] = {}
    for a, area_name in enumerate(AREAS):
        area_communes = communes[a * per_area : (a + 1) * per_area]
        if not area_communes:
            continue
        area_code = f"KV04{a + 1:02d}"
        area = _unit(
            area_code,
            f"Bưu điện khu vực {area_name}",
            "area",
            province,
            commune=area_communes[0],
            opened_on=dt.date(1995, 1, 1),
        )
        offices = []
        for o in range(2 if len(area_communes) > 3 else 1):
            oc = area_communes[o * (len(area_communes) // 2)]
            offices.append(
                _unit(
                    f"BC04{a + 1:02d}{o + 1}",
                    f"Bưu cục {oc.name.split(' ', 1)[1]}",
                    "office",
                    area,
                    commune=oc,
                    opened_on=dt.date(2000, 1, 1),
                )
            )
        for c_index, commune in enumerate(area_communes):
            global_index = communes.index(commune)
            office = (
                offices[0] if c_index < len(area_communes) // 2 or len(offices) == 1 else offices[1]
            )
            short = commune.name.split(" ", 1)[1] if " " in commune.name else commune.name
            for k in range(points_per_commune[global_index]):
                n_point += 1
                code = f"VHX04{n_point:03d}"
                name = f"Điểm BĐ-VHX {short}" + (f" {k + 1}" if k else "")
                status = "active"
                closed_on = None
                roll = rng.random()
                if roll < 0.03:
                    status = "suspended"
                unit = _unit(
                    code,
                    name,
                    "commune_point",
                    office,
                    commune=commune,
                    address=f"Thôn {rng.choice(['Nà', 'Bản', 'Khau', 'Pác', 'Lũng'])} "
                    f"{rng.choice(['Mới', 'Giữa', 'Trên', 'Dưới', 'Cũ'])}, {commune.name}",
                    latitude=Decimal(f"{22.3 + rng.random() * 0.9:.6f}"),
                    longitude=Decimal(f"{105.5 + rng.random() * 1.3:.6f}"),
                    phone=f"09{rng.randint(10000000, 99999999)}",
                    status=status,
                    closed_on=closed_on,
                    suspended_on=dt.date(2025, 11, 1) if status == "suspended" else None,
                    opened_on=dt.date(1998 + rng.randint(0, 10), rng.randint(1, 12), 1),
                )
                first_points.setdefault(area_code, code)
                _profile(unit, rng, border=area_name in BORDER_AREAS, urban=a == 0)
    partners = _partners(province)
    return _users(first_points, partners)


def _profile(unit: PostUnit, rng: random.Random, *, border: bool, urban: bool) -> None:
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
            "converted_on": dt.date(rng.choice([2023, 2024, 2025]), rng.randint(1, 12), 1)
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
            "clerk_since": dt.date(2010 + rng.randint(0, 14), rng.randint(1, 12), 1),
        },
    )


def _partners(province: PostUnit) -> dict[str, Partner]:
    specs = [
        ("BHXH04", "Bảo hiểm xã hội tỉnh Cao Bằng", "social_insurance", True),
        ("TTHCC04", "Trung tâm Phục vụ hành chính công tỉnh Cao Bằng", "public_admin_centre", True),
        ("CA04", "Công an tỉnh Cao Bằng", "police", True),
        ("SYT04", "Sở Y tế tỉnh Cao Bằng (bảo trợ xã hội)", "social_protection", True),
        ("THUE04", "Thuế tỉnh Cao Bằng", "tax", True),
        ("PC04", "Công ty Điện lực Cao Bằng", "power_company", False),
        ("NUOC04", "Công ty Cổ phần Cấp nước Cao Bằng", "water_company", False),
    ]
    out = {}
    for code, name, kind, public in specs:
        partner, _ = Partner.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "is_public_agency": public,
                "served_by": province,
                "search_text": build_search_text(code, name),
            },
        )
        out[code] = partner
    return out


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
