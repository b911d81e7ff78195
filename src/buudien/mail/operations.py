"""How mail travels from a point's laptop (point mode): acceptance, events, delivery and
COD, arrivals from outside the province, bags."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from buudien.core import journal
from buudien.core.journal import Applying, Kind
from buudien.counter import selectors as counter_selectors
from buudien.mail.models import PostalItem
from buudien.mail.selectors import bags as bag_selectors
from buudien.mail.services import bags, delivery, ordinary
from buudien.mail.services.acceptance import ItemIn, accept
from buudien.mail.services.tracking import record_event
from buudien.network import selectors as network_selectors

if TYPE_CHECKING:
    from buudien.counter.models import CounterSession
    from buudien.mail.models import Bag
    from buudien.network.models import PostUnit

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


def _shift(p: dict[str, Any], ctx: Applying) -> CounterSession:
    return counter_selectors.shift_at(unit_id=ctx.point_id, pk=p["s"])


def _encode_deliver(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"i": kw["item"].s10, "s": str(kw["session"].pk)}
    return out | journal.pack(kw, _DELIVER)


_DELIVER = (("receiver_name", "to", ""), ("proof", "pf", ""), ("cod_collected", "cod", None))


def _apply_deliver(p: dict[str, Any], ctx: Applying) -> Any:
    return delivery.deliver(
        item=PostalItem.objects.get(s10=p["i"]),
        clerk=ctx.user,
        session=_shift(p, ctx),
        **journal.unpack(p, _DELIVER),
    )


def _encode_pay(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    return {"i": kw["item"].s10, "s": str(kw["session"].pk)}


def _apply_pay(p: dict[str, Any], ctx: Applying) -> Any:
    return delivery.pay_cod(
        item=PostalItem.objects.get(s10=p["i"]), clerk=ctx.user, session=_shift(p, ctx)
    )


_INBOUND = (
    ("s10", "i", ""),
    ("service_code", "sv", ""),
    ("receiver_name", "rn", ""),
    ("receiver_address", "ra", ""),
    ("receiver_commune", "rc", 0),
    ("receiver_hamlet", "rh", ""),
    ("weight_g", "w", 0),
    ("cod_amount", "cod", 0),
    ("sender_name", "sn", ""),
)


def _encode_inbound(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    return {"u": kw["unit"].code} | journal.pack(kw, _INBOUND)


def _apply_inbound(p: dict[str, Any], ctx: Applying) -> Any:
    return delivery.receive_inbound(
        actor=ctx.user,
        unit=network_selectors.unit_by_code(ctx.user, p["u"]),
        **journal.unpack(p, _INBOUND),
    )


_DELIVERY_KINDS = (
    Kind("mail.deliver", "md", _encode_deliver, _apply_deliver),
    Kind("mail.pay_cod", "mp", _encode_pay, _apply_pay),
    Kind("mail.receive_inbound", "mi", _encode_inbound, _apply_inbound),
)


def _unit(ctx: Applying, code: str) -> PostUnit:
    return network_selectors.unit_by_code(ctx.user, code)


def _bag(ctx: Applying, number: str) -> Bag:
    return bag_selectors.bag(ctx.user, number)


_BAG_KINDS = (
    Kind(
        "mail.open_bag",
        "mbo",
        lambda kw, r: {"o": kw["origin"].code, "d": kw["destination"].code},
        lambda p, ctx: bags.open_bag(
            actor=ctx.user,
            origin=_unit(ctx, p["o"]),
            destination=bag_selectors.destination(_unit(ctx, p["o"]), p["d"]),
        ),
    ),
    Kind(
        "mail.add_to_bag",
        "mba",
        lambda kw, r: {"b": kw["bag"].number, "i": kw["s10"]},
        lambda p, ctx: bags.add_to_bag(actor=ctx.user, bag=_bag(ctx, p["b"]), s10=p["i"]),
    ),
    Kind(
        "mail.remove_from_bag",
        "mbr",
        lambda kw, r: {"b": kw["bag"].number, "i": kw["s10"]},
        lambda p, ctx: bags.remove_from_bag(actor=ctx.user, bag=_bag(ctx, p["b"]), s10=p["i"]),
    ),
    Kind(
        "mail.close_bag",
        "mbc",
        lambda kw, r: {"b": kw["bag"].number},
        lambda p, ctx: bags.close_bag(actor=ctx.user, bag=_bag(ctx, p["b"])),
    ),
    Kind(
        "mail.dispatch_bag",
        "mbd",
        lambda kw, r: {"b": kw["bag"].number, "t": str(kw["trip"].pk)},
        lambda p, ctx: bags.dispatch_bag(
            actor=ctx.user,
            bag=_bag(ctx, p["b"]),
            trip=bag_selectors.trip(ctx.user, p["t"]).trip,
        ),
    ),
    Kind(
        "mail.receive_bag",
        "mbv",
        lambda kw, r: {"b": kw["bag"].number},
        lambda p, ctx: bags.receive_bag(actor=ctx.user, bag=_bag(ctx, p["b"])),
    ),
)


_ORDINARY = (("service_code", "sv", "BC-THU"), ("direction", "d", "sent"), ("count", "n", 0))


def _encode_ordinary(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    out = {"u": kw["unit"].code, "day": kw["day"].isoformat()}
    return out | journal.pack(kw, _ORDINARY)


def _apply_ordinary(p: dict[str, Any], ctx: Applying) -> Any:
    return ordinary.record_ordinary(
        actor=ctx.user,
        unit=_unit(ctx, p["u"]),
        day=dt.date.fromisoformat(p["day"]),
        **journal.unpack(p, _ORDINARY),
    )


def register() -> None:
    journal.register(
        Kind("mail.accept", "ma", _encode_accept, _apply_accept, phones=frozenset({"sp", "rp"})),
        Kind("mail.record_event", "me", _encode_event, _apply_event),
        *_DELIVERY_KINDS,
        *_BAG_KINDS,
        Kind("mail.record_ordinary", "mo", _encode_ordinary, _apply_ordinary),
    )
