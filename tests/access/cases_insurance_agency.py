"""Cases for the insurance agency exchange (declaration lists and the agency's confirmation)
and for the whole insurance API.

`build` makes, on each side, a declaration list of the household health payment made by
cases_insurance_people (`ins_declaration`), and a voluntary social insurance payment of a new
person left undeclared (`ins_undeclared`), so that making a list has something to gather."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from buudien.core.models import Role
from buudien.insurance import services
from tests.access.case import Case
from tests.access.world import World

_serial = itertools.count(300_001)


def _person(name: str, birth: dt.date, household: str = "") -> services.PersonIn:
    century = (birth.year // 100 - 19) * 2
    return services.PersonIn(
        citizen_id=f"004{century}{birth.year % 100:02d}{next(_serial):06d}",
        name=name,
        birth_date=birth,
        hamlet="Khuổi Khỉn",
        phone="0987654321",
        household_id=household,
        consent=True,
    )


def build(world: World) -> None:
    """Each side: its health payment declared, a new voluntary payment not yet declared."""
    for where in ("in", "out"):
        side = world.side(where)
        listed = services.make_declaration(
            actor=world.users[Role.ADMIN], unit=side.point, scheme_code="household_health"
        )
        person = services.register_participant(
            actor=side.clerk,
            point=side.point,
            data=_person(f"Lò Văn Khai {where}", dt.date(1979, 2, 3)),
        )
        payment = services.enrol(
            session=side.session,
            clerk=side.clerk,
            data=services.EnrolmentIn(
                scheme="voluntary_social",
                mode="3m",
                months=3,
                members=(services.MemberIn(participant_id=str(person.pk), income=3_000_000),),
            ),
        )
        world.put(where, "ins_declaration", listed)
        world.put(where, "ins_undeclared", payment)


# --- what the cases send --------------------------------------------------------------------


def _answer(w: World, where: str) -> bytes:
    """The agency's answer for the side's list: every line confirmed, the first person given
    a social-insurance number."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Số CCCD", "Mã số BHXH", "Từ ngày", "Kết quả", "Lý do"])
    declared = w.obj(where, "ins_declaration")
    first = w.obj(where, "ins_person")
    for line in services.declaration_rows(declared):
        person = line.participant
        number = ("0491000001" if where == "in" else "0492000001") if person == first else ""
        sheet.append(
            [person.citizen_id, number, line.period_from.strftime("%d/%m/%Y"), "Xác nhận", ""]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _answer_file(w: World, where: str) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("ket-qua.xlsx", _answer(w, where))}


def _declaration(name: str) -> Any:
    return lambda w, where: reverse(name, kwargs={"pk": w.obj(where, "ins_declaration").pk})


def _number(w: World, where: str) -> str:
    return str(w.obj(where, "ins_declaration").number)


def _make(w: World, where: str) -> dict[str, Any]:
    return {"scheme": "voluntary_social", "unit": w.side(where).point.code}


def _api(path: str, name: str = "") -> Any:
    def url(w: World, where: str) -> str:
        return "/api/insurance/" + (path.format(id=w.obj(where, name).pk) if name else path)

    return url


def _name(what: str) -> Any:
    return lambda w, where: w.obj(where, what).name


def _person_json(w: World, where: str) -> dict[str, Any]:
    data = _person(f"Nông Thị Mới {where}", dt.date(1990, 6, 7))
    return {
        "citizen_id": data.citizen_id,
        "name": data.name,
        "birth_date": data.birth_date.isoformat() if data.birth_date else None,
        "hamlet": data.hamlet,
        "phone": data.phone,
        "consent": True,
        "point": w.side(where).point.code,
    }


def _household_json(w: World, where: str) -> dict[str, Any]:
    return {"head_name": f"Hộ mới {where}", "hamlet": "Nà Lẹng", "point": w.side(where).point.code}


def _members(w: World, where: str) -> list[dict[str, Any]]:
    return [{"participant_id": str(w.obj(where, "ins_person").pk), "income": 3_000_000}]


def _quote_json(w: World, where: str) -> dict[str, Any]:
    return {"scheme": "voluntary_social", "mode": "3m", "months": 3, "members": _members(w, where)}


def _payment_json(w: World, where: str) -> dict[str, Any]:
    return {**_quote_json(w, where), "request_key": f"access-{where}"}


CASES: dict[str, Case] = {
    # The HTML pages.
    "insurance:declarations": Case(
        url=lambda w, where: reverse("insurance:declarations"),
        data=_make,
        marker=_number,
        listing=True,
        doer=Role.AREA_MANAGER,
    ),
    "insurance:declaration": Case(url=_declaration("insurance:declaration"), marker=_number),
    "insurance:declaration_xlsx": Case(url=_declaration("insurance:declaration_xlsx")),
    "insurance:declaration_template": Case(url=_declaration("insurance:declaration_template")),
    "insurance:declaration_confirm": Case(
        url=_declaration("insurance:declaration_confirm"),
        data=_answer_file,
        doer=Role.PARTNER_OFFICER,
    ),
    # The API: people.
    "GET /api/insurance/participants": Case(
        url=_api("participants"), marker=_name("ins_person"), listing=True
    ),
    "POST /api/insurance/participants": Case(
        url=_api("participants"), data=_person_json, doer=Role.CLERK
    ),
    "GET /api/insurance/participants/{participant_id}": Case(
        url=_api("participants/{id}", "ins_person"), marker=_name("ins_person")
    ),
    "GET /api/insurance/households": Case(
        url=_api("households"),
        marker=lambda w, where: w.obj(where, "ins_household").head_name,
        listing=True,
    ),
    "POST /api/insurance/households": Case(
        url=_api("households"), data=_household_json, doer=Role.CLERK
    ),
    "GET /api/insurance/households/{household_id}": Case(
        url=_api("households/{id}", "ins_household"), marker=_name("ins_person")
    ),
    # The API: the counter.
    "POST /api/insurance/quote": Case(url=_api("quote"), data=_quote_json),
    "POST /api/insurance/payments": Case(url=_api("payments"), data=_payment_json, doer=Role.CLERK),
    "GET /api/insurance/payments": Case(
        url=_api("payments"),
        marker=lambda w, where: w.obj(where, "ins_payment").receipt_no,
        listing=True,
    ),
    "GET /api/insurance/payments/{payment_id}": Case(
        url=_api("payments/{id}", "ins_payment"), marker=_name("ins_person")
    ),
    "GET /api/insurance/renewals/due": Case(url=_api("renewals/due?days=366"), listing=True),
    "GET /api/insurance/renewals/lapsed": Case(url=_api("renewals/lapsed"), listing=True),
    "GET /api/insurance/rules": Case(url=_api("rules"), scoped=False),
    # The API: the agency exchange.
    "GET /api/insurance/declarations": Case(url=_api("declarations"), marker=_number, listing=True),
    "POST /api/insurance/declarations": Case(
        url=_api("declarations"), data=_make, doer=Role.AREA_MANAGER
    ),
    "GET /api/insurance/declarations/{declaration_id}": Case(
        url=_api("declarations/{id}", "ins_declaration"), marker=_number
    ),
    "POST /api/insurance/declarations/{declaration_id}/confirmation": Case(
        url=_api("declarations/{id}/confirmation", "ins_declaration"),
        data=_answer_file,
        doer=Role.PARTNER_OFFICER,
    ),
}
