"""Insurance pages about people: the participants (list, export, record, new, edit), the
households (list, record, new) and the rules in force."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from buudien.core import audit
from buudien.core.errors import DomainError, Forbidden, NotFound, OutOfScope, StaleRecord
from buudien.core.excel import export_xlsx, xlsx_response
from buudien.core.ids import mask_citizen_id, mask_phone
from buudien.core.permissions import guard
from buudien.core.scoping import require_user, scope_of
from buudien.insurance import people_forms as forms
from buudien.insurance import services
from buudien.insurance.models import Cover, Household, Participant, SchemeCode
from buudien.insurance.selectors import participants as selectors
from buudien.insurance.selectors import rules as rule_selectors
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from django import forms as django_forms

    from buudien.core.models import User
    from buudien.network.models import PostUnit

ACCESS_ERRORS = (Forbidden, NotFound, OutOfScope)
PER_PAGE = 50
INVALID = 422
STALE = 409
COMMUNES_OFFERED = 400
STATE_BADGES = {"active": "ok", "due": "warn", "lapsed": "bad"}


def home_point(user: User) -> PostUnit | None:
    """The commune point the user works at, if his home unit is one."""
    try:
        unit = network_selectors.home_unit(user=user)
    except DomainError:
        return None
    return unit if unit.kind == "commune_point" else None


def page_of(request: HttpRequest, items: Any) -> Page[Any]:
    """One page of a list (50 lines); a page number out of range shows the last page."""
    return Paginator(items, PER_PAGE).get_page(str(request.GET.get("page", ""))[:12])


def put_error(form: django_forms.Form, exc: DomainError) -> None:
    """A business refusal shown next to the field it names (else above the form)."""
    if isinstance(exc, ACCESS_ERRORS):
        raise exc
    field = exc.field if exc.field in form.fields else None
    if field is not None and form.fields[field].widget.is_hidden:
        field = None
    form.add_error(field, exc.message)


def cover_rows(covers: list[Cover]) -> list[tuple[Cover, str, str]]:
    """Each cover with its state and the badge that shows it."""
    return [(c, s, STATE_BADGES[s]) for c in covers for s in [selectors.state_of(c)]]


def _communes(user: User) -> list[tuple[int, str]]:
    rows = network_selectors.communes_near(user=user).values_list("code", "name")
    return list(rows[:COMMUNES_OFFERED])


# Participants ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    """A person as a list shows him: ids and phone masked, covers with their state."""

    person: Participant
    citizen_id: str
    phone: str
    covers: list[tuple[Cover, str, str]]


def _people(user: User, form: forms.PeopleFilters) -> QuerySet[Participant]:
    return selectors.participants(
        user=user,
        q=form.text("q"),
        point=form.value("point"),
        hamlet=form.text("hamlet"),
        scheme=form.text("scheme"),
        state=form.text("state"),
        sort=form.text("sort") or "hamlet",
    )


@guard(read="insurance.view")
def participants(request: HttpRequest) -> HttpResponse:
    """The people in scope, searched without accents and filtered; ids and phones masked."""
    user = require_user(request.user)
    form = forms.PeopleFilters(request.GET, user=user)
    problems = form.problems()
    qs = _people(user, form)
    if form.value("format") == "xlsx":
        return _people_xlsx(user, qs)
    page = page_of(request, qs)
    people = list(page.object_list)
    covers = selectors.covers_by_person(people)
    rows = [
        PersonRow(p, mask_citizen_id(p.citizen_id), mask_phone(p.phone), cover_rows(covers[p.pk]))
        for p in people
    ]
    context = {
        "form": form,
        "problems": problems,
        "page": page,
        "rows": rows,
        "points": forms.point_choices(user),
        "hamlets": selectors.hamlets_of_people(user=user, point=form.value("point")),
        "schemes": SchemeCode.choices,
        "states": forms.STATES,
        "sorts": forms.SORTS,
        "section": "participants",
    }
    return render(request, "insurance/people_list.html", context)


def _paid_until(person: Participant, scheme: str) -> Any:
    return next((c.paid_until for c in person.covers.all() if c.scheme_id == scheme), None)


def _people_xlsx(user: User, qs: QuerySet[Participant]) -> HttpResponse:
    """The filtered list as Excel, ids and phones masked; the bulk access is recorded."""
    audit.record_access(
        actor=user,
        action="insurance.participants_exported",
        object_type="insurance.participant",
        count=qs.count(),
        unit_path=scope_of(user).path or "",
        note=_("Xuất danh sách người tham gia bảo hiểm ra Excel"),
    )
    rows = (
        [
            p.name,
            mask_citizen_id(p.citizen_id),
            mask_citizen_id(p.si_number),
            p.birth_date,
            mask_phone(p.phone),
            p.hamlet,
            p.household.head_name if p.household else "",
            p.point.name,
            _paid_until(p, SchemeCode.VOLUNTARY_SOCIAL),
            _paid_until(p, SchemeCode.HOUSEHOLD_HEALTH),
        ]
        for p in qs.prefetch_related("covers").iterator(chunk_size=2000)
    )
    headers = [
        _("Họ tên"),
        _("Số CCCD"),
        _("Mã số BHXH"),
        _("Ngày sinh"),
        _("Điện thoại"),
        _("Thôn, bản"),
        _("Chủ hộ"),
        _("Điểm"),
        _("BHXH tự nguyện đóng đến"),
        _("BHYT hộ gia đình đóng đến"),
    ]
    content = export_xlsx(
        title=_("Người tham gia bảo hiểm"), headers=headers, rows=rows, sheet=_("Người tham gia")
    )
    return xlsx_response(content, "nguoi-tham-gia-bao-hiem.xlsx")


def _household_given(user: User, value: Any) -> Household | None:
    """The household a new member joins (from ?household=), if it is one the user sees."""
    try:
        return selectors.household(user=user, pk=str(value or "")[:40]) if value else None
    except NotFound:
        return None


def _new_person_initial(home: Household | None) -> dict[str, Any]:
    if home is None:
        return {}
    return {
        "household": home.pk,
        "hamlet": home.hamlet,
        "commune_code": home.commune_id,
        "point": home.point.code,
    }


def _register(
    request: HttpRequest, user: User, form: forms.NewPersonForm, point: PostUnit | None
) -> HttpResponse | None:
    chosen = point or form.cleaned_data.get("point")
    if chosen is None:
        form.add_error(None, _("Hãy chọn điểm BĐ-VHX."))
        return None
    try:
        person = services.register_participant(actor=user, point=chosen, data=form.person_in())
    except DomainError as exc:
        put_error(form, exc)
        return None
    messages.success(request, _("Đã thêm người tham gia %(name)s.") % {"name": person.name})
    return redirect("insurance:participant", pk=person.pk)


@guard(read="insurance.enrol", write="insurance.enrol")
def participant_new(request: HttpRequest) -> HttpResponse:
    """Register a person at the user's point (or a point he chooses), with his consent; a
    likely duplicate is shown and the clerk confirms it is another person."""
    user = require_user(request.user)
    point = home_point(user)
    data = request.POST if request.method == "POST" else request.GET
    home = _household_given(user, data.get("household"))
    status = 200
    if request.method == "POST":
        form = forms.NewPersonForm(request.POST, user=user, choose_point=point is None)
        if form.is_valid():
            done = _register(request, user, form, point)
            if done is not None:
                return done
        status = INVALID
    else:
        initial = _new_person_initial(home)
        form = forms.NewPersonForm(initial=initial, user=user, choose_point=point is None)
    context = {
        "form": form,
        "point": point,
        "household": home,
        "duplicate": "not_a_duplicate" in form.errors or form.data.get("not_a_duplicate"),
        "communes": _communes(user),
        "section": "participants",
    }
    return render(request, "insurance/people_new.html", context, status=status)


@guard(read="insurance.view")
def participant(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A person's full record (CCCD and phone in full), his covers and his payments."""
    user = require_user(request.user)
    found = selectors.participant(user=user, pk=pk)
    context = {
        "person": found,
        "covers": cover_rows(selectors.covers_of(found)),
        "payments": selectors.payments_of(found),
        "section": "participants",
    }
    return render(request, "insurance/people_detail.html", context)


