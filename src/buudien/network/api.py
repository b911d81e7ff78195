"""Network API: list, detail, create and update of units and commune points."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from buudien.core.pagination import Pages
from buudien.core.permissions import guard
from buudien.core.scoping import require_user
from buudien.network import selectors, services
from buudien.network.models import CommunePointProfile, PostUnit
from buudien.network.services import PROFILE_LIMITS

router = Router(tags=["network"])
P = CommunePointProfile
MAX_INT = 2**31 - 1


def _count(name: str) -> Any:
    return Field(0, ge=0, le=PROFILE_LIMITS[name])


def _degrees(limit: int) -> Any:
    return Field(None, ge=-limit, le=limit, max_digits=9, decimal_places=6)


class ProfileOut(Schema):
    operating_model: str
    converted_on: dt.date | None
    area_class: str
    internet_type: str
    mobile_coverage: str
    has_wifi: bool
    computers: int
    has_public_service_terminal: bool
    has_reading_room: bool
    books: int
    newspapers_received: int
    opening_hours: str
    clerk_name: str
    clerk_phone: str
    clerk_since: dt.date | None


class ProfileIn(Schema):
    operating_model: P.OperatingModel = P.OperatingModel.TRADITIONAL
    converted_on: dt.date | None = None
    area_class: P.AreaClass = P.AreaClass.ORDINARY
    internet_type: P.InternetType = P.InternetType.NONE
    mobile_coverage: P.Coverage = P.Coverage.G4
    has_wifi: bool = False
    computers: int = _count("computers")
    has_public_service_terminal: bool = False
    has_reading_room: bool = True
    books: int = _count("books")
    newspapers_received: int = _count("newspapers_received")
    opening_hours: str = Field("", max_length=100)
    clerk_name: str = Field("", max_length=200)
    clerk_phone: str = Field("", max_length=20)
    clerk_since: dt.date | None = None


class UnitOut(Schema):
    id: str
    code: str
    name: str
    kind: str
    parent_code: str | None
    path: str
    commune_code: int | None
    commune_name: str | None
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    phone: str
    status: str
    opened_on: dt.date | None
    suspended_on: dt.date | None
    closed_on: dt.date | None
    version: int
    profile: ProfileOut | None

    @staticmethod
    def resolve_id(obj: PostUnit) -> str:
        return str(obj.pk)

    @staticmethod
    def resolve_parent_code(obj: PostUnit) -> str | None:
        return obj.parent.code if obj.parent_id and obj.parent else None

    @staticmethod
    def resolve_commune_code(obj: PostUnit) -> int | None:
        return obj.commune_id

    @staticmethod
    def resolve_commune_name(obj: PostUnit) -> str | None:
        return obj.commune.name if obj.commune_id and obj.commune else None

    @staticmethod
    def resolve_phone(obj: PostUnit) -> str:
        return obj.phone

    @staticmethod
    def resolve_profile(obj: PostUnit) -> CommunePointProfile | None:
        if obj.kind != PostUnit.Kind.COMMUNE_POINT:
            return None
        return getattr(obj, "profile", None)


class UnitFilterIn(Schema):
    kind: str = Field("", max_length=20)
    area: str = Field("", max_length=20)
    model: str = Field("", max_length=20)
    area_class: str = Field("", max_length=24)
    connectivity: str = Field("", max_length=20)
    status: str = Field("", max_length=20)
    q: str = Field("", max_length=200)
    sort: str = Field("code", max_length=20)


class UnitIn(Schema):
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=200)
    kind: PostUnit.Kind
    parent_code: str | None = Field(None, min_length=1, max_length=20)
    commune_code: int | None = Field(None, ge=1, le=MAX_INT)
    address: str = Field("", max_length=255)
    latitude: Decimal | None = _degrees(90)
    longitude: Decimal | None = _degrees(180)
    phone: str = Field("", max_length=20)
    opened_on: dt.date | None = None
    profile: ProfileIn | None = None


class UnitPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    commune_code: int | None = Field(None, ge=1, le=MAX_INT)
    address: str | None = Field(None, max_length=255)
    latitude: Decimal | None = _degrees(90)
    longitude: Decimal | None = _degrees(180)
    phone: str | None = Field(None, max_length=20)
    opened_on: dt.date | None = None
    version: int | None = Field(None, ge=0, le=MAX_INT)
    profile: ProfileIn | None = None


@router.get("/units", response=list[UnitOut])
@paginate(Pages, page_size=100)
@guard(read="network.view")
def list_units(request: HttpRequest, filters: Query[UnitFilterIn]) -> QuerySet[PostUnit]:
    """Units in your scope; filter by kind, area, model, area class, connectivity, status."""
    return selectors.units(user=request.user, flt=selectors.UnitFilter(**filters.dict()))


@router.get("/units/{code}", response=UnitOut)
@guard(read="network.view")
def get_unit(request: HttpRequest, code: str) -> PostUnit:
    """One unit in your scope, with its commune point profile."""
    return selectors.unit(user=request.user, code=code)


@router.post("/units", response={201: UnitOut})
@guard(write="network.manage")
def create_unit(request: HttpRequest, payload: UnitIn) -> Status[PostUnit]:
    """Register a unit under a parent in your scope."""
    actor = require_user(request.user)
    parent = selectors.unit(user=actor, code=payload.parent_code) if payload.parent_code else None
    unit = services.create_unit(
        actor=actor,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        parent=parent,
        commune_id=payload.commune_code,
        address=payload.address,
        latitude=payload.latitude,
        longitude=payload.longitude,
        phone=payload.phone,
        opened_on=payload.opened_on,
        profile=payload.profile.dict() if payload.profile else None,
    )
    return Status(201, selectors.unit(user=actor, code=unit.code))


@router.patch("/units/{code}", response=UnitOut)
@guard(write="network.manage")
def update_unit(request: HttpRequest, code: str, payload: UnitPatch) -> PostUnit:
    """Change a unit's details; send `version` to refuse a change made meanwhile."""
    actor = require_user(request.user)
    unit = selectors.unit(user=actor, code=code)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    profile = data.pop("profile", None)
    if "commune_code" in data:
        data["commune_id"] = data.pop("commune_code")
    services.update_unit(actor=actor, unit=unit, expected_version=version, profile=profile, **data)
    return selectors.unit(user=actor, code=code)
