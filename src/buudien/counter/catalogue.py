"""The seed catalogue: realistic services of the three business lines, with tariffs."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from buudien.counter.models import Service, Tariff
from buudien.network.models import Partner

ALL = "province,area,office,commune_point"
START = dt.date(2020, 1, 1)

# code, name, name_en, line, kind, partner code, rule, price, rate_bp, min, max
CATALOGUE = [
    ("BC-THU", "Thư trong nước", "Domestic letter", "delivery", "fee", None, "unit_price",
     4_000, 0, 0, None),
    ("BC-THUDB", "Thư bảo đảm", "Registered letter", "delivery", "fee", None, "unit_price",
     18_000, 0, 0, None),
    ("BC-BK", "Bưu kiện trong nước", "Domestic parcel", "delivery", "fee", None, "unit_price",
     32_000, 0, 0, None),
    ("BC-EMS", "Chuyển phát nhanh EMS", "EMS express", "delivery", "fee", None, "unit_price",
     45_000, 0, 0, None),
    ("BC-HCC", "Chuyển phát hồ sơ, kết quả thủ tục hành chính", "Administrative dossier transport",
     "delivery", "fee", None, "fixed_fee", 25_000, 0, 0, None),
    ("BC-HCC-NHA", "Nhận hồ sơ, trả kết quả tại nhà", "Dossier pick-up or delivery at home",
     "delivery", "fee", None, "fixed_fee", 15_000, 0, 0, None),
    ("TC-LHUU", "Chi trả lương hưu, trợ cấp BHXH", "Pension and social-insurance allowance payout",
     "finance", "payout", "BHXH04", "commission_pct", 0, 55, 5_000, 200_000),
    ("TC-BTXH", "Chi trả trợ cấp bảo trợ xã hội, người có công",
     "Social-protection and merit allowance payout", "finance", "payout", "SYT04",
     "commission_pct", 0, 80, 4_000, 100_000),
    ("TC-DIEN", "Thu hộ tiền điện", "Electricity bill collection", "finance", "collection",
     "PC04", "commission_fixed", 2_500, 0, 0, None),
    ("TC-NUOC", "Thu hộ tiền nước", "Water bill collection", "finance", "collection", "NUOC04",
     "commission_fixed", 2_000, 0, 0, None),
    ("TC-THUE", "Thu hộ thuế", "Tax collection", "finance", "collection", "THUE04",
     "commission_pct", 0, 30, 3_000, 50_000),
    ("TC-BHXH", "Thu phí BHXH tự nguyện, BHYT hộ gia đình",
     "Voluntary social and household health insurance premium", "finance", "collection",
     "BHXH04", "commission_pct", 0, 400, 10_000, 500_000),
    ("TC-TK", "Tiết kiệm bưu điện (gửi tiền)", "Postal savings deposit", "finance", "deposit",
     None, "commission_pct", 0, 20, 2_000, 300_000),
    ("TC-CT", "Chuyển tiền trong nước", "Domestic money transfer", "finance", "fee", None,
     "commission_pct", 0, 100, 15_000, 1_000_000),
    ("PP-BAO", "Phát hành báo, tạp chí", "Newspaper and magazine subscriptions", "media", "sale",
     None, "unit_price", 90_000, 0, 0, None),
    ("PP-HANG", "Bán hàng hóa tiêu dùng", "Consumer goods sales", "media", "sale", None,
     "unit_price", 50_000, 0, 0, None),
    ("PP-OCOP", "Bán sản phẩm OCOP địa phương", "Local OCOP product sales", "media", "sale", None,
     "unit_price", 120_000, 0, 0, None),
    ("PP-QC", "Quảng cáo tại điểm", "Advertising at the point", "media", "sale", None,
     "fixed_fee", 500_000, 0, 0, None),
    ("PP-TEM", "Bán tem, phong bì", "Stamps and envelopes", "media", "sale", None, "unit_price",
     5_000, 0, 0, None),
]

# A price change keeps history: the letter rate rose on 1 July 2024.
PRICE_CHANGES = [("BC-THU", dt.date(2024, 7, 1), 5_000)]


@transaction.atomic
def seed_catalogue() -> int:
    """Create or refresh the demo catalogue; returns the number of services."""
    partners = {p.code: p for p in Partner.objects.all()}
    for code, name, name_en, line, kind, partner, rule, price, rate, low, high in CATALOGUE:
        service, _ = Service.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "line": line, "kind": kind,
                      "partner": partners.get(partner) if partner else None, "unit_kinds": ALL},
        )
        Tariff.objects.update_or_create(
            service=service, valid_from=START,
            defaults={"rule": rule, "price": price, "rate_bp": rate, "min_revenue": low,
                      "max_revenue": high},
        )
    for code, day, price in PRICE_CHANGES:
        base = Tariff.objects.get(service__code=code, valid_from=START)
        Tariff.objects.update_or_create(
            service=base.service, valid_from=day,
            defaults={"rule": base.rule, "price": price, "rate_bp": base.rate_bp,
                      "min_revenue": base.min_revenue, "max_revenue": base.max_revenue},
        )
    return len(CATALOGUE)
