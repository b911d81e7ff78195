"""Service catalogue with dated tariffs, counter sessions, the append-only ledger, rollups."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from buudien.core.language import pick
from buudien.core.models import BaseModel, uuid7
from buudien.core.text import build_search_text


class Line(models.TextChoices):
    """The three business lines every provincial report uses."""

    DELIVERY = "delivery", _("Bưu chính chuyển phát")
    FINANCE = "finance", _("Tài chính bưu chính")
    MEDIA = "media", _("Phân phối truyền thông")


class Service(BaseModel):
    """Something a counter sells or does on a partner's behalf."""

    class Kind(models.TextChoices):
        SALE = "sale", _("Bán hàng, dịch vụ")
        FEE = "fee", _("Thu cước, phí")
        COLLECTION = "collection", _("Thu hộ cho đối tác")
        PAYOUT = "payout", _("Chi hộ cho đối tác")
        DEPOSIT = "deposit", _("Gửi tiền, tiết kiệm")

    code = models.CharField(_("mã dịch vụ"), max_length=20, unique=True)
    name = models.CharField(_("tên dịch vụ"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    line = models.CharField(_("nhóm dịch vụ"), max_length=16, choices=Line.choices)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    partner = models.ForeignKey(
        "network.Partner",
        verbose_name=_("đối tác"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
    )
    unit_kinds = models.CharField(
        _("cấp được phép"),
        max_length=100,
        default="province,area,office,commune_point",
        help_text=_("Các cấp đơn vị được cung cấp dịch vụ, cách nhau bằng dấu phẩy."),
    )
    is_active = models.BooleanField(_("đang cung cấp"), default=True)
    search_text = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["code"]
        verbose_name = _("dịch vụ")
        verbose_name_plural = _("danh mục dịch vụ")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def local_name(self) -> str:
        """The name in the active language, when the catalogue gives its English."""
        return pick(self.name, self.name_en)

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_text = build_search_text(self.code, self.name, self.name_en)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def direction(self) -> str:
        return "out" if self.kind == self.Kind.PAYOUT else "in"

    def available_at(self, unit_kind: str) -> bool:
        return unit_kind in {k.strip() for k in self.unit_kinds.split(",")}


class Tariff(models.Model):
    """The revenue rule of a service from a date on; a price change adds a row."""

    class Rule(models.TextChoices):
        FIXED_FEE = "fixed_fee", _("Cước cố định mỗi giao dịch")
        UNIT_PRICE = "unit_price", _("Đơn giá × số lượng")
        COMMISSION_PCT = "commission_pct", _("Hoa hồng % trên số tiền")
        COMMISSION_FIXED = "commission_fixed", _("Hoa hồng cố định mỗi giao dịch")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="tariffs")
    valid_from = models.DateField(_("áp dụng từ"))
    rule = models.CharField(_("cách tính doanh thu"), max_length=20, choices=Rule.choices)
    price = models.BigIntegerField(_("cước / đơn giá / hoa hồng cố định (đồng)"), default=0)
    rate_bp = models.PositiveIntegerField(
        _("tỷ lệ hoa hồng (phần vạn)"), default=0, help_text=_("50 = 0,5%")
    )
    min_revenue = models.BigIntegerField(_("hoa hồng tối thiểu"), default=0)
    max_revenue = models.BigIntegerField(_("hoa hồng tối đa"), null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["service", "-valid_from"]
        verbose_name = _("biểu giá")
        verbose_name_plural = _("biểu giá")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["service", "valid_from"], name="one_tariff_per_day"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="tariff_price_positive"),
        ]

    def __str__(self) -> str:
        return _("%(code)s từ %(date)s") % {
            "code": self.service.code,
            "date": f"{self.valid_from:%d/%m/%Y}",
        }


class CounterSession(BaseModel):
    """A clerk's shift (ca) at one counter: opening cash, entries, closing count."""

    class Status(models.TextChoices):
        OPEN = "open", _("Đang mở")
        PENDING_APPROVAL = "pending_approval", _("Chờ duyệt chênh lệch")
        CLOSED = "closed", _("Đã kết ca")

    unit = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="sessions")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="counter_sessions"
    )
    business_date = models.DateField(_("ngày giao dịch"))
    # The series on its receipts, when a point's laptop opened it offline (see receipt_prefix).
    series = models.CharField(max_length=4, blank=True, default="", db_default="")
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    opened_at = models.DateTimeField(_("mở ca lúc"))
    opening_cash = models.BigIntegerField(_("tiền đầu ca"))
    cash_in = models.BigIntegerField(_("tiền mặt thu"), default=0)
    cash_out = models.BigIntegerField(_("tiền mặt chi"), default=0)
    entries_count = models.IntegerField(_("số giao dịch"), default=0)
    revenue = models.BigIntegerField(_("doanh thu"), default=0)
    closed_at = models.DateTimeField(_("kết ca lúc"), null=True, blank=True)
    counted_cash = models.BigIntegerField(_("tiền kiểm đếm cuối ca"), null=True, blank=True)
    expected_cash = models.BigIntegerField(_("tiền theo sổ"), null=True, blank=True)
    discrepancy_reason = models.TextField(_("lý do chênh lệch"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-opened_at"]
        verbose_name = _("ca làm việc")
        verbose_name_plural = _("ca làm việc")
        # The shift lists filter a province's shifts by their days.
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["business_date", "unit"], name="counter_session_day_unit"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["unit", "clerk"],
                condition=models.Q(status="open"),
                name="one_open_session_per_clerk_and_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(opening_cash__gte=0), name="opening_cash_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Ca {self.business_date:%d/%m/%Y} {self.unit.code}"

    @property
    def book_cash(self) -> int:
        """Opening cash plus cash taken in minus cash paid out."""
        return self.opening_cash + self.cash_in - self.cash_out

    @property
    def discrepancy(self) -> int | None:
        if self.counted_cash is None or self.expected_cash is None:
            return None
        return self.counted_cash - self.expected_cash


class CounterTransaction(models.Model):
    """One customer served at the counter: every entry of his basket, one receipt, the cash
    he gave and the change he got back."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    idempotency_key = models.CharField(max_length=80)
    unit = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        CounterSession, on_delete=models.PROTECT, related_name="transactions"
    )
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    receipt_no = models.CharField(_("số biên lai"), max_length=40)
    method = models.CharField(_("hình thức"), max_length=10, default="cash")
    customer_name = models.CharField(_("khách hàng"), max_length=200, blank=True)
    customer_phone = models.CharField(_("điện thoại khách"), max_length=20, blank=True)
    cash_in = models.BigIntegerField(_("tiền mặt thu"), default=0)
    cash_out = models.BigIntegerField(_("tiền mặt chi"), default=0)
    cash_given = models.BigIntegerField(_("tiền khách đưa"), default=0)
    change = models.BigIntegerField(_("tiền trả lại khách"), default=0)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        verbose_name = _("lượt giao dịch")
        verbose_name_plural = _("lượt giao dịch")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["unit", "idempotency_key"], name="one_transaction_per_key_per_unit"
            ),
            models.CheckConstraint(
                condition=models.Q(cash_given__gte=0), name="cash_given_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_no

    @property
    def due(self) -> int:
        """Cash the customer owes (negative: cash he receives)."""
        return self.cash_in - self.cash_out


class LedgerEntry(models.Model):
    """One money movement at a counter: append-only; corrections are reversal entries."""

    class Direction(models.TextChoices):
        IN = "in", _("Thu")
        OUT = "out", _("Chi")

    class Method(models.TextChoices):
        CASH = "cash", _("Tiền mặt")
        TRANSFER = "transfer", _("Chuyển khoản")
        QR = "qr", _("QR")
        ACCOUNT = "account", _("Tài khoản")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # A key is the point's own (unique per unit) and stands for one request: `request_digest`
    # tells a retry of the same request from another request that reused the key.
    idempotency_key = models.CharField(max_length=80)
    request_digest = models.CharField(max_length=64, blank=True)
    # What this entry settles ("payout:<id>", "dossier-fee:<id>:<n>"): set only by the module's
    # own service, and at most one entry per settled thing (a unique constraint).
    settles = models.CharField(max_length=100, blank=True)
    receipt_no = models.CharField(_("số biên lai"), max_length=40)
    unit = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="+")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(CounterSession, on_delete=models.PROTECT, related_name="entries")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="entries")
    line = models.CharField(max_length=16, choices=Line.choices)
    business_date = models.DateField(_("ngày giao dịch"))
    occurred_at = models.DateTimeField(_("thời điểm"))
    quantity = models.PositiveIntegerField(_("số lượng"), default=1)
    amount = models.BigIntegerField(_("số tiền"))
    direction = models.CharField(_("thu/chi"), max_length=3, choices=Direction.choices)
    revenue = models.BigIntegerField(_("doanh thu"))
    method = models.CharField(_("hình thức"), max_length=10, choices=Method.choices)
    customer_name = models.CharField(_("khách hàng"), max_length=200, blank=True)
    customer_phone = models.CharField(_("điện thoại khách"), max_length=20, blank=True)
    customer_id_no = models.CharField(_("số CCCD khách"), max_length=12, blank=True)
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    # A database default: the bulk door inserts rows by its own column list.
    reference = models.CharField(
        _("số hóa đơn / mã tham chiếu"), max_length=60, blank=True, db_default=""
    )
    counter_transaction = models.ForeignKey(
        CounterTransaction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-occurred_at"]
        verbose_name = _("bút toán")
        verbose_name_plural = _("sổ giao dịch")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["unit", "business_date"]),
            models.Index(fields=["session", "occurred_at"]),
            models.Index(fields=["source_type", "source_id"]),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["unit", "idempotency_key"], name="one_entry_per_key_per_unit"
            ),
            models.UniqueConstraint(
                fields=["settles"],
                condition=~models.Q(settles=""),
                name="one_entry_per_settlement",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="entry_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="entry_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.service_id} {self.amount}"


class DailyRollup(models.Model):
    """Per unit × service × business date: kept current on every post, rebuildable."""

    unit = models.ForeignKey("network.PostUnit", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    business_date = models.DateField()
    line = models.CharField(max_length=16, choices=Line.choices)
    count = models.IntegerField(default=0)
    quantity = models.BigIntegerField(default=0)
    cash_in = models.BigIntegerField(default=0)
    cash_out = models.BigIntegerField(default=0)
    revenue = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["unit", "service", "business_date"], name="one_daily_rollup"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["business_date", "unit"]),
            models.Index(fields=["unit", "business_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.business_date} {self.unit_id} {self.service_id}"


class MonthlyRollup(models.Model):
    """Per unit × service × month: what the reports read."""

    unit = models.ForeignKey("network.PostUnit", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="first day of the month")
    line = models.CharField(max_length=16, choices=Line.choices)
    count = models.IntegerField(default=0)
    quantity = models.BigIntegerField(default=0)
    cash_in = models.BigIntegerField(default=0)
    cash_out = models.BigIntegerField(default=0)
    revenue = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["unit", "service", "month"], name="one_monthly_rollup"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["month", "unit"]),
            models.Index(fields=["unit", "month"]),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.unit_id} {self.service_id}"


class UnitMonthRollup(models.Model):
    """Per unit × business line × month: the smallest table the reports need."""

    unit = models.ForeignKey("network.PostUnit", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="first day of the month")
    line = models.CharField(max_length=16, choices=Line.choices)
    count = models.IntegerField(default=0)
    quantity = models.BigIntegerField(default=0)
    cash_in = models.BigIntegerField(default=0)
    cash_out = models.BigIntegerField(default=0)
    revenue = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["unit", "month", "line"], name="one_unit_month_line"),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["month", "unit"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.unit_id} {self.line}"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


class Customer(BaseModel):
    """One customer record shared by mail, collections and the market: a person, an agency,
    a shop or an OCOP producer; contract customers are billed and counted apart."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Cá nhân")
        AGENCY = "agency", _("Cơ quan, tổ chức")
        SHOP = "shop", _("Cửa hàng, doanh nghiệp")
        OCOP = "ocop", _("Chủ thể OCOP")

    name = models.CharField(_("tên khách hàng"), max_length=200)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    phone = models.CharField(_("điện thoại"), max_length=10, blank=True, db_index=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    unit = models.ForeignKey(
        "network.PostUnit",
        verbose_name=_("đơn vị quản lý"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    contract_no = models.CharField(_("số hợp đồng"), max_length=40, blank=True)
    search_text = models.CharField(max_length=400, blank=True, db_index=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        verbose_name = _("khách hàng")
        verbose_name_plural = _("khách hàng")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["unit", "phone"], condition=~models.Q(phone=""), name="customer_phone_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_text = build_search_text(self.name, self.phone, self.contract_no)
        super().save(*args, **kwargs)  # type: ignore[arg-type]
