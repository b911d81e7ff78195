"""The insurance API about people: participants (searched, registered, read with their covers)
and households (listed, opened, read with their members). Lists mask citizen ids, social-
insurance numbers and phones; a person's own record shows them in full."""

import datetime as dt
import uuid
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from buudien.core.ids import mask_citizen_id, mask_phone
from buudien.core.pagination import Pages
from buudien.core.permissions import guard
from buudien.core.scoping import Actor, require_user
from buudien.insurance import services
from buudien.insurance.errors import InsuranceCode, InsuranceError
from buudien.insurance.models import Cover, Household, Participant
from buudien.insurance.selectors import participants as selectors
from buudien.network import selectors as network_selectors

router = Router(tags=["insurance"])

CODE = r"^[A-Za-z0-9._-]*$"
# Text a person types: no control characters (PostgreSQL refuses NUL).
TEXT = r"^[^\x00-\x1f\x7f]*$"
SCHEME = "^(voluntary_social|household_health)?$"
POINT_KINDS = ("commune_point", "office")
PAGE_SIZE = 100


def point_of(user: Actor, code: str) -> Any:
    """The point a record is made at: the one named (in scope), else the caller's own."""
    if code:
        unit = network_selectors.unit_by_code(user, code.strip().upper())
    else:
        unit = network_selectors.home_unit(user=user)
    if unit.kind not in POINT_KINDS:
        raise InsuranceError(
            _("Hãy ghi mã điểm BĐ-VHX hoặc bưu cục nơi đăng ký (%(code)s là %(kind)s).")
            % {"code": unit.code, "kind": unit.get_kind_display()},
            code=InsuranceCode.INVALID,
            field="point",
        )
    return unit


def filter_point(user: Actor, code: str) -> Any:
    """A list's point filter: None for every point in scope."""
    return network_selectors.unit_by_code(user, code.strip().upper()) if code else None


# --- participants ---------------------------------------------------------------------------


class ParticipantRowOut(Schema):
    """A person in a list: citizen id, social-insurance number and phone masked."""

    id: uuid.UUID
    name: str
    citizen_id: str
    si_number: str
    birth_date: dt.date
    sex: str
    phone: str
    hamlet: str
    point: str
    household_id: uuid.UUID | None

    @staticmethod
    def resolve_citizen_id(obj: Participant) -> str:
        return mask_citizen_id(obj.citizen_id)

    @staticmethod
    def resolve_si_number(obj: Participant) -> str:
        return mask_citizen_id(obj.si_number)

    @staticmethod
    def resolve_phone(obj: Participant) -> str:
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_point(obj: Participant) -> str:
        return obj.point.code


class CoverOut(Schema):
    """A person's place in a scheme: what he chose, up to when he has paid, its state."""

    scheme: str
    scheme_name: str
    point: str
    income: int | None
    category: str
    evidence: str
    mode: str
    first_from: dt.date
    paid_until: dt.date
    supported_months: int
    state: str


class ParticipantOut(Schema):
    """A person's own record, in full, with his covers."""

    id: uuid.UUID
    name: str
    citizen_id: str
    si_number: str
    birth_date: dt.date
    sex: str
    phone: str
    hamlet: str
    commune: int | None
    point: str
    point_name: str
    household_id: uuid.UUID | None
    relation: str
    consent_at: dt.datetime
    version: int
    covers: list[CoverOut]


class ParticipantsQuery(Schema):
    q: str = Field("", max_length=100, pattern=TEXT)
    point: str = Field("", max_length=20, pattern=CODE)
    hamlet: str = Field("", max_length=120, pattern=TEXT)
    scheme: str = Field("", pattern=SCHEME)
    state: str = Field("", pattern="^(active|due|lapsed|none)?$")
    sort: str = Field("", pattern="^(name|hamlet|-created)?$")


class PersonInSchema(Schema):
    """One person as the clerk types him, with his consent to the processing of his data;
    `not_a_duplicate` says the clerk saw the likely duplicate and this is another person."""

    citizen_id: str = Field(..., max_length=20, pattern=TEXT)
    name: str = Field(..., max_length=200, pattern=TEXT)
    birth_date: dt.date
    sex: Literal["", "nam", "nu"] = ""
    phone: str = Field("", max_length=20, pattern=TEXT)
    si_number: str = Field("", max_length=10, pattern=TEXT)
    hamlet: str = Field("", max_length=120, pattern=TEXT)
    commune_code: int | None = Field(None, ge=1, le=10**8)
    household_id: uuid.UUID | None = None
    relation: str = Field("", max_length=40, pattern=TEXT)
    consent: bool = False
    not_a_duplicate: bool = False
    point: str = Field("", max_length=20, pattern=CODE)


def cover_out(cover: Cover) -> dict[str, Any]:
    return {
        "scheme": cover.scheme_id,
        "scheme_name": cover.scheme.name,
        "point": cover.point.code,
        "income": cover.income,
        "category": cover.category,
        "evidence": cover.evidence,
        "mode": cover.mode,
        "first_from": cover.first_from,
        "paid_until": cover.paid_until,
        "supported_months": cover.supported_months,
        "state": selectors.state_of(cover),
    }


