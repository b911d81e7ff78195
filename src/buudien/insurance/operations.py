"""How insurance travels from a point's laptop (point mode): people and households registered
or corrected, and payments taken, offline.

A payment the point took offline for months that the province already saw paid (another
laptop or another counter took the same person's money meanwhile) is not collected twice:
the first payment stands and the second becomes a conflict naming both receipts and the
money to hand back, for a manager to settle."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from buudien.core import journal
from buudien.core.ids import is_uuid
from buudien.core.journal import Applying, Conflicted, Flag, Kind
from buudien.core.money import format_vnd
from buudien.counter import selectors as counter_selectors
from buudien.insurance import services
from buudien.insurance.errors import InsuranceCode, InsuranceError
from buudien.insurance.models import Cover, Payment, PaymentLine
from buudien.insurance.selectors import participants as people_selectors
from buudien.insurance.selectors import rules as rule_selectors
from buudien.network import selectors as network_selectors

# PersonIn on the wire: (attribute, key, default); the birth date travels as ISO text.
_PERSON = (
    ("citizen_id", "i", ""),
    ("name", "n", ""),
    ("birth_date", "b", None),
    ("sex", "x", ""),
    ("phone", "p", ""),
    ("si_number", "si", ""),
    ("hamlet", "h", ""),
    ("commune_code", "c", None),
    ("household_id", "hh", ""),
    ("relation", "r", ""),
    ("consent", "ok", False),
    ("not_a_duplicate", "nd", False),
)
# The keys of a person's citizen id and social-insurance number, and of his phone: masked in
# what the province keeps of the operation.
PERSONAL_IDS = frozenset({"i", "si"})
PHONES = frozenset({"p"})
_HOUSEHOLD = (
    ("head_name", "n", ""),
    ("hamlet", "h", ""),
    ("address", "a", ""),
    ("code", "c", ""),
    ("commune_code", "cc", None),
)
_ENROL = (
    ("scheme", "sc", ""),
    ("mode", "m", ""),
    ("months", "n", 0),
    ("payer_name", "pn", ""),
    ("at_home", "h", False),
    ("request_key", "k", ""),
)
_MEMBER = (
    ("participant_id", "p", ""),
    ("income", "in", None),
    ("category", "c", "other"),
    ("evidence", "e", ""),
    ("paid_until_seen", "ps", None),
    ("checked", "ck", False),
)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# --- people and households ---------------------------------------------------------------


def _person_out(data: services.PersonIn) -> dict[str, Any]:
    out = journal.pack(data, _PERSON)
    if "b" in out:
        out["b"] = _iso(out["b"])
    return out


def _person_in(p: dict[str, Any]) -> services.PersonIn:
    values = journal.unpack(p, _PERSON)
    values["birth_date"] = _date(values["birth_date"])
    return services.PersonIn(**values)


def _encode_register(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    return {"u": kw["point"].code} | _person_out(kw["data"])


def _apply_register(p: dict[str, Any], ctx: Applying) -> Any:
    return services.register_participant(
        actor=ctx.user,
        point=network_selectors.unit_by_code(ctx.user, p["u"]),
        data=_person_in(p),
    )


def _encode_update(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"pp": str(kw["participant"].pk)}
    if kw.get("expected_version") is not None:
        out["v"] = kw["expected_version"]
    return out | _person_out(kw["data"])


def _apply_update(p: dict[str, Any], ctx: Applying) -> Any:
    return services.update_participant(
        actor=ctx.user,
        participant=people_selectors.participant(user=ctx.user, pk=p["pp"]),
        data=_person_in(p),
        expected_version=p.get("v"),
    )


def _encode_household(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    return {"u": kw["point"].code} | journal.pack(kw["data"], _HOUSEHOLD)


def _apply_household(p: dict[str, Any], ctx: Applying) -> Any:
    return services.create_household(
        actor=ctx.user,
        point=network_selectors.unit_by_code(ctx.user, p["u"]),
        data=services.HouseholdIn(**journal.unpack(p, _HOUSEHOLD)),
    )


# --- payments ----------------------------------------------------------------------------


def _member_out(member: services.MemberIn, line: PaymentLine | None) -> dict[str, Any]:
    """A person of the payment, with the first day of the months the point took for him."""
    out = journal.pack(member, _MEMBER)
    if "c" in out:
        out["c"] = str(out["c"])
    if "ps" in out:
        out["ps"] = _iso(out["ps"])
    if line is not None:
        out["f"] = line.period_from.isoformat()
    return out


def _member_in(m: dict[str, Any]) -> services.MemberIn:
    values = journal.unpack(m, _MEMBER)
    values["participant_id"] = str(values["participant_id"])
    values["paid_until_seen"] = _date(values["paid_until_seen"])
    return services.MemberIn(**values)


def _encode_enrol(kw: dict[str, Any], result: Payment) -> dict[str, Any]:
    data: services.EnrolmentIn = kw["data"]
    taken = {str(line.participant_id): line for line in result.lines.all()}
    out: dict[str, Any] = {
        "s": str(kw["session"].pk),
        "ms": [_member_out(m, taken.get(str(m.participant_id))) for m in data.members],
        "x": result.total,
    }
    return out | journal.pack(data, _ENROL)


def _enrolment(p: dict[str, Any]) -> services.EnrolmentIn:
    members = tuple(_member_in(m) for m in p.get("ms", []))
    return services.EnrolmentIn(**journal.unpack(p, _ENROL), members=members)


def _receipt(p: dict[str, Any]) -> str:
    return str((p.get("#", {}).get("receipt") or [""])[0])


def _first_receipts(cover: Cover, since: dt.date) -> list[str]:
    """The province's receipts for the cover's months from `since` on (else its last one)."""
    lines = PaymentLine.objects.filter(cover=cover).exclude(payment__receipt_no="")
    receipts = lines.values_list("payment__receipt_no", flat=True)
    found = list(receipts.filter(period_to__gte=since).order_by("payment__paid_at"))
    if not found:
        last = receipts.order_by("-payment__paid_at").first()
        found = [last] if last else []
    return list(dict.fromkeys(found))


def _paid_before(p: dict[str, Any]) -> list[tuple[Cover, dt.date]]:
    """Each person whose months taken at the point the province already saw paid, with the
    first of those months."""
    taken = {
        str(m.get("p")): dt.date.fromisoformat(m["f"])
        for m in p.get("ms", [])
        if m.get("f") and is_uuid(m.get("p"))
    }
    covers = Cover.objects.select_related("participant").filter(
        scheme_id=p.get("sc", ""), participant_id__in=list(taken)
    )
    return [
        (c, taken[str(c.participant_id)])
        for c in covers
        if c.paid_until >= taken[str(c.participant_id)]
    ]


def _covers_of(p: dict[str, Any]) -> list[tuple[Cover, dt.date]]:
    """Every person of the payment the province has a cover for (when the service says one
    was paid meanwhile without the months overlapping)."""
    taken = {str(m.get("p")): m.get("f") for m in p.get("ms", []) if is_uuid(m.get("p"))}
    covers = Cover.objects.select_related("participant").filter(
        scheme_id=p.get("sc", ""), participant_id__in=list(taken)
    )
    return [(c, _date(taken[str(c.participant_id)]) or c.paid_until) for c in covers]


def double_collection(
    paid: list[tuple[Cover, dt.date]], p: dict[str, Any], second_receipt: str
) -> Flag:
    """The flag for a payment the point took offline for people already paid for."""
    first = [r for cover, since in paid for r in _first_receipts(cover, since)]
    first_text = ", ".join(dict.fromkeys(first))
    amount = int(p.get("x", 0))
    found = rule_selectors.scheme(str(p.get("sc", "")))
    who = "; ".join(
        _("%(name)s (đã đóng đến %(d)s)")
        % {"name": c.participant.name, "d": c.paid_until.strftime("%d/%m/%Y")}
        for c, _since in paid
    )
    return Flag(
        kind="double_collection",
        message=_(
            "Thu trùng %(scheme)s: %(who)s đã được đóng trước đó (biên lai %(first)s); điểm "
            "thu thêm lần nữa khi mất kết nối (biên lai %(second)s). Lần thu tại điểm không "
            "được ghi; cần hoàn trả %(amount)s cho người nộp."
        )
        % {
            "scheme": found.name if found else p.get("sc", ""),
            "who": who,
            "first": first_text or "—",
            "second": second_receipt or "—",
            "amount": format_vnd(amount),
        },
        amount=amount,
        details={
            "scheme": str(p.get("sc", "")),
            "participants": [str(c.participant_id) for c, _since in paid],
            "first_receipt": first_text,
            "second_receipt": second_receipt,
        },
    )


def _price_difference(receipt: str, charged: int, due: int) -> Flag:
    return Flag(
        kind="price_difference",
        message=_(
            "Biên lai %(r)s: tại điểm thu %(c)s, mức đóng theo quy định áp dụng ngày đó là "
            "%(d)s (chênh %(x)s)."
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


def _repeated(point_id: Any, data: services.EnrolmentIn) -> bool:
    """The point sent the same request twice: the service answers with the first payment."""
    key = data.request_key[:64]
    return bool(key) and Payment.objects.filter(point_id=point_id, request_key=key).exists()


def _apply_enrol(p: dict[str, Any], ctx: Applying) -> Any:
    data = _enrolment(p)
    session = counter_selectors.shift_at(unit_id=ctx.point_id, pk=p["s"])
    second = _receipt(p)
    if not _repeated(session.unit_id, data):
        paid = _paid_before(p)
        if paid:
            raise Conflicted(double_collection(paid, p, second))
    try:
        payment = services.enrol(session=session, clerk=ctx.user, data=data)
    except InsuranceError as exc:
        if str(exc.code) != InsuranceCode.ALREADY_SETTLED:
            raise
        raise Conflicted(double_collection(_covers_of(p), p, second)) from exc
    charged = p.get("x")
    if isinstance(charged, int) and charged != payment.total:
        ctx.flag(_price_difference(payment.receipt_no, charged, payment.total))
    return payment


def register() -> None:
    """Register the insurance kinds with the journal."""
    journal.register(
        Kind(
            "insurance.register_participant",
            "ip",
            _encode_register,
            _apply_register,
            ids=PERSONAL_IDS,
            phones=PHONES,
        ),
        Kind(
            "insurance.update_participant",
            "iu",
            _encode_update,
            _apply_update,
            ids=PERSONAL_IDS,
            phones=PHONES,
        ),
        Kind("insurance.create_household", "ih", _encode_household, _apply_household),
        Kind("insurance.enrol", "ie", _encode_enrol, _apply_enrol),
    )
