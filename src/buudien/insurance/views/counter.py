"""Insurance pages of the counter: enrolment and renewal (the price line by line first, then
the money into the clerk's shift), the payments list with its Excel export, and the receipt
of one payment, rebuilt from what was stored and printable."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import audit
from buudien.core.errors import DomainError, Forbidden, NotFound, OutOfScope, http_status
from buudien.core.excel import export_xlsx, xlsx_response
from buudien.core.forms import cleaned_or_initial, errors_of
from buudien.core.ids import is_uuid, mask_citizen_id
from buudien.core.money import amount_in_words, format_number, format_vnd
from buudien.core.permissions import guard
from buudien.core.scoping import require_user, scope_of
from buudien.counter import selectors as counter_selectors
from buudien.insurance import counter_forms as forms
from buudien.insurance import premium, services
from buudien.insurance.models import Category, ModeCode, PaymentLine, SchemeCode
from buudien.insurance.selectors import participants as people_selectors
from buudien.insurance.selectors import payments as payment_selectors
from buudien.insurance.selectors.rules import rule_book
from buudien.insurance.services.enrolment import MAX_MEMBERS
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.counter.models import CounterSession
    from buudien.insurance.models import Cover, Household, Participant, Payment
    from buudien.network.models import PostUnit

ACCESS_ERRORS = (Forbidden, NotFound, OutOfScope)
PER_PAGE = 50
FOUND_LIMIT = 20
INVALID = 422
DEFAULT_MODE = ModeCode.YEARLY
# A line's state at the agency as a badge: paid in blue, confirmed in green, refused in red.
STATE_BADGES: dict[str, str] = {
    PaymentLine.State.PAID: "info",
    PaymentLine.State.CONFIRMED: "ok",
    PaymentLine.State.REJECTED: "bad",
}


# What the page is about ------------------------------------------------------------------


@dataclass
class Chosen:
    """The scheme and the people the page was opened for (from its query string)."""

    scheme: str
    people: list[Participant]
    household: Household | None = None


def _scheme_asked(query: QueryDict) -> str:
    asked = query.get("scheme", "")
    return asked if asked in SchemeCode.values else ""


def _chosen(user: User, query: QueryDict) -> Chosen:
    """The household's members (household health insurance) or the people named; anyone
    unknown or out of the user's scope is "not found"."""
    home = None
    people: list[Participant] = []
    if query.get("household"):
        home = people_selectors.household(user=user, pk=query.get("household"))
        people = people_selectors.members_of(home)
    for pk in query.getlist("participant")[:MAX_MEMBERS]:
        person = people_selectors.participant(user=user, pk=pk)
        if person not in people:
            people.append(person)
    scheme = _scheme_asked(query) or (SchemeCode.HOUSEHOLD_HEALTH if home else "")
    return Chosen(scheme or _scheme_of(people), people[:MAX_MEMBERS], home)


def _scheme_of(people: list[Participant]) -> str:
    """A person's own scheme when he has a cover in one; voluntary insurance otherwise."""
    if people:
        covers = people_selectors.covers_of(people[0])
        if covers:
            return str(covers[0].scheme_id)
    return SchemeCode.VOLUNTARY_SOCIAL


def _covers(people: list[Participant], scheme: str) -> dict[Any, Cover]:
    """Each person's cover in the scheme, for those who have one (one query for all)."""
    by_person = people_selectors.covers_by_person(people)
    return {pk: c for pk, covers in by_person.items() for c in covers if c.scheme_id == scheme}


def _member_initial(person: Participant, cover: Cover | None) -> dict[str, Any]:
    """A person's row as his cover left it: a renewal keeps his income and support."""
    if cover is None:
        return {"participant": person.pk, "category": Category.OTHER, "checked": True}
    return {
        "participant": person.pk,
        "income": format_number(cover.income) if cover.income else None,
        "category": cover.category,
        "evidence": cover.evidence,
        "paid_until_seen": cover.paid_until,
        "checked": True,
    }


