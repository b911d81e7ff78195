"""What every app's forms share: a form's errors as one line each, and the values of a
filter form whose wrong fields fall back to their defaults (the list still shows)."""

from __future__ import annotations

from typing import Any

from django import forms


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
