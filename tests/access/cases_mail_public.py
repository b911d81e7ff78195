"""Cases for the public tracking page and API: anyone, logged in or not, may ask for any id."""

from __future__ import annotations

from buudien.core import s10
from tests.access.case import Case
from tests.access.world import World

# Well-formed ids: the answer ("not found") is the same for every role, and never a refusal.
IDS = {"in": s10.make("CP", 12_345_678), "out": s10.make("CP", 87_654_321)}


def build(world: World) -> None:
    """Nothing of its own: tracking is about no one's record, and its answer is public."""


CASES: dict[str, Case] = {
    "mail_track": Case(url=lambda w, s: f"/tra-cuu-buu-gui/?so={IDS[s]}", scoped=False),
    "GET /api/public/track/{s10}": Case(
        url=lambda w, s: f"/api/public/track/{IDS[s]}", scoped=False
    ),
}
