"""Cases for the reports routes (HTML and API)."""

from __future__ import annotations

from tests.access.case import Case
from tests.access.world import World


def build(world: World) -> None:
    """Add the reports records of each side to the world."""


CASES: dict[str, Case] = {}
