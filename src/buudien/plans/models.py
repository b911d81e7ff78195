"""Indicators, yearly plans phased by month with their revisions, manual monthly values."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from buudien.core.language import english, pick
from buudien.core.models import BaseModel
from buudien.plans.numbers import round_half_away

# A measure after "per" where it reads differently: 'đồng/người', 'dong/person'.
PER = {"persons": pgettext_lazy("per", "người")}


class Indicator(models.Model):
    """Something a unit is judged on: computed from operations or entered by finance."""

    class Measure(models.TextChoices):
        DONG = "dong", _("đồng")
        ITEMS = "items", _("bưu gửi")
        PEOPLE = "people", _("lượt người")
        DOSSIERS = "dossiers", _("hồ sơ")
        COUNT = "count", _("lượt")
        PERCENT = "percent", _("%")
        PERSONS = "persons", _("người")

    class Source(models.TextChoices):
        COMPUTED = "computed", _("Tính từ nghiệp vụ")
        MANUAL = "manual", _("Nhập tay (phòng tài chính)")

    class Aggregation(models.TextChoices):
        """How a figure adds up over the months of a period and over the units of a subtree."""

        SUM = "sum", _("Cộng dồn theo tháng và theo đơn vị")
        LEVEL = "level", _("Bình quân các tháng, cộng theo đơn vị (số lao động)")
        RATIO = "ratio", _("Tỷ số: tử số và mẫu số cộng riêng rồi mới chia")

    code = models.CharField(_("mã chỉ tiêu"), max_length=32, primary_key=True)
    name = models.CharField(_("tên chỉ tiêu"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    short_name = models.CharField(_("tên trong văn bản"), max_length=120, blank=True)
    measure = models.CharField(_("đơn vị đo"), max_length=16, choices=Measure.choices)
    source = models.CharField(_("nguồn"), max_length=16, choices=Source.choices)
    aggregation = models.CharField(
        _("cách tổng hợp"), max_length=16, choices=Aggregation.choices, default=Aggregation.SUM
    )
    numerator = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    denominator = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed = models.BooleanField(
        _("được âm (lỗ)"),
        default=False,
        help_text=_("Kế hoạch và số liệu được âm: chênh lệch thu chi, lợi nhuận."),
    )
    per_month = models.BooleanField(
        _("tính theo tháng"),
        default=False,
        help_text=_("Tỷ số chia thêm cho số tháng của kỳ: thu nhập bình quân người/tháng."),
    )
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering: ClassVar[list[str]] = ["order", "code"]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def local_name(self) -> str:
        """The name in the active language: 'Tổng doanh thu', 'Total revenue'."""
        return pick(self.name, self.name_en)

    @property
    def prose_name(self) -> str:
        """The name inside a sentence: 'tổng doanh thu', 'total revenue'."""
        if english() and self.name_en:
            return self.name_en[:1].lower() + self.name_en[1:]
        return self.short_name or self.name.lower()

    @property
    def adds_up(self) -> bool:
        """Whether a parent's figure (and plan) is the sum of its children's."""
        return self.aggregation in {self.Aggregation.SUM, self.Aggregation.LEVEL}

    @property
    def derived(self) -> bool:
        """A ratio of two indicators: its figure and its plan come from theirs, never typed."""
        return bool(
            self.aggregation == self.Aggregation.RATIO and self.numerator_id and self.denominator_id
        )

    @property
    def in_dong(self) -> bool:
        """Money: read in đồng (tỷ, triệu in prose)."""
        return self.measure == self.Measure.DONG

    @property
    def is_ratio(self) -> bool:
        return self.aggregation == self.Aggregation.RATIO

    @property
    def is_share(self) -> bool:
        """A percentage of another figure: compared in percentage points, never as a ratio."""
        return self.measure == self.Measure.PERCENT

    @property
    def per_unit(self) -> str:
        """What a ratio is per, in prose ('/người/tháng'); empty for plain figures."""
        text = ""
        if self.derived and self.denominator is not None and not self.is_share:
            measure = self.denominator.measure
            text = f"/{PER.get(measure, self.denominator.get_measure_display())}"
        if self.per_month:
            text += "/" + gettext("tháng")
        return text


class Plan(BaseModel):
    """A yearly target for a unit and an indicator, phased by month; revisions keep history."""

    unit = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="plans")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="plans")
    year = models.PositiveSmallIntegerField(_("năm"))
    revision = models.PositiveSmallIntegerField(_("lần điều chỉnh"), default=0)
    effective_from = models.DateField(_("áp dụng từ"))
    target = models.BigIntegerField(_("kế hoạch năm"))
    monthly = models.JSONField(_("phân bổ theo tháng"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["year", "unit", "indicator", "revision"]
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["unit", "indicator", "year", "revision"], name="one_plan_revision"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["year", "indicator", "unit"]),
        ]

    def __str__(self) -> str:
        return gettext("KH %(year)s %(indicator)s %(unit)s (lần %(revision)s)") % {
            "year": self.year,
            "indicator": self.indicator_id,
            "unit": self.unit_id,
            "revision": self.revision,
        }

    @property
    def label(self) -> str:
        if self.revision == 0:
            return gettext("KH giao đầu năm %(year)s") % {"year": self.year}
        return gettext("KH điều chỉnh lần %(revision)s (từ %(date)s)") % {
            "revision": self.revision,
            "date": f"{self.effective_from:%d/%m/%Y}",
        }

    def for_months(self, months: Sequence[int], *, summed: bool = True) -> int:
        """The plan of some months: their sum, or for a level or a rate their average."""
        values = [int(self.monthly[m - 1]) for m in months]
        if summed:
            return sum(values)
        return round_half_away(Fraction(sum(values), len(values)))


class ManualValue(models.Model):
    """A figure entered by the finance office for a unit, indicator and month."""

    unit = models.ForeignKey("network.PostUnit", on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    value = models.BigIntegerField(_("giá trị"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("số liệu nhập tay")
        verbose_name_plural = _("số liệu nhập tay")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["unit", "indicator", "year", "month"], name="one_manual_value"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="manual_value_month_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}-{self.month:02d} {self.value}"
