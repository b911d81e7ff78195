"""The values the insurance people pages accept: a person, a household, and the filters of the
people, household and renewal lists, each checked with a message next to its field."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from buudien.core.errors import NotFound, OutOfScope
from buudien.core.scoping import Actor
from buudien.insurance.models import Participant, SchemeCode
from buudien.insurance.selectors.participants import DUE_DAYS
from buudien.insurance.services import HouseholdIn, PersonIn
from buudien.network import selectors as network_selectors
from buudien.network.selectors import UnitFilter

ANY = [("", _("– tất cả –"))]
SEXES = [("", "–"), ("nam", _("Nam")), ("nu", _("Nữ"))]
STATES = [
    ("active", _("Đang tham gia")),
    ("due", _("Sắp đến hạn đóng")),
    ("lapsed", _("Gián đoạn")),
    ("none", _("Chưa tham gia")),
]
SORTS = [("hamlet", _("Điểm, thôn")), ("name", _("Họ tên")), ("-created", _("Mới thêm"))]
FORMATS = [("", "HTML"), ("xlsx", "Excel")]
POINTS_OFFERED = 500
MAX_COMMUNE = 10**8
CONSENT_TEXT = _(
    "Người tham gia đồng ý để Bưu điện và cơ quan Bảo hiểm xã hội thu thập, xử lý dữ liệu cá "
    "nhân của mình (họ tên, số CCCD, ngày sinh, điện thoại, nơi ở, hộ gia đình) để đăng ký và "
    "đóng BHXH tự nguyện, BHYT, theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân."
)
CONSENT_REQUIRED = _(
    "Người tham gia cần đồng ý cho xử lý dữ liệu cá nhân (Nghị định 13/2023/NĐ-CP)."
)
# Control characters (NUL above all) that no name or code holds and PostgreSQL refuses.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def point_choices(user: Actor) -> list[tuple[str, str]]:
    """The commune points in the user's scope, by code, for a point select."""
    points = network_selectors.units(user, UnitFilter(kind="commune_point"))
    rows = points.values_list("code", "name")[:POINTS_OFFERED]
    return [(code, f"{code} · {name}") for code, name in rows]


def _point(user: Actor, code: str) -> Any:
    """The point with this code in the user's scope; a message for the field otherwise."""
    try:
        return network_selectors.unit_by_code(user, code)
    except (NotFound, OutOfScope) as exc:
        raise forms.ValidationError(_("Không có điểm mã này trong phạm vi của bạn.")) from exc


def _commune_code(code: int | None) -> int | None:
    if code and network_selectors.commune(code=code) is None:
        raise forms.ValidationError(_("Không có xã, phường mã này."))
    return code or None


