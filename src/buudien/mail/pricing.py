"""What an item costs: the band of its weight in its zone, plus its extra services, by the
tariff in force on the day it is accepted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils.translation import gettext as _

from buudien.mail.errors import MailCode, MailError
from buudien.mail.models import Extra, PostalService, Region, WeightBand, Zone

EXTRA_CODES = ("AR", "COD", "INS", "PICKUP")


@dataclass(frozen=True, slots=True)
class Quote:
    """The charge of one item: its postage, each extra, the total."""

    postage: int
    extras: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.postage + sum(self.extras.values())


def zone_between(from_province: int | None, to_province: int | None) -> str:
    """Within the province, to a province of the same region, or to a far region."""
    if from_province is None or to_province is None or from_province == to_province:
        return Zone.PROVINCE
    regions = dict(
        Region.objects.filter(province_code__in=[from_province, to_province]).values_list(
            "province_code", "region"
        )
    )
    same = regions.get(from_province) and regions.get(from_province) == regions.get(to_province)
    return Zone.REGION if same else Zone.FAR


def _bands(service: PostalService, zone: str, day: dt.date) -> list[WeightBand]:
    latest = WeightBand.objects.filter(service=service, zone=zone, valid_from__lte=day).aggregate(
        d=Max("valid_from")
    )["d"]
    if latest is None:
        raise MailError(
            _("Dịch vụ %(service)s chưa có bảng cước vùng «%(zone)s» áp dụng ngày %(day)s.")
            % {"service": service.name, "zone": Zone(zone).label, "day": f"{day:%d/%m/%Y}"},
            code=MailCode.NO_TARIFF,
            field="service",
        )
    return list(WeightBand.objects.filter(service=service, zone=zone, valid_from=latest))


def postage(service: PostalService, zone: str, weight_g: int, day: dt.date) -> int:
    """The band's price; above the last band, each further step (or part of one) adds."""
    if weight_g <= 0:
        raise MailError(_("Khối lượng phải lớn hơn 0 g."), code=MailCode.INVALID, field="weight_g")
    if weight_g > service.max_weight_g:
        raise MailError(
            _("%(service)s nhận tối đa %(max)s g; bưu gửi nặng %(w)s g.")
            % {"service": service.name, "max": service.max_weight_g, "w": weight_g},
            code=MailCode.TOO_HEAVY,
            field="weight_g",
        )
    bands = _bands(service, zone, day)
    fixed = sorted((b for b in bands if b.up_to_g is not None), key=lambda b: b.up_to_g or 0)
    for band in fixed:
        if weight_g <= (band.up_to_g or 0):
            return band.price
    step = next((b for b in bands if b.up_to_g is None and b.step_g), None)
    if not fixed or step is None:
        raise MailError(
            _("Bảng cước của %(service)s không có nấc cho %(w)s g.")
            % {"service": service.name, "w": weight_g},
            code=MailCode.TOO_HEAVY,
            field="weight_g",
        )
    top = fixed[-1]
    over = weight_g - (top.up_to_g or 0)
    return top.price + -(-over // step.step_g) * step.price


def _extra_charge(extra: Extra, base: int) -> int:
    if extra.rule == Extra.Rule.FIXED:
        return extra.price
    return max(extra.price, (base * extra.rate_bp + 5_000) // 10_000)


def extras_in_force(day: dt.date) -> dict[str, Extra]:
    found: dict[str, Extra] = {}
    for extra in Extra.objects.filter(valid_from__lte=day).order_by("code", "valid_from"):
        found[extra.code] = extra  # the latest in force wins
    return found


def quote(
    *,
    service: PostalService,
    zone: str,
    weight_g: int,
    day: dt.date,
    extras: frozenset[str] = frozenset(),
    declared_value: int = 0,
    cod_amount: int = 0,
) -> Quote:
    """The postage and each extra: COD on the amount collected, insurance on the value."""
    base = postage(service, zone, weight_g, day)
    wanted = set(extras)
    if cod_amount:
        wanted.add("COD")
    if declared_value:
        wanted.add("INS")
    known = extras_in_force(day)
    charged: dict[str, int] = {}
    for code in sorted(wanted):
        extra = known.get(code)
        if extra is None:
            raise MailError(
                _("Không có dịch vụ cộng thêm «%(code)s».") % {"code": code[:10]},
                code=MailCode.INVALID,
                field="extras",
            )
        on = {"COD": cod_amount, "INS": declared_value}.get(code, 0)
        charged[code] = _extra_charge(extra, on)
    return Quote(postage=base, extras=charged)
