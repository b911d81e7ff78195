"""The insurance API of the agency exchange: the declaration lists (listed, made from the
payments not yet declared, read with their lines) and the agency's confirmation uploaded back,
all rows or none."""

import datetime as dt
import uuid
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from buudien.core.errors import DomainError, ErrorCode
from buudien.core.ids import mask_citizen_id
from buudien.core.pagination import Pages
from buudien.core.permissions import Target, guard, require
from buudien.core.scoping import require_user
from buudien.insurance import services
from buudien.insurance.api.people import CODE, SCHEME, TEXT, filter_point
from buudien.insurance.models import Declaration, PaymentLine
from buudien.insurance.selectors import declarations as selectors
from buudien.network import selectors as network_selectors

router = Router(tags=["insurance"])
PAGE_SIZE = 100
SHOWN_ERRORS = 20


class DeclarationFields(Schema):
    id: uuid.UUID
    number: str
    scheme: str
    form: str
    unit: str
    unit_name: str
    state: str
    lines: int
    total: int
    made_by: str
    created_at: dt.datetime
    confirmed_at: dt.datetime | None


class DeclarationRowOut(DeclarationFields):
    """A list in a list of lists (from the model)."""

    @staticmethod
    def resolve_scheme(obj: Declaration) -> str:
        return obj.scheme_id

    @staticmethod
    def resolve_form(obj: Declaration) -> str:
        return obj.scheme.declaration_form

    @staticmethod
    def resolve_unit(obj: Declaration) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_unit_name(obj: Declaration) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_made_by(obj: Declaration) -> str:
        return str(obj.made_by.display_name)


class DeclarationLineOut(Schema):
    """A line of a list: the citizen id masked (the agency's workbook has it in full)."""

    participant_id: uuid.UUID
    name: str
    citizen_id: str
    si_number: str
    point: str
    receipt_no: str
    period_from: dt.date
    period_to: dt.date
    months: int
    income: int | None
    member_order: int
    amount: int
    support: int
    is_new: bool
    state: str
    note: str


class DeclarationOut(DeclarationFields):
    """A list with its answers counted by state and its lines."""

    answers: dict[str, int]
    items: list[DeclarationLineOut]


class DeclarationsQuery(Schema):
    scheme: str = Field("", pattern=SCHEME)
    state: str = Field("", pattern="^(sent|confirmed)?$")
    unit: str = Field("", max_length=20, pattern=CODE)
    q: str = Field("", max_length=30, pattern=TEXT)


class DeclarationIn(Schema):
    """A new list: the scheme, and the unit (the caller's own by default) whose payments not
    yet declared it gathers."""

    scheme: Literal["voluntary_social", "household_health"]
    unit: str = Field("", max_length=20, pattern=CODE)


class ConfirmationOut(Schema):
    confirmed: int
    refused: int
    si_numbers: int
    state: str


def _line_out(line: PaymentLine) -> dict[str, Any]:
    person = line.participant
    return {
        "participant_id": person.pk,
        "name": person.name,
        "citizen_id": mask_citizen_id(person.citizen_id),
        "si_number": person.si_number or "",
        "point": line.payment.point.code,
        "receipt_no": line.payment.receipt_no,
        "period_from": line.period_from,
        "period_to": line.period_to,
        "months": line.months,
        "income": line.income,
        "member_order": line.member_order,
        "amount": line.amount,
        "support": line.support,
        "is_new": line.is_new,
        "state": line.state,
        "note": line.note,
    }


def _declaration_out(found: Declaration) -> dict[str, Any]:
    return {
        "id": found.pk,
        "number": found.number,
        "scheme": found.scheme_id,
        "form": found.scheme.declaration_form,
        "unit": found.unit.code,
        "unit_name": found.unit.name,
        "state": found.state,
        "lines": found.lines,
        "total": found.total,
        "made_by": str(found.made_by.display_name),
        "created_at": found.created_at,
        "confirmed_at": found.confirmed_at,
        "answers": selectors.answers(found),
        "items": [_line_out(ln) for ln in selectors.lines(found).select_related("payment")],
    }


@router.get("/declarations", response=list[DeclarationRowOut])
@paginate(Pages, page_size=PAGE_SIZE)
@guard(read="insurance.view")
def list_declarations(
    request: HttpRequest, filters: Query[DeclarationsQuery]
) -> QuerySet[Declaration]:
    """The lists in scope, newest first, by scheme, state, a unit's subtree and number."""
    user = require_user(request.user)
    f = filters
    return selectors.declarations(
        user=user, scheme=f.scheme, state=f.state, unit=filter_point(user, f.unit), q=f.q
    )


@router.post("/declarations", response={201: DeclarationOut})
@guard(write="insurance.declare")
def make_declaration(request: HttpRequest, payload: DeclarationIn) -> Status[dict[str, Any]]:
    """Gather the payments of a scheme under a unit not yet declared into one list; 422
    `insurance.declaration` when none is left."""
    user = require_user(request.user)
    unit = (
        network_selectors.unit_by_code(user, payload.unit.strip().upper())
        if payload.unit
        else network_selectors.home_unit(user=user)
    )
    made = services.make_declaration(actor=user, unit=unit, scheme_code=payload.scheme)
    return Status(201, _declaration_out(selectors.declaration(user=user, pk=made.pk)))


@router.get("/declarations/{declaration_id}", response=DeclarationOut)
@guard(read="insurance.view")
def get_declaration(request: HttpRequest, declaration_id: uuid.UUID) -> dict[str, Any]:
    """One list with its lines and the agency's answer to each."""
    return _declaration_out(selectors.declaration(user=request.user, pk=declaration_id))


@router.post("/declarations/{declaration_id}/confirmation", response=ConfirmationOut)
@guard(write="insurance.confirm")
def confirm(
    request: HttpRequest, declaration_id: uuid.UUID, file: File[UploadedFile]
) -> dict[str, Any]:
    """The agency's answer as a workbook (Số CCCD, Mã số BHXH, Từ ngày, Kết quả, Lý do):
    every row must be a line of the list, or nothing is written (422 naming the rows)."""
    user = require_user(request.user)
    found = selectors.declaration(user=user, pk=declaration_id)
    require(
        user, "insurance.confirm", Target(path=found.unit.path, agency_id=found.scheme.agency_id)
    )
    result = services.confirm_declaration(actor=user, declaration=found, source=file)
    if not result.ok:
        shown = " ".join(e.message for e in result.errors[:SHOWN_ERRORS])
        raise DomainError(
            _("%(n)s lỗi; không dòng nào được ghi. %(errors)s")
            % {"n": len(result.errors), "errors": shown},
            code=ErrorCode.IMPORT_INVALID,
            field="file",
        )
    found.refresh_from_db(fields=["state"])
    return {
        "confirmed": result.confirmed,
        "refused": result.refused,
        "si_numbers": result.numbers,
        "state": found.state,
    }
