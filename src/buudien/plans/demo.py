"""Demo plans (2024, 2025) allocated down the tree, and the finance office's monthly figures."""

from __future__ import annotations

import random

from django.db import transaction
from django.db.models import Sum

from buudien.core.models import Role, User
from buudien.counter.models import MonthlyRollup
from buudien.network.models import PostUnit
from buudien.plans import services
from buudien.plans.models import Indicator, ManualValue, Plan
from buudien.plans.seed import seed_indicators

# How far the province is from its plan, per line (the published report: 95%, 81%, 125%, 43%).
ATTAINMENT = {"DT_TONG": 0.95, "DT_BCCP": 0.93, "DT_TCBC": 1.02, "DT_PPTT": 0.82}
LINE = {"DT_BCCP": "delivery", "DT_TCBC": "finance", "DT_PPTT": "media"}
MANUAL = {  # yearly figure as a share of total revenue, and attainment
    "DT_TINH_LUONG": (0.86, 1.09),
    "NSLD": (1.9, 1.08),
    "CHENH_LECH": (0.22, 1.55),
    "CP_KHONG_LUONG": (0.50, 0.73),
    "QUY_LUONG": (0.25, 1.12),
}


@transaction.atomic
def build() -> list[tuple[str, str, str]]:
    seed_indicators()
    province = PostUnit.objects.get(code="BDT04")
    if Plan.objects.filter(unit=province).exists():
        return []
    actor = User.objects.filter(role=Role.PROVINCE_MANAGER, home_unit=province).first()
    assert actor is not None  # noqa: S101 - the network demo creates him first
    rng = random.Random(5)
    inds = {i.code: i for i in Indicator.objects.all()}
    for year in (2024, 2025):
        totals = dict(
            MonthlyRollup.objects.filter(month__year=year, unit__path__startswith=province.path)
            .values_list("line")
            .annotate(r=Sum("revenue"))
            .order_by()
        )
        actual = {
            "DT_TONG": sum(totals.values()),
            **{c: totals.get(line, 0) for c, line in LINE.items()},
        }
        for code, share in ATTAINMENT.items():
            target = round(actual[code] / share / 1_000_000) * 1_000_000
            services.set_plan(
                actor=actor, unit=province, indicator=inds[code], year=year, target=target
            )
            services.allocate(actor=actor, parent=province, indicator=inds[code], year=year)
        for code, (ratio, attain) in MANUAL.items():
            yearly = int(actual["DT_TONG"] * ratio)
            months = services.split_exact(yearly, [rng.uniform(0.8, 1.2) for _ in range(12)])
            ManualValue.objects.bulk_create(
                [
                    ManualValue(
                        unit=province,
                        indicator_id=code,
                        year=year,
                        month=m + 1,
                        value=v,
                        updated_by=actor,
                    )
                    for m, v in enumerate(months)
                ]
            )
            services.set_plan(
                actor=actor,
                unit=province,
                indicator=inds[code],
                year=year,
                target=round(yearly / attain / 1_000_000) * 1_000_000,
            )
        people = [rng.randint(900, 1600) for _ in range(12)]
        ManualValue.objects.bulk_create(
            [
                ManualValue(
                    unit=province,
                    indicator_id="BHXH_TN",
                    year=year,
                    month=m + 1,
                    value=v,
                    updated_by=actor,
                )
                for m, v in enumerate(people)
            ]
        )
        services.set_plan(
            actor=actor,
            unit=province,
            indicator=inds["BHXH_TN"],
            year=year,
            target=int(sum(people) / 0.81),
        )
        points = PostUnit.objects.filter(kind="commune_point", path__startswith=province.path)
        ManualValue.objects.bulk_create(
            [
                ManualValue(
                    unit=p,
                    indicator_id="THU_NHAP_BQ",
                    year=year,
                    month=m,
                    value=rng.randint(45, 85) * 100_000,
                )
                for p in points
                for m in range(1, 13)
            ]
        )
    return []
