"""The indicators of a provincial post's report."""

from __future__ import annotations

from django.db import transaction

from buudien.plans.models import Indicator

# code, name, name_en, short name in prose, measure, source, computed key, aggregation, order
INDICATORS = [
    (
        "DT_TONG",
        "Tổng doanh thu",
        "Total revenue",
        "tổng doanh thu",
        "dong",
        "computed",
        "revenue_total",
        "sum",
        10,
    ),
    (
        "DT_BCCP",
        "Doanh thu bưu chính chuyển phát",
        "Postal delivery revenue",
        "thu bưu chính chuyển phát",
        "dong",
        "computed",
        "revenue_delivery",
        "sum",
        20,
    ),
    (
        "DT_TCBC",
        "Doanh thu tài chính bưu chính",
        "Postal finance revenue",
        "tài chính bưu chính",
        "dong",
        "computed",
        "revenue_finance",
        "sum",
        30,
    ),
    (
        "DT_PPTT",
        "Doanh thu phân phối truyền thông",
        "Media distribution revenue",
        "phân phối truyền thông",
        "dong",
        "computed",
        "revenue_media",
        "sum",
        40,
    ),
    (
        "SO_GD",
        "Số giao dịch tại quầy",
        "Counter transactions",
        "số giao dịch",
        "count",
        "computed",
        "entries",
        "sum",
        50,
    ),
    (
        "DT_DIEM",
        "Doanh thu bình quân điểm BĐ-VHX/tháng",
        "Revenue per commune point per month",
        "doanh thu bình quân",
        "dong",
        "computed",
        "revenue_per_point_month",
        "average",
        60,
    ),
    (
        "DT_TINH_LUONG",
        "Doanh thu tính lương",
        "Wage-basis revenue",
        "doanh thu tính lương",
        "dong",
        "manual",
        "",
        "sum",
        70,
    ),
    (
        "NSLD",
        "Năng suất lao động",
        "Labour productivity",
        "năng suất lao động",
        "dong",
        "manual",
        "",
        "sum",
        80,
    ),
    (
        "CHENH_LECH",
        "Chênh lệch thu chi",
        "Revenue minus cost",
        "chênh lệch thu chi",
        "dong",
        "manual",
        "",
        "sum",
        90,
    ),
    (
        "CP_KHONG_LUONG",
        "Chi phí không lương",
        "Non-wage cost",
        "chi phí không lương",
        "dong",
        "manual",
        "",
        "sum",
        100,
    ),
    (
        "QUY_LUONG",
        "Quỹ tiền lương",
        "Wage fund",
        "quỹ tiền lương",
        "dong",
        "manual",
        "",
        "sum",
        110,
    ),
    (
        "THU_NHAP_BQ",
        "Thu nhập bình quân người/tháng",
        "Income per employee per month",
        "thu nhập bình quân",
        "dong",
        "manual",
        "",
        "average",
        120,
    ),
    (
        "BHXH_TN",
        "Phát triển BHXH tự nguyện",
        "New voluntary social insurance participants",
        "dịch vụ phát triển BHXH tự nguyện",
        "people",
        "manual",
        "",
        "sum",
        130,
    ),
    (
        "TT_TCBC",
        "Tỷ trọng tài chính bưu chính trong tổng doanh thu",
        "Finance share of revenue",
        "tỷ trọng tài chính bưu chính",
        "percent",
        "computed",
        "",
        "ratio",
        140,
    ),
]


@transaction.atomic
def seed_indicators() -> int:
    for code, name, name_en, short, measure, source, key, aggregation, order in INDICATORS:
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "short_name": short,
                "measure": measure,
                "source": source,
                "computed_key": key,
                "aggregation": aggregation,
                "order": order,
            },
        )
    Indicator.objects.filter(code="TT_TCBC").update(
        numerator_id="DT_TCBC", denominator_id="DT_TONG"
    )
    return len(INDICATORS)
