"""Every write to the network: one function per business action, atomic and audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from buudien.core import audit
from buudien.core.errors import DomainError, ErrorCode, StaleRecord
from buudien.core.ids import normalise_phone
from buudien.core.permissions import Target, require
from buudien.network.models import Commune, CommunePointProfile, PostUnit

if TYPE_CHECKING:
    from buudien.core.models import User

UNIT_FIELDS = (
    "name",
    "commune_id",
    "address",
    "latitude",
    "longitude",
    "phone",
    "opened_on",
)
PROFILE_FIELDS = tuple(
    f.name for f in CommunePointProfile._meta.concrete_fields if f.name != "unit"
)
# The largest counts a commune point's profile may state (forms, API and import agree).
PROFILE_LIMITS = {"computers": 100, "books": 1_000_000, "newspapers_received": 1000}
CODE_MAX = 20
COORDINATES = {"latitude": Decimal(90), "longitude": Decimal(180)}


def _clean_phone(value: str, field: str) -> str:
    if not value:
        return ""
    try:
        return normalise_phone(value)
    except DomainError as exc:
        raise DomainError(exc.message, code=exc.code, field=field) from exc


def _check_parent(kind: str, parent: PostUnit | None) -> None:
    expected = PostUnit.PARENT_KIND.get(kind, "?")
    if expected == "?":
        raise DomainError(_("Cấp đơn vị không hợp lệ."), field="kind")
    if expected is None and parent is not None:
        raise DomainError(
            _("Bưu điện tỉnh là gốc của cây, không có đơn vị cấp trên."),
            code=ErrorCode.UNIT_PARENT_INVALID,
            field="parent",
        )
    if expected is not None and (parent is None or parent.kind != expected):
        raise DomainError(
            _("%(kind)s phải trực thuộc một %(parent)s.")
            % {"kind": PostUnit.Kind(kind).label, "parent": PostUnit.Kind(expected).label},
            code=ErrorCode.UNIT_PARENT_INVALID,
            field="parent",
        )


def _check_coordinate(key: str, value: Any) -> None:
    limit = COORDINATES[key]
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or abs(number) > limit:
        raise DomainError(
            _("Tọa độ phải là số từ -%(max)s đến %(max)s.") % {"max": limit}, field=key
        )


def _check_text(values: dict[str, Any]) -> None:
    for key, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            raise DomainError(_("Có ký tự không hợp lệ trong ô này."), field=key)


def _check_fields(fields: dict[str, Any]) -> None:
    """Refuse values the database would refuse, naming the field, before anything is written."""
    _check_text(fields)
    for key in COORDINATES:
        if fields.get(key) is not None:
            _check_coordinate(key, fields[key])
    commune = fields.get("commune_id")
    if commune is not None and not Commune.objects.filter(pk=commune).exists():
        raise DomainError(
            _("Không có xã, phường mã %(code)s.") % {"code": commune}, field="commune_code"
        )


def _label(name: str) -> str:
    return str(getattr(CommunePointProfile._meta.get_field(name), "verbose_name", name))


def _check_profile(obj: CommunePointProfile) -> None:
    for name, limit in PROFILE_LIMITS.items():
        value = getattr(obj, name)
        if not isinstance(value, int) or not 0 <= value <= limit:
            raise DomainError(
                _("«%(what)s» phải là số từ 0 đến %(max)s.") % {"what": _label(name), "max": limit},
                field=name,
            )
    for field in CommunePointProfile._meta.concrete_fields:
        if field.choices and getattr(obj, field.name) not in dict(field.choices):
            raise DomainError(
                _("Giá trị của «%(what)s» không hợp lệ.") % {"what": _label(field.name)},
                field=field.name,
            )


def _apply_profile(unit: PostUnit, profile: dict[str, Any] | None) -> CommunePointProfile | None:
    if unit.kind != PostUnit.Kind.COMMUNE_POINT:
        return None
    current = CommunePointProfile.objects.filter(unit=unit).first()
    obj = current or CommunePointProfile(unit=unit)
    _check_text(profile or {})
    for key, value in (profile or {}).items():
        if key not in PROFILE_FIELDS:
            continue
        setattr(obj, key, value)
    obj.clerk_phone = _clean_phone(obj.clerk_phone, "clerk_phone")
    _check_profile(obj)
    if obj.operating_model == CommunePointProfile.OperatingModel.MULTI_SERVICE:
        if obj.converted_on is None:
            raise DomainError(_("Điểm đa dịch vụ cần có ngày chuyển đổi."), field="converted_on")
    else:
        obj.converted_on = None
    obj.save()
    return obj


@transaction.atomic
def create_unit(
    *,
    actor: User,
    code: str,
    name: str,
    kind: str,
    parent: PostUnit | None,
    profile: dict[str, Any] | None = None,
    **fields: Any,
) -> PostUnit:
    """Register a new unit under a parent the actor manages."""
    require(actor, "network.manage", Target(path=parent.path if parent else "/"))
    _check_text({"code": code, "name": name})
    code = code.strip().upper()
    if not code or len(code) > CODE_MAX:
        raise DomainError(
            _("Mã đơn vị phải có từ 1 đến %(max)s ký tự.") % {"max": CODE_MAX}, field="code"
        )
    if not name.strip():
        raise DomainError(_("Tên đơn vị không được để trống."), field="name")
    _check_parent(kind, parent)
    _check_fields(fields)
    if PostUnit.objects.filter(code=code).exists():
        raise DomainError(
            _("Mã đơn vị %(code)s đã được dùng.") % {"code": code},
            code=ErrorCode.UNIT_CODE_TAKEN,
            field="code",
        )
    unit = PostUnit(code=code, name=name.strip(), kind=kind, parent=parent)
    for key, value in fields.items():
        if key in UNIT_FIELDS:
            setattr(unit, key, value)
    unit.phone = _clean_phone(unit.phone, "phone")
    unit.refresh_path()
    unit.save()
    prof = _apply_profile(unit, profile)
    after = audit.snapshot(unit) | ({"profile": audit.snapshot(prof)} if prof else {})
    audit.record(
        actor=actor,
        action="network.unit_created",
        instance=unit,
        before=None,
        after=after,
        unit_path=unit.path,
    )
    return unit


@transaction.atomic
def update_unit(
    *,
    actor: User,
    unit: PostUnit,
    expected_version: int | None = None,
    profile: dict[str, Any] | None = None,
    **fields: Any,
) -> PostUnit:
    """Change a unit's details and, for a commune point, its profile."""
    require(actor, "network.manage", Target(path=unit.path))
    locked = PostUnit.objects.select_for_update().get(pk=unit.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord(
            _("Đơn vị %(code)s vừa được người khác sửa. Hãy tải lại trang và nhập lại.")
            % {"code": locked.code}
        )
    old_profile = CommunePointProfile.objects.filter(unit=locked).first()
    before = audit.snapshot(locked) | (
        {"profile": audit.snapshot(old_profile)} if old_profile else {}
    )
    if "name" in fields and not str(fields["name"]).strip():
        raise DomainError(_("Tên đơn vị không được để trống."), field="name")
    _check_fields(fields)
    for key, value in fields.items():
        if key in UNIT_FIELDS:
            setattr(locked, key, value)
    locked.phone = _clean_phone(locked.phone, "phone")
    locked.version += 1
    locked.refresh_path()
    locked.save()
    prof = _apply_profile(locked, profile) if profile is not None else old_profile
    after = audit.snapshot(locked) | ({"profile": audit.snapshot(prof)} if prof else {})
    audit.record(
        actor=actor,
        action="network.unit_updated",
        instance=locked,
        before=before,
        after=after,
        unit_path=locked.path,
    )
    return locked


@transaction.atomic
def change_status(
    *, actor: User, unit: PostUnit, status: str, on: dt.date, note: str = ""
) -> PostUnit:
    """Suspend, reopen or close a unit, keeping the date of each change."""
    require(actor, "network.manage", Target(path=unit.path))
    locked = PostUnit.objects.select_for_update().get(pk=unit.pk)
    if status not in PostUnit.Status.values:
        raise DomainError(_("Trạng thái không hợp lệ."), field="status")
    if locked.status == PostUnit.Status.CLOSED:
        raise DomainError(
            _("Đơn vị đã đóng cửa, không thể đổi trạng thái."),
            code=ErrorCode.UNIT_STATUS_INVALID,
            field="status",
        )
    if status == PostUnit.Status.CLOSED and locked.children.exclude(status="closed").exists():
        raise DomainError(
            _("Còn đơn vị trực thuộc đang hoạt động; hãy đóng hoặc chuyển chúng trước."),
            code=ErrorCode.UNIT_STATUS_INVALID,
            field="status",
        )
    before = audit.snapshot(locked)
    locked.status = status
    if status == PostUnit.Status.SUSPENDED:
        locked.suspended_on = on
    elif status == PostUnit.Status.CLOSED:
        locked.closed_on = on
    else:
        locked.suspended_on = None
    locked.version += 1
    locked.save()
    audit.record(
        actor=actor,
        action="network.unit_status_changed",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=locked.path,
        note=note,
    )
    return locked
