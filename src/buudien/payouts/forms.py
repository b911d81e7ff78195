"""The filters of the payout list pages: what was typed, checked, and kept when it is wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from buudien.core.errors import NotFound
from buudien.core.scoping import Actor
from buudien.network import selectors as network_selectors
from buudien.network.selectors import UnitFilter
from buudien.payouts import selectors
from buudien.payouts.models import Beneficiary, Payout, PayoutList

ANY = [("", _("– tất cả –"))]


def point_choices(user: Actor) -> list[tuple[str, str]]:
    """The commune points in the user's scope, for a point filter."""
    points = network_selectors.units(user, UnitFilter(kind="commune_point"))
    return [(code, f"{code} · {name}") for code, name in points.values_list("code", "name")]


class Filters(forms.Form):
    """A list page's filters: a bad value is reported with its field's label and ignored."""

    def __init__(self, data: Any, *, user: Actor) -> None:
        super().__init__(data)
        self.user = user

    def value(self, name: str) -> Any:
        """The field's checked value; None when it was wrong or not given."""
        if not self.is_bound or name in self.errors:
            return None
        return self.cleaned_data.get(name) or None

    def problems(self) -> list[str]:
        """Each wrong field as "Label: what is wrong", for the page to show."""
        return [
            f"{self.fields[name].label}: {' '.join(str(m) for m in messages)}"
            for name, messages in self.errors.items()
            if name in self.fields
        ]

    def clean_point(self) -> Any:
        code = str(self.cleaned_data.get("point") or "").strip().upper()
        if not code:
            return None
        try:
            return network_selectors.unit_by_code(user=self.user, code=code)
        except NotFound as exc:
            raise forms.ValidationError(_("Không có điểm mã này trong phạm vi của bạn.")) from exc


class LineFilters(Filters):
    """The lines of one list."""

    q = forms.CharField(
        label=_("Tìm người hưởng"), required=False, max_length=selectors.MAX_QUERY, strip=True
    )
    status = forms.ChoiceField(
        label=_("Trạng thái dòng"), required=False, choices=ANY + Payout.Status.choices
    )
    person = forms.ChoiceField(
        label=_("Tình trạng người hưởng"), required=False, choices=ANY + Beneficiary.Status.choices
    )
    method = forms.ChoiceField(
        label=_("Hình thức"), required=False, choices=ANY + Beneficiary.Method.choices
    )
    point = forms.CharField(label=_("Điểm"), required=False, max_length=20)
    hamlet = forms.CharField(label=_("Thôn, bản"), required=False, max_length=120)
    paid_from = forms.DateField(label=_("Chi từ ngày"), required=False)
    paid_to = forms.DateField(label=_("Chi đến ngày"), required=False)
    sort = forms.CharField(required=False, max_length=20)

    def line_filter(self) -> selectors.LineFilter:
        return selectors.LineFilter(
            q=selectors.clean_text(self.value("q")),
            status=self.value("status") or "",
            person=self.value("person") or "",
            method=self.value("method") or "",
            point=self.value("point"),
            hamlet=selectors.clean_text(self.value("hamlet"), 120),
            paid_from=self.value("paid_from"),
            paid_to=self.value("paid_to"),
            sort=self.value("sort") or "list",
        )


class ListFilters(Filters):
    """The payout lists: by programme, state and month."""

    programme = forms.ChoiceField(label=_("Chương trình"), required=False)
    state = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=ANY + PayoutList.State.choices
    )
    month = forms.CharField(label=_("Tháng"), required=False, max_length=10)
    sort = forms.CharField(required=False, max_length=20)

    def __init__(self, data: Any, *, user: Actor) -> None:
        super().__init__(data, user=user)
        field: Any = self.fields["programme"]
        field.choices = ANY + [(p.code, p.name) for p in selectors.programmes(user=user)]

    def clean_month(self) -> dt.date | None:
        return month_or_none(self.cleaned_data.get("month"))


class PeopleFilters(Filters):
    """The beneficiaries: by point, programme, own state and how they are paid."""

    q = forms.CharField(label=_("Tìm"), required=False, max_length=selectors.MAX_QUERY, strip=True)
    point = forms.CharField(label=_("Điểm"), required=False, max_length=20)
    programme = forms.ChoiceField(label=_("Chương trình"), required=False)
    status = forms.ChoiceField(
        label=_("Tình trạng"), required=False, choices=ANY + Beneficiary.Status.choices
    )
    method = forms.ChoiceField(
        label=_("Hình thức nhận"), required=False, choices=ANY + Beneficiary.Method.choices
    )
    sort = forms.CharField(required=False, max_length=20)

    def __init__(self, data: Any, *, user: Actor) -> None:
        super().__init__(data, user=user)
        field: Any = self.fields["programme"]
        field.choices = ANY + [(p.code, p.name) for p in selectors.programmes(user=user)]

    def chosen_programme(self) -> Any:
        code = self.value("programme")
        return selectors.programme(user=self.user, code=code) if code else None


class CashlessFilters(Filters):
    """The cashless drive: a month, an area, a point's name."""

    month = forms.CharField(label=_("Tháng"), required=False, max_length=10)
    area = forms.ChoiceField(label=_("Khu vực"), required=False)
    q = forms.CharField(label=_("Tìm điểm"), required=False, max_length=selectors.MAX_QUERY)
    sort = forms.CharField(required=False, max_length=20)

    def __init__(self, data: Any, *, user: Actor) -> None:
        super().__init__(data, user=user)
        field: Any = self.fields["area"]
        field.choices = ANY + network_selectors.areas(user=user)

    def clean_month(self) -> dt.date | None:
        return month_or_none(self.cleaned_data.get("month"))


def first_of_month(text: Any) -> dt.date | None:
    """'2025-03' (or a day of it) as the first of the month; None when it is not one."""
    text = str(text or "").strip()
    try:
        day = dt.date.fromisoformat(f"{text}-01" if len(text) == 7 else text)
    except ValueError:
        return None
    if len(text) not in (7, 10) or not 2000 <= day.year <= 2100:
        return None
    return day.replace(day=1)


def month_or_none(text: Any) -> dt.date | None:
    """A month filter: empty is None, anything but a month is refused."""
    if not str(text or "").strip():
        return None
    day = first_of_month(text)
    if day is None:
        raise forms.ValidationError(_("Tháng không hợp lệ; ghi theo dạng 2025-03."))
    return day