def _home_unit(user: User) -> PostUnit | None:
    try:
        return network_selectors.home_unit(user=user)
    except DomainError:
        return None


# The enrolment form ----------------------------------------------------------------------


@dataclass
class Row:
    """One person's row of the form, with the links and messages shown beside it."""

    form: forms.MemberForm
    person: Participant | None
    paid_until: dt.date | None
    remove_url: str
    errors: list[str] = field(default_factory=list)


@dataclass
class Page:
    """Everything the enrolment page shows besides the two forms."""

    chosen: Chosen
    session: CounterSession | None
    modes: dict[str, int]
    calc: list[dict[str, Any]] = field(default_factory=list)
    total: int | None = None
    support: int = 0
    member_errors: list[str] = field(default_factory=list)
    no_shift: bool = False
    request_key: str = ""  # a new key, when the form's own went with another payment


def _modes(scheme: str) -> dict[str, int]:
    """The scheme's modes today, each with the number of months it takes at least."""
    book = rule_book(scheme)
    day = people_selectors.today()
    modes: dict[str, int] = {}
    for code in book.modes_on(day):
        mode = book.mode(code, day)
        if mode is not None:
            modes[code] = mode.months_min
    return modes


def _initial(chosen: Chosen, modes: dict[str, int]) -> dict[str, Any]:
    mode = DEFAULT_MODE if DEFAULT_MODE in modes else next(iter(modes), "")
    return {
        "request_key": uuid.uuid4().hex,
        "scheme": chosen.scheme,
        "mode": mode,
        "months": None,  # the mode's own, unless the clerk types another number
        "payer_name": chosen.household.head_name if chosen.household else "",
    }


def _blank_forms(chosen: Chosen, modes: dict[str, int]) -> tuple[forms.EnrolForm, Any]:
    covers = _covers(chosen.people, chosen.scheme)
    form = forms.EnrolForm(initial=_initial(chosen, modes), modes=list(modes))
    members = forms.MemberFormSet(
        prefix=forms.MEMBER_PREFIX,
        initial=[_member_initial(p, covers.get(p.pk)) for p in chosen.people],
    )
    return form, members


def _posted_ids(members: Any) -> list[str]:
    """The people of the posted rows, in order (a row without a valid id is left out)."""
    ids = []
    for f in members.forms:
        value = f.data.get(f.add_prefix("participant"), "")
        if is_uuid(value):
            ids.append(str(value))
    return ids


def _query(scheme: str, ids: list[str], **extra: str) -> str:
    return "?" + urlencode({"scheme": scheme, "participant": ids, **extra}, doseq=True)


def _rows(user: User, members: Any, scheme: str, *, posted: bool) -> list[Row]:
    """The form's rows with the person each names (None when unknown or out of scope)."""
    ids = _posted_ids(members) if posted else [str(f.initial["participant"]) for f in members]
    found = {str(p.pk): p for p in people_selectors.participants(user=user).filter(pk__in=ids)}
    covers = _covers(list(found.values()), scheme)
    rows = []
    for f in members.forms:
        pid = f.data.get(f.add_prefix("participant"), "") if posted else f.initial["participant"]
        person = found.get(str(pid))
        others = [i for i in ids if i != str(pid)]
        rows.append(Row(f, person, _paid_end(covers, person), _query(scheme, others)))
    return rows


def _paid_end(covers: dict[Any, Cover], person: Participant | None) -> dt.date | None:
    cover = covers.get(person.pk) if person is not None else None
    return cover.paid_until if cover is not None else None


def _found(user: User, query: str, scheme: str, ids: list[str]) -> list[dict[str, Any]]:
    """People matching a search, with the link that adds each to those already chosen."""
    if not query.strip():
        return []
    qs = people_selectors.participants(user=user, q=query).exclude(pk__in=ids)
    return [
        {
            "person": p,
            "citizen_id": mask_citizen_id(p.citizen_id),
            "add_url": _query(scheme, [*ids, str(p.pk)]),
        }
        for p in qs[:FOUND_LIMIT]
    ]


