"""Users as other apps need them: found, set up, given a home unit; the model stays in core."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from buudien.core import audit
from buudien.core.errors import DomainError
from buudien.core.models import User
from buudien.core.roles import Role

if TYPE_CHECKING:
    from django.db.models import Model


def find_user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def first_admin() -> User | None:
    """The first active administrator: the actor of set-up steps run from the console."""
    admins = User.objects.filter(role=Role.ADMIN, is_active=True)
    return admins.order_by("date_joined").first()


def clerks_by_unit() -> dict[Any, User]:
    """The active clerks, by the key of their home unit."""
    clerks = User.objects.filter(role=Role.CLERK, is_active=True, home_unit__isnull=False)
    return {u.home_unit_id: u for u in clerks}


def system_actor() -> User:
    """An administrator that is never saved: a console command that sees the whole network."""
    return User(username="buudien-cli", role=Role.ADMIN, is_active=True)


@transaction.atomic
def ensure_admin(*, username: str, password: str | None, full_name: str) -> tuple[User, bool]:
    """The first administrator: created once (and audited); an existing one keeps his
    password. Returns the user and whether he was created."""
    found = User.objects.filter(username=username).first()
    if found is not None:
        if found.role != Role.ADMIN:
            raise DomainError(
                _("Tài khoản %(user)s đã có với vai trò «%(role)s»; hãy chọn tên khác.")
                % {"user": username, "role": Role(found.role).label},
                field="username",
            )
        return found, False
    user = User(username=username, role=Role.ADMIN, full_name=full_name)
    user.is_staff = user.is_superuser = True
    try:
        validate_password(password or "", user)
    except ValidationError as exc:
        raise DomainError(" ".join(str(m) for m in exc.messages), field="password") from exc
    user.set_password(password)
    user.save()
    after = {"username": username, "role": user.role, "is_superuser": True}
    audit.record(actor=user, action="core.admin_created", instance=user, before=None, after=after)
    return user, True


def set_home_unit(*, user: User, unit: Model) -> User:
    """Give a user without a unit his home unit (the subtree he sees)."""
    user.home_unit_id = unit.pk
    user.save(update_fields=["home_unit"])
    return user
