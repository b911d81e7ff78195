"""The values the dossier pages accept, each checked with a message that names its field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.core.errors import DomainError
from buudien.dossiers.models import Batch, Complaint, Dossier
from buudien.dossiers.services import AGENCY_STEPS, MAX_COMPENSATION, POST_STEPS

WHICH = [
    ("overdue", gettext_lazy("Quá hạn")),
    ("today", gettext_lazy("Đến hạn hôm nay")),
    ("week", gettext_lazy("Đến hạn tuần này")),
    ("open", gettext_lazy("Đang xử lý")),
]
FORMATS = [("", "HTML"), ("xlsx", "Excel")]
CODE = RegexValidator(r"^[A-Za-z0-9.\-]*$", gettext_lazy("Chỉ gồm chữ, số, dấu chấm, gạch."))
MAX_VERSION = 2**31 - 1


class ListFilterForm(forms.Form):
    which = forms.ChoiceField(
        label=gettext_lazy("Danh sách"), choices=WHICH, required=False, initial="overdue"
    )
    point = forms.CharField(
        label=gettext_lazy("Mã điểm"), max_length=20, required=False, validators=[CODE]
    )
    agency = forms.CharField(
        label=gettext_lazy("Cơ quan"), max_length=32, required=False, validators=[CODE]
    )
    procedure = forms.CharField(
        label=gettext_lazy("Thủ tục"), max_length=32, required=False, validators=[CODE]
    )
    q = forms.CharField(label=gettext_lazy("Tìm kiếm"), max_length=100, required=False)
    format = forms.ChoiceField(
        label=gettext_lazy("Định dạng"), choices=FORMATS, required=False, initial=""
    )


class ReportForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Năm"), min_value=2000, max_value=2100)
    month = forms.IntegerField(
        label=gettext_lazy("Tháng"), min_value=1, max_value=12, required=False
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Định dạng"), choices=FORMATS, required=False, initial=""
    )

    def period(self) -> tuple[dt.date, dt.date]:
        year, month = self.cleaned_data["year"], self.cleaned_data.get("month")
        if not month:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        start = dt.date(year, month, 1)
        following = dt.date(year + (month == 12), month % 12 + 1, 1)
        return start, following - dt.timedelta(days=1)


class StepForm(forms.Form):
    """One step on a dossier's page: the post's steps, or (with agency=True) the agency's."""

    action = forms.ChoiceField(label=gettext_lazy("Thao tác"))
    version = forms.IntegerField(
        label=gettext_lazy("Phiên bản"), min_value=0, max_value=MAX_VERSION, required=False
    )
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=500, required=False)
    what = forms.CharField(
        label=gettext_lazy("Giấy tờ cần bổ sung"), max_length=500, required=False
    )
    by = forms.DateField(label=gettext_lazy("Hạn bổ sung"), required=False)
    reason = forms.CharField(label=gettext_lazy("Lý do"), max_length=500, required=False)
    receiver = forms.CharField(label=gettext_lazy("Người nhận"), max_length=200, required=False)
    next_attempt = forms.DateField(label=gettext_lazy("Lần phát sau"), required=False)

    def __init__(self, *args: Any, agency: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        steps = AGENCY_STEPS if agency else POST_STEPS
        self.fields["action"].choices = [(s, s) for s in steps]  # type: ignore[attr-defined]

    def step_data(self) -> dict[str, Any]:
        skip = {"action", "version", "note"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class ComplaintForm(forms.Form):
    dossier = forms.CharField(label=gettext_lazy("Mã hồ sơ"), max_length=20, validators=[CODE])
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), choices=Complaint.Kind.choices)
    description = forms.CharField(label=gettext_lazy("Nội dung"), max_length=2000)
    interprovincial = forms.BooleanField(label=gettext_lazy("Liên tỉnh"), required=False)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=gettext_lazy("Kết quả giải quyết"), max_length=2000)
    compensation = forms.IntegerField(
        label=gettext_lazy("Bồi thường (đồng)"),
        min_value=0,
        max_value=MAX_COMPENSATION,
        required=False,
    )


class BatchForm(forms.Form):
    agency = forms.CharField(label=gettext_lazy("Cơ quan"), max_length=32, validators=[CODE])
    direction = forms.ChoiceField(
        label=gettext_lazy("Chiều giao nhận"),
        choices=Batch.Direction.choices,
        required=False,
        initial=Batch.Direction.TO_AGENCY,
    )
    dossier = forms.MultipleChoiceField(label=gettext_lazy("Hồ sơ"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = self.data.getlist("dossier") if hasattr(self.data, "getlist") else []
        # Any well-formed code is a choice; whether the user may see it is the selector's call.
        self.fields["dossier"].choices = [  # type: ignore[attr-defined]
            (c, c) for c in codes[:500] if isinstance(c, str) and len(c) <= 20
        ]


class IntakeForm(forms.Form):
    procedure = forms.CharField(label=gettext_lazy("Thủ tục"), max_length=32, validators=[CODE])
    citizen_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=200)
    citizen_id = forms.CharField(label=gettext_lazy("Số CCCD"), max_length=20)
    phone = forms.CharField(label=gettext_lazy("Điện thoại"), max_length=20)
    address = forms.CharField(label=gettext_lazy("Địa chỉ"), max_length=300)
    representative_name = forms.CharField(
        label=gettext_lazy("Người nộp thay"), max_length=200, required=False
    )
    representative_id = forms.CharField(
        label=gettext_lazy("CCCD người nộp thay"), max_length=20, required=False
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Kênh"), choices=Dossier.Channel.choices, required=False
    )
    home_delivery = forms.BooleanField(label=gettext_lazy("Trả kết quả tại nhà"), required=False)
    request_key = forms.CharField(max_length=64, required=False)


class LookupForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Mã hồ sơ"),
        max_length=20,
        validators=[RegexValidator(r"^[A-Za-z0-9]+$", gettext_lazy("Chỉ gồm chữ và số."))],
    )
    phone_last4 = forms.RegexField(
        label=gettext_lazy("4 số cuối điện thoại"),
        regex=r"^\d{4}$",
        error_messages={"invalid": gettext_lazy("Cần đúng 4 chữ số.")},
    )
    t = forms.CharField(max_length=32, required=False)


def parse_date(value: str, *, field: str, label: str) -> dt.date | None:
    """A date typed in a per-row input (yyyy-mm-dd), or None when empty."""
    if not value:
        return None
    try:
        return forms.DateField().clean(value)  # type: ignore[no-any-return]
    except ValidationError:
        raise DomainError(
            _("%(label)s: ngày không hợp lệ.") % {"label": label}, field=field
        ) from None
