"""What a commune point's laptop needs of the insurance agency: the rule book (schemes,
rates, base salaries, the state's support, payment modes), so a premium is priced offline as
at the province; and the point's own households, people and their covers (changed offline,
so not sent while the point's operations wait). Payments stay at the province: a cover says
up to when each person has paid."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from buudien.core import point_data
from buudien.core.point_data import Rows, Section
from buudien.insurance.models import (
    BaseSalary,
    Cover,
    Household,
    Participant,
    PaymentMode,
    Scheme,
    SchemeRule,
    Support,
)


def _rules(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    return [
        Scheme.objects.all(),
        SchemeRule.objects.all(),
        BaseSalary.objects.all(),
        Support.objects.all(),
        PaymentMode.objects.all(),
    ]


def _people_here(point_id: uuid.UUID) -> QuerySet[Participant]:
    return Participant.objects.filter(point_id=point_id)


def _covered_here(point_id: uuid.UUID) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def shape(row: dict[str, Any]) -> dict[str, Any]:
        # A cover follows its person: on the laptop it belongs to the point he belongs to.
        row["fields"]["point"] = str(point_id)
        return row

    return shape


def _people(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    people = _people_here(point_id)
    return [
        Household.objects.filter(point_id=point_id),
        people,
        Rows(Cover.objects.filter(participant__in=people), _covered_here(point_id)),
    ]


def _consented(point_id: uuid.UUID) -> list[QuerySet[Any]]:
    """Who recorded the people's consent to the processing of their personal data."""
    return [_people_here(point_id).values("consent_by_id")]


def register() -> None:
    """Register the insurance sections of a point's data."""
    point_data.register(
        Section(name="insurance.rules", order=50, rows=_rules),
        Section(name="insurance.people", order=65, rows=_people, mutable=True, people=_consented),
    )