def participant_out(person: Participant) -> dict[str, Any]:
    return {
        "id": person.pk,
        "name": person.name,
        "citizen_id": person.citizen_id,
        "si_number": person.si_number or "",
        "birth_date": person.birth_date,
        "sex": person.sex,
        "phone": person.phone,
        "hamlet": person.hamlet,
        "commune": person.commune_id,
        "point": person.point.code,
        "point_name": person.point.name,
        "household_id": person.household_id,
        "relation": person.relation,
        "consent_at": person.consent_at,
        "version": person.version,
        "covers": [
            cover_out(c) for c in person.covers.select_related("scheme", "point").order_by("scheme")
        ],
    }


@router.get("/participants", response=list[ParticipantRowOut])
@paginate(Pages, page_size=PAGE_SIZE)
@guard(read="insurance.view")
def list_participants(
    request: HttpRequest, filters: Query[ParticipantsQuery]
) -> QuerySet[Participant]:
    """The people in scope, searched without accents (name, CCCD, social-insurance number,
    hamlet), by point, hamlet, and the state of their cover in a scheme."""
    user = require_user(request.user)
    f = filters
    return selectors.participants(
        user=user,
        q=f.q,
        point=filter_point(user, f.point),
        hamlet=f.hamlet,
        scheme=f.scheme,
        state=f.state,
        sort=f.sort or "hamlet",
    )


@router.post("/participants", response={201: ParticipantOut})
@guard(write="insurance.enrol")
def register_participant(request: HttpRequest, payload: PersonInSchema) -> Status[dict[str, Any]]:
    """Register a person at a point (the caller's own unless `point` names one); refused
    without consent, for a citizen id already registered, or for a likely duplicate (the same
    name and birth date) unless `not_a_duplicate` is set."""
    user = require_user(request.user)
    point = point_of(user, payload.point)
    values = payload.model_dump(exclude={"point", "household_id"})
    data = services.PersonIn(
        **values, household_id=str(payload.household_id) if payload.household_id else ""
    )
    person = services.register_participant(actor=user, point=point, data=data)
    return Status(201, participant_out(selectors.participant(user=user, pk=person.pk)))


@router.get("/participants/{participant_id}", response=ParticipantOut)
@guard(read="insurance.view")
def get_participant(request: HttpRequest, participant_id: uuid.UUID) -> dict[str, Any]:
    """One person in full, with his covers in each scheme."""
    return participant_out(selectors.participant(user=request.user, pk=participant_id))


# --- households -----------------------------------------------------------------------------


class HouseholdRowOut(Schema):
    id: uuid.UUID
    head_name: str
    code: str
    hamlet: str
    address: str
    point: str

    @staticmethod
    def resolve_point(obj: Household) -> str:
        return obj.point.code


class MemberOut(Schema):
    """A member of a household: citizen id masked, his household health cover's end."""

    id: uuid.UUID
    name: str
    citizen_id: str
    birth_date: dt.date
    relation: str
    health_paid_until: dt.date | None


class HouseholdOut(Schema):
    id: uuid.UUID
    head_name: str
    code: str
    hamlet: str
    address: str
    commune: int | None
    point: str
    members: list[MemberOut]


class HouseholdsQuery(Schema):
    q: str = Field("", max_length=100, pattern=TEXT)
    point: str = Field("", max_length=20, pattern=CODE)


class HouseholdInSchema(Schema):
    head_name: str = Field(..., max_length=200, pattern=TEXT)
    hamlet: str = Field("", max_length=120, pattern=TEXT)
    address: str = Field("", max_length=300, pattern=TEXT)
    code: str = Field("", max_length=20, pattern=TEXT)
    commune_code: int | None = Field(None, ge=1, le=10**8)
    point: str = Field("", max_length=20, pattern=CODE)


def household_out(home: Household) -> dict[str, Any]:
    covers = selectors.health_covers(home)
    return {
        "id": home.pk,
        "head_name": home.head_name,
        "code": home.code,
        "hamlet": home.hamlet,
        "address": home.address,
        "commune": home.commune_id,
        "point": home.point.code,
        "members": [
            {
                "id": p.pk,
                "name": p.name,
                "citizen_id": mask_citizen_id(p.citizen_id),
                "birth_date": p.birth_date,
                "relation": p.relation,
                "health_paid_until": covers[p.pk].paid_until if p.pk in covers else None,
            }
            for p in selectors.members_of(home)
        ],
    }


@router.get("/households", response=list[HouseholdRowOut])
@paginate(Pages, page_size=PAGE_SIZE)
@guard(read="insurance.view")
def list_households(request: HttpRequest, filters: Query[HouseholdsQuery]) -> QuerySet[Household]:
    """The households in scope, searched by head's name, hamlet or code, by point."""
    user = require_user(request.user)
    return selectors.households(user=user, q=filters.q, point=filter_point(user, filters.point))


@router.post("/households", response={201: HouseholdOut})
@guard(write="insurance.enrol")
def create_household(request: HttpRequest, payload: HouseholdInSchema) -> Status[dict[str, Any]]:
    """Open a household at a point (the caller's own unless `point` names one); its members
    are then registered with its `household_id`."""
    user = require_user(request.user)
    point = point_of(user, payload.point)
    data = services.HouseholdIn(**payload.model_dump(exclude={"point"}))
    home = services.create_household(actor=user, point=point, data=data)
    return Status(201, household_out(selectors.household(user=user, pk=home.pk)))


@router.get("/households/{household_id}", response=HouseholdOut)
@guard(read="insurance.view")
def get_household(request: HttpRequest, household_id: uuid.UUID) -> dict[str, Any]:
    """One household with its members (citizen ids masked) and their health cover."""
    return household_out(selectors.household(user=request.user, pk=household_id))
