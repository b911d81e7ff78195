"""Cases for the insurance counter routes: the enrolment form, the payments list, a receipt."""

from __future__ import annotations

from typing import Any

from buudien.core.models import Role
from tests.access.case import Case
from tests.access.world import World


def build(world: World) -> None:
    """Nothing of its own: the records come from cases_insurance_people."""


def _household(w: World, s: str) -> str:
    return str(w.obj(s, "ins_household").pk)


def _receipt_no(w: World, s: str) -> str:
    return str(w.obj(s, "ins_payment").receipt_no)


def _renewal(w: World, s: str) -> dict[str, Any]:
    """The side's household renewed for 12 more months, taken into the clerk's shift."""
    members = [str(p.pk) for p in w.obj(s, "ins_household").members.order_by("created_at")]
    data: dict[str, Any] = {
        "request_key": f"access-enrol-{s}",
        "scheme": "household_health",
        "mode": "12m",
        "months": "12",
        "payer_name": "Hoàng Văn Trong",
        "m-TOTAL_FORMS": str(len(members)),
        "m-INITIAL_FORMS": str(len(members)),
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "30",
        "pay": "1",
    }
    for n, pk in enumerate(members):
        data[f"m-{n}-participant"] = pk
        data[f"m-{n}-category"] = "other"
    return data


CASES: dict[str, Case] = {
    "insurance:enrol": Case(
        url=lambda w, s: f"/bao-hiem/dong-tien/?household={_household(w, s)}",
        data=_renewal,
        doer=Role.CLERK,
    ),
    "insurance:payments": Case(
        url=lambda w, s: "/bao-hiem/lan-dong/", marker=_receipt_no, listing=True
    ),
    "insurance:payment": Case(
        url=lambda w, s: f"/bao-hiem/lan-dong/{w.obj(s, 'ins_payment').pk}/", marker=_receipt_no
    ),
}
