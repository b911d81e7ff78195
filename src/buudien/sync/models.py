"""Point mode at the province: enrolled devices, what each pushed, and the conflicts found."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from buudien.core.models import uuid7


class Device(models.Model):
    """A commune point's laptop, enrolled once with a code; its credential is kept hashed."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    point = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("tên máy"), max_length=100, blank=True)
    secret_digest = models.CharField(max_length=64)
    enrolled_at = models.DateTimeField(_("đăng ký lúc"), auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_seen_at = models.DateTimeField(_("liên lạc lần cuối"), null=True, blank=True)
    last_seq = models.PositiveBigIntegerField(_("thao tác cuối đã nhận"), default=0)
    backlog = models.PositiveIntegerField(_("còn chờ gửi"), default=0)
    applied = models.PositiveIntegerField(_("đã ghi"), default=0)
    refused = models.PositiveIntegerField(_("bị từ chối"), default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["point__code", "enrolled_at"]
        verbose_name = _("thiết bị điểm")

    def __str__(self) -> str:
        return f"{self.label or self.id}"


class EnrolmentCode(models.Model):
    """A one-time code to enrol one laptop for one point: shown once, kept as a digest."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    point = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    device = models.OneToOneField(
        Device, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.point_id} {self.expires_at:%Y-%m-%d %H:%M}"


class AppliedOperation(models.Model):
    """One operation a device pushed, kept with its answer: pushed again, answered the same."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("đã ghi")
        CONFLICT = "conflict", _("xung đột")
        REFUSED = "refused", _("bị từ chối")

    id = models.UUIDField(primary_key=True)  # the operation's id, made from device and seq
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="operations")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=40)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150, blank=True)
    payload = models.JSONField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    code = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["device", "seq"], name="one_operation_per_seq"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["device", "outcome", "seq"]),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} #{self.seq} {self.kind} {self.outcome}"


class Conflict(models.Model):
    """What a manager must settle: a line paid twice, a dossier moved on both sides, a
    price that changed while the point was offline, work done by a disabled user."""

    class Kind(models.TextChoices):
        DOUBLE_PAYMENT = "double_payment", _("chi trùng")
        DOUBLE_COLLECTION = "double_collection", _("thu trùng")
        DOSSIER_MOVED = "dossier_moved", _("hồ sơ đã chuyển bước ở nơi khác")
        PRICE_DIFFERENCE = "price_difference", _("chênh lệch giá cước")
        DISABLED_USER = "disabled_user", _("người dùng đã bị khóa")

    class State(models.TextChoices):
        OPEN = "open", _("chờ xử lý")
        RESOLVED = "resolved", _("đã xử lý")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    operation = models.ForeignKey(
        AppliedOperation, on_delete=models.PROTECT, related_name="conflicts"
    )
    point = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    message = models.TextField(_("nội dung"))
    amount = models.BigIntegerField(_("số tiền"), default=0)
    details = models.JSONField(default=dict)
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default="open")
    found_at = models.DateTimeField(_("phát hiện lúc"), auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(_("cách xử lý"), blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-found_at"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["state", "point"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.point_id}"
