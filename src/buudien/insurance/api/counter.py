"""The insurance API of the counter: the price of a payment line by line, taking a payment at
the caller's shift (exactly once per `request_key`), the payments taken, the renewals due and
the lapsed covers, and the rules in force with their history and legal sources."""

import datetime as dt
import uuid
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from buudien.core.ids import mask_citizen_id, mask_phone
from buudien.core.money import amount_in_words
from buudien.core.pagination import Pages
from buudien.core.permissions import guard
from buudien.core.scoping import Actor, require_user
from buudien.counter import selectors as counter_selectors
from buudien.insurance import services
from buudien.insurance.api.people import CODE, SCHEME, TEXT, filter_point
from buudien.insurance.errors import InsuranceCode, InsuranceError
from buudien.insurance.models import Cover, ModeCode, Payment, PaymentLine
from buudien.insurance.selectors import participants as people
from buudien.insurance.selectors import payments as payment_selectors
from buudien.insurance.selectors import renewals as renewal_selectors
from buudien.insurance.selectors import rules as rule_selectors
from buudien.insurance.services.enrolment import MAX_MEMBERS, Plan
from buudien.network import selectors as network_selectors

router = Router(tags=["insurance"])
PAGE_SIZE = 100
MAX_INCOME = 10**10
Mode = Literal["monthly", "3m", "6m", "12m", "years", "back"]
CategoryCode = Literal["poor", "near_poor", "ethnic_minority", "other"]
SchemeCode = Literal["voluntary_social", "household_health"]


# --- quote and payment ----------------------------------------------------------------------


class MemberInSchema(Schema):
    """One person of a payment; with `checked`, `paid_until_seen` is the end of his paid period
    as the caller saw it (null: no cover yet), and a payment made meanwhile elsewhere is refused
    with 409 instead of being taken twice."""

    participant_id: uuid.UUID
    income: int | None = Field(None, ge=0, le=MAX_INCOME)
    category: CategoryCode = "other"
    evidence: str = Field("", max_length=200, pattern=TEXT)
    paid_until_seen: dt.date | None = None
    checked: bool = False


class QuoteIn(Schema):
    scheme: SchemeCode
    mode: Mode
    months: int = Field(..., ge=1, le=600)
    members: list[MemberInSchema] = Field(..., min_length=1, max_length=MAX_MEMBERS)
    point: str = Field("", max_length=20, pattern=CODE)


class PaymentIn(QuoteIn):
    """A payment to take at the caller's open shift (or `session_id`); the same
    `request_key` sent again gives back the payment it made."""

    payer_name: str = Field("", max_length=200, pattern=TEXT)
    at_home: bool = False
    request_key: str = Field("", max_length=64, pattern=TEXT)
    session_id: uuid.UUID | None = None


class CalcLineOut(Schema):
    text: str
    amount: int | None


class PersonQuoteOut(Schema):
    participant_id: uuid.UUID
    name: str
    order: int
    period_from: dt.date
    period_to: dt.date
    months: int
    gross: int
    support: int
    adjustment: int
    amount: int


class QuoteOut(Schema):
    scheme: str
    mode: str
    months: int
    gross: int
    support: int
    adjustment: int
    total: int
    total_in_words: str
    people: list[PersonQuoteOut]
    lines: list[CalcLineOut]


class PaymentLineOut(Schema):
    participant_id: uuid.UUID
    name: str
    citizen_id: str
    member_order: int
    period_from: dt.date
    period_to: dt.date
    months: int
    income: int | None
    category: str
    gross: int
    support: int
    amount: int
    is_new: bool
    state: str
    note: str
    detail: list[dict[str, Any]]


class PaymentFields(Schema):
    id: uuid.UUID
    receipt_no: str
    scheme: str
    point: str
    household_id: uuid.UUID | None
    payer_name: str
    mode: str
    months: int
    at_home: bool
    total: int
    support: int
    paid_at: dt.datetime
    business_date: dt.date
    clerk: str
    declaration: str | None


class PaymentRowOut(PaymentFields):
    """A payment in a list (from the model)."""

    @staticmethod
    def resolve_scheme(obj: Payment) -> str:
        return obj.scheme_id

    @staticmethod
    def resolve_point(obj: Payment) -> str:
        return obj.point.code

    @staticmethod
    def resolve_clerk(obj: Payment) -> str:
        return str(obj.clerk.display_name)

    @staticmethod
    def resolve_declaration(obj: Payment) -> str | None:
        return obj.declaration.number if obj.declaration_id and obj.declaration else None


class PaymentOut(PaymentFields):
    """A payment with the amount in words (as the receipt prints it) and its lines."""

    total_in_words: str
    request_key: str
    lines: list[PaymentLineOut]


