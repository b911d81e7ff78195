"""What a commune point's laptop needs of dossiers: the procedures with their required
documents, the working calendar, and the point's own open dossiers with their documents and
history (changed offline, so not sent while the point's operations wait)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from buudien.core import point_data
from buudien.core.point_data import Rows, Section
from buudien.dossiers.models import (
    Dossier,
    DossierDocument,
    DossierEvent,
    Holiday,
    Procedure,
    RequiredDocument,
)
from buudien.dossiers.services.lifecycle import OPEN_STATES


def _procedures(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    return [Procedure.objects.all(), RequiredDocument.objects.all()]


def _calendar(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    return [Holiday.objects.all()]


def _open(point_id: uuid.UUID) -> QuerySet[Dossier]:
    return Dossier.objects.filter(point_id=point_id, status__in=OPEN_STATES)


def _without_batch(row: dict[str, Any]) -> dict[str, Any]:
    # Hand-over slips stay at the province; the laptop does not keep them.
    row["fields"]["batch"] = None
    return row


def _dossiers(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    return [
        Rows(_open(point_id), _without_batch),
        DossierDocument.objects.filter(dossier__in=_open(point_id)),
        DossierEvent.objects.filter(dossier__in=_open(point_id)),
    ]


def _people(point_id: uuid.UUID) -> list[QuerySet[Any]]:
    """Who took in the point's open dossiers, or moved them on."""
    dossiers = _open(point_id)
    acted = DossierEvent.objects.filter(dossier__in=dossiers, actor__isnull=False)
    return [dossiers.values("received_by_id"), acted.values("actor_id")]


def register() -> None:
    point_data.register(
        Section(name="dossiers.procedures", order=40, rows=_procedures),
        Section(name="dossiers.calendar", order=40, rows=_calendar),
        Section(name="dossiers.open", order=70, rows=_dossiers, mutable=True, people=_people),
    )
