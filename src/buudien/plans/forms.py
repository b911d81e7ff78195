"""Forms of the plans pages: a plan, an allocation, a manual upload, the year and month."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buudien.core.money import format_number, parse_amount
from buudien.plans.models import Indicator
from buudien.plans.selectors import REVENUE_LINES
from buudien.plans.services import MAX_YEAR, MIN_YEAR

MINUS_SIGNS = ("-", "\u2212")  # a hyphen or the typographic minus


def parse_signed_amount(raw: str) -> int:
    """'1.500.000', '-1.500.000' or '−1.500.000' (a planned loss) → an integer of đồng."""
    text = str(raw or "").strip()
    sign = -1 if text.startswith(MINUS_SIGNS) else 1
    return sign * parse_amount(text[1:] if sign < 0 else text)


def _plannable() -> Q:
    """Not a ratio of two indicators: those take the ratio of their parts' plans."""
    return ~Q(aggregation=Indicator.Aggregation.RATIO, numerator__isnull=False)


class WhenForm(forms.Form):
    """The year and month a page is about, from the query string or the posted form."""

    year = forms.IntegerField(
        label=_("Năm"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False
    )
    month = forms.IntegerField(label=_("Tháng"), min_value=1, max_value=12, required=False)


class PlanForm(forms.Form):
    """A yearly target for one indicator and how it is phased over the months."""

    indicator = forms.ModelChoiceField(
        queryset=Indicator.objects.filter(_plannable()), label=_("Chỉ tiêu")
    )
    target = forms.CharField(
        label=_("Kế hoạch năm"), help_text=_("Kế hoạch lỗ nhập số âm, ví dụ -2.000.000.000.")
    )
    phasing = forms.ChoiceField(
        label=_("Phân bổ theo tháng"),
        choices=[
            ("even", _("Chia đều 12 tháng")),
            ("last_year", _("Theo cơ cấu tháng năm trước")),
            ("entered", _("Nhập 12 tháng bên dưới")),
        ],
    )
    effective_from = forms.DateField(
        label=_("Áp dụng từ (khi điều chỉnh)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=255)

    MONTHS: ClassVar[tuple[str, ...]] = tuple(f"m{m}" for m in range(1, 13))
    months_sum: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for m, name in enumerate(self.MONTHS, start=1):
            self.fields[name] = forms.CharField(
                label=f"T{m}",
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "month"}),
            )

    def plain_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if n not in self.MONTHS]

    def month_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.MONTHS]

    def clean_target(self) -> int:
        try:
            return parse_signed_amount(self.cleaned_data["target"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["months"] = None
        if data.get("phasing") == "entered":
            data["months"] = self._months(data)
        return data

    def _months(self, data: dict[str, Any]) -> list[int] | None:
        """The 12 months typed, each refused naming its month; their sum against the year."""
        months: list[int] = []
        for m, name in enumerate(self.MONTHS, start=1):
            raw = str(data.get(name) or "").strip()
            try:
                if not raw:
                    raise ValueError(_("chưa nhập."))
                months.append(parse_signed_amount(raw))
            except ValueError as exc:
                self.add_error(name, _("Tháng %(m)s: %(e)s") % {"m": m, "e": exc})
        if len(months) < len(self.MONTHS):
            return None
        self.months_sum = sum(months)
        target = data.get("target")
        if target is not None and self.months_sum != target:
            self.add_error(
                None,
                _(
                    "Tổng 12 tháng (%(sum)s) khác kế hoạch năm (%(target)s), chênh %(gap)s. "
                    "Hãy sửa các tháng T1–T12 cho khớp."
                )
                % {
                    "sum": format_number(self.months_sum),
                    "target": format_number(target),
                    "gap": format_number(self.months_sum - target),
                },
            )
        return months


class RevenuePlanForm(forms.Form):
    """The three business lines' yearly plans; the total-revenue plan is their sum."""

    # The form's fields, by the code of the indicator each one plans.
    LINES: ClassVar[dict[str, str]] = dict(
        zip(("bccp", "tcbc", "pptt"), REVENUE_LINES, strict=True)
    )

    bccp = forms.CharField(label=_("Bưu chính chuyển phát"))
    tcbc = forms.CharField(label=_("Tài chính bưu chính"))
    pptt = forms.CharField(label=_("Phân phối truyền thông"))
    phasing = forms.ChoiceField(
        label=_("Phân bổ theo tháng"),
        choices=[
            ("even", _("Chia đều 12 tháng")),
            ("last_year", _("Theo cơ cấu tháng năm trước")),
        ],
    )
    effective_from = forms.DateField(
        label=_("Áp dụng từ (khi điều chỉnh)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=255)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for name in self.LINES:
            if name in data:
                try:
                    data[name] = parse_amount(data[name])
                except ValueError as exc:
                    self.add_error(name, str(exc))
        return data

    def lines(self) -> dict[str, int]:
        """The three plans typed, by indicator code."""
        return {code: self.cleaned_data[name] for name, code in self.LINES.items()}

    def field_of(self, code: str | None) -> str | None:
        """The form field of an indicator code a service error names (None: the form's)."""
        found = {c: n for n, c in self.LINES.items()}.get(code or "")
        return found or (code if code in self.fields else None)


class AllocateForm(forms.Form):
    """How a unit's plan is split over the units below it."""

    indicator = forms.ModelChoiceField(
        queryset=Indicator.objects.filter(
            aggregation__in=[Indicator.Aggregation.SUM, Indicator.Aggregation.LEVEL]
        ),
        label=_("Chỉ tiêu"),
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
