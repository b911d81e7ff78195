"""People, households and their covers, scoped: a clerk his point's, an area manager his
area's, the social-insurance agency's officer the whole province's; nobody else's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import clock
from buudien.core.errors import NotFound
from buudien.core.ids import is_uuid
from buudien.core.permissions import Target
from buudien.core.scoping import Actor, scope_of, scoped_by_unit
from buudien.core.text import search_terms
from buudien.insurance.models import (
    Cover,
    Household,
    InsuranceDay,
    Participant,
    Payment,
    Scheme,
)

MAX_QUERY = 100
SORTS = {
    "name": ("name",),
    "hamlet": ("point__name", "hamlet", "name"),
    "-created": ("-created_at",),
}
STATES = ("active", "due", "lapsed", "none")
DUE_DAYS = 30


def agency_ids() -> set[Any]:
    """The agencies the post collects insurance for."""
    return set(Scheme.objects.values_list("agency_id", flat=True))


def visible(qs: QuerySet[Any], user: Actor, unit_field: str) -> QuerySet[Any]:
    """Post staff by their subtree; an agency officer only when his agency is the insurer."""
    scope = scope_of(user)
    officer = not scope.everything and scope.partner_id is not None
    if officer and scope.partner_id not in agency_ids():
        return qs.none()
    return scoped_by_unit(qs, user, unit_field=unit_field)


def target(point: Any) -> Target:
    """What an insurance action is about: the point, and the agency it collects for."""
    ids = sorted(agency_ids(), key=str)
    return Target(path=point.path, agency_id=ids[0] if ids else None)


def today() -> dt.date:
    return timezone.localdate(clock.now())


def participants(
    *,
    user: Actor,
    q: str = "",
    point: Any = None,
    hamlet: str = "",
    scheme: str = "",
    state: str = "",
    sort: str = "hamlet",
) -> QuerySet[Participant]:
    """The people at the points in scope, narrowed by a search (name, CCCD, BHXH number,
    hamlet, without accents), point, hamlet, and the state of their cover in a scheme."""
    qs = visible(Participant.objects.select_related("point", "household"), user, "point")
    for term in search_terms(str(q or "")[:MAX_QUERY]):
        qs = qs.filter(search_text__contains=term)
    if point is not None:
        qs = qs.filter(point=point)
    if hamlet:
        qs = qs.filter(hamlet=hamlet[:120])
    qs = _by_state(qs, scheme, state)
    return qs.order_by(*SORTS.get(sort, SORTS["hamlet"]))


def _by_state(qs: QuerySet[Participant], scheme: str, state: str) -> QuerySet[Participant]:
    if state not in STATES:
        return qs.filter(covers__scheme_id=scheme).distinct() if scheme else qs
    day = today()
    covers = Cover.objects.filter(scheme_id=scheme) if scheme else Cover.objects.all()
    if state == "none":
        return qs.exclude(pk__in=covers.values("participant_id"))
    ranges = {
        "active": Q(paid_until__gte=day),
        "due": Q(paid_until__gte=day, paid_until__lte=day + dt.timedelta(days=DUE_DAYS)),
        "lapsed": Q(paid_until__lt=day),
    }
    return qs.filter(pk__in=covers.filter(ranges[state]).values("participant_id"))


def participant(*, user: Actor, pk: Any) -> Participant:
    """One person in scope; unknown and out of scope alike are "not found"."""
    found = participants(user=user).filter(pk=pk).first() if is_uuid(pk) else None
    if found is None:
        raise NotFound(_("Không tìm thấy người tham gia này."), field="participant")
    return found


def covers_of(person: Participant) -> list[Cover]:
    return list(person.covers.select_related("scheme").order_by("scheme"))


def payments_of(person: Participant) -> list[Payment]:
    return list(
        Payment.objects.filter(lines__participant=person)
        .select_related("scheme", "point")
        .distinct()
        .order_by("-paid_at")
    )


def households(*, user: Actor, q: str = "", point: Any = None) -> QuerySet[Household]:
    qs = visible(Household.objects.select_related("point"), user, "point")
    for term in search_terms(str(q or "")[:MAX_QUERY]):
        qs = qs.filter(search_text__contains=term)
    if point is not None:
        qs = qs.filter(point=point)
    return qs.order_by("point__name", "hamlet", "head_name")


def household(*, user: Actor, pk: Any) -> Household:
    found = households(user=user).filter(pk=pk).first() if is_uuid(pk) else None
    if found is None:
        raise NotFound(_("Không tìm thấy hộ gia đình này."), field="household")
    return found


def members_of(home: Household) -> list[Participant]:
    return list(home.members.order_by("created_at"))


def health_covers(home: Household) -> dict[Any, Cover]:
    """The household health cover of each member, by person."""
    return {
        c.participant_id: c
        for c in Cover.objects.filter(participant__household=home, scheme_id="household_health")
    }


def state_of(cover: Cover, day: dt.date | None = None) -> str:
    """A cover's state on a day: "lapsed" once its paid period ended, "due" when it ends
    within 30 days, else "active"."""
    first = day or today()
    if cover.paid_until < first:
        return "lapsed"
    if cover.paid_until <= first + dt.timedelta(days=DUE_DAYS):
        return "due"
    return "active"


def hamlets_of_people(*, user: Actor, point: Any = None) -> list[str]:
    """The hamlets of the people in scope (of one point if given), for the list's filter."""
    qs = participants(user=user, point=point).exclude(hamlet="").order_by()
    return sorted(set(qs.values_list("hamlet", flat=True)))[:500]


def active_by_scheme(*, user: Actor, day: dt.date | None = None) -> list[tuple[Scheme, int]]:
    """How many people in scope have a cover paid to today or later, for each scheme."""
    first = day or today()
    covers = visible(Cover.objects.filter(paid_until__gte=first), user, "point")
    counts = dict(
        covers.order_by().values_list("scheme_id").annotate(n=Count("participant", distinct=True))
    )
    return [(s, counts.get(s.code, 0)) for s in Scheme.objects.order_by("code")]


def month_enrolments(*, user: Actor, day: dt.date | None = None) -> list[dict[str, Any]]:
    """This month's enrolments (people paid for), new people and money in scope, by scheme,
    from the daily rollup."""
    last = day or today()
    rows = visible(
        InsuranceDay.objects.filter(day__gte=last.replace(day=1), day__lte=last), user, "unit"
    )
    sums = {
        r["scheme_id"]: r
        for r in rows.order_by()
        .values("scheme_id")
        .annotate(enrolments=Sum("enrolments"), new_people=Sum("new_people"), amount=Sum("amount"))
    }
    empty = {"enrolments": 0, "new_people": 0, "amount": 0}
    return [
        {"scheme": s, **{k: sums.get(s.code, empty)[k] or 0 for k in empty}}
        for s in Scheme.objects.order_by("code")
    ]


def covers_by_person(people: list[Participant]) -> dict[Any, list[Cover]]:
    """The covers of the people on a list's page, by person, in scheme order."""
    found: dict[Any, list[Cover]] = {p.pk: [] for p in people}
    for c in (
        Cover.objects.filter(participant__in=people).select_related("scheme").order_by("scheme")
    ):
        found[c.participant_id].append(c)
    return found


def member_counts(homes: list[Household]) -> dict[Any, int]:
    """How many members each household on a list's page has."""
    rows = (
        Participant.objects.filter(household__in=homes)
        .order_by()
        .values_list("household_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)
