"""Cases for the insurance targets page."""

from __future__ import annotations

from tests.access.case import Case
from tests.access.world import World


def build(world: World) -> None:
    """Nothing of its own: the enrolments come from cases_insurance_people."""


CASES: dict[str, Case] = {
    # The page of a side's point (its row names the point); the other province's point is
    # outside every scope but the administrator's.
    "insurance:targets": Case(
        url=lambda w, s: f"/bao-hiem/chi-tieu/?unit={w.side(s).point.code}",
        marker=lambda w, s: w.side(s).point.name,
    ),
}