@guard(read="insurance.enrol", write="insurance.enrol")
def participant_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Correct a person's record; a form opened before someone else's change is refused."""
    user = require_user(request.user)
    found = selectors.participant(user=user, pk=pk)
    form = forms.EditPersonForm.of(found)
    status = 200
    if request.method == "POST":
        form = forms.EditPersonForm(request.POST)
        if form.is_valid():
            done = _update(request, user, found, form)
            if done is not None:
                return done
        status = STALE if form.has_error("__all__", "stale") else INVALID
    context = {
        "person": found,
        "form": form,
        "communes": _communes(user),
        "section": "participants",
    }
    return render(request, "insurance/people_edit.html", context, status=status)


def _update(
    request: HttpRequest, user: User, found: Participant, form: forms.EditPersonForm
) -> HttpResponse | None:
    try:
        services.update_participant(
            actor=user,
            participant=found,
            data=form.person_in(),
            expected_version=form.cleaned_data["version"],
        )
    except StaleRecord as exc:
        form.add_error(None, ValidationError(exc.message, code="stale"))
        return None
    except DomainError as exc:
        put_error(form, exc)
        return None
    messages.success(request, _("Đã lưu hồ sơ người tham gia."))
    return redirect("insurance:participant", pk=found.pk)


# Households --------------------------------------------------------------------------------


@guard(read="insurance.view")
def households(request: HttpRequest) -> HttpResponse:
    """The households in scope, searched without accents, by point."""
    user = require_user(request.user)
    form = forms.HouseholdFilters(request.GET, user=user)
    problems = form.problems()
    qs = selectors.households(user=user, q=form.text("q"), point=form.value("point"))
    page = page_of(request, qs)
    homes = list(page.object_list)
    counts = selectors.member_counts(homes)
    context = {
        "form": form,
        "problems": problems,
        "page": page,
        "rows": [(h, counts.get(h.pk, 0)) for h in homes],
        "points": forms.point_choices(user),
        "section": "households",
    }
    return render(request, "insurance/people_households.html", context)


@guard(read="insurance.enrol", write="insurance.enrol")
def household_new(request: HttpRequest) -> HttpResponse:
    """Open a household at the user's point (or a point he chooses)."""
    user = require_user(request.user)
    point = home_point(user)
    status = 200
    form = forms.HouseholdForm(user=user, choose_point=point is None)
    if request.method == "POST":
        form = forms.HouseholdForm(request.POST, user=user, choose_point=point is None)
        if form.is_valid():
            done = _create_household(request, user, form, point)
            if done is not None:
                return done
        status = INVALID
    context = {"form": form, "point": point, "section": "households"}
    return render(request, "insurance/people_household_new.html", context, status=status)


