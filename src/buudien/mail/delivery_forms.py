"""The forms of the delivery pages: what the clerk typed, checked, kept when it is wrong."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from buudien.mail.models import Reason
from buudien.mail.services.acceptance import MAX_VALUE
from buudien.mail.services.delivery import MAX_WEIGHT_G

UNIT_CODE = r"^[A-Za-z0-9._-]*$"
REASONS = [("", _("– chọn lý do –")), *Reason.choices]
ACTIONS = [
    ("deliver", _("Phát")),
    ("fail", _("Phát không thành công")),
    ("round", _("Đi phát")),
    ("return", _("Chuyển hoàn")),
    ("hand_back", _("Trả lại người gửi")),
]


class ListFilters(forms.Form):
    """The delivery list: which point, which day (blank: every item still to deliver)."""

    point = forms.RegexField(
        label=_("Điểm phát"),
        required=False,
        max_length=20,
        regex=UNIT_CODE,
        error_messages={"invalid": _("Mã điểm chỉ gồm chữ, số và dấu gạch.")},
    )
    day = forms.DateField(label=_("Đến điểm ngày"), required=False)

    def value(self, name: str) -> Any:
        if not self.is_bound or name in self.errors:
            return None
        return self.cleaned_data.get(name) or None

    def problems(self) -> list[str]:
        return [
            f"{self.fields[name].label}: {' '.join(str(m) for m in messages)}"
            for name, messages in self.errors.items()
            if name in self.fields
        ]


class ActionForm(forms.Form):
    """One action on the delivery page; the fields an action does not use are ignored."""

    action = forms.ChoiceField(choices=ACTIONS)
    s10 = forms.CharField(label=_("Số hiệu"), required=False, max_length=40)
    receiver_name = forms.CharField(label=_("Người nhận thực tế"), required=False, max_length=200)
    proof = forms.CharField(label=_("Bằng chứng phát"), required=False, max_length=300)
    cod_collected = forms.IntegerField(
        label=_("Tiền COD đã thu"), required=False, min_value=0, max_value=MAX_VALUE
    )
    reason = forms.ChoiceField(label=_("Lý do"), required=False, choices=REASONS)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=300)


class InboundForm(forms.Form):
    """An item that arrived from outside the province, as its label reads."""

    s10 = forms.CharField(label=_("Số hiệu bưu gửi"), max_length=40)
    service_code = forms.ChoiceField(label=_("Dịch vụ"))
    sender_name = forms.CharField(label=_("Người gửi"), required=False, max_length=200)
    receiver_name = forms.CharField(label=_("Người nhận"), max_length=200)
    receiver_address = forms.CharField(label=_("Địa chỉ người nhận"), max_length=300)
    receiver_hamlet = forms.CharField(label=_("Thôn, bản, tổ"), required=False, max_length=100)
    receiver_commune = forms.IntegerField(
        label=_("Xã, phường người nhận"), min_value=1, max_value=999_999
    )
    weight_g = forms.IntegerField(label=_("Khối lượng (g)"), min_value=1, max_value=MAX_WEIGHT_G)
    cod_amount = forms.IntegerField(
        label=_("Tiền thu hộ COD (đồng)"), required=False, min_value=0, max_value=MAX_VALUE
    )

    def __init__(self, data: Any = None, *, services: list[tuple[str, str]]) -> None:
        super().__init__(data)
        self.fields["service_code"].choices = services  # type: ignore[attr-defined]
