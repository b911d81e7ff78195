"""Report data as JSON for any unit and period in the caller's scope."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from buudien.core.permissions import guard
from buudien.network import selectors as network_selectors
from buudien.plans.periods import Period
from buudien.reports import builders, narrative

router = Router(tags=["reports"])


class PeriodIn(Schema):
    unit: str = Field(min_length=1, max_length=20)
    year: int = Field(ge=2000, le=2100)
    month: int | None = Field(None, ge=1, le=12)
    quarter: int | None = Field(None, ge=1, le=4)
    ytd: bool = False


def _period(p: PeriodIn) -> Period:
    return Period.parse(year=p.year, month=p.month, quarter=p.quarter, ytd=p.ytd)


@router.get("/plan-actual")
@guard(read="reports.view")
def plan_actual(request: HttpRequest, params: Query[PeriodIn]) -> dict[str, Any]:
    """Actual, plan, % of plan, same period last year, with the children and the prose."""
    unit = network_selectors.unit(user=request.user, code=params.unit)
    report = builders.plan_vs_actual(request.user, unit, _period(params))
    return report.as_dict() | {"text": narrative.plan_vs_actual_text(report)}


@router.get("/network")
@guard(read="reports.view")
def network(request: HttpRequest, params: Query[PeriodIn]) -> dict[str, Any]:
    """The commune-point network report for a unit and period."""
    unit = network_selectors.unit(user=request.user, code=params.unit)
    report = builders.network_report(request.user, unit, _period(params))
    return report.as_dict() | {"text": narrative.network_text(report)}
