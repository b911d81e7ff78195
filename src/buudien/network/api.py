"""Network API: list, detail, create and update of units and commune points."""

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from buudien.core.scoping import require_user
from buudien.network import selectors, services
from buudien.network.models import CommunePointProfile, PostUnit

router = Router(tags=["network"])


class ProfileSchema(Schema):
    operating_model: str = CommunePointProfile.OperatingModel.TRADITIONAL
    converted_on: dt.date | None = None
    area_class: str = CommunePointProfile.AreaClass.ORDINARY
    internet_type: str = CommunePointProfile.InternetType.NONE
    mobile_coverage: str = CommunePointProfile.Coverage.G4
    has_wifi: bool = False
    computers: int = 0
    has_public_service_terminal: bool = False
    has_reading_room: bool = True
    books: int = 0
    newspapers_received: int = 0
    opening_hours: str = ""
    clerk_name: str = ""
    clerk_phone: str = ""
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
    profile: ProfileSchema | None

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
    kind: str = ""
    area: str = ""
    model: str = ""
    area_class: str = ""
    connectivity: str = ""
    status: str = ""
    q: str = ""
    sort: str = "code"


class UnitIn(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None = None
    commune_code: int | None = None
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    phone: str = ""
    opened_on: dt.date | None = None
    profile: ProfileSchema | None = None


class UnitPatch(Schema):
    name: str | None = None
    commune_code: int | None = None
    address: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    phone: str | None = None
    opened_on: dt.date | None = None
    version: int | None = None
    profile: ProfileSchema | None = None


@router.get("/units", response=list[UnitOut])
@paginate(PageNumberPagination, page_size=100)
def list_units(request: HttpRequest, filters: Query[UnitFilterIn]) -> QuerySet[PostUnit]:
    """Units in your scope; filter by kind, area, model, area class, connectivity, status."""
    return selectors.units(request.user, selectors.UnitFilter(**filters.dict()))


@router.get("/units/{code}", response=UnitOut)
def get_unit(request: HttpRequest, code: str) -> PostUnit:
    return selectors.unit_by_code(request.user, code)


@router.post("/units", response={201: UnitOut})
def create_unit(request: HttpRequest, payload: UnitIn) -> Status[PostUnit]:
    actor = require_user(request.user)
    parent = selectors.unit_by_code(actor, payload.parent_code) if payload.parent_code else None
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
    return Status(201, selectors.unit_by_code(actor, unit.code))


@router.patch("/units/{code}", response=UnitOut)
def update_unit(request: HttpRequest, code: str, payload: UnitPatch) -> PostUnit:
    actor = require_user(request.user)
    unit = selectors.unit_by_code(actor, code)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    profile = data.pop("profile", None)
    if "commune_code" in data:
        data["commune_id"] = data.pop("commune_code")
    services.update_unit(actor=actor, unit=unit, expected_version=version, profile=profile, **data)
    return selectors.unit_by_code(actor, code)
