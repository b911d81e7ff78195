"""Cases for the insurance people pages (participants, households, rules, renewals).

`build` makes, on each side, a household of two with a paid household health cover, a
voluntary social insurance participant with a paid cover, and the payments; the other
insurance case modules use them (`ins_person`, `ins_household`, `ins_payment`, `ins_cover`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from buudien.core.models import Role
from buudien.insurance import services
from buudien.insurance.models import Cover, Scheme
from tests.access.case import Case
from tests.access.world import World

_serial = iter(range(200_001, 299_999))


def _person(name: str, birth: dt.date, household: str = "") -> services.PersonIn:
    century = (birth.year // 100 - 19) * 2
    return services.PersonIn(
        citizen_id=f"004{century}{birth.year % 100:02d}{next(_serial):06d}",
        name=name,
        birth_date=birth,
        hamlet="Nà Lẹng",
        phone="0912345678",
        household_id=household,
        consent=True,
    )


def build(world: World) -> None:
    """A household and a voluntary participant with paid covers at each side's point; the
    schemes collected for the inside side's social-insurance agency."""
    Scheme.objects.update(agency=world.side("in").agency)
    for where in ("in", "out"):
        side = world.side(where)
        home = services.create_household(
            actor=side.clerk,
            point=side.point,
            data=services.HouseholdIn(head_name=f"Hộ {where}", hamlet="Nà Lẹng"),
        )
        members = [
            services.register_participant(
                actor=side.clerk,
                point=side.point,
                data=_person(f"Hoàng Văn {where}{i}", dt.date(1980 + i, 3, 4), str(home.pk)),
            )
            for i in range(2)
        ]
        payment = services.enrol(
            session=side.session,
            clerk=side.clerk,
            data=services.EnrolmentIn(
                scheme="household_health",
                mode="12m",
                months=12,
                members=tuple(services.MemberIn(participant_id=str(p.pk)) for p in members),
            ),
        )
        world.put(where, "ins_household", home)
        world.put(where, "ins_person", members[0])
        world.put(where, "ins_payment", payment)
        world.put(where, "ins_cover", Cover.objects.get(participant=members[0]))


def _person_url(suffix: str = "") -> Any:
    return lambda w, s: f"/bao-hiem/nguoi-tham-gia/{w.obj(s, 'ins_person').pk}/{suffix}"


def _person_name(w: World, s: str) -> str:
    return str(w.obj(s, "ins_person").name)


def _head_name(w: World, s: str) -> str:
    return str(w.obj(s, "ins_household").head_name)


def _new_person(w: World, s: str) -> dict[str, Any]:
    """A new person at the side's point (the clerk's own point; others choose it)."""
    birth = dt.date(1990, 6, 1 if s == "in" else 2)
    return {
        "point": w.side(s).point.code,
        "citizen_id": f"004090{299_001 if s == 'in' else 299_002:06d}",
        "name": f"Lý Thị Mới {s}",
        "birth_date": birth.isoformat(),
        "hamlet": "Nà Lẹng",
        "phone": "0987654321",
        "consent": "on",
    }


def _edit_person(w: World, s: str) -> dict[str, Any]:
    person = w.obj(s, "ins_person")
    return {
        "citizen_id": person.citizen_id,
        "name": f"{person.name} (sửa)",
        "birth_date": person.birth_date.isoformat(),
        "hamlet": "Bản Mới",
        "phone": "0912345679",
        "household": str(person.household_id),
        "version": person.version,
    }


def _point_filter(w: World, s: str) -> dict[str, Any]:
    return {"point": w.side(s).point.code}


CASES: dict[str, Case] = {
    "insurance:index": Case(url=lambda w, s: "/bao-hiem/", scoped=False),
    "insurance:participants": Case(
        url=lambda w, s: "/bao-hiem/nguoi-tham-gia/", marker=_person_name, listing=True
    ),
    "insurance:participant_new": Case(
        url=lambda w, s: "/bao-hiem/nguoi-tham-gia/them/",
        data=_new_person,
        scoped=False,
        doer=Role.CLERK,
    ),
    "insurance:participant": Case(url=_person_url(), marker=_person_name),
    "insurance:participant_edit": Case(
        url=_person_url("sua/"), data=_edit_person, marker=_person_name, doer=Role.CLERK
    ),
    "insurance:households": Case(
        url=lambda w, s: "/bao-hiem/ho-gia-dinh/", marker=_head_name, listing=True
    ),
    "insurance:household_new": Case(
        url=lambda w, s: "/bao-hiem/ho-gia-dinh/them/",
        data=lambda w, s: {"point": w.side(s).point.code, "head_name": f"Hộ mới {s}"},
        scoped=False,
        doer=Role.CLERK,
    ),
    "insurance:household": Case(
        url=lambda w, s: f"/bao-hiem/ho-gia-dinh/{w.obj(s, 'ins_household').pk}/",
        marker=_head_name,
    ),
    "insurance:rules": Case(url=lambda w, s: "/bao-hiem/quy-dinh/", scoped=False),
    "insurance:renewals": Case(
        url=lambda w, s: "/bao-hiem/gia-han/",
        data=_point_filter,
        marker=_person_name,
        listing=True,
        doer=Role.CLERK,
    ),
    "insurance:lapsed": Case(
        url=lambda w, s: "/bao-hiem/gian-doan/", marker=_person_name, listing=True
    ),
}