def _data(payload: QuoteIn) -> services.EnrolmentIn:
    extra: dict[str, Any] = {}
    if isinstance(payload, PaymentIn):
        extra = {
            "payer_name": payload.payer_name,
            "at_home": payload.at_home,
            "request_key": payload.request_key,
        }
    return services.EnrolmentIn(
        scheme=payload.scheme,
        mode=payload.mode,
        months=payload.months,
        members=tuple(
            services.MemberIn(
                participant_id=str(m.participant_id),
                income=m.income,
                category=m.category,
                evidence=m.evidence,
                paid_until_seen=m.paid_until_seen,
                checked=m.checked,
            )
            for m in payload.members
        ),
        **extra,
    )


def _people_in_scope(user: Actor, payload: QuoteIn) -> None:
    """Every member is a person the caller may see (404 for any other), before anything else."""
    for member in payload.members:
        people.participant(user=user, pk=member.participant_id)


def _unit(user: Actor, code: str) -> Any:
    if code:
        return network_selectors.unit_by_code(user, code.strip().upper())
    return network_selectors.home_unit(user=user)


def _quote_out(planned: Plan) -> dict[str, Any]:
    q = planned.quote
    return {
        "scheme": q.scheme,
        "mode": q.mode,
        "months": q.months,
        "gross": q.gross,
        "support": q.support,
        "adjustment": q.adjustment,
        "total": q.total,
        "total_in_words": amount_in_words(q.total),
        "people": [
            {
                "participant_id": person.pk,
                "name": person.name,
                "order": pq.member.order,
                "period_from": pq.period_from,
                "period_to": pq.period_to,
                "months": pq.months,
                "gross": pq.gross,
                "support": pq.support,
                "adjustment": pq.adjustment,
                "amount": pq.amount,
            }
            for person, pq in zip(planned.people, q.people, strict=True)
        ],
        "lines": [{"text": ln.text, "amount": ln.amount} for ln in planned.lines],
    }


@router.post("/quote", response=QuoteOut)
@guard(write="insurance.enrol")
def quote(request: HttpRequest, payload: QuoteIn) -> dict[str, Any]:
    """What a payment would cost at a point (the caller's unit unless `point` names one),
    under the rules of each month it covers: each person's period and the calculation line by
    line. Nothing is written."""
    user = require_user(request.user)
    _people_in_scope(user, payload)
    planned = services.preview(user=user, point=_unit(user, payload.point), data=_data(payload))
    return _quote_out(planned)


def line_out(line: PaymentLine) -> dict[str, Any]:
    return {
        "participant_id": line.participant_id,
        "name": line.participant.name,
        "citizen_id": mask_citizen_id(line.participant.citizen_id),
        "member_order": line.member_order,
        "period_from": line.period_from,
        "period_to": line.period_to,
        "months": line.months,
        "income": line.income,
        "category": line.category,
        "gross": line.gross,
        "support": line.support,
        "amount": line.amount,
        "is_new": line.is_new,
        "state": line.state,
        "note": line.note,
        "detail": list(line.detail or []),
    }


def payment_out(found: Payment) -> dict[str, Any]:
    return {
        "id": found.pk,
        "receipt_no": found.receipt_no,
        "scheme": found.scheme_id,
        "point": found.point.code,
        "household_id": found.household_id,
        "payer_name": found.payer_name,
        "mode": found.mode,
        "months": found.months,
        "at_home": found.at_home,
        "total": found.total,
        "total_in_words": amount_in_words(found.total),
        "support": found.support,
        "paid_at": found.paid_at,
        "business_date": found.business_date,
        "clerk": str(found.clerk.display_name),
        "declaration": found.declaration.number if found.declaration else None,
        "request_key": found.request_key,
        "lines": [line_out(ln) for ln in payment_selectors.lines_of(found)],
    }


@router.post("/payments", response={201: PaymentOut})
@guard(write="insurance.enrol")
def take_payment(request: HttpRequest, payload: PaymentIn) -> Status[dict[str, Any]]:
    """Take a payment at the caller's open shift (or `session_id`): the premium through the
    counter's ledger once, each person's cover moved on. The same `request_key` sent again
    gives back the same payment; with other contents, 409."""
    user = require_user(request.user)
    _people_in_scope(user, payload)
    session = (
        counter_selectors.session(user, payload.session_id)
        if payload.session_id is not None
        else counter_selectors.open_session_of(user)
    )
    if session is None:
        raise InsuranceError(
            _("Bạn chưa mở ca giao dịch; hãy mở ca trước khi thu tiền."),
            code=InsuranceCode.INVALID,
            field="session_id",
        )
    made = services.enrol(session=session, clerk=user, data=_data(payload))
    return Status(201, payment_out(payment_selectors.payment(user=user, pk=made.pk)))