def _calc_rows(lines: list[premium.CalcLine]) -> list[dict[str, Any]]:
    """The calculation as table rows: a person's heading, his months, his sum, the total."""
    rows = []
    for n, line in enumerate(lines):
        if line.amount is None:
            kind = "head"
        elif n == len(lines) - 1:
            kind = "total"
        else:
            kind = "sub" if line.text.startswith(" ") else "line"
        rows.append({"text": line.text.strip(), "amount": line.amount, "kind": kind})
    return rows


def _row_of(rows: list[Row], message: str) -> Row | None:
    """The row a refusal is about: the person it names ("Người thứ 2", or his name)."""
    for n, row in enumerate(rows, start=1):
        if _("Người thứ %(n)s:") % {"n": n} in message:
            return row
    named = [r for r in rows if r.person is not None and r.person.name in message]
    return max(named, key=lambda r: len(r.person.name) if r.person else 0, default=None)


def _put_error(form: forms.EnrolForm, page: Page, rows: list[Row], exc: DomainError) -> None:
    """A business refusal shown next to the field or the person's row it is about."""
    if isinstance(exc, ACCESS_ERRORS):
        raise exc
    if exc.field in ("mode", "months", "payer_name"):
        form.add_error(exc.field, exc.message)
        return
    if exc.field in ("members", "income", "category", "evidence"):
        row = _row_of(rows, exc.message)
        if row is not None:
            row.errors.append(exc.message)
        else:
            page.member_errors.append(exc.message)
        return
    if exc.field == "request_key":
        # The key went with another payment: this form gets a new one.
        page.request_key = uuid.uuid4().hex
    form.add_error(None, exc.message)


def _preview(user: User, page: Page, data: services.EnrolmentIn) -> None:
    unit = page.session.unit if page.session is not None else _home_unit(user)
    if unit is None:
        raise DomainError(_("Tài khoản chưa gắn với đơn vị nào nên chưa tính tiền được."))
    planned = services.preview(user=user, point=unit, data=data)
    page.calc = _calc_rows(planned.lines)
    page.total = planned.quote.total
    page.support = planned.quote.support


def _pay(
    request: HttpRequest, user: User, page: Page, data: services.EnrolmentIn
) -> HttpResponse | None:
    if page.session is None:
        page.no_shift = True
        raise DomainError(
            _("Bạn chưa mở ca giao dịch; tiền được thu vào ca. Hãy mở ca tại quầy trước.")
        )
    payment = services.enrol(session=page.session, clerk=user, data=data)
    messages.success(
        request,
        _("Đã thu %(total)s, biên lai số %(no)s. In biên lai ngay dưới đây.")
        % {"total": format_vnd(payment.total), "no": payment.receipt_no},
    )
    return redirect("insurance:payment", pk=payment.pk)


def _submit(
    request: HttpRequest, user: User, page: Page
) -> tuple[forms.EnrolForm, Any, list[Row], HttpResponse | int]:
    """Read the posted form; price it ("Tính tiền") or take the money ("Thu tiền")."""
    scheme = _scheme_asked(request.POST) or page.chosen.scheme
    page.modes = _modes(scheme)
    form = forms.EnrolForm(request.POST, modes=list(page.modes))
    members = forms.MemberFormSet(request.POST, prefix=forms.MEMBER_PREFIX)
    rows = _rows(user, members, scheme, posted=True)
    if not (form.is_valid() and members.is_valid()):
        return form, members, rows, INVALID
    data = forms.enrolment_in(form, members, default_months=page.modes.get(form["mode"].value()))
    try:
        if "pay" in request.POST:
            done = _pay(request, user, page, data)
            if done is not None:
                return form, members, rows, done
        else:
            _preview(user, page, data)
    except DomainError as exc:
        _put_error(form, page, rows, exc)
        return form, members, rows, 409 if http_status(str(exc.code)) == 409 else INVALID
    return form, members, rows, 200


