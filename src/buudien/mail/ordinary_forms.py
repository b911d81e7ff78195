"""The form that counts a bundle of ordinary mail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from buudien.mail.models import OrdinaryBatch
from buudien.mail.services.ordinary import MAX_COUNT


class OrdinaryForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("Ngày"), widget=forms.DateInput(attrs={"type": "date"})
    )
    service_code = forms.ChoiceField(label=gettext_lazy("Dịch vụ"), choices=[])
    direction = forms.ChoiceField(
        label=gettext_lazy("Chiều"), choices=OrdinaryBatch.Direction.choices
    )
    count = forms.IntegerField(label=gettext_lazy("Số bưu gửi"), min_value=1, max_value=MAX_COUNT)

    def __init__(self, *args: Any, services: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_code"].choices = services  # type: ignore[attr-defined]