class PaymentsQuery(Schema):
    point: str = Field("", max_length=20, pattern=CODE)
    scheme: str = Field("", pattern=SCHEME)
    start: dt.date | None = None
    end: dt.date | None = None
    q: str = Field("", max_length=40, pattern=TEXT)


@router.get("/payments", response=list[PaymentRowOut])
@paginate(Pages, page_size=PAGE_SIZE)
@guard(read="insurance.view")
def list_payments(request: HttpRequest, filters: Query[PaymentsQuery]) -> QuerySet[Payment]:
    """The payments taken in scope, newest first, by point, scheme, business dates and
    receipt number."""
    user = require_user(request.user)
    f = filters
    return payment_selectors.payments(
        user=user,
        point=filter_point(user, f.point),
        scheme=f.scheme,
        start=f.start,
        end=f.end,
        q=f.q,
    ).select_related("declaration")


@router.get("/payments/{payment_id}", response=PaymentOut)
@guard(read="insurance.view")
def get_payment(request: HttpRequest, payment_id: uuid.UUID) -> dict[str, Any]:
    """One payment with its lines, each with the months it covers and how it was priced."""
    return payment_out(payment_selectors.payment(user=request.user, pk=payment_id))


# --- renewals -------------------------------------------------------------------------------


class CoverRowOut(Schema):
    """A cover to renew, for the call list: the phone masked."""

    participant_id: uuid.UUID
    name: str
    phone: str
    hamlet: str
    household: str
    point: str
    scheme: str
    mode: str
    income: int | None
    paid_until: dt.date
    days_left: int
    reminded_for: dt.date | None

    @staticmethod
    def resolve_name(obj: Cover) -> str:
        return obj.participant.name

    @staticmethod
    def resolve_phone(obj: Cover) -> str:
        return mask_phone(obj.participant.phone)

    @staticmethod
    def resolve_hamlet(obj: Cover) -> str:
        return obj.participant.hamlet

    @staticmethod
    def resolve_household(obj: Cover) -> str:
        home = obj.participant.household
        return home.head_name if home else ""

    @staticmethod
    def resolve_point(obj: Cover) -> str:
        return obj.point.code

    @staticmethod
    def resolve_scheme(obj: Cover) -> str:
        return obj.scheme_id

    @staticmethod
    def resolve_days_left(obj: Cover) -> int:
        return (obj.paid_until - people.today()).days


class RenewalsQuery(Schema):
    point: str = Field("", max_length=20, pattern=CODE)
    hamlet: str = Field("", max_length=120, pattern=TEXT)
    scheme: str = Field("", pattern=SCHEME)


class DueQuery(RenewalsQuery):
    days: int = Field(people.DUE_DAYS, ge=0, le=366)


@router.get("/renewals/due", response=list[CoverRowOut])
@paginate(Pages, page_size=PAGE_SIZE)
@guard(read="insurance.view")
def renewals_due(request: HttpRequest, filters: Query[DueQuery]) -> QuerySet[Cover]:
    """Covers whose paid period ends from today to `days` days on (30 by default), by point
    and hamlet; a renewal goes on from the end of the paid period."""
    user = require_user(request.user)
    f = filters
    return renewal_selectors.due(
        user=user,
        point=filter_point(user, f.point),
        scheme=f.scheme,
        hamlet=f.hamlet,
        days=f.days,
    )


@router.get("/renewals/lapsed", response=list[CoverRowOut])
@paginate(Pages, page_size=PAGE_SIZE)
@guard(read="insurance.view")
def renewals_lapsed(request: HttpRequest, filters: Query[RenewalsQuery]) -> QuerySet[Cover]:
    """Covers whose paid period ended before today and was not renewed."""
    user = require_user(request.user)
    f = filters
    return renewal_selectors.lapsed(
        user=user, point=filter_point(user, f.point), scheme=f.scheme, hamlet=f.hamlet
    )


# --- rules ----------------------------------------------------------------------------------


class RateOut(Schema):
    valid_from: dt.date
    contribution_bp: int
    income_floor: int | None
    ceiling_base_multiple: int | None
    member_shares_bp: list[int]
    waiting_days: int
    discount_bp: int
    source: str


class SupportOut(Schema):
    category: str
    valid_from: dt.date
    share_bp: int
    limit_months: int | None
    needs_evidence: bool
    source: str


class ModeOut(Schema):
    code: str
    label: str
    valid_from: dt.date
    months_min: int
    months_max: int
    months_step: int
    source: str


class SalaryOut(Schema):
    valid_from: dt.date
    amount: int
    source: str


