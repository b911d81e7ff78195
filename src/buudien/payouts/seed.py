"""The programmes a provincial post pays each month."""

from __future__ import annotations

from django.db import transaction

from buudien.network.models import Partner
from buudien.payouts.models import Programme

PROGRAMMES = [
    ("LHUU", "Lương hưu, trợ cấp bảo hiểm xã hội hằng tháng", "BHXH04", "TC-LHUU", 2, 20),
    ("BTXH", "Trợ cấp xã hội hằng tháng (bảo trợ xã hội)", "SYT04", "TC-BTXH", 5, 25),
    ("NCC", "Trợ cấp ưu đãi người có công với cách mạng", "SYT04", "TC-BTXH", 5, 25),
]


@transaction.atomic
def seed_programmes() -> int:
    for code, name, agency, service, start, end in PROGRAMMES:
        partner = Partner.objects.filter(code=agency).first()
        if partner is None:
            continue
        Programme.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "agency": partner,
                "service_code": service,
                "window_start": start,
                "window_end": end,
            },
        )
    return Programme.objects.count()