@guard(read="insurance.enrol", write="insurance.enrol")
def enrol(request: HttpRequest) -> HttpResponse:
    """Enrol or renew one person or a household: "Tính tiền" shows the price line by line,
    saving nothing; "Thu tiền" takes it into the clerk's open shift and shows the receipt."""
    user = require_user(request.user)
    chosen = _chosen(user, request.GET)
    page = Page(chosen, counter_selectors.open_session_of(user), _modes(chosen.scheme))
    status = 200
    if request.method == "POST":
        form, members, rows, outcome = _submit(request, user, page)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
        scheme = str(form["scheme"].value() or chosen.scheme)
    else:
        form, members = _blank_forms(chosen, page.modes)
        rows = _rows(user, members, chosen.scheme, posted=False)
        scheme = chosen.scheme
    return render(
        request,
        "insurance/enrol.html",
        _context(request, user, page, form=form, members=members, rows=rows, scheme=scheme),
        status=status,
    )


def _context(
    request: HttpRequest,
    user: User,
    page: Page,
    *,
    form: forms.EnrolForm,
    members: Any,
    rows: list[Row],
    scheme: str,
) -> dict[str, Any]:
    ids = [str(r.person.pk) for r in rows if r.person is not None]
    q = request.GET.get("q", "")[: people_selectors.MAX_QUERY]
    scheme = scheme if scheme in SchemeCode.values else page.chosen.scheme
    return {
        "page": page,
        "form": form,
        "members": members,
        "rows": rows,
        "scheme": scheme,
        "scheme_label": SchemeCode(scheme).label,
        "schemes": SchemeCode.choices,
        "voluntary": scheme == SchemeCode.VOLUNTARY_SOCIAL,
        "categories": forms.MemberForm.base_fields["category"].choices,  # type: ignore[attr-defined]
        "chosen_ids": ids,
        "q": q,
        "found": _found(user, q, scheme, ids),
        "reopen_url": _query(scheme, ids),
        "words": amount_in_words(page.total) if page.total is not None else "",
    }


# The payments list -----------------------------------------------------------------------


def _filters(user: User, query: QueryDict) -> tuple[dict[str, Any], list[str], PostUnit | None]:
    form = forms.PaymentFilterForm(query)
    values = cleaned_or_initial(form)
    errors = errors_of(form)
    unit = None
    if values["point"]:
        try:
            unit = network_selectors.unit_by_code(user, values["point"])
        except (NotFound, OutOfScope) as exc:
            errors.append(_("Mã điểm: ") + exc.message)
            values["point"] = ""
    return values, errors, unit


@guard(read="insurance.view")
def payments(request: HttpRequest) -> HttpResponse:
    """The payments taken in scope, filtered by point, scheme, dates and receipt number,
    paged; the same list as Excel."""
    user = require_user(request.user)
    values, errors, unit = _filters(user, request.GET)
    qs = payment_selectors.payments(
        user=user,
        point=unit,
        scheme=values["scheme"] or "",
        start=values["start"],
        end=values["end"],
        q=values["q"] or "",
    ).annotate(people=Count("lines"))
    if values["format"] == "xlsx":
        return _export(user, qs)
    context = {
        "values": values,
        "errors": errors,
        "page": Paginator(qs, PER_PAGE).get_page(request.GET.get("page")),
        "schemes": SchemeCode.choices,
    }
    return render(request, "insurance/payments.html", context)


