"""Conflicts found applying a point's operations, settled by a manager with a note of what
was done (cash recovered, dossier put right); never settled by the machine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import audit, clock
from buudien.core.permissions import Target, require
from buudien.sync.errors import SyncCode, SyncError
from buudien.sync.models import Conflict

if TYPE_CHECKING:
    from buudien.core.models import User

RESOLUTION_MAX = 2000


@transaction.atomic
def resolve(*, actor: User, conflict: Conflict, resolution: str) -> Conflict:
    """Settle a conflict once, saying what was done about it."""
    locked = (
        Conflict.objects.select_for_update(of=("self",))
        .select_related("point", "resolved_by")
        .get(pk=conflict.pk)
    )
    require(actor, "sync.resolve", Target(path=locked.point.path))
    if locked.state == Conflict.State.RESOLVED:
        raise SyncError(
            _("Xung đột này đã được %(who)s xử lý lúc %(at)s: %(how)s")
            % {
                "who": locked.resolved_by.display_name if locked.resolved_by else "—",
                "at": timezone.localtime(locked.resolved_at).strftime("%H:%M %d/%m/%Y")
                if locked.resolved_at
                else "—",
                "how": locked.resolution,
            },
            code=SyncCode.CONFLICT_ALREADY_SETTLED,
        )
    note = str(resolution or "").strip()
    if not note:
        raise SyncError(
            _("Hãy ghi đã xử lý thế nào, ví dụ «đã thu hồi 1.500.000 đ»."),
            code=SyncCode.RESOLUTION_REQUIRED,
            field="resolution",
        )
    if len(note) > RESOLUTION_MAX:
        raise SyncError(
            _("Ghi chú xử lý dài quá %(n)s ký tự.") % {"n": RESOLUTION_MAX},
            code=SyncCode.RESOLUTION_REQUIRED,
            field="resolution",
        )
    before = audit.snapshot(locked)
    locked.state = Conflict.State.RESOLVED
    locked.resolution = note
    locked.resolved_at = clock.now()
    locked.resolved_by = actor
    locked.save(update_fields=["state", "resolution", "resolved_at", "resolved_by"])
    audit.record(
        actor=actor,
        action="sync.conflict_resolved",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=locked.point.path,
    )
    return locked
