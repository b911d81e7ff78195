"""The insurance agency: the schemes' rules as dated data, participants and their households,
each person's cover in a scheme, the payments taken at the counter with their lines, the
declaration lists sent to the social-insurance agency, and a daily rollup for the plans."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from buudien.core.models import BaseModel


class SchemeCode(models.TextChoices):
    VOLUNTARY_SOCIAL = "voluntary_social", _("BHXH tự nguyện")
    HOUSEHOLD_HEALTH = "household_health", _("BHYT hộ gia đình")


class Category(models.TextChoices):
    """Who the state supports, and by how much (see `Support`)."""

    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")
    ETHNIC_MINORITY = "ethnic_minority", _("Người dân tộc thiểu số")
    OTHER = "other", _("Đối tượng khác")


class ModeCode(models.TextChoices):
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "3m", _("3 tháng một lần")
    HALF_YEAR = "6m", _("6 tháng một lần")
    YEARLY = "12m", _("12 tháng một lần")
    YEARS_AHEAD = "years", _("Một lần cho nhiều năm về sau")
    BACK_PAY = "back", _("Đóng bù cho những tháng còn thiếu")


class Scheme(models.Model):
    """A scheme the post collects for: its agency and the counter service that takes the money
    (whose tariff is the post's commission)."""

    code = models.CharField(_("mã"), max_length=20, primary_key=True, choices=SchemeCode.choices)
    name = models.CharField(_("tên"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120, blank=True)
    agency = models.ForeignKey("network.Partner", on_delete=models.PROTECT, related_name="+")
    service_code = models.CharField(_("dịch vụ thu tại quầy"), max_length=20)
    declaration_form = models.CharField(_("mẫu danh sách kê khai"), max_length=20, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["code"]
        verbose_name = _("loại bảo hiểm")
        verbose_name_plural = _("loại bảo hiểm")

    def __str__(self) -> str:
        return self.name


class SchemeRule(models.Model):
    """A scheme's rates from a day on: a change of law is a new row, never new code."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="rules")
    valid_from = models.DateField(_("áp dụng từ ngày"))
    contribution_bp = models.PositiveIntegerField(
        _("tỷ lệ đóng (phần vạn)"),
        help_text=_("BHXH tự nguyện: của thu nhập chọn đóng; BHYT: của lương cơ sở."),
    )
    income_floor = models.BigIntegerField(
        _("thu nhập thấp nhất (đồng/tháng)"),
        null=True,
        blank=True,
        help_text=_("Chuẩn hộ nghèo khu vực nông thôn; cũng là mức tính hỗ trợ của Nhà nước."),
    )
    ceiling_base_multiple = models.PositiveSmallIntegerField(
        _("thu nhập cao nhất (lần lương cơ sở)"), null=True, blank=True
    )
    member_shares_bp = models.JSONField(
        _("mức đóng người thứ 1, 2, 3, 4, từ thứ 5 (phần vạn của người thứ nhất)"),
        default=list,
        blank=True,
    )
    waiting_days = models.PositiveSmallIntegerField(
        _("số ngày chờ thẻ có giá trị khi tham gia lần đầu hoặc gián đoạn"), default=0
    )
    discount_bp = models.PositiveIntegerField(
        _("lãi suất chiết khấu, tính lãi đóng bù (phần vạn/năm)"), default=0
    )
    source = models.CharField(_("căn cứ pháp lý"), max_length=300)

    class Meta:
        ordering: ClassVar[list[str]] = ["scheme", "-valid_from"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["scheme", "valid_from"], name="one_rule_per_day"),
        ]
        verbose_name = _("mức đóng")
        verbose_name_plural = _("mức đóng")

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.valid_from}"


class BaseSalary(models.Model):
    """The base salary (lương cơ sở) from a day on, raised by decree."""

    valid_from = models.DateField(_("áp dụng từ ngày"), unique=True)
    amount = models.BigIntegerField(_("mức lương cơ sở (đồng/tháng)"))
    source = models.CharField(_("căn cứ pháp lý"), max_length=300)

    class Meta:
        ordering: ClassVar[list[str]] = ["-valid_from"]
        verbose_name = _("lương cơ sở")
        verbose_name_plural = _("lương cơ sở")

    def __str__(self) -> str:
        return f"{self.valid_from} {self.amount}"


class Support(models.Model):
    """The state's support for a category, as a share of the contribution at the floor income,
    for at most `limit_months` months of a person's life (none: no limit)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="supports")
    category = models.CharField(_("đối tượng"), max_length=20, choices=Category.choices)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    share_bp = models.PositiveIntegerField(_("mức hỗ trợ (phần vạn)"))
    limit_months = models.PositiveSmallIntegerField(
        _("hỗ trợ tối đa (tháng)"), null=True, blank=True
    )
    needs_evidence = models.BooleanField(_("cần giấy tờ chứng minh"), default=True)
    source = models.CharField(_("căn cứ pháp lý"), max_length=300)

    class Meta:
        ordering: ClassVar[list[str]] = ["scheme", "category", "-valid_from"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["scheme", "category", "valid_from"], name="one_support_per_day"
            ),
        ]
        verbose_name = _("mức hỗ trợ của Nhà nước")
        verbose_name_plural = _("mức hỗ trợ của Nhà nước")

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.category} {self.valid_from}"


class PaymentMode(models.Model):
    """A way of paying a scheme, from a day on: how many months one payment may cover
    (months_max 0 withdraws the mode)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="modes")
    code = models.CharField(_("phương thức"), max_length=8, choices=ModeCode.choices)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    months_min = models.PositiveSmallIntegerField(_("số tháng ít nhất"))
    months_max = models.PositiveSmallIntegerField(_("số tháng nhiều nhất"))
    months_step = models.PositiveSmallIntegerField(_("bước (tháng)"), default=1)
    source = models.CharField(_("căn cứ pháp lý"), max_length=300)

    class Meta:
        ordering: ClassVar[list[str]] = ["scheme", "months_min", "code", "-valid_from"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["scheme", "code", "valid_from"], name="one_mode_per_day"
            ),
        ]
        verbose_name = _("phương thức đóng")
        verbose_name_plural = _("phương thức đóng")

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.code}"


class Household(BaseModel):
    """A household that enrols its members in household health insurance together."""

    head_name = models.CharField(_("chủ hộ"), max_length=200)
    code = models.CharField(_("mã hộ gia đình"), max_length=20, blank=True)
    point = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey(
        "network.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hamlet = models.CharField(_("thôn, bản"), max_length=120, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    search_text = models.CharField(max_length=300, blank=True, db_index=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["point", "hamlet", "head_name"]
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")

    def __str__(self) -> str:
        return self.head_name


class Participant(BaseModel):
    """A person the point enrols: one record per citizen id, whatever the schemes."""

    citizen_id = models.CharField(_("số CCCD"), max_length=12, unique=True)
    si_number = models.CharField(_("mã số BHXH"), max_length=10, null=True, blank=True, unique=True)
    name = models.CharField(_("họ tên"), max_length=200)
    # The folded name and the birth date: two records with the same are probably one person.
    name_key = models.CharField(max_length=220, db_index=True)
    birth_date = models.DateField(_("ngày sinh"))
    sex = models.CharField(_("giới tính"), max_length=6, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=15, blank=True)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    relation = models.CharField(_("quan hệ với chủ hộ"), max_length=40, blank=True)
    point = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey(
        "network.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hamlet = models.CharField(_("thôn, bản"), max_length=120, blank=True)
    consent_at = models.DateTimeField(_("đồng ý xử lý dữ liệu cá nhân lúc"))
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    search_text = models.CharField(max_length=300, blank=True, db_index=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["point", "hamlet", "name"]
        verbose_name = _("người tham gia")
        verbose_name_plural = _("người tham gia")

    def __str__(self) -> str:
        return self.name


class Cover(BaseModel):
    """A person's place in one scheme: what he chose and up to when he has paid."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="covers")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    point = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="+")
    income = models.BigIntegerField(_("thu nhập chọn đóng (đồng/tháng)"), null=True, blank=True)
    category = models.CharField(
        _("đối tượng hỗ trợ"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    evidence = models.CharField(_("giấy tờ chứng minh"), max_length=200, blank=True)
    mode = models.CharField(_("phương thức đóng"), max_length=8, choices=ModeCode.choices)
    first_from = models.DateField(_("tham gia từ ngày"))
    paid_until = models.DateField(_("đã đóng đến ngày"))
    supported_months = models.PositiveIntegerField(_("số tháng đã được hỗ trợ"), default=0)
    # The end of the paid period a renewal reminder was sent for: one reminder per period.
    reminded_for = models.DateField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["paid_until"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["participant", "scheme"], name="one_cover_per_scheme"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["point", "paid_until"]),
            models.Index(fields=["scheme", "paid_until"]),
        ]
        verbose_name = _("quá trình tham gia")
        verbose_name_plural = _("quá trình tham gia")

    def __str__(self) -> str:
        return f"{self.participant_id} {self.scheme_id}"


class Declaration(BaseModel):
    """A list of payment lines sent to the agency in its layout, and its answer."""

    class State(models.TextChoices):
        SENT = "sent", _("Đã gửi cơ quan BHXH")
        CONFIRMED = "confirmed", _("Đã có kết quả xác nhận")

    number = models.CharField(_("số danh sách"), max_length=30, unique=True)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SENT)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lines = models.PositiveIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        verbose_name = _("danh sách kê khai")
        verbose_name_plural = _("danh sách kê khai")

    def __str__(self) -> str:
        return self.number


class Payment(BaseModel):
    """One payment at the counter (or at home) for one or several people of one scheme."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    point = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    payer_name = models.CharField(_("người nộp tiền"), max_length=200)
    mode = models.CharField(_("phương thức đóng"), max_length=8, choices=ModeCode.choices)
    months = models.PositiveSmallIntegerField(_("số tháng"))
    at_home = models.BooleanField(_("thu tại nhà"), default=False)
    total = models.BigIntegerField(_("số tiền"))
    support = models.BigIntegerField(_("Nhà nước hỗ trợ"), default=0)
    paid_at = models.DateTimeField(_("thu lúc"))
    business_date = models.DateField()
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    session_id = models.UUIDField()
    entry_id = models.UUIDField(null=True, blank=True)
    receipt_no = models.CharField(_("số biên lai"), max_length=40, blank=True)
    request_key = models.CharField(max_length=64, blank=True)
    declaration = models.ForeignKey(
        Declaration, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-paid_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["point", "request_key"],
                condition=~models.Q(request_key=""),
                name="one_payment_per_request",
            ),
            models.CheckConstraint(condition=models.Q(total__gt=0), name="payment_positive"),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["point", "business_date"])]
        verbose_name = _("lần đóng tiền")
        verbose_name_plural = _("lần đóng tiền")

    def __str__(self) -> str:
        return self.receipt_no or str(self.pk)


class PaymentLine(models.Model):
    """One person's months in a payment, with its calculation; each month is paid once."""

    class State(models.TextChoices):
        PAID = "paid", _("Đã thu tiền")
        CONFIRMED = "confirmed", _("BHXH đã xác nhận")
        REJECTED = "rejected", _("BHXH từ chối")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="lines")
    cover = models.ForeignKey(Cover, on_delete=models.PROTECT, related_name="lines")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    period_from = models.DateField(_("từ ngày"))
    period_to = models.DateField(_("đến ngày"))
    months = models.PositiveSmallIntegerField(_("số tháng"))
    member_order = models.PositiveSmallIntegerField(_("người thứ"), default=1)
    income = models.BigIntegerField(null=True, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    gross = models.BigIntegerField(_("mức đóng"))
    support = models.BigIntegerField(_("Nhà nước hỗ trợ"), default=0)
    amount = models.BigIntegerField(_("phải nộp"))
    supported_months = models.PositiveSmallIntegerField(default=0)
    detail = models.JSONField(default=list)
    is_new = models.BooleanField(_("tham gia mới"), default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PAID)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["payment", "member_order"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["cover", "period_from"], name="each_month_paid_once"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.cover_id} {self.period_from}"


class InsuranceDay(models.Model):
    """A unit's day for one scheme: enrolments (people paid for), of whom new, and money."""

    unit = models.ForeignKey("network.PostUnit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="+")
    enrolments = models.PositiveIntegerField(default=0)
    new_people = models.PositiveIntegerField(default=0)
    amount = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["unit", "day", "scheme"], name="one_insurance_day"),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["day", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.scheme_id}"
