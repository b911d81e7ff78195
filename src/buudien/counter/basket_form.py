"""The basket as the counter page posts it: repeated line fields, kept as typed on error."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from buudien.core.errors import DomainError
from buudien.core.money import parse_amount
from buudien.counter import basket, selectors
from buudien.counter.services import BasketLine, Checkout
from buudien.counter.services.checkout import PAYING_METHODS, SERVICE, line_where

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.counter.models import CounterSession, Service

MAX_LINES = 30
LINE_FIELDS = (
    "kind",
    "code",
    "ref",
    "qty",
    "amount",
    "reference",
    "line_method",
    "receiver",
    "receiver_id",
)


@dataclass
class Row:
    """A basket line as shown: what it is, and what the clerk typed."""

    kind: str = SERVICE
    code: str = ""
    ref: str = ""
    qty: str = "1"
    amount: str = ""
    reference: str = ""
    method: str = ""  # "": the transaction's method
    receiver: str = "self"
    receiver_id: str = ""
    label: str = ""
    detail: str = ""
    price: int | None = None
    direction: str = "in"
    authorised: str = ""

    @property
    def blank(self) -> bool:
        return not (self.code.strip() or self.ref.strip())


@dataclass
class Basket:
    rows: list[Row] = field(default_factory=list)
    key: str = ""
    method: str = "cash"
    cash_given: str = ""
    customer_name: str = ""
    customer_phone: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def _amount(text: str, what: str) -> int | None:
    if not text.strip():
        return None
    try:
        return parse_amount(text)
    except ValueError as exc:
        raise DomainError(f"{what}: {exc}", field="amount") from exc


def _quantity(text: str) -> int:
    try:
        return int(text.strip() or "1")
    except ValueError as exc:
        raise DomainError(_("Số lượng phải là số nguyên."), field="quantity") from exc


def service_row(service: Service, price: int | None) -> Row:
    return Row(code=service.code, label=service.local_name, detail=service.code, price=price)


def resolve_service(text: str, unit_kind: str) -> Service | None:
    """A service typed by its code or by (part of) its name without accents."""
    found = selectors.sellable_services(unit_kind, text)
    exact = [s for s in found if s.code == text.strip().upper()]
    if exact or len(found) == 1:
        return (exact or found)[0]
    return None


def describe(row: Row, user: User, session: CounterSession) -> None:
    """Fill in the name of a line, as the clerk would see it after adding it."""
    if row.kind == SERVICE:
        service = resolve_service(row.code, session.unit.kind) if row.code.strip() else None
        if service is not None:
            row.code, row.label = service.code, service.local_name
            row.detail = service.code
            row.price = selectors.fixed_price(service, session.business_date)
        return
    source = basket.source(row.kind)
    found = source.find(user, session, row.ref) if source else None
    if found is not None:
        row.label, row.detail, row.direction = found.label, found.detail, found.direction
        row.amount, row.authorised = str(found.amount), found.authorised


def read(post: QueryDict, user: User, session: CounterSession) -> Basket:
    columns = {name: post.getlist(name)[:MAX_LINES] for name in LINE_FIELDS}
    count = len(columns["kind"])
    rows = []
    for i in range(count):
        values = {name: (columns[name][i] if i < len(columns[name]) else "") for name in columns}
        row = Row(
            kind=values["kind"][:20],
            code=values["code"][:200],
            ref=values["ref"][:40],
            qty=values["qty"][:10],
            amount=values["amount"][:20],
            reference=values["reference"][:60],
            method=values["line_method"][:20],
            receiver=values["receiver"][:20] or "self",
            receiver_id=values["receiver_id"][:20],
        )
        if not row.blank:
            describe(row, user, session)
            rows.append(row)
    method = post.get("method", "cash")
    return Basket(
        rows=rows,
        key=post.get("key", "")[:60],
        method=method if method in PAYING_METHODS else "cash",
        cash_given=post.get("cash_given", "")[:20],
        customer_name=post.get("customer_name", "")[:200],
        customer_phone=post.get("customer_phone", "")[:20],
    )


def _line(index: int, row: Row, unit_kind: str) -> BasketLine:
    where = line_where(index)
    if row.kind != SERVICE:
        return BasketLine(
            kind=row.kind,
            ref=row.ref.strip(),
            receiver=row.receiver,
            receiver_id=row.receiver_id.strip(),
        )
    if not row.label:
        raise DomainError(
            _("%(where)s: không rõ dịch vụ «%(text)s»; hãy chọn trong danh sách.")
            % {"where": where, "text": row.code[:40]},
            field="lines",
        )
    return BasketLine(
        service_code=row.code,
        amount=_amount(row.amount, where),
        quantity=_quantity(row.qty),
        reference=row.reference.strip()[:60],
        method=row.method,
    )


def order(found: Basket, unit_kind: str) -> Checkout:
    """The checkout the basket asks for; a line typed wrong is a message naming it."""
    lines = [_line(i, row, unit_kind) for i, row in enumerate(found.rows)]
    try:
        given = parse_amount(found.cash_given) if found.cash_given.strip() else None
    except ValueError as exc:
        raise DomainError(str(exc), field="cash_given") from exc
    return Checkout(
        idempotency_key=found.key,
        lines=lines,
        method=found.method,
        cash_given=given,
        customer_name=found.customer_name,
        customer_phone=found.customer_phone,
    )


def candidates(user: User, session: CounterSession, query: str) -> dict[str, Any]:
    """What a search finds: services by name without accents, and every source's lines."""
    if not query.strip():
        return {"services": [], "others": []}
    services = selectors.sellable_services(session.unit.kind, query)[:12]
    prices = selectors.fixed_prices(services, session.business_date)
    others = [c for s in basket.sources() for c in s.search(user, session, query)]
    return {
        "services": [service_row(s, prices.get(s.pk)) for s in services],
        "others": others,
    }
