"""Cases for the reports routes (HTML and API)."""

from __future__ import annotations

from buudien.core import reference
from tests.access.case import Case
from tests.access.world import World


def build(world: World) -> None:
    """The indicators the reports are made of."""
    reference.load(only=["plans.indicators"])


def _area(w: World, s: str) -> str:
    return w.side(s).area.code


def _query(w: World, s: str) -> str:
    return f"unit={_area(w, s)}&year={w.today.year}"


CASES: dict[str, Case] = {
    "reports:dashboard": Case(url=lambda w, s: "/reports/", scoped=False),
    "reports:report": Case(
        url=lambda w, s: f"/reports/{_area(w, s)}/?year={w.today.year}", marker=_area
    ),
    "GET /api/reports/plan-actual": Case(
        url=lambda w, s: f"/api/reports/plan-actual?{_query(w, s)}", marker=_area
    ),
    "GET /api/reports/network": Case(
        url=lambda w, s: f"/api/reports/network?{_query(w, s)}", marker=_area
    ),
}
