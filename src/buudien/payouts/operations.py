"""How paying and returning payout lines travel from a point's laptop (point mode).

A line paid offline that the province saw settled meanwhile is not paid twice: the first
settlement stands and the second becomes a conflict, with both receipts and the cash the
point must recover, for a manager to settle."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from buudien.core import journal
from buudien.core.journal import Applying, Conflicted, Flag, Kind
from buudien.core.money import format_vnd
from buudien.counter import selectors as counter_selectors
from buudien.network import selectors as network_selectors
from buudien.payouts import selectors
from buudien.payouts.models import Payout
from buudien.payouts.services import beneficiaries, paying


def clash(ref: str, second_receipt: str) -> Flag | None:
    """The flag for a line the point paid offline, if the province saw it settled."""
    line = Payout.objects.select_related("beneficiary").filter(pk=int(ref)).first()
    if line is None or line.status == Payout.Status.PENDING:
        return None
    first = counter_selectors.receipt_of(line.entry_id) if line.entry_id else ""
    return Flag(
        kind="double_payment",
        message=_(
            "Dòng chi %(line)s (%(who)s) đã %(state)s trước đó (biên lai %(first)s); điểm chi "
            "thêm lần nữa khi mất kết nối (biên lai %(second)s). Cần thu hồi %(amount)s."
        )
        % {
            "line": line.pk,
            "who": line.beneficiary.name,
            "state": line.get_status_display().lower(),
            "first": first or "—",
            "second": second_receipt or "—",
            "amount": format_vnd(line.amount),
        },
        amount=line.amount,
        details={
            "line": line.pk,
            "first_receipt": first,
            "second_receipt": second_receipt,
            "first_status": line.status,
        },
    )


_PAY = (("receiver", "v", "self"), ("receiver_id", "i", ""), ("idempotency_key", "k", ""))


def _encode_pay(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    return {"l": kw["payout"].pk, "s": str(kw["session"].pk)} | journal.pack(kw, _PAY)


def _apply_pay(p: dict[str, Any], ctx: Applying) -> Any:
    receipts = p.get("#", {}).get("receipt", [""])
    flag = clash(str(p["l"]), receipts[0])
    if flag is not None:
        raise Conflicted(flag)
    return paying.pay(
        payout=selectors.line(user=ctx.user, pk=p["l"]),
        clerk=ctx.user,
        session=counter_selectors.shift_at(unit_id=ctx.point_id, pk=p["s"]),
        receiver=p.get("v", "self"),
        receiver_id=p.get("i", ""),
        idempotency_key=p.get("k", ""),
    )


def _encode_return(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    return {"l": kw["payout"].pk, "r": kw["reason"]}


def _apply_return(p: dict[str, Any], ctx: Applying) -> Any:
    return paying.return_unpaid(
        payout=selectors.line(user=ctx.user, pk=p["l"]), actor=ctx.user, reason=p["r"]
    )


# update_beneficiary's changes on the wire: (argument, key); dates travel as ISO text.
_PERSON = (
    ("status", "st"),
    ("status_date", "sd"),
    ("status_source", "ss"),
    ("method", "m"),
    ("account_no", "ac"),
    ("authorised_name", "an"),
    ("authorised_id", "ai"),
    ("authorised_until", "au"),
)
_PERSON_DATES = ("status_date", "authorised_until")


def _encode_person(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"b": str(kw["beneficiary"].pk)}
    for attr, key in _PERSON:
        value = kw.get(attr)
        if value is not None:
            out[key] = value.isoformat() if attr in _PERSON_DATES else value
    if kw.get("point") is not None:
        out["pt"] = kw["point"].code
    return out


def _apply_person(p: dict[str, Any], ctx: Applying) -> Any:
    changes: dict[str, Any] = {}
    for attr, key in _PERSON:
        if key in p:
            value = p[key]
            changes[attr] = dt.date.fromisoformat(value) if attr in _PERSON_DATES else value
    if p.get("pt"):
        changes["point"] = network_selectors.unit_by_code(ctx.user, p["pt"])
    return beneficiaries.update_beneficiary(
        actor=ctx.user, beneficiary=selectors.beneficiary(user=ctx.user, pk=p["b"]), **changes
    )


def register() -> None:
    journal.register(
        Kind("payouts.pay", "p", _encode_pay, _apply_pay, ids=frozenset({"i"})),
        Kind("payouts.return_unpaid", "x", _encode_return, _apply_return),
        Kind(
            "payouts.update_beneficiary",
            "u",
            _encode_person,
            _apply_person,
            ids=frozenset({"ai", "ac"}),
        ),
    )
