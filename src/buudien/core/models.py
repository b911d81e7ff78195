"""Base model, users with a role and a home unit, API tokens and the audit trail.

Other apps' models build on `BaseModel`; everything else uses User and the rest only in
annotations (under TYPE_CHECKING) and goes through `core.users`, `core.audit`, `core.notify`.
`Role` and `uuid7` live in `core.roles` and `core.uuids`; they are named here too because
migrations refer to `buudien.core.models.uuid7`.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from buudien.core.roles import Role
from buudien.core.uuids import uuid7

__all__ = [
    "ApiToken",
    "Attempt",
    "AuditEvent",
    "BaseModel",
    "NumberBlock",
    "Operation",
    "OutboxMessage",
    "PointDevice",
    "ReferenceRecord",
    "Role",
    "User",
    "uuid7",
]


class BaseModel(models.Model):
    """UUIDv7 key, created/updated stamps and a version for stale-form detection."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A person who logs in; what he sees is his home unit's subtree (or his partner's)."""

    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices, default=Role.CLERK)
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    home_unit = models.ForeignKey(
        "network.PostUnit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    partner = models.ForeignKey(
        "network.Partner",
        verbose_name=_("cơ quan đối tác"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
    )

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class ApiToken(models.Model):
    """A bearer token for machine clients; only its SHA-256 digest is stored."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token and return it with the raw secret, shown once."""
        raw = "bd_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, digest=cls.digest_of(raw), prefix=raw[:8])
        return token, raw


class AuditEvent(models.Model):
    """Who changed what, when, with the record before and after."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(_("hành động"), max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(max_length=255, blank=True)
    unit_path = models.CharField(max_length=255, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-at"]
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["object_type", "object_id", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def changes(self) -> list[tuple[str, Any, Any]]:
        """The fields that differ between before and after."""
        before = self.before or {}
        after = self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class OutboxMessage(models.Model):
    """A message to a citizen (SMS or Zalo); development and tests keep it here to read."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    channel = models.CharField(max_length=10, default="sms")
    to = models.CharField(max_length=20)
    body = models.TextField()
    topic = models.CharField(max_length=40, blank=True)
    ref = models.CharField(max_length=64, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        verbose_name = _("tin nhắn gửi đi")
        verbose_name_plural = _("hộp thư đi")

    def __str__(self) -> str:
        return f"{self.channel} {self.to}: {self.body[:40]}"


class Attempt(models.Model):
    """A failed try (a login, a public look-up), counted per budget key to slow guessing.

    Keys are stored as digests: a user name, a dossier code or an address is not kept."""

    id = models.BigAutoField(primary_key=True)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["key", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.key[:8]}"


class ReferenceRecord(models.Model):
    """The values a reference file last set on one record, to tell an admin's edit from ours."""

    set_name = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    version = models.PositiveIntegerField()
    values = models.JSONField()
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["set_name", "key"], name="one_reference_record")
        ]

    def __str__(self) -> str:
        return f"{self.set_name}:{self.key} v{self.version}"


class PointDevice(models.Model):
    """This installation, when it is a commune point's laptop: one row, made at enrolment.

    Its secret is the device credential; the province keeps only its digest."""

    id = models.UUIDField(primary_key=True)
    point_id = models.UUIDField()
    point_code = models.CharField(max_length=32)
    server_url = models.URLField(max_length=300)
    secret = models.CharField(max_length=80)
    next_seq = models.PositiveBigIntegerField(default=1)
    pull_state = models.JSONField(default=dict)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    last_push_at = models.DateTimeField(null=True, blank=True)
    last_pull_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("thiết bị điểm")

    def __str__(self) -> str:
        return f"{self.point_code} {self.id}"


class Operation(models.Model):
    """The outbox of a point: one operation made here, waiting to reach the province.

    Written in the same transaction as the operation itself, so nothing made offline is
    lost; `seq` orders them and, with the device, names them at the province."""

    class State(models.TextChoices):
        PENDING = "pending", _("chờ gửi")
        APPLIED = "applied", _("đã ghi ở tỉnh")
        CONFLICT = "conflict", _("xung đột, chờ quản lý")
        REFUSED = "refused", _("bị từ chối")

    id = models.UUIDField(primary_key=True)
    seq = models.PositiveBigIntegerField(unique=True)
    kind = models.CharField(max_length=40)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150, blank=True)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    code = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["seq"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["state", "seq"])]
        verbose_name = _("thao tác chờ đồng bộ")

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.state}"


class NumberBlock(models.Model):
    """Numbers set aside for one device (dossier codes, shift series), so what a point
    numbers offline never collides with what the province or another point numbers."""

    kind = models.CharField(max_length=20)
    holder = models.UUIDField()
    first = models.PositiveIntegerField()
    last = models.PositiveIntegerField()
    next_value = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["kind", "first"], name="one_block_per_start"),
            models.CheckConstraint(
                condition=models.Q(first__lte=models.F("last")), name="block_not_empty"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["kind", "last"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.first}-{self.last}"