def _export(user: User, qs: QuerySet[Payment]) -> HttpResponse:
    audit.record_access(
        actor=user,
        action="insurance.payments_exported",
        object_type="insurance.payment",
        count=qs.count(),
        unit_path=scope_of(user).path or "",
        note=_("Xuất danh sách lần đóng BHXH, BHYT ra Excel"),
    )
    rows = (
        [
            p.receipt_no,
            timezone.localtime(p.paid_at).replace(tzinfo=None),
            p.business_date,
            p.point.code,
            p.point.name,
            p.scheme.name,
            ModeCode(p.mode).label if p.mode in ModeCode.values else p.mode,
            p.months,
            p.people,  # type: ignore[attr-defined]
            p.payer_name,
            p.total,
            p.support,
            _("Có") if p.at_home else "",
            p.clerk.display_name,
        ]
        for p in qs.iterator(chunk_size=2000)
    )
    headers = [
        _("Số biên lai"),
        _("Thu lúc"),
        _("Ngày nghiệp vụ"),
        _("Mã điểm"),
        _("Điểm"),
        _("Loại bảo hiểm"),
        _("Phương thức đóng"),
        _("Số tháng"),
        _("Số người"),
        _("Người nộp tiền"),
        _("Số tiền (đồng)"),
        _("Nhà nước hỗ trợ (đồng)"),
        _("Thu tại nhà"),
        _("Nhân viên"),
    ]
    content = export_xlsx(title=_("Lần đóng BHXH, BHYT"), headers=headers, rows=rows)
    return xlsx_response(content, "lan-dong-bao-hiem.xlsx")


# The receipt -----------------------------------------------------------------------------


def _span(stored: dict[str, Any]) -> premium.Span:
    return premium.Span(
        first=dt.date.fromisoformat(str(stored["first"])),
        last=dt.date.fromisoformat(str(stored["last"])),
        months=int(stored["months"]),
        gross_each=int(stored["gross_each"]),
        support_each=int(stored["support_each"]),
        support_share_bp=int(stored["support_share_bp"]),
        base=int(stored["base"]),
        rate_bp=int(stored["rate_bp"]),
        member_bp=int(stored["member_bp"]),
    )


def _person_quote(line: PaymentLine) -> premium.PersonQuote:
    """One person's part of the quote, as it was stored with his line."""
    member = premium.Member(
        name=line.participant.name,
        start=line.period_from,
        order=line.member_order,
        income=line.income,
        category=line.category,
    )
    return premium.PersonQuote(
        member=member,
        period_from=line.period_from,
        period_to=line.period_to,
        months=line.months,
        spans=tuple(_span(s) for s in line.detail),
        gross=line.gross,
        support=line.support,
        adjustment=line.amount - line.gross + line.support,
        supported_months=line.supported_months,
    )


def _calculation(found: Payment, lines: list[PaymentLine]) -> list[premium.CalcLine]:
    """The calculation line by line, rebuilt from the stored detail (none if unreadable)."""
    try:
        people = tuple(_person_quote(line) for line in lines)
    except (KeyError, TypeError, ValueError):
        return []
    quote = premium.Quote(
        scheme=str(found.scheme_id), mode=found.mode, months=found.months, people=people
    )
    return premium.calculation(quote)


@guard(read="insurance.view")
def payment(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A payment's receipt (biên lai thu tiền): who paid what for whom, from when to when,
    the calculation and the amount in words; each person's line with the agency's answer."""
    user = require_user(request.user)
    found = payment_selectors.payment(user=user, pk=pk)
    lines = payment_selectors.lines_of(found)
    context = {
        "payment": found,
        "mode_label": ModeCode(found.mode).label if found.mode in ModeCode.values else found.mode,
        "lines": [(line, STATE_BADGES.get(line.state, "")) for line in lines],
        "calc": _calc_rows(_calculation(found, lines)),
        "words": amount_in_words(found.total),
    }
    return render(request, "insurance/receipt.html", context)


urlpatterns: list[URLPattern] = [
    path("dong-tien/", enrol, name="enrol"),
    path("lan-dong/", payments, name="payments"),
    path("lan-dong/<uuid:pk>/", payment, name="payment"),
]
