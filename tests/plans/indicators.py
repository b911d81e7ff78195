"""The indicators of the report, as the reference file defines them."""

from __future__ import annotations

from buudien.core import reference
from buudien.plans.models import Indicator


def load_indicators() -> dict[str, Indicator]:
    """Every indicator of the report, by code."""
    reference.load(only=["plans.indicators"])
    return {i.code: i for i in Indicator.objects.select_related("numerator", "denominator")}
