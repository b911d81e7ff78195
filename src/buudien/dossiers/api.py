"""Dossier API: the public look-up (no login) and the agencies' side (scoped to their own)."""

import datetime as dt
from typing import Annotated, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from buudien.core.pagination import Pages
from buudien.core.permissions import guard
from buudien.core.scoping import require_user
from buudien.core.throttle import client_address
from buudien.dossiers import selectors, services
from buudien.dossiers.models import Dossier, Status

public_router = Router(tags=["public"], auth=None)
router = Router(tags=["dossiers"])

DossierCodePath = Annotated[str, Path(max_length=20, pattern=r"^[A-Za-z0-9]+$")]
BatchCodePath = Annotated[str, Path(max_length=24, pattern=r"^[A-Za-z0-9]+$")]
DossierCodeKey = Annotated[str, Field(max_length=20)]
STATUS_PATTERN = "^(" + "|".join(Status.values) + ")?$"
MAX_VERSION = 2**31 - 1


class StepOut(Schema):
    at: dt.datetime
    status: str


class PublicOut(Schema):
    code: str
    procedure: str
    status: str
    received_on: dt.date
    due_date: dt.date
    appointment_date: dt.date | None
    steps: list[StepOut]


@public_router.get("/dossiers/{code}", response=PublicOut)
@guard(read="public.lookup")
def lookup(
    request: HttpRequest,
    code: DossierCodePath,
    phone_last4: Annotated[str, Query(pattern=r"^\d{4}$")],
    token: Annotated[str, Query(max_length=32)] = "",
) -> dict[str, object]:
    """A citizen's look-up: the dossier code and the last four digits of his phone (and the
    slip's token, which a stranger's tries on the code cannot lock out)."""
    view = selectors.public_lookup(
        code=code,
        phone_last4=phone_last4,
        address=client_address(request),
        device=request.COOKIES.get(selectors.DEVICE_COOKIE, "")[:64],
        token=token,
    )
    return {
        "code": view.code,
        "procedure": view.procedure,
        "status": view.status,
        "received_on": view.received_on,
        "due_date": view.due_date,
        "appointment_date": view.appointment_date,
        "steps": [{"at": at, "status": s} for at, s in view.steps],
    }


class DossierOut(Schema):
    code: str
    procedure_code: str
    procedure: str
    point_code: str
    status: str
    received_at: dt.datetime
    due_date: dt.date
    step_due: dt.date | None
    agency_receipt_no: str
    appointment_date: dt.date | None
    version: int

    @staticmethod
    def resolve_procedure_code(obj: Dossier) -> str:
        return obj.procedure.code

    @staticmethod
    def resolve_procedure(obj: Dossier) -> str:
        return obj.procedure.name

    @staticmethod
    def resolve_point_code(obj: Dossier) -> str:
        return obj.point.code


class StepIn(Schema):
    """One of the post's own steps on a dossier."""

    action: Literal["supplement", "dispatch", "delivery_failed", "return", "withdraw"]
    version: int | None = Field(None, ge=0, le=MAX_VERSION)
    note: str = Field("", max_length=500)
    reason: str = Field("", max_length=500)
    next_attempt: dt.date | None = None
    receiver: str = Field("", max_length=200)


class AgencyStepIn(Schema):
    """One of the agency's own steps on a dossier it holds."""

    action: Literal["request_supplement", "result_ready", "reject"]
    version: int | None = Field(None, ge=0, le=MAX_VERSION)
    note: str = Field("", max_length=500)
    what: str = Field("", max_length=500)
    by: dt.date | None = None
    reason: str = Field("", max_length=500)


class ConfirmIn(Schema):
    receipts: dict[DossierCodeKey, Annotated[str, Field(max_length=40)]] = Field(
        default_factory=dict, max_length=500
    )
    appointments: dict[DossierCodeKey, dt.date] = Field(default_factory=dict, max_length=500)


class ConfirmOut(Schema):
    code: str
    state: str


class AppointmentIn(Schema):
    appointment_date: dt.date
    receipt_no: str = Field("", max_length=40)


@router.get("/", response=list[DossierOut])
@paginate(Pages, page_size=100)
@guard(read="dossiers.view")
def list_dossiers(
    request: HttpRequest,
    status: Annotated[str, Query(pattern=STATUS_PATTERN)] = "",
    due: Annotated[str, Query(pattern="^(today|week|overdue|open)?$")] = "",
) -> QuerySet[Dossier]:
    """Dossiers in scope (an agency officer: those handed to his agency)."""
    if due:
        return selectors.due_list(user=request.user, flt=selectors.DueFilter(which=due))
    qs = selectors.dossiers(user=request.user)
    return qs.filter(status=status) if status else qs


@router.post("/{code}/steps", response=DossierOut)
@guard(write="dossiers.post_step")
def step(request: HttpRequest, code: DossierCodePath, payload: StepIn) -> Dossier:
    """The post's own steps: supplemented, out for delivery, delivery failed, returned, …"""
    actor = require_user(request.user)
    data = payload.model_dump(exclude={"action", "version", "note"})
    return services.transition(
        dossier=selectors.dossier(user=actor, code=code),
        actor=actor,
        action=payload.action,
        expected_version=payload.version,
        note=payload.note,
        **data,
    )


@router.post("/{code}/agency-steps", response=DossierOut)
@guard(write="dossiers.agency_step")
def agency_step(request: HttpRequest, code: DossierCodePath, payload: AgencyStepIn) -> Dossier:
    """The agency's own steps: a supplement requested, the result ready, a refusal."""
    actor = require_user(request.user)
    data = payload.model_dump(exclude={"action", "version", "note"})
    return services.transition(
        dossier=selectors.dossier(user=actor, code=code),
        actor=actor,
        action=payload.action,
        expected_version=payload.version,
        note=payload.note,
        **data,
    )


@router.post("/batches/{batch_code}/confirm", response=ConfirmOut)
@guard(write="dossiers.confirm_handover")
def confirm(request: HttpRequest, batch_code: BatchCodePath, payload: ConfirmIn) -> dict[str, str]:
    """The agency confirms that a hand-over slip arrived with every dossier in it."""
    actor = require_user(request.user)
    batch = selectors.batch(user=actor, code=batch_code)
    receipts = {
        c.upper(): (payload.receipts.get(c, ""), payload.appointments.get(c))
        for c in set(payload.receipts) | set(payload.appointments)
    }
    done = services.confirm_handover(actor=actor, batch=batch, receipts=receipts)
    return {"code": done.code, "state": done.state}


@router.post("/{code}/appointment", response=DossierOut)
@guard(write="dossiers.agency_step")
def appointment(request: HttpRequest, code: DossierCodePath, payload: AppointmentIn) -> Dossier:
    """The agency records its appointment date (and receipt number) for a dossier."""
    actor = require_user(request.user)
    return services.record_appointment(
        dossier=selectors.dossier(user=actor, code=code),
        actor=actor,
        appointment_date=payload.appointment_date,
        receipt_no=payload.receipt_no,
    )
