"""Cases for the bundles of ordinary mail counted at a unit (HTML and API)."""

from __future__ import annotations

from typing import Any

from tests.access.case import Case
from tests.access.world import World


def build(world: World) -> None:
    """Nothing of its own: each side counts a bundle at its own point."""


def _bundle(w: World, s: str) -> dict[str, Any]:
    return {
        "unit": w.side(s).point.code,
        "day": w.today.isoformat(),
        "service_code": "BC-THU",
        "direction": "sent",
        "count": 40,
    }


CASES: dict[str, Case] = {
    "mail:ordinary": Case(
        url=lambda w, s: f"/mail/ordinary/?unit={w.side(s).point.code}", data=_bundle
    ),
    "POST /api/mail/ordinary": Case(url=lambda w, s: "/api/mail/ordinary", data=_bundle),
    "GET /api/mail/ordinary": Case(
        url=lambda w, s: f"/api/mail/ordinary?unit={w.side(s).point.code}"
    ),
}
