"""Complaints about a dossier: filed with their legal deadline, resolved exactly once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import audit, clock, journal, permissions
from buudien.core.errors import DomainError
from buudien.dossiers.calendar import add_working_days
from buudien.dossiers.errors import DossierCode, DossierError
from buudien.dossiers.models import Complaint, Dossier
from buudien.dossiers.services.lifecycle import target_of

if TYPE_CHECKING:
    from buudien.core.models import User

MAX_COMPENSATION = 1_000_000_000


@journal.operation("dossiers.file_complaint")
@transaction.atomic
def file_complaint(
    *, actor: User, dossier: Dossier, kind: str, description: str, interprovincial: bool = False
) -> Complaint:
    """A complaint with its deadline: 5 working days in the province, 7 between provinces."""
    permissions.require(actor, "dossiers.file_complaint", target_of(dossier))
    if kind not in Complaint.Kind.values:
        raise DomainError(_("Loại khiếu nại không hợp lệ."), field="kind")
    if not description.strip():
        raise DomainError(_("Cần ghi nội dung khiếu nại."), field="description")
    now = clock.now()
    complaint = Complaint.objects.create(
        dossier=dossier,
        kind=kind,
        description=description.strip()[:2000],
        interprovincial=interprovincial,
        received_at=now,
        created_by=actor,
        due_date=add_working_days(timezone.localtime(now).date(), 7 if interprovincial else 5),
    )
    audit.record(
        actor=actor,
        action="dossiers.complaint_filed",
        instance=complaint,
        before=None,
        after=audit.snapshot(complaint),
        unit_path=dossier.point.path,
    )
    return complaint


@transaction.atomic
def resolve_complaint(
    *, actor: User, complaint: Complaint, resolution: str, compensation: int = 0
) -> Complaint:
    """Close a complaint with what was done and the compensation paid, exactly once."""
    locked = (
        Complaint.objects.select_for_update().select_related("dossier__point").get(pk=complaint.pk)
    )
    permissions.require(actor, "dossiers.resolve_complaint", target_of(locked.dossier))
    if locked.resolved_at is not None:
        raise DossierError(
            _("Khiếu nại này đã được giải quyết."), code=DossierCode.COMPLAINT_ALREADY_SETTLED
        )
    if not resolution.strip():
        raise DomainError(_("Cần ghi kết quả giải quyết."), field="resolution")
    if not 0 <= compensation <= MAX_COMPENSATION:
        raise DomainError(
            _("Tiền bồi thường phải từ 0 đến 1.000.000.000 đồng."), field="compensation"
        )
    before = audit.snapshot(locked)
    locked.resolution = resolution.strip()[:2000]
    locked.compensation = compensation
    locked.resolved_at = clock.now()
    locked.save()
    audit.record(
        actor=actor,
        action="dossiers.complaint_resolved",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=locked.dossier.point.path,
    )
    return locked
