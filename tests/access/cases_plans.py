"""Cases for the plans routes (HTML and API)."""

from __future__ import annotations

from tests.access.case import Case
from tests.access.world import World


def build(world: World) -> None:
    """Add the plans records of each side to the world."""


CASES: dict[str, Case] = {}
