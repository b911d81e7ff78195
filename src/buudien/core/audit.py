"""The audit trail every app writes through: who, when, before, after."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext

from buudien.core.ids import mask_citizen_id, mask_phone
from buudien.core.models import AuditEvent, User

_SKIPPED = {"search_text", "updated_at", "created_at"}
# Personal data in a record's before/after is kept masked: the record says what changed
# without becoming a second copy of the registry.
ID_FIELDS = {
    "citizen_id",
    "customer_id_no",
    "authorised_id",
    "representative_id",
    "receiver_id",
    "account_no",
}
PHONE_FIELDS = {"phone", "customer_phone", "clerk_phone", "to", "sender_phone", "receiver_phone"}


def mask_personal(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """The same data with citizen ids, account numbers and phones masked."""
    if data is None:
        return None
    masked: dict[str, Any] = {}
    for key, value in data.items():
        if key in ID_FIELDS and isinstance(value, str):
            masked[key] = mask_citizen_id(value)
        elif key in PHONE_FIELDS and isinstance(value, str):
            masked[key] = mask_phone(value)
        else:
            masked[key] = value
    return masked


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
    """Append one audit event (personal ids masked); call inside the service's transaction."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.display_name if actor is not None else gettext("hệ thống"),
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        unit_path=unit_path,
        before=mask_personal(before),
        after=mask_personal(after),
        note=note,
    )


def record_access(
    *, actor: User, action: str, object_type: str, count: int, unit_path: str = "", note: str = ""
) -> AuditEvent:
    """Record that someone exported or viewed personal data in bulk: what, how many rows."""
    return AuditEvent.objects.create(
        actor=actor if actor.pk else None,
        actor_name=actor.display_name,
        action=action,
        object_type=object_type,
        object_id="",
        object_repr=note[:255],
        unit_path=unit_path,
        before=None,
        after={"rows": count},
        note=note,
    )


def history(instance: models.Model) -> models.QuerySet[AuditEvent]:
    """The audit events of one record, newest first."""
    return AuditEvent.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)
    ).select_related("actor")


def earlier_states(model: type[models.Model], *, since: dt.datetime) -> list[tuple[str, Any]]:
    """(record id, state before) of every change to a model's records from `since` on,
    newest first: undone in that order, they give the records as they were at `since`."""
    changes = AuditEvent.objects.filter(
        object_type=model._meta.label_lower, at__gte=since, before__isnull=False
    ).order_by("-at")
    return list(changes.values_list("object_id", "before"))
