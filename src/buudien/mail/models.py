"""Postal items with their S10 ids and tracking events, the mail tariffs by weight and zone,
dispatch bags, mail routes of tiers 1-3 with their trips, and the daily rollup the reports
read."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from buudien.core.models import BaseModel


class Zone(models.TextChoices):
    """How far an item goes, as the tariff counts it."""

    PROVINCE = "province", _("Nội tỉnh")
    REGION = "region", _("Nội vùng (tỉnh lân cận)")
    FAR = "far", _("Liên vùng (vùng xa)")


class Region(models.Model):
    """Which of the three regions a province belongs to (reference data)."""

    province_code = models.PositiveIntegerField(_("mã tỉnh"), primary_key=True)
    region = models.CharField(_("vùng"), max_length=10)

    class Meta:
        verbose_name = _("vùng của tỉnh")
        verbose_name_plural = _("vùng của tỉnh")

    def __str__(self) -> str:
        return f"{self.province_code}: {self.region}"


class PostalService(models.Model):
    """A postal service an item is sent by: its counter service (where its charge goes),
    the two letters of its S10 ids and its service standard in days by zone."""

    code = models.CharField(_("mã dịch vụ"), max_length=20, primary_key=True)
    name = models.CharField(_("tên dịch vụ"), max_length=120)
    name_en = models.CharField(max_length=120, blank=True)
    s10_prefix = models.CharField(_("hai chữ đầu số hiệu"), max_length=2, blank=True)
    tracked = models.BooleanField(_("có số hiệu, theo dõi được"), default=True)
    days_province = models.PositiveSmallIntegerField(_("chỉ tiêu nội tỉnh (ngày)"), default=2)
    days_region = models.PositiveSmallIntegerField(_("chỉ tiêu nội vùng (ngày)"), default=3)
    days_far = models.PositiveSmallIntegerField(_("chỉ tiêu liên vùng (ngày)"), default=5)
    max_weight_g = models.PositiveIntegerField(_("khối lượng tối đa (g)"), default=30_000)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["order", "code"]
        verbose_name = _("dịch vụ bưu chính")
        verbose_name_plural = _("dịch vụ bưu chính")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class WeightBand(models.Model):
    """The price of an item up to a weight, in a zone, from a date; the band without an
    upper weight is the price of each further step above the last band."""

    service = models.ForeignKey(PostalService, on_delete=models.PROTECT, related_name="bands")
    zone = models.CharField(_("vùng tính cước"), max_length=10, choices=Zone.choices)
    valid_from = models.DateField(_("áp dụng từ"))
    up_to_g = models.PositiveIntegerField(_("đến (g)"), null=True, blank=True)
    step_g = models.PositiveIntegerField(_("mỗi nấc thêm (g)"), default=0)
    price = models.BigIntegerField(_("cước (đồng)"))

    class Meta:
        ordering: ClassVar[list[str]] = ["service", "zone", "valid_from", "up_to_g"]
        verbose_name = _("nấc khối lượng")
        verbose_name_plural = _("bảng cước bưu chính")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["service", "zone", "valid_from", "up_to_g"], name="band_once"
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="band_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.zone} ≤{self.up_to_g} g"


class Extra(models.Model):
    """An extra service on an item: delivery notice, COD, insured value, pick-up at home."""

    class Rule(models.TextChoices):
        FIXED = "fixed", _("Cước cố định")
        PERCENT = "percent", _("Tỷ lệ trên giá trị")

    code = models.CharField(_("mã"), max_length=10)
    name = models.CharField(_("tên"), max_length=120)
    name_en = models.CharField(max_length=120, blank=True)
    valid_from = models.DateField(_("áp dụng từ"))
    rule = models.CharField(max_length=10, choices=Rule.choices)
    price = models.BigIntegerField(_("cước cố định / tối thiểu (đồng)"), default=0)
    rate_bp = models.PositiveIntegerField(_("tỷ lệ (phần vạn)"), default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["code", "valid_from"]
        verbose_name = _("dịch vụ cộng thêm")
        verbose_name_plural = _("dịch vụ cộng thêm")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="extra_once"),
        ]

    def __str__(self) -> str:
        return self.code


class Status(models.TextChoices):
    ACCEPTED = "accepted", _("Đã nhận gửi")
    BAGGED = "bagged", _("Đã đóng túi")
    DISPATCHED = "dispatched", _("Đang vận chuyển")
    ARRIVED = "arrived", _("Đã đến bưu cục")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Đang phát")
    DELIVERED = "delivered", _("Đã phát thành công")
    FAILED = "failed", _("Phát không thành công")
    RETURNING = "returning", _("Đang chuyển hoàn")
    RETURNED = "returned", _("Đã hoàn cho người gửi")


class Reason(models.TextChoices):
    """Why a delivery failed or an item goes back: a code, never free text."""

    ABSENT = "absent", _("Người nhận vắng nhà")
    WRONG_ADDRESS = "wrong_address", _("Sai hoặc thiếu địa chỉ")
    REFUSED = "refused", _("Người nhận từ chối nhận")
    NO_COD = "no_cod", _("Người nhận không trả tiền thu hộ")
    MOVED = "moved", _("Người nhận đã chuyển đi")
    UNREACHABLE = "unreachable", _("Không liên lạc được người nhận")
    DAMAGED = "damaged", _("Bưu gửi hư hỏng")
    HELD = "held", _("Quá hạn lưu giữ")


class PostalItem(BaseModel):
    """A letter or parcel with its S10 id, from its acceptance to its delivery or return."""

    s10 = models.CharField(_("số hiệu bưu gửi"), max_length=13, unique=True)
    service = models.ForeignKey(PostalService, on_delete=models.PROTECT, related_name="+")
    # Where it was taken in (null: it came from outside the province) and where it is
    # delivered (null: it leaves the province).
    origin = models.ForeignKey(
        "network.PostUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    destination = models.ForeignKey(
        "network.PostUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    current_unit = models.ForeignKey(
        "network.PostUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "counter.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sender_name = models.CharField(_("người gửi"), max_length=200)
    sender_phone = models.CharField(_("điện thoại người gửi"), max_length=10, blank=True)
    sender_address = models.CharField(_("địa chỉ người gửi"), max_length=300, blank=True)
    receiver_name = models.CharField(_("người nhận"), max_length=200)
    receiver_phone = models.CharField(_("điện thoại người nhận"), max_length=10, blank=True)
    receiver_address = models.CharField(_("địa chỉ người nhận"), max_length=300)
    receiver_hamlet = models.CharField(_("thôn, bản, tổ"), max_length=100, blank=True)
    receiver_commune = models.ForeignKey(
        "network.Commune",
        verbose_name=_("xã, phường người nhận"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiver_postal_code = models.CharField(_("mã bưu chính"), max_length=5, blank=True)
    receiver_digital_address = models.CharField(_("mã địa chỉ số"), max_length=20, blank=True)
    zone = models.CharField(_("vùng tính cước"), max_length=10, choices=Zone.choices)
    weight_g = models.PositiveIntegerField(_("khối lượng (g)"))
    contents = models.CharField(_("nội dung"), max_length=200, blank=True)
    declared_value = models.BigIntegerField(_("giá trị khai (đồng)"), default=0)
    cod_amount = models.BigIntegerField(_("tiền thu hộ COD (đồng)"), default=0)
    extras = models.CharField(_("dịch vụ cộng thêm"), max_length=60, blank=True)
    charge = models.BigIntegerField(_("cước (đồng)"), default=0)
    receipt_no = models.CharField(_("số biên lai"), max_length=40, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.ACCEPTED
    )
    # On its way back to the sender: arrivals no longer count as received mail.
    is_return = models.BooleanField(_("chuyển hoàn"), default=False)
    accepted_at = models.DateTimeField(_("nhận gửi lúc"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The day it reached the unit that delivers it: an item "received" in the reports.
    received_on = models.DateField(_("đến bưu cục phát ngày"), null=True, blank=True)
    due_on = models.DateField(_("hạn phát theo chỉ tiêu"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("phát lúc"), null=True, blank=True)
    delivered_to = models.CharField(_("người nhận thực tế"), max_length=200, blank=True)
    cod_collected_at = models.DateTimeField(_("thu COD lúc"), null=True, blank=True)
    cod_paid_at = models.DateTimeField(_("trả COD cho người gửi lúc"), null=True, blank=True)
    search_text = models.CharField(max_length=400, blank=True)
    request_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["-accepted_at"]
        verbose_name = _("bưu gửi")
        verbose_name_plural = _("bưu gửi")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["origin", "accepted_at"]),
            models.Index(fields=["destination", "received_on"]),
            models.Index(fields=["destination", "status"]),
            models.Index(fields=["status", "due_on"]),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["origin", "request_key"],
                condition=~models.Q(request_key=""),
                name="item_request_once_per_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(cod_amount__gte=0, declared_value__gte=0, charge__gte=0),
                name="item_money_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.s10


class TrackingEvent(models.Model):
    """One scan of an item: a coded status, a coded reason where it failed, the place, the
    time, who and on which device."""

    id = models.BigAutoField(primary_key=True)
    item = models.ForeignKey(
        PostalItem, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    at = models.DateTimeField(_("lúc"))
    unit = models.ForeignKey(
        "network.PostUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("nơi"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    device = models.CharField(_("thiết bị"), max_length=64, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["item", "at", "id"]
        # The item's own index would be the leading column of this one.
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["item", "at"])]

    def __str__(self) -> str:
        return f"{self.status} {self.at:%d/%m/%Y %H:%M}"


class MailRoute(BaseModel):
    """A mail route: tier 1 province to areas, tier 2 area to offices, tier 3 office to
    commune points; its schedule, its stops, its vehicle and carrier."""

    code = models.CharField(_("mã tuyến"), max_length=20, unique=True)
    name = models.CharField(_("tên tuyến"), max_length=200)
    tier = models.PositiveSmallIntegerField(_("cấp"), choices=[(1, "1"), (2, "2"), (3, "3")])
    origin = models.ForeignKey(
        "network.PostUnit",
        verbose_name=_("đơn vị đầu tuyến"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    departs = models.TimeField(_("giờ xuất phát"))
    weekdays = models.CharField(_("ngày chạy trong tuần"), max_length=13, default="1,2,3,4,5,6")
    vehicle = models.CharField(_("phương tiện"), max_length=60, blank=True)
    carrier = models.CharField(_("người / đơn vị vận chuyển"), max_length=120, blank=True)
    is_active = models.BooleanField(_("đang chạy"), default=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["tier", "code"]
        verbose_name = _("tuyến đường thư")
        verbose_name_plural = _("tuyến đường thư")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RouteStop(models.Model):
    route = models.ForeignKey(MailRoute, on_delete=models.CASCADE, related_name="stops")
    order = models.PositiveSmallIntegerField()
    unit = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="+")
    minutes = models.PositiveIntegerField(_("đến sau (phút)"))

    class Meta:
        ordering: ClassVar[list[str]] = ["route", "order"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["route", "order"], name="stop_order_once"),
        ]

    def __str__(self) -> str:
        return f"{self.route_id} #{self.order}"


class Trip(BaseModel):
    """One run of a route on a day: its bags are its manifest."""

    route = models.ForeignKey(MailRoute, on_delete=models.PROTECT, related_name="trips")
    day = models.DateField(_("ngày"))
    scheduled_at = models.DateTimeField(_("giờ xuất phát theo lịch"))
    departed_at = models.DateTimeField(_("xuất phát lúc"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("về đến cuối tuyến lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("đến cuối tuyến theo lịch"))

    class Meta:
        ordering: ClassVar[list[str]] = ["-day", "route"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["route", "day"], name="trip_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.route_id} {self.day:%d/%m/%Y}"


class Bag(BaseModel):
    """A dispatch bag from one unit to another, with its items."""

    class State(models.TextChoices):
        OPEN = "open", _("Đang đóng")
        CLOSED = "closed", _("Đã niêm phong")
        DISPATCHED = "dispatched", _("Đã chuyển đi")
        RECEIVED = "received", _("Đã nhận")

    number = models.CharField(_("số túi"), max_length=32, unique=True)
    origin = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="+")
    destination = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    trip = models.ForeignKey(
        Trip, null=True, blank=True, on_delete=models.PROTECT, related_name="bags"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    items: models.ManyToManyField[PostalItem, BagItem] = models.ManyToManyField(
        PostalItem, through="BagItem", related_name="bags"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        verbose_name = _("túi thư")
        verbose_name_plural = _("túi thư")

    def __str__(self) -> str:
        return self.number


class BagItem(models.Model):
    bag = models.ForeignKey(Bag, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(PostalItem, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["bag", "item"], name="item_once_in_bag"),
        ]

    def __str__(self) -> str:
        return f"{self.bag_id}: {self.item_id}"


class MailDay(models.Model):
    """What one unit sent and received on one day by service: what the reports read."""

    unit = models.ForeignKey("network.PostUnit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    service = models.ForeignKey(PostalService, on_delete=models.CASCADE, related_name="+")
    sent = models.PositiveIntegerField(default=0)
    received = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    delivered_on_time = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["unit", "day", "service"], name="mail_day_once"),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["day", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.service_id}"


class OrdinaryBatch(BaseModel):
    """Ordinary letters and printed matter counted in bundles: they carry no S10 id, so a
    unit records how many it sent or received on a day."""

    class Direction(models.TextChoices):
        SENT = "sent", _("Chấp nhận gửi đi")
        RECEIVED = "received", _("Nhận đến để phát")

    unit = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("ngày"))
    service = models.ForeignKey(PostalService, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    count = models.PositiveIntegerField(_("số bưu gửi"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["day", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.direction} {self.count}"
