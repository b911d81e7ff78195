"""Bundles of ordinary mail counted at the units a user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from buudien.core.permissions import require
from buudien.core.scoping import Actor, scoped_by_unit
from buudien.mail.models import OrdinaryBatch, PostalService


def batches(user: Actor, *, unit_path: str = "") -> QuerySet[OrdinaryBatch]:
    """The bundles counted in the user's scope (under a unit, if given), newest first."""
    require(user, "mail.view")
    qs = scoped_by_unit(OrdinaryBatch.objects.all(), user, unit_field="unit")
    if unit_path:
        qs = qs.filter(unit__path__startswith=unit_path)
    return qs.select_related("unit", "service", "recorded_by").order_by("-day", "-created_at")


def untracked_services() -> QuerySet[PostalService]:
    return PostalService.objects.filter(tracked=False)
