"""Hand-over slips (biên bản giao nhận): dossiers to an agency and results back, each slip
sent and then confirmed by the other side, every dossier in it at once."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from buudien.core import audit, clock, journal, permissions
from buudien.core.errors import DomainError
from buudien.core.permissions import Target
from buudien.core.uploads import check_upload
from buudien.dossiers.errors import DossierCode, DossierError
from buudien.dossiers.models import Batch, BatchItem, Dossier, DossierDocument, Place, Status
from buudien.dossiers.services.lifecycle import TRANSITIONS, take_step

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import Partner, PostUnit

S = Status
SLIP_KINDS = ("pdf", "jpg", "png")
Receipts = dict[str, tuple[str, dt.date | None]]


def batch_target(b: Batch) -> Target:
    """A slip lives at the unit that made it, and concerns its agency."""
    return Target(path=b.unit.path, agency_id=b.agency_id)


@journal.operation("dossiers.open_batch")
@transaction.atomic
def open_batch(
    *,
    actor: User,
    agency: Partner,
    direction: str,
    dossiers: Sequence[Dossier],
    unit: PostUnit | None = None,
) -> Batch:
    """A hand-over slip listing each dossier and its document count."""
    if direction not in Batch.Direction.values:
        raise DossierError(
            _("Chiều giao nhận không hợp lệ."), code=DossierCode.BATCH_INVALID, field="direction"
        )
    if not dossiers:
        raise DossierError(
            _("Biên bản cần ít nhất một hồ sơ."), code=DossierCode.BATCH_INVALID, field="dossier"
        )
    unit = unit or _batch_unit(actor, dossiers)
    permissions.require(actor, "dossiers.batch", Target(path=unit.path, agency_id=agency.pk))
    _check_batchable(dossiers, agency=agency, direction=direction, unit=unit)
    prefix = "BBG" if direction == Batch.Direction.TO_AGENCY else "BBN"
    batch = Batch.objects.create(
        code=journal.number("batch", lambda: _new_batch_code(prefix)),
        direction=direction,
        unit=unit,
        agency=agency,
        created_by=actor,
    )
    counts = {d.pk: c for d, c in _document_counts(dossiers)}
    BatchItem.objects.bulk_create(
        BatchItem(batch=batch, dossier=d, documents=counts[d.pk]) for d in dossiers
    )
    Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).update(batch=batch)
    audit.record(
        actor=actor,
        action="dossiers.batch_opened",
        instance=batch,
        before=None,
        after={"dossiers": [d.code for d in dossiers]},
        unit_path=unit.path,
    )
    return batch


def _batch_unit(actor: User, dossiers: Sequence[Dossier]) -> PostUnit:
    """The point the dossiers share, else the user's own unit."""
    points = {d.point_id for d in dossiers}
    if len(points) == 1:
        return dossiers[0].point
    if actor.home_unit is None:
        raise DomainError(_("Tài khoản chưa gắn với đơn vị."), field="dossier")
    return actor.home_unit


def _check_batchable(
    dossiers: Sequence[Dossier], *, agency: Partner, direction: str, unit: PostUnit
) -> None:
    want: set[str] = {
        Batch.Direction.TO_AGENCY.value: {S.RECEIVED.value, S.SUPPLEMENTED.value},
        Batch.Direction.FROM_AGENCY.value: {S.RESULT_READY.value, S.REJECTED.value},
    }[direction]
    for d in dossiers:
        if d.agency_id != agency.pk or d.status not in want or d.batch_id is not None:
            raise DossierError(
                _(
                    "Hồ sơ %(code)s không đưa vào biên bản này được (cơ quan khác, trạng thái "
                    "«%(state)s» hoặc đã có trong biên bản khác)."
                )
                % {"code": d.code, "state": d.get_status_display()},
                code=DossierCode.BATCH_INVALID,
                field="dossier",
            )
        if not d.point.path.startswith(unit.path):
            raise DossierError(
                _("Hồ sơ %(code)s thuộc điểm khác.") % {"code": d.code},
                code=DossierCode.BATCH_INVALID,
                field="dossier",
            )


