"""Forms of the plans pages: a plan, an allocation, a manual upload, the year and month."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from buudien.core.money import parse_amount
from buudien.plans.models import Indicator
from buudien.plans.services import MAX_YEAR, MIN_YEAR


class WhenForm(forms.Form):
    """The year and month a page is about, from the query string or the posted form."""

    year = forms.IntegerField(
        label=_("Năm"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False
    )
    month = forms.IntegerField(label=_("Tháng"), min_value=1, max_value=12, required=False)


class PlanForm(forms.Form):
    """A yearly target for one indicator and how it is phased over the months."""

    indicator = forms.ModelChoiceField(
        queryset=Indicator.objects.exclude(aggregation="ratio"), label=_("Chỉ tiêu")
    )
    target = forms.CharField(label=_("Kế hoạch năm"))
    phasing = forms.ChoiceField(
        label=_("Phân bổ theo tháng"),
        choices=[
            ("even", _("Chia đều 12 tháng")),
            ("last_year", _("Theo cơ cấu tháng năm trước")),
            ("entered", _("Nhập 12 tháng bên dưới")),
        ],
    )
    months = forms.CharField(label=_("12 tháng (cách nhau bằng dấu ;)"), required=False)
    effective_from = forms.DateField(
        label=_("Áp dụng từ (khi điều chỉnh)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=255)

    def clean_target(self) -> int:
        try:
            return parse_amount(self.cleaned_data["target"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_months(self) -> list[int] | None:
        raw = self.cleaned_data.get("months") or ""
        if not raw.strip():
            return None
        try:
            return [parse_amount(p) for p in raw.split(";")]
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class AllocateForm(forms.Form):
    """How a unit's plan is split over the units below it."""

    indicator = forms.ModelChoiceField(
        queryset=Indicator.objects.exclude(aggregation="ratio"), label=_("Chỉ tiêu")
    )
    method = forms.ChoiceField(
        label=_("Cách phân bổ"),
        choices=[
            ("last_year", _("Theo tỷ trọng thực hiện năm trước")),
            ("entered", _("Nhập cho từng đơn vị")),
        ],
    )


class UploadForm(forms.Form):
    """An Excel file of manual figures."""

    file = forms.FileField(label=_("Tệp Excel (.xlsx)"))
