"""The list of what is late: items not bagged a day after acceptance, items past their
service standard's day, trips late or not finished; scoped, filtered, exported."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import openpyxl
import pytest
from django.test import Client

from buudien.core import clock
from buudien.core.models import Role, User
from buudien.counter.models import CounterSession
from buudien.mail.models import MailRoute, PostalItem, Trip
from buudien.mail.selectors.exceptions import exceptions
from buudien.mail.services import bags as bag_services
from buudien.mail.services import routes as route_services
from buudien.mail.services.acceptance import accept
from buudien.mail.services.tracking import record_event
from tests.conftest import PASSWORD, Tree
from tests.mail.conftest import DAY, Places, parcel
from tests.mail.test_routes import at, make_routes

NOW = at(DAY + dt.timedelta(days=3), 10)  # Monday 17 March 2025, 10:00
TODAY = NOW.date()


@dataclass
class Late:
    stale: PostalItem  # taken in on the 14th, still at the counter
    bagged: PostalItem  # taken in on the 14th, bagged, past its day
    fresh: PostalItem  # taken in yesterday, due on the 20th
    delivered: PostalItem
    late_trip: Trip
    open_trip: Trip
    on_time: Trip
    routes: dict[str, MailRoute]


@pytest.fixture
def late(tree: Tree, users: dict[str, User], shift: CounterSession, places: Places) -> Late:
    clerk, admin = users[Role.CLERK], users[Role.ADMIN]
    routes = make_routes(tree, admin)
    with clock.at(at(DAY, 9)):
        stale = accept(session=shift, clerk=clerk, data=parcel(places.b1))
        bagged = accept(session=shift, clerk=clerk, data=parcel(places.a2))
        delivered = accept(session=shift, clerk=clerk, data=parcel(places.a2))
    with clock.at(at(DAY + dt.timedelta(days=1), 9)):
        bag = bag_services.open_bag(actor=clerk, origin=tree.point_a1, destination=tree.point_a2)
        bag_services.add_to_bag(actor=clerk, bag=bag, s10=bagged.s10)
        record_event(item=delivered, actor=admin, status="delivered", unit=tree.point_a2)
    with clock.at(at(DAY + dt.timedelta(days=2), 15)):
        fresh = accept(session=shift, clerk=clerk, data=parcel(places.b1))
    PostalItem.objects.filter(pk=fresh.pk).update(due_on=TODAY + dt.timedelta(days=3))
    with clock.at(NOW):
        t3 = routes["t3"]
        on_time = route_services.start_trip(actor=admin, route=t3, day=DAY)
        route_services.finish_trip(actor=admin, trip=on_time, at=at(DAY, 8, 58))
        late_trip = route_services.start_trip(actor=admin, route=t3, day=DAY + dt.timedelta(1))
        route_services.finish_trip(
            actor=admin, trip=late_trip, at=at(DAY + dt.timedelta(days=1), 10, 30)
        )
        open_trip = route_services.start_trip(actor=admin, route=t3, day=DAY + dt.timedelta(2))
    return Late(stale, bagged, fresh, delivered, late_trip, open_trip, on_time, routes)


def _listed(user: User, kind: str = "") -> set[tuple[str, str, int]]:
    with clock.at(NOW):
        return {(p.kind, p.ref, p.days_late) for p in exceptions(user, kind=kind)}


def test_the_list_shows_what_is_late_and_not_what_is_on_time(
    late: Late, users: dict[str, User]
) -> None:
    stale_due = late.stale.due_on
    assert stale_due is not None and stale_due < TODAY
    assert _listed(users[Role.ADMIN]) == {
        ("not_bagged", late.stale.s10, 2),  # taken in 3 days ago: 2 days past the one allowed
        ("overdue", late.stale.s10, (TODAY - stale_due).days),
        ("overdue", late.bagged.s10, (TODAY - stale_due).days),
        ("late_trip", "T3-BCA 15/03/2025", 0),
        ("late_trip", "T3-BCA 16/03/2025", 1),
    }


def test_each_kind_is_listed_on_its_own(late: Late, users: dict[str, User]) -> None:
    assert {ref for _k, ref, _d in _listed(users[Role.ADMIN], "not_bagged")} == {late.stale.s10}
    assert {k for k, _r, _d in _listed(users[Role.ADMIN], "late_trip")} == {"late_trip"}


def test_the_list_keeps_to_the_users_scope(late: Late, users: dict[str, User]) -> None:
    # The auditor of area B sees the item on its way to point B1, nothing of area A.
    assert {(k, ref) for k, ref, _d in _listed(users[Role.AUDITOR])} == {
        ("not_bagged", late.stale.s10),
        ("overdue", late.stale.s10),
    }


def test_the_list_pages_across_kinds(late: Late, users: dict[str, User]) -> None:
    with clock.at(NOW):
        found = exceptions(users[Role.ADMIN])
        assert found.count() == 5
        first, rest = found[0:2], found[2:5]
    assert [p.kind for p in first + rest] == [
        "not_bagged",
        "overdue",
        "overdue",
        "late_trip",
        "late_trip",
    ]


def _client(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize(
    "role", [Role.CLERK, Role.AREA_MANAGER, Role.PROVINCE_MANAGER, Role.ADMIN, Role.AUDITOR]
)
def test_the_page_renders_for_the_staff(late: Late, users: dict[str, User], role: str) -> None:
    with clock.at(NOW):
        response = _client(users[role]).get("/mail/exceptions/")
    assert response.status_code == 200
    body = response.content.decode()
    assert late.stale.s10 in body
    assert late.fresh.s10 not in body and late.delivered.s10 not in body


def test_the_page_filters_by_kind_and_unit_and_exports(late: Late, users: dict[str, User]) -> None:
    client = _client(users[Role.PROVINCE_MANAGER])
    with clock.at(NOW):
        by_unit = client.get("/mail/exceptions/?kind=overdue&unit=VHXA1").content.decode()
        unknown = client.get("/mail/exceptions/?unit=ZZZ").content.decode()
        export = client.get("/mail/exceptions/?kind=late_trip&format=xlsx")
    assert late.bagged.s10 in by_unit and "T3-BCA" not in by_unit
    assert "Không có đơn vị mã này" in unknown
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    refs = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(refs) == ["T3-BCA 15/03/2025", "T3-BCA 16/03/2025"]


def test_a_partner_officer_may_not_open_the_list(users: dict[str, User]) -> None:
    assert _client(users[Role.PARTNER_OFFICER]).get("/mail/exceptions/").status_code == 403


def test_the_api_lists_what_is_late(late: Late, users: dict[str, User]) -> None:
    client = _client(users[Role.AREA_MANAGER])
    with clock.at(NOW):
        body = client.get("/api/mail/exceptions?kind=overdue").json()
        bad = client.get("/api/mail/exceptions?kind=nonsense")
    assert body["count"] == 2
    assert {i["ref"] for i in body["items"]} == {late.stale.s10, late.bagged.s10}
    assert bad.status_code == 422
