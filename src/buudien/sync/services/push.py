"""The province applies what a point pushed: each operation once, through the same service.

(device, seq) is unique in the database and the operation is applied in the same
transaction that records it, so a batch pushed twice, a reply lost on the way or two
pushes at once never apply anything twice: the second push gets the first answer. An
operation the province refuses is recorded with its reason and does not hold back the
ones behind it; a clash is recorded as a conflict for a manager."""

from __future__ import annotations

import threading
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import journal, numbers, users
from buudien.core.errors import DomainError
from buudien.core.journal import Applying, Conflicted, Flag
from buudien.sync import wire
from buudien.sync.models import AppliedOperation, Conflict, Device

Outcome = AppliedOperation.Outcome
OUTCOME_WIRE = {Outcome.APPLIED: "a", Outcome.CONFLICT: "c", Outcome.REFUSED: "r"}


class Transient(Exception):
    """The province could not answer now (a locked database): the point tries again."""


def _refused(message: str, code: str) -> DomainError:
    return DomainError(message, code=code)  # type: ignore[arg-type]


def _user(device: Device, op: wire.WireOp) -> tuple[Any, bool]:
    user, active = _found_user(op.actor) if op.actor else (None, False)
    if user is None or user.home_unit_id != device.point_id:
        raise _refused(
            _("Người dùng «%(u)s» không thuộc điểm của máy này.") % {"u": op.actor[:40]},
            "sync.unknown_user",
        )
    return user, active


_batch = threading.local()


def _found_user(actor: str) -> Any:
    """The actor, read once per pushed batch (a shift's operations share one clerk), with
    whether his account was active before any operation of the batch ran."""
    cache: dict[str, tuple[Any, bool]] = getattr(_batch, "users", {})
    if actor not in cache:
        user = users.find_user(actor)
        cache[actor] = (user, bool(user and user.is_active))
        _batch.users = cache
    return cache[actor]


def _disabled(user: Any) -> Flag:
    return Flag(
        kind="disabled_user",
        message=_("Thao tác do %(u)s làm sau khi tài khoản đã bị khóa.") % {"u": user.username},
        details={"user": user.username},
    )


def _record(
    device: Device, op: wire.WireOp, outcome: str, *, code: str = "", message: str = ""
) -> AppliedOperation:
    """The answer, kept with the operation (citizen ids and phones masked)."""
    kind = journal.kind_by_code(op.code)
    return AppliedOperation.objects.create(
        id=journal.operation_id(device.pk, op.seq, op.at),
        device=device,
        seq=op.seq,
        kind=op.code,
        at=op.at,
        actor=op.actor[:150],
        payload=kind.masked(op.payload) if kind is not None else {},
        outcome=outcome,
        code=code[:64],
        message=message,
    )


def _conflicts(record: AppliedOperation, device: Device, flags: list[Flag]) -> None:
    Conflict.objects.bulk_create(
        Conflict(
            operation=record,
            point_id=device.point_id,
            kind=f.kind,
            message=f.message,
            amount=f.amount,
            details=f.details,
        )
        for f in flags
    )


def _apply(device: Device, op: wire.WireOp) -> AppliedOperation:
    kind = journal.kind_by_code(op.code)
    if kind is None:
        raise _refused(_("Loại thao tác không biết: %(k)s.") % {"k": op.code[:8]}, "sync.kind")
    user, active = _user(device, op)
    ctx = Applying(
        device_id=device.pk,
        point_id=device.point_id,
        point_code=device.point.code,
        user=user,
        at=op.at,
    )
    if not active:
        # The money moved at the counter before the point heard of it: the work is kept,
        # under the clerk's name, and flagged for a manager rather than lost.
        ctx.flag(_disabled(user))
        user.is_active = True
    op_id = journal.operation_id(device.pk, op.seq, op.at)
    with journal.replaying(op_id, op.at, op.payload.get("#", {})):
        kind.apply(op.payload, ctx)
    record = _record(device, op, Outcome.CONFLICT if ctx.flags else Outcome.APPLIED)
    _conflicts(record, device, ctx.flags)
    return record


def _outcome(device: Device, op: wire.WireOp) -> AppliedOperation:
    try:
        with transaction.atomic():
            return _apply(device, op)
    except Conflicted as exc:
        with transaction.atomic():
            record = _record(device, op, Outcome.CONFLICT, code=str(exc.code), message=exc.message)
            _conflicts(record, device, [exc.flag])
            return record
    except DomainError as exc:
        with transaction.atomic():
            return _record(device, op, Outcome.REFUSED, code=str(exc.code), message=exc.message)


def _answer(
    device: Device, op: wire.WireOp, earlier: AppliedOperation | None
) -> tuple[AppliedOperation, bool]:
    """Apply one operation, or give the answer it got the first time; says whether new."""
    if earlier is not None:
        return earlier, False
    try:
        return _outcome(device, op), True
    except IntegrityError:
        found = AppliedOperation.objects.filter(device=device, seq=op.seq).first()
        if found is not None:  # the same push, applied beside this one
            return found, False
        # A clash with the province's own data (a number it gave meanwhile): refused with
        # the reason, so it never holds back the operations behind it.
        message = _("Trùng dữ liệu đã có ở tỉnh; thao tác không ghi được.")
        with transaction.atomic():
            return _record(device, op, Outcome.REFUSED, code="sync.clash", message=message), True
    except DatabaseError as exc:
        raise Transient() from exc


def _reply_row(record: AppliedOperation) -> list[Any]:
    row: list[Any] = [record.seq, OUTCOME_WIRE[Outcome(record.outcome)]]
    if record.outcome != Outcome.APPLIED:
        row += [record.code, record.message]
    return row


def _tally(device: Device, fresh: list[AppliedOperation], backlog: int) -> None:
    """The device's counters, moved by what this push applied for the first time."""
    refused = sum(r.outcome == Outcome.REFUSED for r in fresh)
    Device.objects.filter(pk=device.pk).update(
        last_seen_at=timezone.now(),
        backlog=backlog,
        last_seq=Greatest(F("last_seq"), max((r.seq for r in fresh), default=0)),
        applied=F("applied") + len(fresh) - refused,
        refused=F("refused") + refused,
    )


def push(*, device: Device, body: bytes) -> bytes:
    """Apply a pushed batch in its order and answer each operation's outcome."""
    ops, backlog = wire.decode_ops(body)
    _batch.users = {}
    known = {
        r.seq: r
        for r in AppliedOperation.objects.filter(device=device, seq__in=[op.seq for op in ops])
    }
    rows, fresh = [], []
    for op in ops:
        try:
            record, new = _answer(device, op, known.get(op.seq))
        except Transient:
            break  # the rest waits for the next push; what is answered stays answered
        rows.append(_reply_row(record))
        if new:
            fresh.append(record)
    _tally(device, fresh, max(backlog - len(rows), 0))  # backlog: what waited, this batch too
    return wire.pack({"r": rows, "n": numbers.reserve_all(holder=device.pk)})