def _create_household(
    request: HttpRequest, user: User, form: forms.HouseholdForm, point: PostUnit | None
) -> HttpResponse | None:
    chosen = point or form.cleaned_data.get("point")
    if chosen is None:
        form.add_error(None, _("Hãy chọn điểm BĐ-VHX."))
        return None
    try:
        home = services.create_household(actor=user, point=chosen, data=form.household_in())
    except DomainError as exc:
        put_error(form, exc)
        return None
    messages.success(
        request, _("Đã lập hộ gia đình %(name)s. Hãy thêm các thành viên.") % {"name": home}
    )
    return redirect("insurance:household", pk=home.pk)


@guard(read="insurance.view")
def household(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A household's members, each with his household health cover and its state."""
    user = require_user(request.user)
    home = selectors.household(user=user, pk=pk)
    covers = selectors.health_covers(home)
    rows = []
    for member in selectors.members_of(home):
        cover = covers.get(member.pk)
        state = selectors.state_of(cover) if cover is not None else ""
        rows.append((member, mask_phone(member.phone), cover, state, STATE_BADGES.get(state, "")))
    context = {"household": home, "rows": rows, "section": "households"}
    return render(request, "insurance/people_household.html", context)


# Rules ------------------------------------------------------------------------------------


def percent(bp: int | None) -> str:
    """Basis points as a percentage with a decimal comma: 450 → '4,5%'."""
    if bp is None:
        return ""
    whole, rest = divmod(int(bp), 100)
    return f"{whole}%" if not rest else f"{whole},{rest:02d}".rstrip("0") + "%"


def _rate_row(r: Any) -> tuple[Any, str, list[str], str]:
    shares = [percent(x) for x in r.member_shares_bp or []]
    return (r, percent(r.contribution_bp), shares, percent(r.discount_bp))


def _scheme_sections(page: dict[str, Any]) -> list[dict[str, Any]]:
    """Each scheme with its own rates, supports and modes, for one card each."""
    return [
        {
            "scheme": s,
            "rates": [_rate_row(r) for r in page["rates"] if r.scheme_id == s.code],
            "supports": [
                (x, percent(x.share_bp)) for x in page["supports"] if x.scheme_id == s.code
            ],
            "modes": [m for m in page["modes"] if m.scheme_id == s.code],
        }
        for s in page["schemes"]
    ]


@guard(read="insurance.rules")
def rules(request: HttpRequest) -> HttpResponse:
    """The rules in force and before, each row with its effective date and legal source."""
    require_user(request.user)
    page = rule_selectors.rules_page()
    context = {
        "sections": _scheme_sections(page),
        "salaries": page["salaries"],
        "commissions": [
            (scheme, [(t, percent(t.rate_bp)) for t in tariffs])
            for scheme, tariffs in page["commissions"]
        ],
        "section": "rules",
    }
    return render(request, "insurance/rules.html", context)


urlpatterns: list[URLPattern] = [
    path("nguoi-tham-gia/", participants, name="participants"),
    path("nguoi-tham-gia/them/", participant_new, name="participant_new"),
    path("nguoi-tham-gia/<uuid:pk>/", participant, name="participant"),
    path("nguoi-tham-gia/<uuid:pk>/sua/", participant_edit, name="participant_edit"),
    path("ho-gia-dinh/", households, name="households"),
    path("ho-gia-dinh/them/", household_new, name="household_new"),
    path("ho-gia-dinh/<uuid:pk>/", household, name="household"),
    path("quy-dinh/", rules, name="rules"),
]
