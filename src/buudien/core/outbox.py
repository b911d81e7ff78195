"""What a point's laptop knows of its own sync, for its status page: what waits in the outbox,
when it last reached the province, and what the province refused or found in conflict."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core.errors import DomainError
from buudien.core.models import Operation, PointDevice

PROBLEMS = (Operation.State.REFUSED, Operation.State.CONFLICT)


@dataclass(frozen=True)
class Status:
    """The outbox in figures, and the device's last contacts with the province."""

    device_id: str
    point_code: str
    server_url: str
    pending: int
    applied: int
    refused: int
    conflict: int
    oldest_pending_at: dt.datetime | None
    last_push_at: dt.datetime | None
    last_pull_at: dt.datetime | None
    last_error: str
    retry_at: dt.datetime | None
    failures: int


def status() -> Status | None:
    """This laptop's sync status; None when this installation is the province."""
    device = PointDevice.objects.first()
    if device is None:
        return None
    counts = {
        row["state"]: row["n"]
        for row in Operation.objects.order_by().values("state").annotate(n=Count("id"))
    }
    oldest = Operation.objects.filter(state=Operation.State.PENDING).aggregate(at=Min("at"))["at"]
    return Status(
        device_id=str(device.pk),
        point_code=device.point_code,
        server_url=device.server_url,
        pending=counts.get(Operation.State.PENDING, 0),
        applied=counts.get(Operation.State.APPLIED, 0),
        refused=counts.get(Operation.State.REFUSED, 0),
        conflict=counts.get(Operation.State.CONFLICT, 0),
        oldest_pending_at=oldest,
        last_push_at=device.last_push_at,
        last_pull_at=device.last_pull_at,
        last_error=device.last_error,
        retry_at=device.retry_at,
        failures=device.failures,
    )


def problems(*, state: str = "") -> QuerySet[Operation]:
    """The operations the province refused or found in conflict, newest first."""
    wanted = [state] if state in PROBLEMS else list(PROBLEMS)
    return Operation.objects.filter(state__in=wanted).order_by("-seq")


def state_choices() -> list[tuple[str, str]]:
    """The states an operation of the outbox can be in, value to label."""
    return [(value, str(label)) for value, label in Operation.State.choices]


# --- the laptop's sync bookkeeping (written by sync's client) ----------------------------

ANSWERS = {
    "a": Operation.State.APPLIED,
    "c": Operation.State.CONFLICT,
    "r": Operation.State.REFUSED,
}


def enrol(
    *, device_id: uuid.UUID, point_id: uuid.UUID, point_code: str, server: str, secret: str
) -> PointDevice:
    """This laptop's enrolment, once."""
    if PointDevice.objects.exists():
        raise DomainError(_("Máy này đã đăng ký cho một điểm."), field="code")
    return PointDevice.objects.create(
        id=device_id, point_id=point_id, point_code=point_code, server_url=server, secret=secret
    )


def waiting() -> int:
    return Operation.objects.filter(state=Operation.State.PENDING).count()


def mark_sent(ops: list[Operation]) -> None:
    Operation.objects.filter(pk__in=[op.pk for op in ops], sent_at=None).update(
        sent_at=timezone.now()
    )


@transaction.atomic
def record_answers(rows: list[list[Any]]) -> list[str]:
    """The province's answer to each pushed operation; returns the states, in order."""
    now = timezone.now()
    states: list[str] = []
    for seq, outcome, *why in rows:
        state = ANSWERS[str(outcome)]
        code, message = [*why, "", ""][:2]
        Operation.objects.filter(seq=seq, state=Operation.State.PENDING).update(
            state=state, code=str(code or "")[:64], message=str(message or ""), answered_at=now
        )
        states.append(str(state))
    PointDevice.objects.update(last_push_at=now)
    return states


def pull_state() -> dict[str, Any]:
    return dict(PointDevice.objects.values_list("pull_state", flat=True).get())


def save_pull_state(state: dict[str, Any]) -> None:
    PointDevice.objects.update(pull_state=state, last_pull_at=timezone.now())


def link_failed(error: str, pause: Callable[[int], int]) -> int:
    """Count one more failure in a row; the next try waits `pause(failures)` seconds."""
    failures = failures_in_a_row() + 1
    PointDevice.objects.update(
        failures=failures,
        last_error=error[:500],
        retry_at=timezone.now() + dt.timedelta(seconds=pause(failures)),
    )
    return failures


def link_worked() -> None:
    PointDevice.objects.update(failures=0, last_error="", retry_at=None)


def failures_in_a_row() -> int:
    return int(PointDevice.objects.values_list("failures", flat=True).first() or 0)


def last_pull_at() -> dt.datetime | None:
    return PointDevice.objects.values_list("last_pull_at", flat=True).first()
