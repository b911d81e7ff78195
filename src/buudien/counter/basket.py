"""Sources of basket lines that belong to other modules (a pension to pay out, …).

The counter sits below the workflow apps, so it cannot call them: each app registers here,
when it starts, a source that finds what can be settled at this counter today and settles
one of them through its own service, as one line of the customer's transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from buudien.core.journal import Flag
    from buudien.core.models import User
    from buudien.counter.models import CounterSession, CounterTransaction
    from buudien.counter.services.checkout import BasketLine


@dataclass(frozen=True, slots=True)
class Candidate:
    """Something a source offers for the basket: its reference, what it is, its money."""

    kind: str
    ref: str
    label: str
    detail: str
    amount: int
    direction: str  # "in": the customer pays; "out": the customer receives
    # A line paid out may be taken by someone the person authorised: his name, if any.
    authorised: str = ""


@dataclass(frozen=True, slots=True)
class Source:
    """One module's basket lines: how to find them and how to settle one."""

    kind: str
    label: str | Promise
    search: Callable[[User, CounterSession, str], list[Candidate]]
    # settle(user, session, line, transaction, key) records the line (its ref, its receiver)
    # through the module's own service, exactly once, as a line of the transaction.
    settle: Callable[[User, CounterSession, BasketLine, CounterTransaction, str], Any]
    # find(user, session, ref): the candidate again, to show it in a basket kept on error.
    find: Callable[[User, CounterSession, str], Candidate | None]
    # clash(ref, receipt): when a point pushes a line paid offline that was settled at the
    # province meanwhile, what a manager must see (both receipts, the cash); else None.
    clash: Callable[[str, str], Flag | None] | None = None


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    """Called from an app's ready(); registering the same kind again replaces it."""
    _SOURCES[source.kind] = source


def source(kind: str) -> Source | None:
    return _SOURCES.get(kind)


def sources() -> list[Source]:
    return list(_SOURCES.values())
