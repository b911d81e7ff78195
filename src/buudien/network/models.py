"""Administrative units, partners, the post-unit tree and the commune-point profile."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from buudien.core.models import BaseModel
from buudien.core.text import build_search_text


class Province(models.Model):
    """A province or centrally-run city (34 since 1 July 2025), from vietnam-provinces."""

    code = models.PositiveIntegerField(_("mã"), primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    codename = models.CharField(max_length=100)
    division_type = models.CharField(_("loại"), max_length=40)

    class Meta:
        ordering: ClassVar[list[str]] = ["code"]
        verbose_name = _("tỉnh, thành phố")
        verbose_name_plural = _("tỉnh, thành phố")

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A commune, ward or special zone (3,321 since 1 July 2025), from vietnam-provinces."""

    code = models.PositiveIntegerField(_("mã"), primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes")
    name = models.CharField(_("tên"), max_length=100)
    codename = models.CharField(max_length=100)
    division_type = models.CharField(_("loại"), max_length=40)
    search_text = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["province_id", "code"]
        verbose_name = _("xã, phường")
        verbose_name_plural = _("xã, phường")

    def __str__(self) -> str:
        return self.name


class Partner(BaseModel):
    """An organisation the post works for: a public agency or a company."""

    class Kind(models.TextChoices):
        SOCIAL_INSURANCE = "social_insurance", _("Bảo hiểm xã hội")
        PUBLIC_ADMIN_CENTRE = "public_admin_centre", _("Trung tâm phục vụ hành chính công")
        COMMUNE_COMMITTEE = "commune_committee", _("Ủy ban nhân dân xã, phường")
        POLICE = "police", _("Công an")
        SOCIAL_PROTECTION = "social_protection", _("Sở Y tế / bảo trợ xã hội")
        TAX = "tax", _("Cơ quan thuế")
        POWER_COMPANY = "power_company", _("Công ty điện lực")
        WATER_COMPANY = "water_company", _("Công ty cấp nước")
        BANK = "bank", _("Ngân hàng")
        PUBLISHER = "publisher", _("Báo, tạp chí")
        OTHER = "other", _("Khác")

    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=32, choices=Kind.choices)
    is_public_agency = models.BooleanField(_("cơ quan nhà nước"), default=True)
    served_by = models.ForeignKey(
        "PostUnit",
        verbose_name=_("đơn vị bưu điện phục vụ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partners",
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    is_active = models.BooleanField(_("đang hợp tác"), default=True)
    search_text = models.CharField(max_length=300, blank=True, db_index=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        verbose_name = _("đối tác")
        verbose_name_plural = _("đối tác")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_text = build_search_text(self.code, self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class PostUnit(BaseModel):
    """A node of the post network: province post, area post, post office or commune point."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Bưu điện tỉnh")
        AREA = "area", _("Bưu điện khu vực")
        OFFICE = "office", _("Bưu cục")
        COMMUNE_POINT = "commune_point", _("Điểm BĐ-VHX")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang hoạt động")
        SUSPENDED = "suspended", _("Tạm ngừng")
        CLOSED = "closed", _("Đã đóng cửa")

    # Which kind may sit under which: the tree's shape.
    PARENT_KIND: ClassVar[dict[str, str | None]] = {
        "province": None,
        "area": "province",
        "office": "area",
        "commune_point": "office",
    }

    code = models.CharField(_("mã đơn vị"), max_length=20, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=200)
    kind = models.CharField(_("cấp"), max_length=20, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("xã, phường"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="post_units",
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("vĩ độ"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("kinh độ"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    opened_on = models.DateField(_("ngày mở"), null=True, blank=True)
    suspended_on = models.DateField(_("ngày tạm ngừng"), null=True, blank=True)
    closed_on = models.DateField(_("ngày đóng cửa"), null=True, blank=True)
    search_text = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["path"]
        verbose_name = _("đơn vị bưu điện")
        verbose_name_plural = _("đơn vị bưu điện")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["kind", "path"]),
            models.Index(fields=["kind", "status"]),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_on__isnull=False),
                name="closed_unit_has_closing_date",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | (models.Q(latitude__gte=-90) & models.Q(latitude__lte=90)),
                name="unit_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | (models.Q(longitude__gte=-180) & models.Q(longitude__lte=180)),
                name="unit_longitude_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def refresh_path(self) -> None:
        """Recompute the materialised path from the parent (before saving)."""
        if self.parent is None:
            self.path = f"/{self.code}/"
            self.depth = 0
        else:
            self.path = f"{self.parent.path}{self.code}/"
            self.depth = self.parent.depth + 1
        commune_name = self.commune.name if self.commune_id and self.commune else ""
        self.search_text = build_search_text(self.code, self.name, self.address, commune_name)

    @property
    def is_point(self) -> bool:
        return self.kind == self.Kind.COMMUNE_POINT


class CommunePointProfile(models.Model):
    """What a commune point is like: model, hardship, connectivity, culture role, staff."""

    class OperatingModel(models.TextChoices):
        TRADITIONAL = "traditional", _("Truyền thống")
        MULTI_SERVICE = "multi_service", _("Đa dịch vụ")

    class AreaClass(models.TextChoices):
        ORDINARY = "ordinary", _("Bình thường")
        DIFFICULT = "difficult", _("Khó khăn")
        ESPECIALLY_DIFFICULT = "especially_difficult", _("Đặc biệt khó khăn")
        BORDER = "border", _("Biên giới")

    class InternetType(models.TextChoices):
        NONE = "none", _("Không có")
        FIBER = "fiber", _("Cáp quang")
        ADSL = "adsl", _("ADSL")
        WIRELESS = "wireless", _("Không dây (4G/5G router)")
        SATELLITE = "satellite", _("Vệ tinh")

    class Coverage(models.TextChoices):
        NONE = "none", _("Không có sóng")
        G2 = "2g", _("2G")
        G3 = "3g", _("3G")
        G4 = "4g", _("4G")
        G5 = "5g", _("5G")

    unit = models.OneToOneField(
        PostUnit, primary_key=True, on_delete=models.CASCADE, related_name="profile"
    )
    operating_model = models.CharField(
        _("mô hình hoạt động"),
        max_length=20,
        choices=OperatingModel.choices,
        default=OperatingModel.TRADITIONAL,
        db_index=True,
    )
    converted_on = models.DateField(_("ngày chuyển đổi đa dịch vụ"), null=True, blank=True)
    area_class = models.CharField(
        _("địa bàn"), max_length=24, choices=AreaClass.choices, default=AreaClass.ORDINARY
    )
    internet_type = models.CharField(
        _("internet cố định"),
        max_length=16,
        choices=InternetType.choices,
        default=InternetType.NONE,
    )
    mobile_coverage = models.CharField(
        _("sóng di động"), max_length=8, choices=Coverage.choices, default=Coverage.G4
    )
    has_wifi = models.BooleanField(_("có wifi"), default=False)
    computers = models.PositiveSmallIntegerField(_("số máy tính"), default=0)
    has_public_service_terminal = models.BooleanField(
        _("có máy tra cứu dịch vụ công"), default=False
    )
    has_reading_room = models.BooleanField(_("có phòng đọc"), default=True)
    books = models.PositiveIntegerField(_("số đầu sách"), default=0)
    newspapers_received = models.PositiveSmallIntegerField(_("số loại báo nhận"), default=0)
    opening_hours = models.CharField(_("giờ mở cửa"), max_length=100, blank=True)
    clerk_name = models.CharField(_("nhân viên phụ trách"), max_length=200, blank=True)
    clerk_phone = models.CharField(_("điện thoại nhân viên"), max_length=20, blank=True)
    clerk_since = models.DateField(_("phụ trách từ ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ điểm BĐ-VHX")
        verbose_name_plural = _("hồ sơ điểm BĐ-VHX")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=~models.Q(operating_model="multi_service")
                | models.Q(converted_on__isnull=False),
                name="multi_service_point_has_conversion_date",
            ),
        ]

    def __str__(self) -> str:
        return str(self.unit)
