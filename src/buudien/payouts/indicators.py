"""The payout indicators: pension and allowance payments made, and the money paid out.

Registered with the plans through this module (see `plans.registry`). A payment is a cash-out
entry of a payout service in the ledger, so the figures come from the ledger's monthly rollups;
money handed back (a return) is taken off the amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Sum

from buudien.core.scoping import Actor
from buudien.counter import selectors as counter_selectors
from buudien.network import selectors as network_selectors

INDICATORS = (  # code, measure, how it adds up the tree
    ("CT_LUOT", "count", "sum"),
    ("CT_TIEN", "dong", "sum"),
)
PAYOUT_SERVICES = "payout"  # the counter's kind of service that pays on an agency's behalf


def compute(
    *,
    user: Actor,
    codes: frozenset[str],
    unit_paths: Sequence[str],
    start: dt.date,
    end: dt.date,
) -> dict[str, dict[str, int | None]]:
    """Payments made and the amount paid over the months of start..end, for each subtree."""
    network = network_selectors.network_then(
        user=user, paths=unit_paths, first_day=start, last_day=end
    )
    rows = (
        counter_selectors.monthly_rollups(user=user, start=start, end=end)
        .filter(service__kind=PAYOUT_SERVICES, unit_id__in=[u.pk for u in network.units])
        .values_list("unit_id")
        .annotate(n=Sum("count"), out=Sum("cash_out"), back=Sum("cash_in"))
        .order_by()
    )
    by_unit: dict[Any, dict[str, int]] = {
        unit_id: {"CT_LUOT": n, "CT_TIEN": out - back} for unit_id, n, out, back in rows
    }
    totals = network.add_up(by_unit, unit_paths)
    return {path: {code: t.get(code, 0) for code in codes} for path, t in totals.items()}
