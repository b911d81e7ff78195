"""Pensions and allowances paid from the counter's basket: the lines a clerk can pay today at
his point, found by the person's name or citizen id, each settled once through `pay`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.core.errors import DomainError
from buudien.core.ids import mask_citizen_id
from buudien.core.text import search_terms
from buudien.counter import services as counter_services
from buudien.payouts import selectors, services
from buudien.payouts.operations import clash

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.counter.models import CounterSession, CounterTransaction
    from buudien.counter.services import BasketLine
    from buudien.payouts.models import Beneficiary, Payout

KIND = "payout"
MAX_FOUND = 10


def payable_today(user: User, session: CounterSession) -> QuerySet[Payout]:
    """Lines of this point that can be paid at its counter today: waiting, the person
    active, the list open and in its paying window."""
    today = timezone.localdate()
    return (
        selectors.scoped_lines(user=user)
        .filter(
            point_id=session.unit_id,
            status="pending",
            method__in=("counter", "home"),
            beneficiary__status="active",
            list__state="open",
            list__month__year=today.year,
            list__month__month=today.month,
            list__programme__window_start__lte=today.day,
            list__programme__window_end__gte=today.day,
        )
        .select_related("beneficiary", "list__programme")
    )


def _authorised(person: Beneficiary) -> str:
    """The authorised receiver's name while his authorisation holds, else nothing."""
    until = person.authorised_until
    valid = until is not None and until >= timezone.localdate()
    return person.authorised_name if valid else ""


def _candidate(line: Payout) -> counter_services.Candidate:
    person = line.beneficiary
    return counter_services.Candidate(
        kind=KIND,
        ref=str(line.pk),
        label=_("Chi trả: %(name)s") % {"name": person.name},
        detail=f"{line.list.programme.name} · {line.list.month:%m/%Y} · "
        f"{mask_citizen_id(person.citizen_id)}",
        amount=line.amount,
        direction="out",
        authorised=_authorised(person),
    )


def search(user: User, session: CounterSession, query: str) -> list[counter_services.Candidate]:
    terms = search_terms(selectors.clean_text(query))
    if not terms:
        return []
    qs = payable_today(user, session)
    for term in terms:
        qs = qs.filter(
            Q(beneficiary__search_text__contains=term) | Q(beneficiary__citizen_id__startswith=term)
        )
    return [_candidate(line) for line in qs.order_by("beneficiary__name")[:MAX_FOUND]]


def find(user: User, session: CounterSession, ref: str) -> counter_services.Candidate | None:
    number = ref if ref.isdigit() else "0"
    line = payable_today(user, session).filter(pk=int(number)).first()
    return _candidate(line) if line is not None else None


def settle(
    user: User, session: CounterSession, item: BasketLine, txn: CounterTransaction, key: str
) -> None:
    """Pay the line to the person or to his authorised receiver, as one line of the
    customer's transaction; at the counter the authorised one shows his citizen id."""
    receiver_id = item.receiver_id.strip()
    if item.receiver == "authorised" and not receiver_id:
        raise DomainError(
            _("Người được ủy quyền nhận: cần nhập số CCCD của người nhận."), field="receiver_id"
        )
    line = selectors.line(user=user, pk=item.ref)
    services.pay(
        payout=line,
        clerk=user,
        session=session,
        receiver=item.receiver,
        receiver_id=receiver_id,
        idempotency_key=key,
        counter_transaction=txn,
    )


def register() -> None:
    counter_services.register_basket_source(
        counter_services.Source(
            kind=KIND,
            label=gettext_lazy("Chi trả"),
            search=search,
            settle=settle,
            find=find,
            clash=clash,
        )
    )
