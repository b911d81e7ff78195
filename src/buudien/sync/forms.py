"""Point mode's forms: the filters of its lists, an enrolment code to issue, a conflict to
settle."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from buudien.sync.services.conflicts import RESOLUTION_MAX

DEVICE_STATES = [
    ("active", _("Đang dùng")),
    ("silent", _("Im lặng")),
    ("revoked", _("Đã thu hồi")),
]
PROBLEM_OUTCOMES = [("refused", _("Bị từ chối")), ("conflict", _("Xung đột"))]


class DeviceFilterForm(forms.Form):
    point = forms.CharField(label=_("Mã điểm"), max_length=20, required=False)
    state = forms.ChoiceField(
        label=_("Tình trạng"), choices=[("", ""), *DEVICE_STATES], required=False
    )
    sort = forms.CharField(label=_("Sắp xếp"), max_length=20, required=False)


class ConflictFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Trạng thái"), choices=[("", "")], required=False)
    kind = forms.ChoiceField(label=_("Loại"), choices=[("", "")], required=False)
    point = forms.CharField(label=_("Mã điểm"), max_length=20, required=False)
    sort = forms.CharField(label=_("Sắp xếp"), max_length=20, required=False)

    def __init__(
        self,
        *args: Any,
        states: list[tuple[str, str]],
        kinds: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", ""), *states]  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", ""), *kinds]  # type: ignore[attr-defined]


class ProblemFilterForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Kết quả"), choices=[("", ""), *PROBLEM_OUTCOMES], required=False
    )


class IssueCodeForm(forms.Form):
    """The commune point to enrol a laptop for (the choices: the points in scope)."""

    point = forms.ChoiceField(
        label=_("Điểm BĐ-VHX"),
        choices=[("", "")],
        error_messages={
            "required": _("Hãy chọn điểm cần cấp mã."),
            "invalid_choice": _("Không có điểm này, hoặc điểm nằm ngoài phạm vi của bạn."),
        },
    )

    def __init__(self, *args: Any, points: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].choices = [("", _("– chọn điểm –")), *points]  # type: ignore[attr-defined]


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("Đã xử lý thế nào"),
        max_length=RESOLUTION_MAX,
        error_messages={
            "required": _("Hãy ghi đã xử lý thế nào, ví dụ «đã thu hồi 1.500.000 đ»."),
        },
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def cleaned(form: forms.Form) -> tuple[dict[str, Any], list[str]]:
    """A filter form's values (a bad one dropped) and the messages naming what was dropped."""
    form.is_valid()
    values = dict.fromkeys(form.fields, "") | getattr(form, "cleaned_data", {})
    errors = [f"{form.fields[k].label}: {m}" for k, ms in form.errors.items() for m in ms]
    for name in form.errors:
        values[name] = ""
    return values, errors
