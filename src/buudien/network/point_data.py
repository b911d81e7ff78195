"""What a commune point's laptop needs of the network: its own unit and the units above it,
their communes (and the other communes of their province, for addresses), the point's
profile, and the partners that services, procedures and programmes name."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from buudien.core import point_data
from buudien.core.point_data import Rows, Section
from buudien.network.models import Commune, CommunePointProfile, Partner, PostUnit, Province


def _ancestry(point_id: uuid.UUID) -> list[str]:
    """The paths of the point and of every unit above it."""
    path = PostUnit.objects.filter(pk=point_id).values_list("path", flat=True).first()
    codes = (path or "").strip("/").split("/") if path else []
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def _units(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    units = PostUnit.objects.filter(path__in=_ancestry(point_id))
    # Every commune of the country: the point addresses mail to any of them.
    return [
        Province.objects.all(),
        Commune.objects.all(),
        units,
        CommunePointProfile.objects.filter(unit_id=point_id),
    ]


def _partners(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    return [Partner.objects.all()]


def register() -> None:
    point_data.register(
        Section(name="network.units", order=10, rows=_units),
        Section(name="network.partners", order=15, rows=_partners),
    )
