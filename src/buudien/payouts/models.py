"""Programmes, beneficiaries, monthly payout lists and their lines."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from buudien.core.models import BaseModel


class Programme(BaseModel):
    """What an agency pays through the post, in a monthly window, for a commission."""

    code = models.CharField(_("mã chương trình"), max_length=20, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    agency = models.ForeignKey("network.Partner", on_delete=models.PROTECT, related_name="+")
    service_code = models.CharField(_("dịch vụ chi hộ (hoa hồng)"), max_length=20)
    window_start = models.PositiveSmallIntegerField(_("chi từ ngày"), default=2)
    window_end = models.PositiveSmallIntegerField(_("đến ngày"), default=20)

    class Meta:
        verbose_name = _("chương trình chi trả")
        verbose_name_plural = _("chương trình chi trả")

    def __str__(self) -> str:
        return self.name


class ColumnMapping(models.Model):
    """How an agency's Excel list names its columns, saved for next month."""

    agency = models.OneToOneField(
        "network.Partner", on_delete=models.CASCADE, related_name="payout_mapping"
    )
    mapping = models.JSONField(default=dict)

    def __str__(self) -> str:
        return str(self.agency_id)


class Beneficiary(BaseModel):
    class Method(models.TextChoices):
        COUNTER = "counter", _("Tại quầy")
        HOME = "home", _("Tại nhà")
        ACCOUNT = "account", _("Qua tài khoản")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang hưởng")
        SUSPENDED = "suspended", _("Tạm dừng")
        DECEASED = "deceased", _("Đã mất")

    citizen_id = models.CharField(_("số CCCD"), max_length=12, unique=True)
    name = models.CharField(_("họ tên"), max_length=200)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    sex = models.CharField(_("giới tính"), max_length=6, blank=True)
    commune = models.ForeignKey(
        "network.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hamlet = models.CharField(_("thôn, bản"), max_length=120, blank=True)
    point = models.ForeignKey(
        "network.PostUnit", on_delete=models.PROTECT, related_name="beneficiaries"
    )
    method = models.CharField(
        _("hình thức nhận"), max_length=8, choices=Method.choices, default=Method.COUNTER
    )
    account_kind = models.CharField(_("loại tài khoản"), max_length=10, blank=True)
    account_no = models.CharField(_("số tài khoản"), max_length=40, blank=True)
    authorised_name = models.CharField(_("người được ủy quyền"), max_length=200, blank=True)
    authorised_id = models.CharField(_("CCCD người được ủy quyền"), max_length=12, blank=True)
    authorised_until = models.DateField(_("ủy quyền đến ngày"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    status_date = models.DateField(null=True, blank=True)
    status_source = models.CharField(max_length=200, blank=True)
    search_text = models.CharField(max_length=300, blank=True, db_index=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["point", "hamlet", "name"]
        verbose_name = _("đối tượng hưởng")
        verbose_name_plural = _("đối tượng hưởng")

    def __str__(self) -> str:
        return self.name


class PayoutList(BaseModel):
    class State(models.TextChoices):
        OPEN = "open", _("Đang chi trả")
        CLOSED = "closed", _("Đã quyết toán")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="lists")
    month = models.DateField(_("tháng"))
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    source_name = models.CharField(max_length=200, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lines = models.PositiveIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-month"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["programme", "month"], name="one_list_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} {self.month:%m/%Y}"


class Payout(models.Model):
    """One line of a list: paid exactly once, or returned with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ chi trả")
        PAID = "paid", _("Đã chi trả")
        RETURNED = "returned", _("Trả lại cơ quan")

    class Reason(models.TextChoices):
        DECEASED = "deceased", _("Đã mất")
        MOVED = "moved", _("Chuyển nơi ở")
        NOT_FOUND = "not_found", _("Không tìm thấy")
        REFUSED = "refused", _("Từ chối nhận")
        FAILED = "failed", _("Chuyển khoản không thành công")

    # Few indexes, so that a 100,000-line list is quick to insert: the unique pair leads with
    # the person (his history), the list's pages use (list, point, status), and paid lines
    # alone are indexed by time (a new list has none).
    list = models.ForeignKey(
        PayoutList, on_delete=models.CASCADE, related_name="payouts", db_index=False
    )
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="payouts", db_index=False
    )
    point = models.ForeignKey(
        "network.PostUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    row = models.PositiveIntegerField()
    amount = models.BigIntegerField()
    method = models.CharField(max_length=8, choices=Beneficiary.Method.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receiver = models.CharField(max_length=200, blank=True)
    entry_id = models.UUIDField(null=True, blank=True)
    return_reason = models.CharField(max_length=10, choices=Reason.choices, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["point", "row"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["beneficiary", "list"], name="one_line_per_person"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_positive"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["list", "point", "status"]),
            models.Index(
                fields=["paid_at", "point"],
                name="payout_paid_at_point",
                condition=models.Q(paid_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.amount}"
