"""What the bag, route, trip and exception pages accept, each value checked with a message
that names its field."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.mail.models import Bag
from buudien.mail.selectors.exceptions import KINDS

FORMATS = [("", "HTML"), ("xlsx", "Excel")]
CODE = RegexValidator(r"^[A-Za-z0-9.\-_]*$", gettext_lazy("Chỉ gồm chữ, số, dấu chấm, gạch."))
WEEKDAY_CHOICES = [
    ("1", gettext_lazy("Thứ Hai")),
    ("2", gettext_lazy("Thứ Ba")),
    ("3", gettext_lazy("Thứ Tư")),
    ("4", gettext_lazy("Thứ Năm")),
    ("5", gettext_lazy("Thứ Sáu")),
    ("6", gettext_lazy("Thứ Bảy")),
    ("7", gettext_lazy("Chủ nhật")),
]
TIERS = [("1", "1"), ("2", "2"), ("3", "3")]
_STOP_LINE = re.compile(r"^\s*([A-Za-z0-9.\-_]{1,20})\s*[,;:\s]\s*(\d{1,4})\s*$")


class _Dated(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("Từ ngày"), required=False)
    date_to = forms.DateField(label=gettext_lazy("Đến ngày"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lo, hi = data.get("date_from"), data.get("date_to")
        if lo and hi and lo > hi:
            self.add_error("date_to", gettext_lazy("Đến ngày phải sau hoặc bằng từ ngày."))
        return data


class BagFilterForm(_Dated):
    state = forms.ChoiceField(
        label=gettext_lazy("Trạng thái"), choices=[("", ""), *Bag.State.choices], required=False
    )
    unit = forms.CharField(
        label=gettext_lazy("Mã đơn vị"), max_length=20, required=False, validators=[CODE]
    )
    q = forms.CharField(label=gettext_lazy("Số túi"), max_length=32, required=False)
    sort = forms.CharField(label=gettext_lazy("Sắp xếp"), max_length=20, required=False)
    format = forms.ChoiceField(
        label=gettext_lazy("Định dạng"), choices=FORMATS, required=False, initial=""
    )


class OpenBagForm(forms.Form):
    origin = forms.CharField(label=gettext_lazy("Đóng túi tại"), max_length=20, validators=[CODE])
    destination = forms.CharField(label=gettext_lazy("Gửi đến"), max_length=20, validators=[CODE])


class ScanForm(forms.Form):
    """A scanner types the S10 id, then Enter."""

    s10 = forms.CharField(label=gettext_lazy("Số hiệu bưu gửi"), max_length=40)


class DispatchForm(forms.Form):
    trip = forms.UUIDField(label=gettext_lazy("Chuyến thư"))


class RouteForm(forms.Form):
    """A route: its schedule, and its stops typed one a line as «unit code, minutes»."""

    code = forms.CharField(label=gettext_lazy("Mã tuyến"), max_length=20, validators=[CODE])
    name = forms.CharField(label=gettext_lazy("Tên tuyến"), max_length=200)
    tier = forms.TypedChoiceField(label=gettext_lazy("Cấp"), choices=TIERS, coerce=int)
    origin = forms.CharField(
        label=gettext_lazy("Đơn vị đầu tuyến (mã)"), max_length=20, validators=[CODE]
    )
    departs = forms.TimeField(label=gettext_lazy("Giờ xuất phát"))
    weekdays = forms.MultipleChoiceField(
        label=gettext_lazy("Ngày chạy"),
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    vehicle = forms.CharField(label=gettext_lazy("Phương tiện"), max_length=60, required=False)
    carrier = forms.CharField(
        label=gettext_lazy("Người / đơn vị vận chuyển"), max_length=120, required=False
    )
    stops = forms.CharField(
        label=gettext_lazy("Điểm dừng"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "Mỗi dòng một điểm dừng: mã đơn vị, số phút sau giờ xuất phát (ví dụ: VHX0101, 45)."
        ),
    )

    def clean_stops(self) -> list[tuple[str, int]]:
        out = []
        for n, line in enumerate(str(self.cleaned_data["stops"]).splitlines(), start=1):
            if not line.strip():
                continue
            match = _STOP_LINE.match(line)
            if match is None:
                raise forms.ValidationError(
                    _("Dòng %(n)s «%(line)s»: cần «mã đơn vị, số phút».")
                    % {"n": n, "line": line.strip()[:40]}
                )
            out.append((match.group(1).upper(), int(match.group(2))))
        if not out:
            raise forms.ValidationError(_("Hãy nhập ít nhất một điểm dừng."))
        return out


def route_initial(route: Any, stops: list[Any]) -> dict[str, Any]:
    """A route as its edit form shows it."""
    return {
        "code": route.code,
        "name": route.name,
        "tier": str(route.tier),
        "origin": route.origin.code,
        "departs": route.departs.strftime("%H:%M"),
        "weekdays": route.weekdays.split(","),
        "vehicle": route.vehicle,
        "carrier": route.carrier,
        "stops": "\n".join(f"{s.unit.code}, {s.minutes}" for s in stops),
    }


class FinishTripForm(forms.Form):
    at = forms.DateTimeField(
        label=gettext_lazy("Về đến cuối tuyến lúc"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )


class StartTripForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Ngày"), required=False)


class PeriodForm(_Dated):
    tier = forms.TypedChoiceField(
        label=gettext_lazy("Cấp"),
        choices=[("", ""), *TIERS],
        coerce=int,
        required=False,
        empty_value=None,
    )


class ExceptionFilterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), choices=[("", ""), *KINDS], required=False)
    # The view offers the units in the user's scope; any other code is refused by name.
    unit = forms.ChoiceField(
        label=gettext_lazy("Đơn vị"),
        choices=[("", "")],
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy("Không có đơn vị mã này trong phạm vi của bạn.")
        },
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Định dạng"), choices=FORMATS, required=False, initial=""
    )


def last_days(today: dt.date, n: int) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=n - 1), today