def _document_counts(dossiers: Sequence[Dossier]) -> list[tuple[Dossier, int]]:
    sums = dict(
        DossierDocument.objects.filter(dossier__in=dossiers)
        .values_list("dossier")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return [(d, int(sums.get(d.pk, 0))) for d in dossiers]


def _lock_batch(batch: Batch) -> Batch:
    return Batch.objects.select_for_update().select_related("unit", "agency").get(pk=batch.pk)


@journal.operation("dossiers.send_batch")
@transaction.atomic
def send_batch(*, actor: User, batch: Batch) -> Batch:
    """The slip leaves with its dossiers: each is now in transit."""
    locked = _lock_batch(batch)
    permissions.require(actor, "dossiers.batch", batch_target(locked))
    if locked.state != Batch.State.OPEN:
        raise DossierError(_("Biên bản đã giao."), code=DossierCode.BATCH_ALREADY_SETTLED)
    action = "send" if locked.direction == Batch.Direction.TO_AGENCY else "collect"
    for item in locked.items.select_related("dossier"):
        _move(item.dossier, actor, action, batch=locked)
    locked.state = Batch.State.SENT
    locked.sent_at = clock.now()
    locked.save()
    audit.record(
        actor=actor,
        action="dossiers.batch_sent",
        instance=locked,
        before=None,
        after={"state": "sent"},
        unit_path=locked.unit.path,
    )
    return locked


def _move(dossier: Dossier, actor: User, action: str, *, batch: Batch, **data: Any) -> None:
    """One dossier of a slip takes the slip's step (in transit, it travels with the slip)."""
    step = TRANSITIONS[action]
    locked = (
        Dossier.objects.select_for_update().select_related("procedure", "point").get(pk=dossier.pk)
    )
    if locked.status not in step.sources:
        raise DossierError(
            _("Hồ sơ %(code)s đang ở trạng thái «%(state)s», không %(step)s được.")
            % {
                "code": locked.code,
                "state": locked.get_status_display(),
                "step": _(step.label).lower(),
            },
            code=DossierCode.TRANSITION_NOT_ALLOWED,
        )
    locked.batch = batch if step.place == Place.TRANSIT else None
    note = _("Biên bản %(code)s") % {"code": batch.code}
    take_step(locked, actor=actor, action=action, data=data, note=note)


@transaction.atomic
def confirm_handover(
    *, actor: User, batch: Batch, receipts: Receipts | None = None, signed_slip: Any = None
) -> Batch:
    """The agency confirms the slip it received: every dossier in it is handed over at once."""
    locked = _lock_batch(batch)
    permissions.require(actor, "dossiers.confirm_handover", batch_target(locked))
    return _confirm(locked, actor, "hand_over", receipts or {}, signed_slip)


@journal.operation("dossiers.confirm_arrival")
@transaction.atomic
def confirm_arrival(*, actor: User, batch: Batch, signed_slip: Any = None) -> Batch:
    """The point confirms that the results collected from the agency arrived."""
    locked = _lock_batch(batch)
    permissions.require(actor, "dossiers.confirm_arrival", batch_target(locked))
    return _confirm(locked, actor, "arrive", {}, signed_slip)


def _confirm(locked: Batch, actor: User, action: str, receipts: Receipts, slip: Any) -> Batch:
    wanted = Batch.Direction.TO_AGENCY if action == "hand_over" else Batch.Direction.FROM_AGENCY
    if locked.direction != wanted:
        raise DossierError(
            _("Biên bản %(code)s là biên bản «%(kind)s», không xác nhận theo cách này được.")
            % {"code": locked.code, "kind": locked.get_direction_display()},
            code=DossierCode.BATCH_INVALID,
        )
    if locked.state != Batch.State.SENT:
        raise DossierError(
            _("Biên bản chưa giao hoặc đã được xác nhận."),
            code=DossierCode.BATCH_ALREADY_SETTLED,
        )
    if slip is not None:
        check_upload(slip, kinds=SLIP_KINDS, field="signed_slip")
    for item in locked.items.select_related("dossier"):
        receipt_no, appointment = receipts.get(item.dossier.code, ("", None))
        _move(
            item.dossier,
            actor,
            action,
            batch=locked,
            receipt_no=receipt_no,
            appointment_date=appointment,
        )
    locked.state = Batch.State.CONFIRMED
    locked.confirmed_at = clock.now()
    locked.confirmed_by = actor
    if slip is not None:
        locked.signed_slip = slip  # stored only now: allowed, checked, and every step taken
    locked.save()
    audit.record(
        actor=actor,
        action="dossiers.batch_confirmed",
        instance=locked,
        before=None,
        after={"state": "confirmed"},
        unit_path=locked.unit.path,
    )
    return locked


def _new_batch_code(prefix: str) -> str:
    """BBG/BBN + yymmdd + 5 random digits, never one already given."""
    while True:
        code = f"{prefix}{clock.today():%y%m%d}{secrets.randbelow(10**5):05d}"
        if not Batch.objects.filter(code=code).exists():
            return code
