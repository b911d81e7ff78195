"""Customers: the one record of a person, agency, shop or OCOP producer that mail, collections
and the market share; one per phone number at a unit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from buudien.core import audit, journal
from buudien.core.errors import DomainError, ErrorCode, StaleRecord
from buudien.core.ids import normalise_phone
from buudien.core.permissions import Target, require
from buudien.counter.models import Customer

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit

ACTION = "mail.manage_customers"


def _name(value: str) -> str:
    name = (value or "").strip()
    if not name:
        raise DomainError(_("Hãy nhập tên khách hàng."), code=ErrorCode.INVALID, field="name")
    if len(name) > 200:
        raise DomainError(
            _("Tên khách hàng tối đa 200 ký tự."), code=ErrorCode.INVALID, field="name"
        )
    return name


def _kind(value: str) -> str:
    if value not in Customer.Kind.values:
        raise DomainError(_("Hãy chọn loại khách hàng."), code=ErrorCode.INVALID, field="kind")
    return value


def _phone(value: str) -> str:
    if not (value or "").strip():
        return ""
    try:
        return normalise_phone(value)
    except DomainError as exc:
        raise DomainError(exc.message, code=ErrorCode.PHONE_INVALID, field="phone") from exc


def _text(value: str, limit: int, field: str, label: str) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise DomainError(
            _("%(what)s tối đa %(n)s ký tự.") % {"what": label, "n": limit},
            code=ErrorCode.INVALID,
            field=field,
        )
    return text


def _phone_taken(unit: PostUnit, phone: str, name: str) -> DomainError:
    return DomainError(
        _("Đơn vị %(unit)s đã có khách hàng «%(name)s» với số điện thoại này.")
        % {"unit": unit.name, "name": name},
        code=ErrorCode.INVALID,
        field="phone",
    )


def _check_phone_free(unit: PostUnit, phone: str, *, other_than: Customer | None = None) -> None:
    if not phone:
        return
    qs = Customer.objects.filter(unit=unit, phone=phone)
    if other_than is not None:
        qs = qs.exclude(pk=other_than.pk)
    found = qs.first()
    if found is not None:
        raise _phone_taken(unit, phone, found.name)


def _save(customer: Customer) -> None:
    """Save, turning a phone taken meanwhile by another clerk into the same clear message."""
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        raise _phone_taken(customer.unit, customer.phone, customer.name) from None


@journal.operation("counter.create_customer")
@transaction.atomic
def create_customer(
    *,
    actor: User,
    unit: PostUnit,
    name: str,
    kind: str = Customer.Kind.PERSON,
    phone: str = "",
    address: str = "",
    contract_no: str = "",
) -> Customer:
    """Add a customer to a unit; its phone (if any) must be new at that unit."""
    require(actor, ACTION, Target(path=unit.path))
    customer = Customer(
        unit=unit,
        name=_name(name),
        kind=_kind(kind),
        phone=_phone(phone),
        address=_text(address, 300, "address", _("Địa chỉ")),
        contract_no=_text(contract_no, 40, "contract_no", _("Số hợp đồng")),
    )
    _check_phone_free(unit, customer.phone)
    _save(customer)
    audit.record(
        actor=actor,
        action="counter.customer_created",
        instance=customer,
        before=None,
        after=audit.snapshot(customer),
        unit_path=unit.path,
    )
    return customer


@journal.operation("counter.update_customer")
@transaction.atomic
def update_customer(
    *,
    actor: User,
    customer: Customer,
    name: str,
    kind: str,
    phone: str = "",
    address: str = "",
    contract_no: str = "",
    expected_version: int | None = None,
) -> Customer:
    """Change a customer's record; a form opened before someone else's change is refused."""
    require(actor, ACTION, Target(path=customer.unit.path))
    locked = Customer.objects.select_for_update().select_related("unit").get(pk=customer.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord(
            _("Khách hàng này vừa được người khác sửa; hãy tải lại trang rồi sửa lại."),
            code=ErrorCode.STALE,
        )
    before = audit.snapshot(locked)
    locked.name = _name(name)
    locked.kind = _kind(kind)
    locked.phone = _phone(phone)
    locked.address = _text(address, 300, "address", _("Địa chỉ"))
    locked.contract_no = _text(contract_no, 40, "contract_no", _("Số hợp đồng"))
    _check_phone_free(locked.unit, locked.phone, other_than=locked)
    locked.version = F("version") + 1  # type: ignore[assignment]
    _save(locked)
    locked.refresh_from_db()
    audit.record(
        actor=actor,
        action="counter.customer_updated",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=locked.unit.path,
    )
    return locked
