"""How mail travels from a point's laptop (point mode): acceptance and events."""

from __future__ import annotations

from typing import Any

from buudien.core import journal
from buudien.core.journal import Applying, Kind
from buudien.counter import selectors as counter_selectors
from buudien.mail.models import PostalItem
from buudien.mail.services.acceptance import ItemIn, accept
from buudien.mail.services.tracking import record_event
from buudien.network import selectors as network_selectors

_ITEM = (
    ("service_code", "sv", ""),
    ("sender_name", "sn", ""),
    ("receiver_name", "rn", ""),
    ("receiver_address", "ra", ""),
    ("receiver_commune", "rc", 0),
    ("weight_g", "w", 0),
    ("sender_phone", "sp", ""),
    ("sender_address", "sa", ""),
    ("receiver_phone", "rp", ""),
    ("receiver_hamlet", "rh", ""),
    ("receiver_postal_code", "pc", ""),
    ("receiver_digital_address", "da", ""),
    ("contents", "c", ""),
    ("declared_value", "dv", 0),
    ("cod_amount", "cod", 0),
    ("customer_id", "cu", ""),
    ("request_key", "k", ""),
)


def _encode_accept(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    data: ItemIn = kw["data"]
    out: dict[str, Any] = {"s": str(kw["session"].pk), "x": sorted(data.extras)}
    return out | journal.pack(data, _ITEM)


def _apply_accept(p: dict[str, Any], ctx: Applying) -> Any:
    values = journal.unpack(p, _ITEM)
    return accept(
        clerk=ctx.user,
        session=counter_selectors.shift_at(unit_id=ctx.point_id, pk=p["s"]),
        data=ItemIn(**values, extras=frozenset(p.get("x", []))),
    )


_EVENT = (
    ("reason", "r", ""),
    ("place", "pl", ""),
    ("note", "n", ""),
    ("device", "dv", ""),
    ("delivered_to", "to", ""),
)


def _encode_event(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    unit = kw.get("unit")
    out: dict[str, Any] = {"i": kw["item"].s10, "st": kw["status"]}
    if unit is not None:
        out["u"] = unit.code
    return out | journal.pack(kw, _EVENT)


def _apply_event(p: dict[str, Any], ctx: Applying) -> Any:
    unit = network_selectors.unit_by_code(ctx.user, p["u"]) if p.get("u") else None
    return record_event(
        item=PostalItem.objects.get(s10=p["i"]),
        actor=ctx.user,
        status=p["st"],
        unit=unit,
        **journal.unpack(p, _EVENT),
    )


def register() -> None:
    journal.register(
        Kind("mail.accept", "ma", _encode_accept, _apply_accept, phones=frozenset({"sp", "rp"})),
        Kind("mail.record_event", "me", _encode_event, _apply_event),
    )
