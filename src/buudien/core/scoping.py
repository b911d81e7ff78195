"""Unit scoping and roles: the one place that decides what a user may see and change.

Every post unit carries a materialised `path` ("/BDT04/KV01/BC0101/VHX0001/"); a user's scope
is the path of his home unit (a partner officer: the unit that serves his partner), and a
record is in scope when its unit's path starts with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from buudien.core.errors import Forbidden, OutOfScope
from buudien.core.models import Role, User

M = TypeVar("M", bound=Model)
# Whoever makes a request: a user, or nobody logged in.
Actor: TypeAlias = User | AnonymousUser

WRITERS = {Role.ADMIN, Role.PROVINCE_MANAGER, Role.AREA_MANAGER}


@dataclass(frozen=True)
class Scope:
    """What a user may see: everything, nothing, or one subtree (and maybe one partner)."""

    everything: bool
    path: str | None
    partner_id: Any = None
    read_only: bool = True

    def covers(self, path: str) -> bool:
        if self.everything:
            return True
        return bool(self.path) and path.startswith(self.path or "\0")


NOTHING = Scope(everything=False, path=None)


def scope_of(user: Actor | None) -> Scope:
    """The scope of a (possibly anonymous) user."""
    if not isinstance(user, User) or not user.is_active:
        return NOTHING
    role = user.role
    if role == Role.ADMIN or user.is_superuser:
        return Scope(everything=True, path="/", read_only=False)
    if role == Role.PARTNER_OFFICER:
        partner = user.partner
        served = partner.served_by if partner is not None else None
        if partner is None or served is None:
            return NOTHING
        return Scope(everything=False, path=served.path, partner_id=partner.pk)
    unit = user.home_unit
    if unit is None:
        return NOTHING
    return Scope(everything=False, path=unit.path, read_only=role not in WRITERS)


def scoped(qs: QuerySet[M], user: Actor, *, path_field: str = "path") -> QuerySet[M]:
    """Filter any queryset to the rows whose unit path lies in the user's scope."""
    scope = scope_of(user)
    if scope.everything:
        return qs
    if not scope.path:
        return qs.none()
    return qs.filter(Q(**{f"{path_field}__startswith": scope.path}))


def scoped_by_unit(qs: QuerySet[M], user: Actor, *, unit_field: str) -> QuerySet[M]:
    """Like `scoped`, through a foreign key to a unit: an IN over the units in scope, which
    the planner joins better than a LIKE on the joined path."""
    scope = scope_of(user)
    if scope.everything:
        return qs
    if not scope.path:
        return qs.none()
    unit_model = qs.model._meta.get_field(unit_field).related_model
    units = unit_model._default_manager.filter(path__startswith=scope.path).values("pk")  # type: ignore[union-attr]
    return qs.filter(**{f"{unit_field}__in": units})


def ensure_in_scope(user: Actor, path: str) -> None:
    """Refuse a request about a unit outside the user's subtree."""
    if not scope_of(user).covers(path):
        raise OutOfScope(_("Đơn vị này nằm ngoài phạm vi quản lý của bạn."))


def can_manage(user: Actor, path: str) -> bool:
    """Whether the user may create or change units and records under this path."""
    scope = scope_of(user)
    return (not scope.read_only) and scope.covers(path)


def require_user(user: Actor) -> User:
    if not getattr(user, "is_authenticated", False):
        raise Forbidden(_("Bạn cần đăng nhập."))
    if not isinstance(user, User):
        raise Forbidden(_("Bạn cần đăng nhập."))
    return user
