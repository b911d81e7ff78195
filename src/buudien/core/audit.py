"""The audit trail every app writes through: who, when, before, after."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models

from buudien.core.models import AuditEvent, User

_SKIPPED = {"search_text", "updated_at", "created_at"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The concrete field values of a record, as JSON-ready data."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in _SKIPPED:
            continue
        data[field.attname] = _jsonable(getattr(instance, field.attname))
    return data


def record(
    *,
    actor: User | None,
    action: str,
    instance: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    unit_path: str = "",
    note: str = "",
) -> AuditEvent:
    """Append one audit event; call inside the service's transaction."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.display_name if actor is not None else "hệ thống",
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        unit_path=unit_path,
        before=before,
        after=after,
        note=note,
    )


def history(instance: models.Model) -> models.QuerySet[AuditEvent]:
    """The audit events of one record, newest first."""
    return AuditEvent.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)
    ).select_related("actor")
