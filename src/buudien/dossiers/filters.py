"""What the dossier lists are filtered and sorted by, each value checked with a message that
names its field; a value in error is dropped (the list shows without it) and reported."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from buudien.core.forms import cleaned_or_initial, errors_of
from buudien.dossiers.forms import CODE, FORMATS, WHICH
from buudien.dossiers.models import Batch, Complaint, Status

LISTS = [*WHICH, ("all", gettext_lazy("Tất cả"))]


class _Dated(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("Từ ngày"), required=False)
    date_to = forms.DateField(label=gettext_lazy("Đến ngày"), required=False)
    sort = forms.CharField(label=gettext_lazy("Sắp xếp"), max_length=20, required=False)
    format = forms.ChoiceField(
        label=gettext_lazy("Định dạng"), choices=FORMATS, required=False, initial=""
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lo, hi = data.get("date_from"), data.get("date_to")
        if lo and hi and lo > hi:
            self.add_error("date_to", gettext_lazy("Đến ngày phải sau hoặc bằng từ ngày."))
        return data


class DossierFilterForm(_Dated):
    which = forms.ChoiceField(
        label=gettext_lazy("Danh sách"), choices=LISTS, required=False, initial="overdue"
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Trạng thái"), choices=[("", ""), *Status.choices], required=False
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


class BatchFilterForm(_Dated):
    state = forms.ChoiceField(
        label=gettext_lazy("Trạng thái"), choices=[("", ""), *Batch.State.choices], required=False
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("Chiều giao nhận"),
        choices=[("", ""), *Batch.Direction.choices],
        required=False,
    )
    agency = forms.CharField(
        label=gettext_lazy("Cơ quan"), max_length=32, required=False, validators=[CODE]
    )


COMPLAINT_STATES = [
    ("open", gettext_lazy("Đang giải quyết")),
    ("overdue", gettext_lazy("Quá hạn giải quyết")),
    ("resolved", gettext_lazy("Đã giải quyết")),
]


class ComplaintFilterForm(_Dated):
    state = forms.ChoiceField(
        label=gettext_lazy("Trạng thái"), choices=[("", ""), *COMPLAINT_STATES], required=False
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Loại"), choices=[("", ""), *Complaint.Kind.choices], required=False
    )
    # The view offers the points in the user's scope; any other code is refused by name.
    point = forms.ChoiceField(
        label=gettext_lazy("Mã điểm"),
        choices=[("", "")],
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy("Không có điểm mã này trong phạm vi của bạn.")
        },
    )


class OutboxFilterForm(_Dated):
    pass


def read(form: forms.Form) -> tuple[dict[str, Any], list[str]]:
    """The valid values of a filter form (a field in error falls back to its initial value),
    and its errors as «field: message»."""
    values = cleaned_or_initial(form)
    return values, errors_of(form)
