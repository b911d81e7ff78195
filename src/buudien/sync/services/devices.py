"""A point's laptop at the province: enrolled once with a one-time code, then known by a
secret of which only the digest is kept, until a manager revokes it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import audit, clock
from buudien.core.errors import OutOfScope
from buudien.core.permissions import Target, require
from buudien.network import selectors as network_selectors
from buudien.sync.errors import SyncCode, SyncError
from buudien.sync.models import Device, EnrolmentCode

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit

# Letters and digits that cannot be misread for one another (no 0/O, 1/I/L), typed by a
# clerk from a phone screen or a sheet of paper.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
GROUP = 4
SECRET_BYTES = 32
ENROL_HOURS = 24
LABEL_MAX = Device._meta.get_field("label").max_length or 100
_SEPARATORS = re.compile(r"[\s\-_.]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def digest(text: str) -> str:
    """The sha256 of a code or a secret: what the database keeps instead of it."""
    return hashlib.sha256(text.encode()).hexdigest()


def enrol_hours() -> int:
    """How long an enrolment code stays valid (setting BUUDIEN_ENROL_HOURS)."""
    return int(getattr(settings, "BUUDIEN_ENROL_HOURS", ENROL_HOURS))


def format_code(raw: str) -> str:
    """ABCDEFGHJKMN → ABCD-EFGH-JKMN, as it is shown and read out."""
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def normalise_code(code: str) -> str:
    """The code as typed (any case, with spaces or dashes) as it was made."""
    return _SEPARATORS.sub("", str(code or "")).upper()


def _commune_point(actor: User, point_id: Any) -> PostUnit:
    """A commune point in the actor's scope; another unit, or none, is refused."""
    missing = OutOfScope(
        _("Không có điểm này, hoặc điểm nằm ngoài phạm vi của bạn."), field="point"
    )
    try:
        pk = uuid.UUID(str(point_id))
    except ValueError:
        raise missing from None
    point = network_selectors.units(actor).filter(pk=pk).first()
    if point is None:
        raise missing
    if point.kind != "commune_point":
        raise SyncError(
            _("Chỉ cấp mã đăng ký cho điểm BĐ-VHX; %(unit)s không phải là điểm.")
            % {"unit": point.name},
            code=SyncCode.NOT_A_COMMUNE_POINT,
            field="point",
        )
    if point.status == "closed":
        raise SyncError(
            _("Điểm %(unit)s đã đóng cửa, không đăng ký máy mới.") % {"unit": point.name},
            code=SyncCode.POINT_CLOSED,
            field="point",
        )
    return point


@transaction.atomic
def issue_code(*, actor: User, point_id: Any) -> tuple[EnrolmentCode, str]:
    """A one-time code to enrol one laptop for a commune point: the code itself is returned
    once, to be shown once; only its digest is kept."""
    require(actor, "sync.manage")
    point = _commune_point(actor, point_id)
    require(actor, "sync.manage", Target(path=point.path))
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    code = EnrolmentCode.objects.create(
        point=point,
        digest=digest(raw),
        created_by=actor,
        expires_at=clock.now() + dt.timedelta(hours=enrol_hours()),
    )
    audit.record(
        actor=actor,
        action="sync.code_issued",
        instance=code,
        before=None,
        after={"point_id": str(point.pk), "expires_at": code.expires_at.isoformat()},
        unit_path=point.path,
    )
    return code, format_code(raw)


def _clean_label(label: str) -> str:
    cleaned = _CONTROL.sub("", str(label or "")).strip()
    if len(cleaned) > LABEL_MAX:
        raise SyncError(
            _("Tên máy dài quá %(n)s ký tự.") % {"n": LABEL_MAX},
            code=SyncCode.LABEL_INVALID,
            field="label",
        )
    return cleaned


def _invalid_code() -> SyncError:
    return SyncError(
        _("Mã đăng ký không đúng. Hãy kiểm tra lại mã (12 ký tự, ví dụ ABCD-EFGH-JKMN)."),
        code=SyncCode.ENROL_CODE_INVALID,
        field="code",
    )


