"""A beneficiary's status, way of being paid, authorised receiver and point; audited."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from buudien.core import audit, journal, permissions
from buudien.core.errors import DomainError
from buudien.core.ids import parse_citizen_id
from buudien.core.permissions import Target
from buudien.payouts import selectors
from buudien.payouts.models import Beneficiary
from buudien.payouts.selectors import beneficiary_target

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit

ACCOUNT_NO = re.compile(r"[0-9]*")


@journal.operation("payouts.update_beneficiary")
@transaction.atomic
def update_beneficiary(
    *,
    actor: User,
    beneficiary: Beneficiary,
    status: str | None = None,
    status_date: dt.date | None = None,
    status_source: str = "",
    method: str | None = None,
    account_no: str | None = None,
    authorised_name: str | None = None,
    authorised_id: str | None = None,
    authorised_until: dt.date | None = None,
    point: PostUnit | None = None,
) -> Beneficiary:
    """Change a person's status, method, authorised receiver or point; audited."""
    locked = (
        Beneficiary.objects.select_for_update(of=("self",))
        .select_related("point")
        .get(pk=beneficiary.pk)
    )
    permissions.require(actor, "payouts.update_beneficiary", beneficiary_target(locked))
    if point is not None:
        permissions.require(actor, "payouts.update_beneficiary", Target(path=point.path))
    before = audit.snapshot(locked)
    if status is not None:
        _set_status(locked, status=status, day=status_date, source=status_source)
    if method is not None or account_no is not None:
        _set_method(locked, method=method, account_no=account_no)
    if authorised_name is not None:
        _set_authorisation(
            locked, name=authorised_name, citizen_id=authorised_id, until=authorised_until
        )
    if point is not None:
        locked.point = point
    locked.version += 1
    locked.save()
    audit.record(
        actor=actor,
        action="payouts.beneficiary_updated",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=locked.point.path,
    )
    return locked


def _plain(text: str | None, *, field: str, limit: int = 200) -> str:
    """A line of typed text: at most `limit` characters, no control characters."""
    text = (text or "").strip()
    if len(text) > limit or selectors.CONTROL.search(text):
        raise DomainError(
            _("Tối đa %(n)s ký tự, không có ký tự điều khiển.") % {"n": limit}, field=field
        )
    return text


def _set_status(person: Beneficiary, *, status: str, day: dt.date | None, source: str) -> None:
    if status not in Beneficiary.Status.values:
        raise DomainError(_("Trạng thái không hợp lệ."), field="status")
    source = _plain(source, field="status_source")
    if status != Beneficiary.Status.ACTIVE and (day is None or not source):
        raise DomainError(
            _("Cần ghi ngày và nguồn thông tin (ví dụ giấy báo tử)."), field="status_source"
        )
    person.status, person.status_date, person.status_source = status, day, source


def _set_method(person: Beneficiary, *, method: str | None, account_no: str | None) -> None:
    if account_no is not None:
        account_no = account_no.strip()
        if len(account_no) > 40 or not ACCOUNT_NO.fullmatch(account_no):
            raise DomainError(
                _("Số tài khoản chỉ gồm chữ số (tối đa 40 ký tự)."), field="account_no"
            )
        person.account_no = account_no
    if method is not None:
        if method not in Beneficiary.Method.values:
            raise DomainError(_("Hình thức nhận không hợp lệ."), field="method")
        person.method = method
    if person.method == Beneficiary.Method.ACCOUNT and not person.account_no:
        raise DomainError(_("Chi qua tài khoản cần số tài khoản."), field="account_no")


def _set_authorisation(
    person: Beneficiary, *, name: str, citizen_id: str | None, until: dt.date | None
) -> None:
    name = _plain(name, field="authorised_name")
    number = ""
    if name:
        if citizen_id and citizen_id.strip():
            try:
                number = parse_citizen_id(citizen_id).number
            except DomainError as exc:
                raise DomainError(exc.message, code=exc.code, field="authorised_id") from exc
        if until is None:
            raise DomainError(_("Giấy ủy quyền cần ngày hết hạn."), field="authorised_until")
    person.authorised_name = name
    person.authorised_id = number
    person.authorised_until = until if name else None
