"""HTML forms for units and commune-point profiles; writes go through services."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from buudien.network.models import Commune, CommunePointProfile, PostUnit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitForm(forms.ModelForm):  # type: ignore[type-arg]
    parent = forms.ModelChoiceField(
        queryset=PostUnit.objects.none(), required=False, label=_("Đơn vị cấp trên")
    )
    commune = forms.ModelChoiceField(
        queryset=Commune.objects.none(), required=False, label=_("Xã, phường")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

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
        self.fields["code"].help_text = _("Ví dụ VHX0123; không đổi được sau khi tạo.")

    def validate_unique(self) -> None:
        """Uniqueness is checked by the service, with a message naming the code."""


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CommunePointProfile
        exclude: ClassVar[list[str]] = ["unit"]
        widgets: ClassVar[dict[str, Any]] = {
            "converted_on": DATE,
            "clerk_since": DATE,
        }


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"))
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, chưa ghi"), required=False)