class PointField(forms.ChoiceField):
    """The commune point a record is made at, chosen among those in scope."""

    def __init__(self, *, user: Actor, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Điểm BĐ-VHX"))
        super().__init__(choices=[("", "–"), *point_choices(user)], **kwargs)


class PersonForm(forms.Form):
    """One person as the clerk types it; the register and update services check the rest
    and name the field at fault."""

    citizen_id = forms.CharField(label=_("Số CCCD"), max_length=20)
    name = forms.CharField(label=_("Họ tên"), max_length=200)
    birth_date = forms.DateField(
        label=_("Ngày sinh"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    sex = forms.ChoiceField(label=_("Giới tính"), choices=SEXES, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    si_number = forms.CharField(label=_("Mã số BHXH"), max_length=20, required=False)
    hamlet = forms.CharField(label=_("Thôn, bản"), max_length=120, required=False)
    commune_code = forms.IntegerField(
        label=_("Mã xã, phường (để trống: xã của điểm)"),
        min_value=1,
        max_value=MAX_COMMUNE,
        required=False,
        widget=forms.NumberInput(attrs={"list": "communes"}),
    )
    household = forms.UUIDField(required=False, widget=forms.HiddenInput)
    relation = forms.CharField(label=_("Quan hệ với chủ hộ"), max_length=40, required=False)

    def clean_commune_code(self) -> int | None:
        return _commune_code(self.cleaned_data.get("commune_code"))

    def extra(self) -> dict[str, Any]:
        """What a subclass adds to the person (consent, the duplicate confirmed)."""
        return {}

    def person_in(self) -> PersonIn:
        d = self.cleaned_data
        return PersonIn(
            citizen_id=d["citizen_id"],
            name=d["name"],
            birth_date=d["birth_date"],
            sex=d["sex"] or "",
            phone=d["phone"],
            si_number=d["si_number"],
            hamlet=d["hamlet"],
            commune_code=d["commune_code"],
            household_id=str(d["household"] or ""),
            relation=d["relation"],
            **self.extra(),
        )


class NewPersonForm(PersonForm):
    """A new person: consent required, the point when the user works above one, and the
    clerk's word that a likely duplicate is another person."""

    consent = forms.BooleanField(
        label=CONSENT_TEXT, error_messages={"required": CONSENT_REQUIRED}, required=True
    )
    not_a_duplicate = forms.BooleanField(label=_("Không phải người này"), required=False)

    def __init__(self, *args: Any, user: Actor, choose_point: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if choose_point:
            self.fields["point"] = PointField(user=user)

    def clean_point(self) -> Any:
        return _point(self.user, str(self.cleaned_data.get("point") or ""))

    def extra(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"consent": d["consent"], "not_a_duplicate": d["not_a_duplicate"]}


class EditPersonForm(PersonForm):
    """A person's record corrected, with the version the form was opened at."""

    version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)

    @classmethod
    def of(cls, person: Participant) -> EditPersonForm:
        return cls(
            initial={
                "citizen_id": person.citizen_id,
                "name": person.name,
                "birth_date": person.birth_date,
                "sex": person.sex,
                "phone": person.phone,
                "si_number": person.si_number or "",
                "hamlet": person.hamlet,
                "commune_code": person.commune_id,
                "household": person.household_id,
                "relation": person.relation,
                "version": person.version,
            }
        )


class HouseholdForm(forms.Form):
    head_name = forms.CharField(label=_("Chủ hộ"), max_length=200)
    code = forms.CharField(label=_("Mã hộ gia đình (nếu có)"), max_length=20, required=False)
    hamlet = forms.CharField(label=_("Thôn, bản"), max_length=120, required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    commune_code = forms.IntegerField(
        label=_("Mã xã, phường (để trống: xã của điểm)"),
        min_value=1,
        max_value=MAX_COMMUNE,
        required=False,
        widget=forms.NumberInput(attrs={"list": "communes"}),
    )

    def __init__(self, *args: Any, user: Actor, choose_point: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if choose_point:
            self.fields["point"] = PointField(user=user)

    def clean_commune_code(self) -> int | None:
        return _commune_code(self.cleaned_data.get("commune_code"))

    def clean_point(self) -> Any:
        return _point(self.user, str(self.cleaned_data.get("point") or ""))

    def household_in(self) -> HouseholdIn:
        d = self.cleaned_data
        return HouseholdIn(
            head_name=d["head_name"],
            hamlet=d["hamlet"],
            address=d["address"],
            code=d["code"],
            commune_code=d["commune_code"],
        )


# List filters ----------------------------------------------------------------------------


class Filters(forms.Form):
    """A list's filters: a wrong value is reported with its field's label and ignored."""

    def __init__(self, data: Any, *, user: Actor) -> None:
        super().__init__(data)
        self.user = user

    def value(self, name: str) -> Any:
        """The field's checked value; None when it was wrong or not given."""
        if name in self.errors:
            return None
        return self.cleaned_data.get(name) or None

    def text(self, name: str) -> str:
        return str(self.value(name) or "")

    def problems(self) -> list[str]:
        """Each wrong field as "Label: what is wrong", for the page to show."""
        self.is_valid()
        return [
            f"{self.fields[name].label}: {' '.join(str(m) for m in messages)}"
            for name, messages in self.errors.items()
            if name in self.fields
        ]

    def clean_point(self) -> Any:
        code = str(self.cleaned_data.get("point") or "").strip().upper()
        return _point(self.user, code) if code else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        return {k: CONTROL.sub("", v) if isinstance(v, str) else v for k, v in data.items()}


class PeopleFilters(Filters):
    q = forms.CharField(label=_("Tìm kiếm"), max_length=100, required=False)
    point = forms.CharField(label=_("Điểm"), max_length=20, required=False)
    hamlet = forms.CharField(label=_("Thôn, bản"), max_length=120, required=False)
    scheme = forms.ChoiceField(
        label=_("Loại bảo hiểm"), choices=ANY + SchemeCode.choices, required=False
    )
    state = forms.ChoiceField(label=_("Tình trạng"), choices=ANY + STATES, required=False)
    sort = forms.ChoiceField(label=_("Sắp xếp"), choices=SORTS, required=False)
    format = forms.ChoiceField(label=_("Định dạng"), choices=FORMATS, required=False)


class HouseholdFilters(Filters):
    q = forms.CharField(label=_("Tìm kiếm"), max_length=100, required=False)
    point = forms.CharField(label=_("Điểm"), max_length=20, required=False)


class CoverFilters(Filters):
    """The renewal and lapsed lists: point, hamlet, scheme, and for renewals the days ahead."""

    point = forms.CharField(label=_("Điểm"), max_length=20, required=False)
    hamlet = forms.CharField(label=_("Thôn, bản"), max_length=120, required=False)
    scheme = forms.ChoiceField(
        label=_("Loại bảo hiểm"), choices=ANY + SchemeCode.choices, required=False
    )
    days = forms.IntegerField(
        label=_("Đến hạn trong (ngày)"), min_value=0, max_value=366, required=False
    )
    format = forms.ChoiceField(label=_("Định dạng"), choices=FORMATS, required=False)

    def days_ahead(self) -> int:
        """The days ahead asked for; 30 when none (or a wrong number) was given."""
        found = None if "days" in self.errors else self.cleaned_data.get("days")
        return DUE_DAYS if found is None else int(found)