class CommissionOut(Schema):
    valid_from: dt.date
    rule: str
    price: int
    rate_bp: int
    min_revenue: int
    max_revenue: int | None


class InForceOut(Schema):
    """The values that apply today: what a payment made now is priced with."""

    rate: RateOut | None
    supports: list[SupportOut]
    modes: list[ModeOut]
    commission: CommissionOut | None


class SchemeRulesOut(Schema):
    code: str
    name: str
    agency: str
    service_code: str
    declaration_form: str
    in_force: InForceOut
    rates: list[RateOut]
    supports: list[SupportOut]
    modes: list[ModeOut]
    commissions: list[CommissionOut]


class RulesOut(Schema):
    day: dt.date
    base_salary: SalaryOut | None
    base_salaries: list[SalaryOut]
    schemes: list[SchemeRulesOut]


def _rate(r: Any) -> dict[str, Any]:
    return {
        "valid_from": r.valid_from,
        "contribution_bp": r.contribution_bp,
        "income_floor": r.income_floor,
        "ceiling_base_multiple": r.ceiling_base_multiple,
        "member_shares_bp": [int(x) for x in (r.member_shares_bp or [])],
        "waiting_days": r.waiting_days,
        "discount_bp": r.discount_bp,
        "source": r.source,
    }


def _support(s: Any) -> dict[str, Any]:
    fields = ("category", "valid_from", "share_bp", "limit_months", "needs_evidence", "source")
    return {k: getattr(s, k) for k in fields}


def _mode(m: Any) -> dict[str, Any]:
    fields = ("code", "valid_from", "months_min", "months_max", "months_step", "source")
    label = ModeCode(m.code).label if m.code in ModeCode.values else m.code
    return {**{k: getattr(m, k) for k in fields}, "label": str(label)}


def _commission(t: Any) -> dict[str, Any]:
    fields = ("valid_from", "rule", "price", "rate_bp", "min_revenue", "max_revenue")
    return {k: getattr(t, k) for k in fields}


def _first_in_force(rows: list[Any], day: dt.date) -> Any:
    """Of rows newest first, the one that applies on the day."""
    return next((r for r in rows if r.valid_from <= day), None)


def _in_force(rows: list[Any], key: str, day: dt.date) -> list[Any]:
    """Of rows newest first, the one in force on the day for each value of `key`, unless it
    withdraws the value (a mode of no months)."""
    found: dict[Any, Any] = {}
    for r in rows:
        if r.valid_from <= day:
            found.setdefault(getattr(r, key), r)
    return [r for r in found.values() if getattr(r, "months_max", 1) > 0]


def _scheme_rules(page: dict[str, Any], scheme: Any, day: dt.date) -> dict[str, Any]:
    rates = [r for r in page["rates"] if r.scheme_id == scheme.code]
    supports = [s for s in page["supports"] if s.scheme_id == scheme.code]
    modes = sorted(
        (m for m in page["modes"] if m.scheme_id == scheme.code),
        key=lambda m: m.valid_from,
        reverse=True,
    )
    commissions = dict(page["commissions"]).get(scheme, [])
    rate = _first_in_force(rates, day)
    commission = _first_in_force(commissions, day)
    return {
        "code": scheme.code,
        "name": scheme.name,
        "agency": scheme.agency.name,
        "service_code": scheme.service_code,
        "declaration_form": scheme.declaration_form,
        "in_force": {
            "rate": _rate(rate) if rate else None,
            "supports": [_support(s) for s in _in_force(supports, "category", day)],
            "modes": [_mode(m) for m in _in_force(modes, "code", day)],
            "commission": _commission(commission) if commission else None,
        },
        "rates": [_rate(r) for r in rates],
        "supports": [_support(s) for s in supports],
        "modes": [_mode(m) for m in modes],
        "commissions": [_commission(t) for t in commissions],
    }


@router.get("/rules", response=RulesOut)
@guard(read="insurance.rules")
def rules(request: HttpRequest) -> dict[str, Any]:
    """The rules in force today for each scheme (rate, income floor and ceiling, support by
    category, payment modes, the post's commission) and their history, each row with the day
    it applies from and its legal source; the base salary likewise."""
    day = people.today()
    page = rule_selectors.rules_page()
    salary = _first_in_force(page["salaries"], day)
    return {
        "day": day,
        "base_salary": _salary(salary) if salary else None,
        "base_salaries": [_salary(s) for s in page["salaries"]],
        "schemes": [_scheme_rules(page, s, day) for s in page["schemes"]],
    }


def _salary(s: Any) -> dict[str, Any]:
    return {"valid_from": s.valid_from, "amount": s.amount, "source": s.source}
