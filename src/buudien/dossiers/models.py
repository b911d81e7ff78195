"""Procedures, dossiers with their documents and events, hand-over batches, the working
calendar, complaints."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from buudien.core.models import BaseModel


class Holiday(models.Model):
    """A public holiday, a substitute day off, or a weekend day made a working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Ngày nghỉ lễ, Tết")
        DAY_OFF = "day_off", _("Ngày nghỉ bù / hoán đổi")
        WORKDAY = "workday", _("Ngày làm bù (cuối tuần đi làm)")

    date = models.DateField(_("ngày"), primary_key=True)
    name = models.CharField(_("tên"), max_length=120)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.HOLIDAY)

    class Meta:
        ordering: ClassVar[list[str]] = ["date"]
        verbose_name = _("ngày nghỉ, ngày làm bù")
        verbose_name_plural = _("lịch làm việc")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class Procedure(BaseModel):
    """An administrative procedure (TTHC) that can be filed and/or returned by post."""

    code = models.CharField(_("mã thủ tục quốc gia"), max_length=32, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=300)
    agency = models.ForeignKey(
        "network.Partner",
        verbose_name=_("cơ quan giải quyết"),
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    field = models.CharField(_("lĩnh vực"), max_length=120)
    processing_days = models.PositiveSmallIntegerField(_("thời hạn giải quyết (ngày làm việc)"))
    agency_fee = models.BigIntegerField(_("phí, lệ phí của cơ quan (đồng)"), default=0)
    intake_by_post = models.BooleanField(_("nhận hồ sơ qua bưu điện"), default=True)
    return_by_post = models.BooleanField(_("trả kết quả qua bưu điện"), default=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    search_text = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["field", "name"]
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class RequiredDocument(models.Model):
    class Form(models.TextChoices):
        ORIGINAL = "original", _("Bản chính")
        COPY = "copy", _("Bản sao")
        EITHER = "either", _("Bản chính hoặc bản sao")

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("tên giấy tờ"), max_length=300)
    form = models.CharField(
        _("hình thức"), max_length=10, choices=Form.choices, default=Form.ORIGINAL
    )
    copies = models.PositiveSmallIntegerField(_("số bản"), default=1)
    required = models.BooleanField(_("bắt buộc"), default=True)
    condition = models.CharField(_("trường hợp cần nộp"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["procedure", "order", "pk"]
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận tại điểm")
    IN_TRANSIT = "in_transit", _("Đang chuyển đến cơ quan")
    AT_AGENCY = "at_agency", _("Cơ quan đã nhận")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Cơ quan yêu cầu bổ sung")
    SUPPLEMENTED = "supplemented", _("Đã bổ sung")
    RESULT_READY = "result_ready", _("Có kết quả tại cơ quan")
    REJECTED = "rejected", _("Cơ quan từ chối")
    RESULT_COLLECTED = "result_collected", _("Bưu điện đã nhận kết quả")
    AT_POINT = "at_point", _("Kết quả ở điểm bưu điện")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Đang phát tại nhà")
    DELIVERY_FAILED = "delivery_failed", _("Phát không thành công")
    RETURNED = "returned", _("Đã trả cho công dân")
    WITHDRAWN = "withdrawn", _("Công dân rút hồ sơ")


class Place(models.TextChoices):
    POINT = "point", _("Tại điểm bưu điện")
    TRANSIT = "transit", _("Đang vận chuyển")
    AGENCY = "agency", _("Tại cơ quan")
    CITIZEN = "citizen", _("Công dân đã nhận")


class Dossier(BaseModel):
    """A citizen's dossier taken in by the post, followed until the result is returned."""

    class Channel(models.TextChoices):
        COUNTER = "counter", _("Tại quầy")
        HOME = "home", _("Tại nhà công dân")

    code = models.CharField(_("mã hồ sơ"), max_length=20, unique=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="dossiers")
    # The agency's, the point's and the status' own indexes are the leading columns of the
    # composite indexes below: a second copy would only slow every write.
    agency = models.ForeignKey(
        "network.Partner", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    point = models.ForeignKey(
        "network.PostUnit",
        verbose_name=_("điểm tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,
    )
    channel = models.CharField(
        _("kênh"), max_length=10, choices=Channel.choices, default=Channel.COUNTER
    )
    home_delivery = models.BooleanField(_("trả kết quả tại nhà"), default=False)
    citizen_name = models.CharField(_("họ tên công dân"), max_length=200)
    citizen_id = models.CharField(_("số CCCD"), max_length=12)
    phone = models.CharField(_("điện thoại"), max_length=10)
    address = models.CharField(_("địa chỉ"), max_length=300)
    representative_name = models.CharField(_("người nộp thay"), max_length=200, blank=True)
    representative_id = models.CharField(_("CCCD người nộp thay"), max_length=12, blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=24,
        choices=Status.choices,
        default=Status.RECEIVED,
    )
    place = models.CharField(_("đang ở"), max_length=10, choices=Place.choices, default=Place.POINT)
    batch = models.ForeignKey(
        "Batch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("tiếp nhận lúc"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("hẹn trả kết quả"), db_index=True)
    step_due = models.DateField(_("hạn của bước hiện tại"), null=True, blank=True, db_index=True)
    agency_receipt_no = models.CharField(_("số biên nhận của cơ quan"), max_length=40, blank=True)
    appointment_date = models.DateField(_("ngày hẹn của cơ quan"), null=True, blank=True)
    supplement_note = models.TextField(_("nội dung yêu cầu bổ sung"), blank=True)
    supplement_due = models.DateField(_("hạn bổ sung"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả lúc"), null=True, blank=True)
    returned_to = models.CharField(_("người nhận kết quả"), max_length=200, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    search_text = models.CharField(max_length=400, blank=True)
    # The intake form's key, the point's own: the same form sent twice is one dossier, and
    # `request_digest` tells a resubmission from another request that reused the key.
    request_key = models.CharField(max_length=64, blank=True, editable=False)
    request_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["-received_at"]
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["point", "status", "due_date"]),
            models.Index(fields=["agency", "status", "due_date"]),
            models.Index(fields=["received_at", "point"]),
            models.Index(fields=["returned_at", "point"]),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["point", "request_key"],
                condition=~models.Q(request_key=""),
                name="dossier_request_once_per_point",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class DossierDocument(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    required = models.ForeignKey(
        RequiredDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("giấy tờ"), max_length=300)
    form = models.CharField(_("hình thức"), max_length=10, choices=RequiredDocument.Form.choices)
    count = models.PositiveSmallIntegerField(_("số bản"), default=1)

    class Meta:
        verbose_name = _("giấy tờ đã nhận")
        verbose_name_plural = _("giấy tờ đã nhận")

    def __str__(self) -> str:
        return f"{self.name} ({self.count})"


class DossierEvent(models.Model):
    """One step of a dossier's life: who, when, where, from which state to which."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("lúc"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("thao tác"), max_length=40)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    place = models.CharField(max_length=10)
    where = models.CharField(_("nơi"), max_length=200, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["dossier", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%d/%m/%Y %H:%M}"


class Batch(BaseModel):
    """A hand-over slip (biên bản giao nhận): dossiers to an agency, or results back from it."""

    class Direction(models.TextChoices):
        TO_AGENCY = "to_agency", _("Giao hồ sơ cho cơ quan")
        FROM_AGENCY = "from_agency", _("Nhận kết quả từ cơ quan")

    class State(models.TextChoices):
        OPEN = "open", _("Đang lập")
        SENT = "sent", _("Đã giao, chờ xác nhận")
        CONFIRMED = "confirmed", _("Đã xác nhận")

    code = models.CharField(_("số biên bản"), max_length=24, unique=True)
    direction = models.CharField(max_length=12, choices=Direction.choices)
    unit = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("network.Partner", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_slip = models.FileField(_("biên bản có chữ ký"), upload_to="slips/", blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        verbose_name = _("biên bản giao nhận")
        verbose_name_plural = _("biên bản giao nhận")

    def __str__(self) -> str:
        return self.code


class BatchItem(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="items")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="batch_items")
    documents = models.PositiveSmallIntegerField(_("số giấy tờ"))

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["batch", "dossier"], name="dossier_once_per_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} ({self.documents})"


class Complaint(BaseModel):
    class Kind(models.TextChoices):
        LOST = "lost", _("Thất lạc giấy tờ")
        DELAY = "delay", _("Chậm trễ")
        DAMAGE = "damage", _("Hư hỏng")
        OTHER = "other", _("Khác")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="complaints")
    kind = models.CharField(_("loại khiếu nại"), max_length=10, choices=Kind.choices)
    description = models.TextField(_("nội dung"))
    interprovincial = models.BooleanField(_("liên tỉnh"), default=False)
    received_at = models.DateTimeField()
    due_date = models.DateField(_("hạn giải quyết"))
    resolution = models.TextField(_("kết quả giải quyết"), blank=True)
    compensation = models.BigIntegerField(_("bồi thường (đồng)"), default=0)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-received_at"]
        verbose_name = _("khiếu nại")
        verbose_name_plural = _("khiếu nại")

    def __str__(self) -> str:
        return f"KN {self.pk} {self.kind}"


class DossierMonthRollup(models.Model):
    """Dossiers received and returned per month (of the local date) × point × agency ×
    procedure × channel: the dossier report and the indicators read whole months here.
    Kept current by intake and return, rebuilt from the dossiers after a bulk insert."""

    month = models.DateField(help_text="first day of the month")
    point = models.ForeignKey("network.PostUnit", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("network.Partner", on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Dossier.Channel.choices)
    received = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    returned_on_time = models.IntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # Led by the month: the reads' index too.
            models.UniqueConstraint(
                fields=["month", "point", "agency", "procedure", "channel"],
                name="one_dossier_rollup_row",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.point_id} {self.procedure_id} {self.channel}"
