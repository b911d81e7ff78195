"""The values the counter's mail pages accept, each checked with a message that names its
field: the acceptance form, the item list's filters, a scan on an item's page, a customer."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.core import clock
from buudien.core.forms import AmountField, errors_of
from buudien.counter import selectors as counter_selectors
from buudien.mail import pricing
from buudien.mail.errors import MailCode, MailError
from buudien.mail.models import PostalService, Reason, Status
from buudien.mail.selectors import items as item_selectors
from buudien.mail.services.acceptance import MAX_VALUE, ItemIn
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.counter.models import Customer
    from buudien.network.models import PostUnit

FORMATS = [("", "HTML"), ("xlsx", "Excel")]
# Extras the clerk ticks; COD and insurance follow from the amounts typed.
TICKED_EXTRAS = [
    ("AR", gettext_lazy("Báo phát (AR)")),
    ("PICKUP", gettext_lazy("Nhận tại nhà (PICKUP)")),
]
MAX_WEIGHT_G = 1_000_000
MAX_COMMUNE = 10**8


class AcceptForm(forms.Form):
    """One item as the clerk types it. Most checks are the acceptance service's own, which
    name the field at fault; this form only reads the values."""

    request_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    customer = forms.UUIDField(label=gettext_lazy("Khách hàng"), required=False)
    service_code = forms.ChoiceField(label=gettext_lazy("Dịch vụ"), choices=[])
    sender_name = forms.CharField(label=gettext_lazy("Người gửi"), max_length=200, required=False)
    sender_phone = forms.CharField(
        label=gettext_lazy("Điện thoại người gửi"), max_length=20, required=False
    )
    sender_address = forms.CharField(
        label=gettext_lazy("Địa chỉ người gửi"), max_length=300, required=False
    )
    receiver_name = forms.CharField(
        label=gettext_lazy("Người nhận"), max_length=200, required=False
    )
    receiver_phone = forms.CharField(
        label=gettext_lazy("Điện thoại người nhận"), max_length=20, required=False
    )
    receiver_address = forms.CharField(
        label=gettext_lazy("Địa chỉ người nhận"), max_length=300, required=False
    )
    receiver_hamlet = forms.CharField(
        label=gettext_lazy("Thôn, bản, tổ"), max_length=100, required=False
    )
    receiver_commune = forms.IntegerField(
        label=gettext_lazy("Xã, phường người nhận"),
        min_value=1,
        max_value=MAX_COMMUNE,
        required=False,
    )
    commune_code = forms.IntegerField(
        label=gettext_lazy("Mã xã, phường (tỉnh khác)"),
        min_value=1,
        max_value=MAX_COMMUNE,
        required=False,
    )
    receiver_postal_code = forms.CharField(
        label=gettext_lazy("Mã bưu chính"), max_length=5, required=False
    )
    receiver_digital_address = forms.CharField(
        label=gettext_lazy("Mã địa chỉ số"), max_length=20, required=False
    )
    weight_g = forms.IntegerField(
        label=gettext_lazy("Khối lượng (g)"), min_value=1, max_value=MAX_WEIGHT_G
    )
    contents = forms.CharField(label=gettext_lazy("Nội dung"), max_length=200, required=False)
    declared_value = AmountField(label=gettext_lazy("Giá trị khai (đồng)"), max_amount=MAX_VALUE)
    cod_amount = AmountField(label=gettext_lazy("Tiền thu hộ COD (đồng)"), max_amount=MAX_VALUE)
    extras = forms.MultipleChoiceField(
        label=gettext_lazy("Dịch vụ cộng thêm"),
        choices=TICKED_EXTRAS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, services: list[PostalService], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_code"].choices = [(s.code, s.name) for s in services]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A commune typed by its code (another province) wins over the pick list.
        if data.get("commune_code"):
            data["receiver_commune"] = data["commune_code"]
        if not data.get("receiver_commune") and "receiver_commune" not in self.errors:
            self.add_error("receiver_commune", gettext_lazy("Hãy chọn xã, phường của người nhận."))
        return data

    def item_in(self, *, customer: Customer | None = None) -> ItemIn:
        d = self.cleaned_data
        return ItemIn(
            service_code=d["service_code"],
            sender_name=d["sender_name"],
            sender_phone=d["sender_phone"],
            sender_address=d["sender_address"],
            receiver_name=d["receiver_name"],
            receiver_phone=d["receiver_phone"],
            receiver_address=d["receiver_address"],
            receiver_hamlet=d["receiver_hamlet"],
            receiver_commune=d["receiver_commune"],
            receiver_postal_code=d["receiver_postal_code"],
            receiver_digital_address=d["receiver_digital_address"],
            weight_g=d["weight_g"],
            contents=d["contents"],
            declared_value=d["declared_value"],
            cod_amount=d["cod_amount"],
            extras=frozenset(d["extras"]),
            customer_id=str(customer.pk) if customer is not None else "",
            request_key=d["request_key"],
        )


def quote_item(
    *,
    unit: PostUnit | None,
    service_code: str,
    commune_code: int,
    weight_g: int,
    day: dt.date | None = None,
    cod_amount: int = 0,
    declared_value: int = 0,
    extras: frozenset[str] = frozenset(),
) -> tuple[str, pricing.Quote]:
    """The zone and the price of an item from a unit, without taking it in (the page's
    "quote" button and the API's `GET /quote`)."""
    service = item_selectors.services(tracked_only=True).filter(code=service_code).first()
    if service is None:
        raise MailError(
            _("Hãy chọn dịch vụ có số hiệu."),
            code=MailCode.INVALID,
            field="service_code",
        )
    commune = network_selectors.commune(code=commune_code)
    if commune is None:
        raise MailError(
            _("Hãy chọn xã, phường của người nhận."),
            code=MailCode.INVALID,
            field="receiver_commune",
        )
    for name, value in (("cod_amount", cod_amount), ("declared_value", declared_value)):
        if not 0 <= value <= MAX_VALUE:
            raise MailError(
                _("Số tiền phải từ 0 đến 200.000.000 đồng."),
                code=MailCode.INVALID,
                field=name,
            )
    origin = network_selectors.province_code_of(unit) if unit is not None else None
    zone = pricing.zone_between(origin, commune.province_id)
    return zone, pricing.quote(
        service=service,
        zone=zone,
        weight_g=weight_g,
        day=day or clock.today(),
        extras=extras,
        declared_value=declared_value,
        cod_amount=cod_amount,
    )


SORTS = {
    "accepted": ("accepted_at", "pk"),
    "s10": ("s10",),
    "status": ("status", "accepted_at"),
    "service": ("service__name", "accepted_at"),
    "receiver": ("receiver_name", "accepted_at"),
    "charge": ("charge", "accepted_at"),
    "weight": ("weight_g", "accepted_at"),
}
DIRECTIONS = [
    ("sent", gettext_lazy("Nhận gửi tại đơn vị")),
    ("received", gettext_lazy("Phát tại đơn vị")),
]


def ordering(sort: str) -> list[str]:
    """The order of the item list's sort key ("-key" reverses it; unknown: newest first)."""
    key = sort.removeprefix("-")
    if key not in SORTS:
        return ["-accepted_at", "-pk"]
    if sort.startswith("-"):
        return [f"-{f}" for f in SORTS[key]]
    return list(SORTS[key])


class ItemFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Tìm kiếm"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Trạng thái"), choices=[("", ""), *Status.choices], required=False
    )
    service = forms.CharField(label=gettext_lazy("Dịch vụ"), max_length=20, required=False)
    direction = forms.ChoiceField(
        label=gettext_lazy("Chiều"), choices=[("", ""), *DIRECTIONS], required=False
    )
    unit = forms.CharField(label=gettext_lazy("Mã đơn vị"), max_length=20, required=False)
    start = forms.DateField(label=gettext_lazy("Từ ngày"), required=False)
    end = forms.DateField(label=gettext_lazy("Đến ngày"), required=False)
    cod = forms.BooleanField(label=gettext_lazy("Chỉ bưu gửi có COD"), required=False)
    sort = forms.CharField(label=gettext_lazy("Sắp xếp"), max_length=20, required=False)
    format = forms.ChoiceField(label=gettext_lazy("Định dạng"), choices=FORMATS, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lo, hi = data.get("start"), data.get("end")
        if lo and hi and lo > hi:
            self.add_error("end", gettext_lazy("Đến ngày phải sau hoặc bằng từ ngày."))
        return data


def read_filters(form: forms.Form) -> tuple[dict[str, Any], list[str]]:
    """The valid values of a filter form (a field in error is left out) and its errors."""
    form.is_valid()
    values = {name: field.initial for name, field in form.fields.items()}
    values.update(
        {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v not in (None, "")}
    )
    for name in form.errors:
        values[name] = form.fields[name].initial if name in form.fields else None
    return values, errors_of(form)


class ScanForm(forms.Form):
    """One scan recorded by hand on an item's page, with the status the page showed."""

    status = forms.ChoiceField(label=gettext_lazy("Trạng thái"), choices=Status.choices)
    reason = forms.ChoiceField(
        label=gettext_lazy("Lý do"), choices=[("", ""), *Reason.choices], required=False
    )
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=300, required=False)
    delivered_to = forms.CharField(
        label=gettext_lazy("Người nhận thực tế"), max_length=200, required=False
    )
    seen = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)


class CustomerForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên khách hàng"), max_length=200)
    kind = forms.ChoiceField(
        label=gettext_lazy("Loại"), choices=counter_selectors.customer_kinds, initial="person"
    )
    phone = forms.CharField(label=gettext_lazy("Điện thoại"), max_length=20, required=False)
    address = forms.CharField(label=gettext_lazy("Địa chỉ"), max_length=300, required=False)
    contract_no = forms.CharField(label=gettext_lazy("Số hợp đồng"), max_length=40, required=False)
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
