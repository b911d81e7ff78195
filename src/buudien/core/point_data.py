"""What a commune point's laptop receives from the province, declared by each app.

Each app names, in its own `point_data.py`, the rows a point needs (a `Section`: querysets
for one point, parents first) and registers them when it starts; `sync.pull` walks this
registry in order, sends the rows and keeps the laptop's copy, knowing nothing of the apps.
Only the point's own personal data is named: its users, its open payout lines and their
people, its open dossiers.

The users section is core's own: the point's users with their password hash (the clerk logs
in on the laptop with her usual password, and a user disabled at the province is refused
there after the next pull), and the people the other sections' rows name (who took in a
dossier, who imported a list) by name only, unable to log in on the laptop.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q, QuerySet

from buudien.core.models import User

# A password no hash ever matches: the person is named on the laptop, not let in.
NO_LOGIN = UNUSABLE_PASSWORD_PREFIX


@dataclass(frozen=True)
class Rows:
    """Rows of one model for the laptop, with what to change in each before it leaves."""

    queryset: QuerySet[Any]
    shape: Callable[[dict[str, Any]], dict[str, Any]] | None = None


@dataclass(frozen=True)
class Section:
    """One part of a point's data: sent again whole when anything in it changed.

    `rows` gives its querysets for a point, parents first (a model belongs to one section);
    `mutable` marks what the point changes offline (its payout lines, its dossiers), not
    sent while its own operations wait to reach the province; `people` gives the ids of the
    users its rows refer to; `retire` is what happens on the laptop to a row the province no longer
    sends, before it is deleted (if nothing local holds it)."""

    name: str
    order: int
    rows: Callable[[uuid.UUID], list[QuerySet[Any] | Rows]]
    mutable: bool = False
    people: Callable[[uuid.UUID], list[QuerySet[Any]]] | None = None
    retire: Callable[[QuerySet[Any]], object] | None = None

    def sources(self, point_id: uuid.UUID) -> list[Rows]:
        return [r if isinstance(r, Rows) else Rows(r) for r in self.rows(point_id)]


_SECTIONS: dict[str, Section] = {}


def register(*sections: Section) -> None:
    for section in sections:
        _SECTIONS[section.name] = section


def sections() -> list[Section]:
    """The sections in the order they travel: parents before the rows that refer to them."""
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.name))


def section(name: str) -> Section | None:
    return _SECTIONS.get(name)


# --- core's own section: the users --------------------------------------------------------


def _own(row: dict[str, Any]) -> dict[str, Any]:
    # The last login changes at every login at the province: not worth a new pull.
    row["fields"].pop("last_login", None)
    return row


def _named_only(row: dict[str, Any]) -> dict[str, Any]:
    row["fields"].pop("last_login", None)
    row["fields"].update(
        password=NO_LOGIN,
        is_active=False,
        is_staff=False,
        is_superuser=False,
        home_unit=None,
        email="",
        phone="",
    )
    return row


def _users(point_id: uuid.UUID) -> list[QuerySet[Any] | Rows]:
    named = Q(pk__in=[])
    for s in sections():
        for ids in s.people(point_id) if s.people is not None else []:
            named |= Q(pk__in=ids)
    own = User.objects.filter(home_unit_id=point_id)
    others = User.objects.filter(named).exclude(home_unit_id=point_id)
    return [Rows(own, _own), Rows(others, _named_only)]


def _retire_users(users: QuerySet[Any]) -> None:
    users.update(is_active=False, password=NO_LOGIN)


USERS = Section(name="core.users", order=20, rows=_users, retire=_retire_users)


def register_users() -> None:
    register(USERS)
