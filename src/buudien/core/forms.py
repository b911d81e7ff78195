"""What every app's forms share: an amount typed as people type it, a form's errors as one
line each, and the values of a filter form whose wrong fields fall back to their defaults (the
list still shows)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from buudien.core.money import format_vnd, parse_amount


class AmountField(forms.Field):
    """An amount in đồng as people type it ("350.000", "350000 đ"), at most `max_amount`;
    left empty it is `empty` (0 for an optional amount, None for "not said")."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "30"})

    def __init__(self, *, max_amount: int, empty: int | None = 0, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.max_amount = max_amount
        self.empty = empty

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()
        if not text:
            return self.empty
        if len(text) > 30:
            raise forms.ValidationError(_("Số tiền quá dài."), code="max_length")
        try:
            amount = parse_amount(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        if amount > self.max_amount:
            raise forms.ValidationError(
                _("Tối đa %(max)s.") % {"max": format_vnd(self.max_amount)}, code="max_value"
            )
        return amount


def errors_of(form: forms.Form) -> list[str]:
    """Every error of a form as «field: message», in the user's language."""
    out = []
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for message in messages:
            out.append(f"{label}: {message}" if label else str(message))
    return out


def cleaned_or_initial(form: forms.Form) -> dict[str, Any]:
    """The valid values of a filter form; a field in error falls back to its initial value."""
    form.is_valid()
    data = {name: field.initial for name, field in form.fields.items()}
    data.update({k: v for k, v in getattr(form, "cleaned_data", {}).items() if v not in (None, "")})
    for name in form.errors:
        data[name] = form.fields[name].initial if name in form.fields else None
    return data
