"""HTML forms for units and commune-point profiles; writes go through services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from buudien.network.models import Commune, CommunePointProfile, PostUnit
from buudien.network.services import COORDINATES, PROFILE_LIMITS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _coordinate(label: StrOrPromise, limit: int) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=-limit,
        max_value=limit,
        max_digits=9,
        decimal_places=6,
    )


class UnitForm(forms.ModelForm):  # type: ignore[type-arg]
    """A unit's details; the parent is picked by its code among the units in scope."""

    parent = forms.ModelChoiceField(
        queryset=PostUnit.objects.none(),
        required=False,
        label=_("Đơn vị cấp trên"),
        to_field_name="code",
    )
    commune = forms.ModelChoiceField(
        queryset=Commune.objects.none(), required=False, label=_("Xã, phường")
    )
    latitude = _coordinate(_("Vĩ độ"), int(COORDINATES["latitude"]))
    longitude = _coordinate(_("Kinh độ"), int(COORDINATES["longitude"]))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = PostUnit
        fields: ClassVar[list[str]] = [
            "code",
            "name",
            "kind",
            "parent",
            "commune",
            "address",
            "latitude",
            "longitude",
            "phone",
            "opened_on",
        ]
        widgets: ClassVar[dict[str, Any]] = {"opened_on": DATE}

    def __init__(self, *args: Any, parents: Any, communes: Any, editing: bool, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["commune"].queryset = communes  # type: ignore[attr-defined]
        if editing:
            for name in ("code", "kind", "parent"):
                self.fields[name].disabled = True
            parent = self.instance.parent
            self.initial["parent"] = parent.code if parent is not None else None
        self.fields["code"].help_text = _("Ví dụ VHX0123; không đổi được sau khi tạo.")

    def validate_unique(self) -> None:
        """Uniqueness is checked by the service, with a message naming the code."""


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    """A commune point's profile, with the same limits on counts as the service."""

    class Meta:
        model = CommunePointProfile
        exclude: ClassVar[list[str]] = ["unit"]
        widgets: ClassVar[dict[str, Any]] = {
            "converted_on": DATE,
            "clerk_since": DATE,
        }

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        for name, limit in PROFILE_LIMITS.items():
            field = self.fields[name]
            field.max_value = limit  # type: ignore[attr-defined]
            field.validators.append(MaxValueValidator(limit))
            field.widget.attrs["max"] = limit


class ImportForm(forms.Form):
    """An Excel list of commune points; check only, or import."""

    file = forms.FileField(label=_("Tệp Excel (.xlsx)"))
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, chưa ghi"), required=False)
