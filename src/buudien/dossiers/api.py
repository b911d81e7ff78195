"""Dossier API: the public look-up (no login) and the agencies' side (scoped to their own)."""

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from buudien.core.scoping import require_user
from buudien.dossiers import selectors, services
from buudien.dossiers.errors import DossierCode, DossierError
from buudien.dossiers.models import Batch, Dossier

public_router = Router(tags=["public"], auth=None)
router = Router(tags=["dossiers"])


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


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


@public_router.get("/dossiers/{code}", response=PublicOut)
def lookup(request: HttpRequest, code: str, phone_last4: str = "") -> dict[str, object]:
    """A citizen's look-up: the dossier code and the last four digits of his phone."""
    view = selectors.public_lookup(
        code=code, phone_last4=phone_last4, address=client_address(request)
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
    action: str
    version: int | None = None
    note: str = ""
    what: str = ""
    by: dt.date | None = None
    reason: str = ""
    appointment_date: dt.date | None = None
    receipt_no: str = ""


class ConfirmIn(Schema):
    receipts: dict[str, str] = Field(default_factory=dict)
    appointments: dict[str, dt.date] = Field(default_factory=dict)


@router.get("/", response=list[DossierOut])
@paginate(PageNumberPagination, page_size=100)
def list_dossiers(request: HttpRequest, status: str = "", due: str = "") -> QuerySet[Dossier]:
    """Dossiers in scope (an agency officer: those handed to his agency)."""
    if due:
        return selectors.due_list(request.user, selectors.DueFilter(which=due))
    qs = selectors.dossiers(request.user)
    return qs.filter(status=status) if status else qs


@router.post("/{code}/steps", response=DossierOut)
def step(request: HttpRequest, code: str, payload: StepIn) -> Dossier:
    """Record an appointment date, request a supplement, mark a result ready, …"""
    actor = require_user(request.user)
    data = payload.dict(exclude={"action", "version", "note"})
    return services.transition(
        dossier=selectors.dossier(actor, code),
        actor=actor,
        action=payload.action,
        expected_version=payload.version,
        note=payload.note,
        **data,
    )


@router.post("/batches/{batch_code}/confirm")
def confirm(request: HttpRequest, batch_code: str, payload: ConfirmIn) -> dict[str, str]:
    """The agency confirms that a hand-over slip arrived with every dossier in it."""
    actor = require_user(request.user)
    batch = Batch.objects.filter(code=batch_code).first()
    if batch is None:
        raise DossierError("Không có biên bản này.", code=DossierCode.NOT_FOUND)
    receipts = {
        c: (payload.receipts.get(c, ""), payload.appointments.get(c))
        for c in set(payload.receipts) | set(payload.appointments)
    }
    done = services.confirm_batch(actor=actor, batch=batch, receipts=receipts)
    return {"code": done.code, "state": done.state}


class AppointmentIn(Schema):
    appointment_date: dt.date
    receipt_no: str = ""


@router.post("/{code}/appointment", response=DossierOut)
def appointment(request: HttpRequest, code: str, payload: AppointmentIn) -> Dossier:
    """The agency records its appointment date (and receipt number) for a dossier."""
    actor = require_user(request.user)
    return services.record_appointment(
        dossier=selectors.dossier(actor, code),
        actor=actor,
        appointment_date=payload.appointment_date,
        receipt_no=payload.receipt_no,
    )