def enroll(*, code: str, label: str) -> tuple[Device, str]:
    """Enrol a laptop with a code: the code is spent, and the device gets a secret that is
    returned once; a code enrols one device, however many try it at once."""
    raw = normalise_code(code)
    name = _clean_label(label)
    if len(raw) != CODE_LENGTH or not set(raw) <= set(ALPHABET):
        raise _invalid_code()
    with transaction.atomic():
        found = (
            EnrolmentCode.objects.select_for_update(of=("self",))
            .select_related("point", "created_by")
            .filter(digest=digest(raw))
            .first()
        )
        if found is None:
            raise _invalid_code()
        now = clock.now()
        if found.used_at is not None:
            raise SyncError(
                _(
                    "Mã này đã được dùng lúc %(at)s. Mỗi mã chỉ đăng ký một máy; "
                    "hãy xin quản lý cấp mã mới."
                )
                % {"at": timezone.localtime(found.used_at).strftime("%H:%M %d/%m/%Y")},
                code=SyncCode.ENROL_CODE_USED,
                field="code",
            )
        if found.expires_at <= now:
            raise SyncError(
                _("Mã này đã hết hạn lúc %(at)s; hãy xin quản lý cấp mã mới.")
                % {"at": timezone.localtime(found.expires_at).strftime("%H:%M %d/%m/%Y")},
                code=SyncCode.ENROL_CODE_EXPIRED,
                field="code",
            )
        secret = secrets.token_urlsafe(SECRET_BYTES)
        device = Device.objects.create(
            point=found.point,
            label=name,
            secret_digest=digest(secret),
            enrolled_by=found.created_by,
            last_seen_at=now,
        )
        # The row lock above is enough on PostgreSQL; the condition makes it so everywhere.
        spent = EnrolmentCode.objects.filter(pk=found.pk, used_at__isnull=True).update(
            used_at=now, device=device
        )
        if spent != 1:
            raise SyncError(
                _("Mã này vừa được dùng cho một máy khác; hãy xin quản lý cấp mã mới."),
                code=SyncCode.ENROL_CODE_USED,
                field="code",
            )
        audit.record(
            actor=None,
            action="sync.device_enrolled",
            instance=device,
            before=None,
            after=_public(device),
            unit_path=found.point.path,
            note=_("Đăng ký bằng mã do %(who)s cấp.") % {"who": found.created_by.display_name},
        )
    return device, secret


def _public(device: Device) -> dict[str, Any]:
    """The device's record for the audit trail, without its credential's digest."""
    data = audit.snapshot(device)
    data.pop("secret_digest", None)
    return data


def _forbidden() -> SyncError:
    return SyncError(
        _("Máy này chưa được đăng ký với máy chủ tỉnh, hoặc khóa của máy không đúng."),
        code=SyncCode.DEVICE_FORBIDDEN,
    )


def authenticate(*, device_id: str, secret: str) -> Device:
    """The enrolled, not revoked device this secret belongs to; its contact time is noted."""
    given = digest(str(secret or ""))
    try:
        pk = uuid.UUID(str(device_id))
    except ValueError:
        raise _forbidden() from None
    device = Device.objects.select_related("point").filter(pk=pk).first()
    # Compared in constant time, and also when there is no such device, so the answer's
    # timing says nothing about which ids exist.
    expected = device.secret_digest if device is not None else digest(secrets.token_hex(16))
    if not hmac.compare_digest(expected, given) or device is None:
        raise _forbidden()
    if device.revoked_at is not None:
        raise SyncError(
            _("Máy này đã bị thu hồi lúc %(at)s; liên hệ quản lý để đăng ký lại.")
            % {"at": timezone.localtime(device.revoked_at).strftime("%H:%M %d/%m/%Y")},
            code=SyncCode.DEVICE_REVOKED,
        )
    now = timezone.now()
    Device.objects.filter(pk=device.pk).update(last_seen_at=now)
    device.last_seen_at = now
    return device


@transaction.atomic
def revoke(*, actor: User, device: Device) -> Device:
    """Revoke a laptop (lost, stolen, replaced): from now on its pushes and pulls are refused."""
    locked = (
        Device.objects.select_for_update(of=("self",)).select_related("point").get(pk=device.pk)
    )
    require(actor, "sync.manage", Target(path=locked.point.path))
    if locked.revoked_at is not None:
        raise SyncError(
            _("Máy này đã bị thu hồi lúc %(at)s.")
            % {"at": timezone.localtime(locked.revoked_at).strftime("%H:%M %d/%m/%Y")},
            code=SyncCode.ALREADY_REVOKED,
        )
    before = _public(locked)
    locked.revoked_at = clock.now()
    locked.revoked_by = actor
    locked.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor=actor,
        action="sync.device_revoked",
        instance=locked,
        before=before,
        after=_public(locked),
        unit_path=locked.point.path,
    )
    return locked
