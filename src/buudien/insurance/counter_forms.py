"""The values the counter's insurance pages accept: the enrolment form with one row per
person, and the filters of the payments list. Most checks are the enrolment service's own,
which name the field at fault; these forms only read the values."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.core.forms import AmountField
from buudien.insurance.models import Category, ModeCode, SchemeCode
from buudien.insurance.services.enrolment import MAX_MEMBERS, EnrolmentIn, MemberIn

MAX_AMOUNT = 10**12
MAX_MONTHS = 120
FORMATS = [("", "HTML"), ("xlsx", "Excel")]


class EnrolForm(forms.Form):
    """One payment as the clerk fills it in; the scheme is chosen above the form."""

    request_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    scheme = forms.ChoiceField(choices=SchemeCode.choices, widget=forms.HiddenInput)
    mode = forms.ChoiceField(label=gettext_lazy("Phương thức đóng"), choices=ModeCode.choices)
    months = forms.IntegerField(
        label=gettext_lazy("Số tháng"), min_value=1, max_value=MAX_MONTHS, required=False
    )
    payer_name = forms.CharField(
        label=gettext_lazy("Người nộp tiền"), max_length=200, required=False
    )
    at_home = forms.BooleanField(label=gettext_lazy("Thu tại nhà"), required=False)

    def __init__(self, *args: Any, modes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = [(m, str(ModeCode(m).label)) for m in modes if m in ModeCode.values]
        self.offered_modes = offered
        self.fields["mode"].widget.choices = offered  # type: ignore[attr-defined]


class MemberForm(forms.Form):
    """One person's row: who (hidden), and for voluntary insurance his income and support."""

    participant = forms.UUIDField(widget=forms.HiddenInput)
    income = AmountField(
        label=gettext_lazy("Thu nhập chọn đóng (đồng/tháng)"), max_amount=MAX_AMOUNT, empty=None
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Đối tượng hỗ trợ"),
        choices=Category.choices,
        initial=Category.OTHER,
        required=False,
    )
    evidence = forms.CharField(
        label=gettext_lazy("Giấy tờ chứng minh"), max_length=200, required=False
    )
    paid_until_seen = forms.DateField(required=False, widget=forms.HiddenInput)
    checked = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def member_in(self) -> MemberIn:
        d = self.cleaned_data
        return MemberIn(
            participant_id=str(d["participant"]),
            income=d["income"],
            category=d["category"] or Category.OTHER,
            evidence=d["evidence"],
            paid_until_seen=d["paid_until_seen"],
            checked=bool(d.get("checked")),
        )


class BaseMemberFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """The rows of the people in one payment; a row without a person is left out."""

    def clean(self) -> None:
        super().clean()
        if not self.filled():
            raise forms.ValidationError(_("Hãy thêm ít nhất một người tham gia."))

    def filled(self) -> list[MemberForm]:
        return [f for f in self.forms if getattr(f, "cleaned_data", {}).get("participant")]


MemberFormSet = forms.formset_factory(
    MemberForm,
    formset=BaseMemberFormSet,
    extra=0,
    max_num=MAX_MEMBERS,
    validate_max=True,
    absolute_max=MAX_MEMBERS,
)
MEMBER_PREFIX = "m"


def enrolment_in(form: EnrolForm, members: Any, *, default_months: int | None) -> EnrolmentIn:
    """The service's input from the two valid forms (months left empty: the mode's own)."""
    d = form.cleaned_data
    return EnrolmentIn(
        scheme=d["scheme"],
        mode=d["mode"],
        months=d["months"] or default_months or 0,
        members=tuple(f.member_in() for f in members.filled()),
        payer_name=d["payer_name"],
        at_home=d["at_home"],
        request_key=d["request_key"],
    )


class PaymentFilterForm(forms.Form):
    """The payments list's filters: point code, scheme, business dates, receipt number."""

    point = forms.CharField(label=gettext_lazy("Mã điểm"), max_length=20, required=False)
    scheme = forms.ChoiceField(
        label=gettext_lazy("Loại bảo hiểm"),
        choices=[("", ""), *SchemeCode.choices],
        required=False,
    )
    start = forms.DateField(label=gettext_lazy("Từ ngày"), required=False)
    end = forms.DateField(label=gettext_lazy("Đến ngày"), required=False)
    q = forms.CharField(label=gettext_lazy("Số biên lai"), max_length=40, required=False)
    format = forms.ChoiceField(label=gettext_lazy("Định dạng"), choices=FORMATS, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lo, hi = data.get("start"), data.get("end")
        if lo and hi and lo > hi:
            self.add_error("end", gettext_lazy("Đến ngày phải sau hoặc bằng từ ngày."))
        return data
