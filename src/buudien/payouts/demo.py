"""About 80,000 beneficiaries across three programmes and twelve monthly lists with outcomes."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from buudien.core.bulk import insert_rows
from buudien.core.models import Role, User, uuid7
from buudien.core.text import build_search_text
from buudien.network.models import PostUnit
from buudien.payouts.models import Beneficiary, Payout, PayoutList, Programme
from buudien.payouts.seed import seed_programmes
from buudien.payouts.services import BENEFICIARY_COLUMNS

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SHARE = {"LHUU": 45_000, "BTXH": 25_000, "NCC": 10_000}
MONTHS = [dt.date(2025, 9, 1), dt.date(2025, 10, 1), dt.date(2025, 11, 1), dt.date(2025, 12, 1)]
FAMILY = ["Nông", "Hoàng", "Lục", "Bế", "Đàm", "Lương", "Ma", "Triệu", "Hà", "Lý", "La", "Mạc"]
GIVEN = ["Văn Tài", "Thị Mến", "Văn Hùng", "Thị Lan", "Văn Páo", "Thị Dìn", "Văn Chỉnh"]
HAMLETS = ["Nà Lẹng", "Pác Bó", "Khuổi Nặm", "Lũng Pán", "Bản Giốc", "Nà Rị", "Phia Đén"]


def build(total: int = 80_000) -> list[tuple[str, str, str]]:
    seed_programmes()
    if PayoutList.objects.exists() or not Programme.objects.exists():
        return []
    generate(total)
    return []


@transaction.atomic
def generate(total: int) -> None:
    rng = random.Random(79)
    points = list(PostUnit.objects.filter(kind="commune_point").order_by("code"))
    manager = (
        User.objects.filter(role=Role.PROVINCE_MANAGER).first()
        or User.objects.filter(role=Role.ADMIN).first()
    )
    if manager is None:
        return
    now = timezone.now()
    people: dict[str, list[tuple[Any, Any, int, str]]] = {}
    rows = []
    n = 0
    scale = total / sum(SHARE.values())
    for code, count in SHARE.items():
        people[code] = []
        for _ in range(int(count * scale)):
            n += 1
            pk = uuid7()
            point = points[rng.randrange(len(points))]
            method = rng.choices(["counter", "home", "account"], [0.55, 0.25, 0.20])[0]
            status = rng.choices(["active", "suspended", "deceased"], [0.985, 0.005, 0.01])[0]
            name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)} {n}"
            cid = f"004{rng.choice('01')}{rng.randint(30, 70):02d}{n:06d}"
            birth = dt.date(rng.randint(1930, 1968), rng.randint(1, 12), rng.randint(1, 28))
            rows.append(
                (
                    pk,
                    now,
                    now,
                    1,
                    cid,
                    name,
                    birth,
                    rng.choice(["nam", "nữ"]),
                    None,
                    rng.choice(HAMLETS),
                    point.pk,
                    method,
                    "bank" if method == "account" else "",
                    f"8{n:011d}" if method == "account" else "",
                    "",
                    "",
                    None,
                    status,
                    dt.date(2025, rng.randint(1, 12), 1) if status != "active" else None,
                    "Cơ quan BHXH báo" if status != "active" else "",
                    build_search_text(name, cid),
                )
            )
            people[code].append((pk, point.pk, rng.randint(1200, 9000) * 1000, method))
    insert_rows(Beneficiary, BENEFICIARY_COLUMNS, rows)
    status_of = {r[0]: r[17] for r in rows}
    for code, members in people.items():
        programme = Programme.objects.get(code=code)
        for month in MONTHS:
            last = month == MONTHS[-1]
            payout_list = PayoutList.objects.create(
                programme=programme,
                month=month,
                imported_by=manager,
                state="open" if last else "closed",
                lines=len(members),
                total=sum(m[2] for m in members),
                source_name=f"{code}-{month:%Y-%m}.xlsx",
                closed_at=None if last else dt.datetime(month.year, month.month, 25, tzinfo=TZ),
            )
            lines = []
            for i, (pk, point_id, amount, method) in enumerate(members, start=2):
                alive = status_of[pk] == "active"
                if last and rng.random() < 0.35:
                    status, reason, paid_at = "pending", "", None
                elif alive and rng.random() < 0.985:
                    day = rng.randint(programme.window_start, programme.window_end)
                    status, reason = "paid", ""
                    paid_at = dt.datetime(
                        month.year, month.month, day, rng.randint(7, 16), tzinfo=TZ
                    )
                else:
                    status, paid_at = "returned", None
                    reason = (
                        "deceased"
                        if status_of[pk] == "deceased"
                        else rng.choice(["moved", "not_found", "refused"])
                    )
                lines.append(
                    (
                        payout_list.pk,
                        pk,
                        point_id,
                        i,
                        amount,
                        method,
                        status,
                        "" if status != "paid" else "chính chủ",
                        reason,
                        paid_at,
                    )
                )
            insert_rows(
                Payout,
                [
                    "list_id",
                    "beneficiary_id",
                    "point_id",
                    "row",
                    "amount",
                    "method",
                    "status",
                    "receiver",
                    "return_reason",
                    "paid_at",
                ],
                lines,
            )
