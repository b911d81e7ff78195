"""The mail API: bundles of ordinary mail counted at a unit."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from buudien.core.pagination import MAX_PAGE
from buudien.core.permissions import guard
from buudien.core.scoping import require_user
from buudien.mail.models import OrdinaryBatch
from buudien.mail.selectors import ordinary as selectors
from buudien.mail.services.ordinary import MAX_COUNT, record_ordinary
from buudien.network import selectors as network_selectors

router = Router(tags=["mail"])
CODE = r"^[A-Za-z0-9._-]+$"
PAGE_SIZE = 100


class OrdinaryIn(Schema):
    unit: str = Field(..., min_length=1, max_length=20, pattern=CODE)
    day: dt.date
    service_code: str = Field("BC-THU", min_length=1, max_length=20, pattern=CODE)
    direction: str = Field(..., pattern="^(sent|received)$")
    count: int = Field(..., ge=1, le=MAX_COUNT)


class OrdinaryOut(Schema):
    unit: str
    day: dt.date
    service: str
    direction: str
    count: int

    @staticmethod
    def resolve_unit(obj: OrdinaryBatch) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_service(obj: OrdinaryBatch) -> str:
        return obj.service_id


class OrdinaryQuery(Schema):
    unit: str = Field("", max_length=20, pattern=r"^[A-Za-z0-9._-]*$")
    page: int = Field(1, ge=1, le=MAX_PAGE)


@router.post("/ordinary", response={201: OrdinaryOut})
@guard(write="mail.scan")
def count_ordinary(request: HttpRequest, payload: OrdinaryIn) -> Status[OrdinaryBatch]:
    """Count a bundle of ordinary mail sent or received at one of the caller's units."""
    actor = require_user(request.user)
    unit = network_selectors.unit_by_code(actor, payload.unit.strip().upper())
    values = payload.dict(exclude={"unit"})
    return Status(201, record_ordinary(actor=actor, unit=unit, **values))


@router.get("/ordinary", response=list[OrdinaryOut])
@guard(read="mail.view")
def list_ordinary(request: HttpRequest, params: Query[OrdinaryQuery]) -> Any:
    """The bundles counted in the caller's scope (under a unit), newest first, by pages."""
    user = require_user(request.user)
    path = ""
    if params.unit:
        path = network_selectors.unit_by_code(user, params.unit.strip().upper()).path
    start = (params.page - 1) * PAGE_SIZE
    return list(selectors.batches(user, unit_path=path)[start : start + PAGE_SIZE])
