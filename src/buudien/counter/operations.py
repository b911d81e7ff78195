"""How the counter's operations travel from a point's laptop to the province (point mode).

Each kind encodes its service call as small JSON (short keys, defaults left out) and applies
it back through the same service; what clashes with the province's own state meanwhile is
flagged for a manager, never rewritten silently."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from buudien.core import journal
from buudien.core.journal import Applying, Flag, Kind, pack, unpack
from buudien.core.money import format_vnd
from buudien.counter import basket, selectors
from buudien.counter.services import customers, ledger, sessions
from buudien.counter.services.checkout import (
    SERVICE,
    BasketLine,
    Checkout,
    checkout,
    distinct_lines,
)
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.counter.models import CounterSession

# EntryRequest fields on the wire: (attribute, key, default).
_ENTRY = (
    ("idempotency_key", "k", ""),
    ("service_code", "c", ""),
    ("amount", "a", None),
    ("quantity", "q", 1),
    ("method", "m", "cash"),
    ("customer_name", "n", ""),
    ("customer_phone", "p", ""),
    ("customer_id_no", "i", ""),
    ("source_type", "st", ""),
    ("source_id", "si", ""),
    ("settles", "se", ""),
    ("reference", "r", ""),
)
_ORDER = (
    ("method", "m", "cash"),
    ("cash_given", "g", None),
    ("customer_name", "n", ""),
    ("customer_phone", "p", ""),
)
_LINE = (
    ("kind", "t", SERVICE),
    ("service_code", "c", ""),
    ("ref", "f", ""),
    ("amount", "a", None),
    ("quantity", "q", 1),
    ("reference", "r", ""),
    ("method", "m", ""),
    ("receiver", "v", "self"),
    ("receiver_id", "i", ""),
)


def session_of(ctx: Applying, pk: Any) -> CounterSession:
    """A shift of the device's own point (the service checks the clerk's rights on it)."""
    return selectors.shift_at(unit_id=ctx.point_id, pk=pk)


def _receipts(payload: dict[str, Any]) -> list[str]:
    return list(payload.get("#", {}).get("receipt", []))


# --- open and close a shift --------------------------------------------------------------


def _encode_open(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"c": kw["opening_cash"]}
    if kw.get("business_date"):
        out["d"] = kw["business_date"].isoformat()
    return out


def _apply_open(p: dict[str, Any], ctx: Applying) -> Any:
    unit = network_selectors.unit_by_code(ctx.user, ctx.point_code)
    day = dt.date.fromisoformat(p["d"]) if p.get("d") else None
    return sessions.open_session(clerk=ctx.user, unit=unit, opening_cash=p["c"], business_date=day)


def _encode_close(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    out = {"s": str(kw["session"].pk), "n": kw["counted_cash"], "x": result.expected_cash}
    if kw.get("reason"):
        out["r"] = kw["reason"]
    return out


def _apply_close(p: dict[str, Any], ctx: Applying) -> Any:
    session = session_of(ctx, p["s"])
    reason = p.get("r", "")
    if session.book_cash != p["x"] and not reason:
        # The province's book differs from the point's because of a flagged conflict: the
        # shift waits for a manager instead of being refused.
        reason = _("Lệch do xung đột đồng bộ; sổ tại điểm: %(x)s.") % {"x": format_vnd(p["x"])}
    return sessions.close_session(
        session=session, clerk=ctx.user, counted_cash=p["n"], reason=reason
    )


# --- entries -----------------------------------------------------------------------------


def _encode_entries(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    return {
        "s": str(kw["session"].pk),
        "r": [pack(r, _ENTRY) for r in kw["requests"]],
        "x": [r.entry.amount for r in result],
    }


def _apply_entries(p: dict[str, Any], ctx: Applying) -> Any:
    requests = [ledger.EntryRequest(**unpack(r, _ENTRY)) for r in p["r"]]
    results = ledger.post_entries(
        session=session_of(ctx, p["s"]), clerk=ctx.user, requests=requests
    )
    for result, charged in zip(results, p.get("x", []), strict=False):
        if result.created and result.entry.amount != charged:
            ctx.flag(price_difference(result.entry.receipt_no, charged, result.entry.amount))
    return results


def price_difference(receipt: str, charged: int, due: int) -> Flag:
    return Flag(
        kind="price_difference",
        message=_(
            "Biên lai %(r)s: tại điểm thu %(c)s, cước đang áp dụng ngày đó là %(d)s (chênh %(x)s)."
        )
        % {
            "r": receipt,
            "c": format_vnd(charged),
            "d": format_vnd(due),
            "x": format_vnd(due - charged),
        },
        amount=due - charged,
        details={"second_receipt": receipt, "charged": charged, "due": due},
    )


def _encode_reverse(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    return {"e": str(kw["entry"].pk), "s": str(kw["session"].pk), "r": kw["reason"]}


def _apply_reverse(p: dict[str, Any], ctx: Applying) -> Any:
    return ledger.reverse_entry(
        entry=selectors.entry(ctx.user, p["e"]),
        clerk=ctx.user,
        session=session_of(ctx, p["s"]),
        reason=p["r"],
    )


# --- one customer's basket ---------------------------------------------------------------


def _encode_checkout(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    order: Checkout = kw["order"]
    out: dict[str, Any] = {
        "s": str(kw["session"].pk),
        "k": order.idempotency_key,
        "l": [pack(line, _LINE) for line in order.lines],
    }
    return out | pack(order, _ORDER)


def _settled_meanwhile(lines: list[BasketLine], receipts: list[str], ctx: Applying) -> list[int]:
    """The lines paid at the province while the point was offline: flagged, not applied."""
    clashing = []
    kept = distinct_lines(lines)
    for position, (index, line) in enumerate(kept):
        source = basket.source(line.kind)
        if line.kind == SERVICE or source is None or source.clash is None:
            continue
        second = receipts[position] if position < len(receipts) else ""
        flag = source.clash(line.ref, second)
        if flag is not None:
            ctx.flag(flag)
            clashing.append(index)
            journal.skip_number("receipt", position - len(clashing) + 1)
    return clashing


def _apply_checkout(p: dict[str, Any], ctx: Applying) -> Any:
    lines = [BasketLine(**unpack(line, _LINE)) for line in p["l"]]
    dropped = set(_settled_meanwhile(lines, _receipts(p), ctx))
    kept = [line for i, line in enumerate(lines) if i not in dropped]
    if not kept:
        return None
    given = p.get("g")
    order = Checkout(
        idempotency_key=p["k"],
        lines=kept,
        method=p.get("m", "cash"),
        cash_given=None if dropped else given,
        customer_name=p.get("n", ""),
        customer_phone=p.get("p", ""),
    )
    return checkout(session=session_of(ctx, p["s"]), clerk=ctx.user, order=order)


_CUSTOMER = (
    ("name", "n", ""),
    ("kind", "t", "person"),
    ("phone", "p", ""),
    ("address", "a", ""),
    ("contract_no", "c", ""),
)


def _encode_new_customer(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    return {"u": kw["unit"].code} | pack(kw, _CUSTOMER)


def _apply_new_customer(p: dict[str, Any], ctx: Applying) -> Any:
    unit = network_selectors.unit_by_code(ctx.user, p["u"])
    return customers.create_customer(actor=ctx.user, unit=unit, **unpack(p, _CUSTOMER))


def _encode_customer(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": str(kw["customer"].pk)}
    if kw.get("expected_version") is not None:
        out["v"] = kw["expected_version"]
    return out | pack(kw, _CUSTOMER)


def _apply_customer(p: dict[str, Any], ctx: Applying) -> Any:
    return customers.update_customer(
        actor=ctx.user,
        customer=selectors.customer(ctx.user, p["id"]),
        expected_version=p.get("v"),
        **unpack(p, _CUSTOMER),
    )


def register() -> None:
    journal.register(
        Kind("counter.open_session", "o", _encode_open, _apply_open),
        Kind("counter.close_session", "c", _encode_close, _apply_close),
        Kind(
            "counter.post_entries",
            "e",
            _encode_entries,
            _apply_entries,
            ids=frozenset({"i"}),
            phones=frozenset({"p"}),
        ),
        Kind("counter.reverse_entry", "v", _encode_reverse, _apply_reverse),
        Kind(
            "counter.create_customer",
            "cn",
            _encode_new_customer,
            _apply_new_customer,
            phones=frozenset({"p"}),
        ),
        Kind(
            "counter.update_customer",
            "cu",
            _encode_customer,
            _apply_customer,
            phones=frozenset({"p"}),
        ),
        Kind(
            "counter.checkout",
            "k",
            _encode_checkout,
            _apply_checkout,
            ids=frozenset({"i"}),
            phones=frozenset({"p"}),
        ),
    )
