"""Reminders to renew, through the notification adapter: one message per person whose paid
period ends soon, at most once per paid period."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from buudien.core import audit, notify
from buudien.core.permissions import Target, require
from buudien.core.text import fold
from buudien.insurance.models import Cover

if TYPE_CHECKING:
    from collections.abc import Iterable

    from buudien.core.models import User
    from buudien.network.models import PostUnit


TEMPLATE = (
    "{scheme} cua {name} da dong den {day}. Moi ong/ba den {point} de dong tiep, tranh gian "
    "doan quyen loi."
)


def _body(cover: Cover) -> str:
    """Plain letters, as every SMS of the post (a text without accents is one SMS long)."""
    return TEMPLATE.format(
        scheme=fold(cover.scheme.name).upper(),
        name=fold(cover.participant.name).title(),
        day=cover.paid_until.strftime("%d/%m/%Y"),
        point=fold(cover.point.name).title(),
    )


@transaction.atomic
def send_reminders(*, actor: User, unit: PostUnit, covers: Iterable[Cover]) -> int:
    """Remind each person with a phone whose cover is listed; returns how many were sent.
    A person reminded once for a paid period is not reminded again for it."""
    require(actor, "insurance.remind", Target(path=unit.path))
    sent = 0
    for cover in covers:
        phone = cover.participant.phone
        if not phone or not cover.point.path.startswith(unit.path):
            continue
        if cover.reminded_for == cover.paid_until:
            continue
        notify.notify(to=phone, body=_body(cover), topic="insurance.renewal", ref=str(cover.pk))
        Cover.objects.filter(pk=cover.pk).update(reminded_for=cover.paid_until)
        sent += 1
    audit.record_access(
        actor=actor,
        action="insurance.reminded",
        object_type="insurance.cover",
        count=sent,
        unit_path=unit.path,
    )
    return sent
