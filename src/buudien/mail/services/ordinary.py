"""Ordinary letters and printed matter counted in bundles: they carry no S10 id, so the unit
that takes them in or delivers them records how many, per day and service."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from buudien.core import audit, clock, journal
from buudien.core.permissions import Target, require
from buudien.mail.errors import MailCode, MailError
from buudien.mail.models import OrdinaryBatch, PostalService
from buudien.mail.services import rollups

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit

MAX_COUNT = 100_000  # a bundle of a day at one unit; more is a typing error
BACK_DAYS = 31  # a count may be entered for the last month, not later


def _service(code: str) -> PostalService:
    service = PostalService.objects.filter(code=(code or "").strip().upper(), tracked=False).first()
    if service is None:
        raise MailError(
            _("Hãy chọn dịch vụ thư thường (không có số hiệu)."),
            code=MailCode.INVALID,
            field="service_code",
        )
    return service


def _check(day: dt.date, direction: str, count: int) -> None:
    today = clock.today()
    if not today - dt.timedelta(days=BACK_DAYS) <= day <= today:
        raise MailError(
            _("Ngày phải trong %(n)s ngày gần đây, không sau hôm nay.") % {"n": BACK_DAYS},
            code=MailCode.INVALID,
            field="day",
        )
    if direction not in OrdinaryBatch.Direction.values:
        raise MailError(
            _("Hãy chọn chiều gửi đi hay nhận đến."), code=MailCode.INVALID, field="direction"
        )
    if not 1 <= count <= MAX_COUNT:
        raise MailError(
            _("Số bưu gửi phải từ 1 đến %(max)s.") % {"max": f"{MAX_COUNT:,}".replace(",", ".")},
            code=MailCode.INVALID,
            field="count",
        )


@journal.operation("mail.record_ordinary")
@transaction.atomic
def record_ordinary(
    *, actor: User, unit: PostUnit, day: dt.date, service_code: str, direction: str, count: int
) -> OrdinaryBatch:
    """Count a bundle of ordinary mail sent or received at a unit on a day."""
    require(actor, "mail.scan", Target(path=unit.path))
    service = _service(service_code)
    _check(day, direction, count)
    batch = OrdinaryBatch.objects.create(
        unit=unit, day=day, service=service, direction=direction, count=count, recorded_by=actor
    )
    rollups.count(unit_id=unit.pk, day=day, service_id=service.pk, **{direction: count})
    audit.record(
        actor=actor,
        action="mail.ordinary_counted",
        instance=batch,
        before=None,
        after=audit.snapshot(batch),
        unit_path=unit.path,
    )
    return batch
