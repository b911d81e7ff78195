"""The declaration lists sent to the social-insurance agency, scoped: post staff see the lists
of the units in their subtree, the agency's officer the lists of his agency in his province,
an officer of any other agency nothing; and the payment lines still waiting to be declared."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from buudien.core.errors import NotFound
from buudien.core.ids import is_uuid
from buudien.core.scoping import Actor, scope_of
from buudien.insurance.models import Declaration, Payment, PaymentLine, SchemeCode
from buudien.insurance.selectors.participants import visible

SORTS = {
    "number": ("number",),
    "scheme": ("scheme", "-created_at"),
    "unit": ("unit__name", "-created_at"),
    "lines": ("lines", "-created_at"),
    "total": ("total", "-created_at"),
    "state": ("state", "-created_at"),
    "created": ("created_at",),
}
LINE_ORDER = ("payment__point__name", "participant__hamlet", "participant__name", "period_from")


def _of_agency(qs: QuerySet[Any], user: Actor, scheme_field: str) -> QuerySet[Any]:
    """An agency officer sees only the schemes his agency insures."""
    scope = scope_of(user)
    if scope.everything or scope.partner_id is None:
        return qs
    return qs.filter(**{f"{scheme_field}__agency_id": scope.partner_id})


def ordering(sort: str) -> list[str]:
    """A list's order by its sort key ("-key" reverses it); newest first by default."""
    key = sort.removeprefix("-")
    if key not in SORTS:
        return ["-created_at"]
    if sort.startswith("-"):
        return [f.removeprefix("-") if f.startswith("-") else f"-{f}" for f in SORTS[key]]
    return list(SORTS[key])


def declarations(
    *,
    user: Actor,
    scheme: str = "",
    state: str = "",
    unit: Any = None,
    q: str = "",
    sort: str = "",
) -> QuerySet[Declaration]:
    """The lists in scope, narrowed by scheme, state, a unit's subtree and a number."""
    qs = visible(
        Declaration.objects.select_related("scheme", "unit", "made_by", "confirmed_by"),
        user,
        "unit",
    )
    qs = _of_agency(qs, user, "scheme")
    if scheme in SchemeCode.values:
        qs = qs.filter(scheme_id=scheme)
    if state in Declaration.State.values:
        qs = qs.filter(state=state)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if q:
        qs = qs.filter(number__icontains=str(q).strip()[:30])
    return qs.order_by(*ordering(sort))


def declaration(*, user: Actor, pk: Any) -> Declaration:
    """One list in scope; unknown and out of scope alike are "not found"."""
    found = declarations(user=user).filter(pk=pk).first() if is_uuid(pk) else None
    if found is None:
        raise NotFound(_("Không tìm thấy danh sách kê khai này."), field="declaration")
    return found


def lines(found: Declaration) -> QuerySet[PaymentLine]:
    """A list's lines in the order of the agency's list, with their people."""
    return (
        PaymentLine.objects.filter(payment__declaration=found)
        .select_related("participant", "payment__point")
        .order_by(*LINE_ORDER)
    )


def answers(found: Declaration) -> dict[str, int]:
    """How many of a list's lines are waiting, confirmed and refused by the agency."""
    counted = dict(
        PaymentLine.objects.filter(payment__declaration=found)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {state: counted.get(state, 0) for state in PaymentLine.State.values}


def undeclared(*, user: Actor, unit: Any = None) -> QuerySet[PaymentLine]:
    """The payment lines in scope not yet on any list (under a unit, if one is given)."""
    payments = visible(Payment.objects.filter(declaration__isnull=True), user, "point")
    payments = _of_agency(payments, user, "scheme")
    if unit is not None:
        payments = payments.filter(point__path__startswith=unit.path)
    return PaymentLine.objects.filter(payment__in=payments.values("pk"))


def waiting(*, user: Actor, unit: Any = None) -> dict[str, int]:
    """Per scheme, the payment lines in scope that wait to be declared."""
    counted = dict(
        undeclared(user=user, unit=unit)
        .values_list("payment__scheme_id")
        .annotate(n=Count("pk"))
        .values_list("payment__scheme_id", "n")
    )
    return {code: counted.get(code, 0) for code in SchemeCode.values}
