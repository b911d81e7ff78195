"""Counter forms; amounts accept 1.500.000 as typed at a Vietnamese counter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from buudien.core.money import parse_amount
from buudien.counter.models import LedgerEntry


class AmountField(forms.CharField):
    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_amount(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class OpenSessionForm(forms.Form):
    opening_cash = AmountField(label=_("Tiền mặt đầu ca (đồng)"))


class EntryForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput)
    service = forms.CharField(label=_("Mã dịch vụ"), max_length=20)
    quantity = forms.IntegerField(label=_("Số lượng"), min_value=1, initial=1)
    amount = AmountField(label=_("Số tiền (thu hộ, chi hộ)"), required=False)
    method = forms.ChoiceField(
        label=_("Hình thức"), choices=LedgerEntry.Method.choices, initial="cash"
    )
    customer_name = forms.CharField(label=_("Khách hàng"), required=False, max_length=200)
    customer_phone = forms.CharField(label=_("Điện thoại khách"), required=False, max_length=20)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=255)


class CloseForm(forms.Form):
    counted_cash = AmountField(label=_("Tiền mặt kiểm đếm cuối ca (đồng)"))
    reason = forms.CharField(
        label=_("Lý do chênh lệch (nếu có)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
