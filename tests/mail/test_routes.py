"""Mail routes of tiers 1-3, their trips and timetables, and the route pages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from buudien.core import clock
from buudien.core.errors import OutOfScope
from buudien.core.models import Role, User
from buudien.mail.errors import MailError
from buudien.mail.models import MailRoute, Trip
from buudien.mail.selectors import bags as selectors
from buudien.mail.services import routes as services
from buudien.network.models import PostUnit
from tests.conftest import PASSWORD, Tree

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = dt.date(2025, 3, 17)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def route(
    actor: User,
    code: str,
    tier: int,
    origin: PostUnit,
    departs: str,
    stops: list[tuple[PostUnit, int]],
) -> MailRoute:
    hour, minute = (int(x) for x in departs.split(":"))
    return services.save_route(
        actor=actor,
        code=code,
        name=f"Tuyến {code}",
        tier=tier,
        origin=origin,
        departs=dt.time(hour, minute),
        weekdays="1,2,3,4,5,6",
        vehicle="Xe máy",
        stops=stops,
    )


def make_routes(tree: Tree, actor: User) -> dict[str, MailRoute]:
    """Tier 1 province → areas at 05:30, tier 2 area A → office A at 06:30, tier 3 office A →
    its two points at 08:00: each leaves after the tier above has arrived."""
    return {
        "t1": route(
            actor, "T1", 1, tree.province, "05:30", [(tree.area_a, 60), (tree.area_b, 150)]
        ),
        "t2": route(actor, "T2-KVA", 2, tree.area_a, "06:30", [(tree.office_a, 45)]),
        "t3": route(
            actor, "T3-BCA", 3, tree.office_a, "08:00", [(tree.point_a1, 30), (tree.point_a2, 60)]
        ),
    }


@pytest.fixture
def admin(users: dict[str, User]) -> User:
    return users[Role.ADMIN]


def test_a_route_of_each_tier_is_saved_with_its_stops_in_order(tree: Tree, admin: User) -> None:
    routes = make_routes(tree, admin)
    stops = selectors.stops(routes["t3"])
    assert [(s.order, s.unit.code, s.minutes) for s in stops] == [
        (1, "VHXA1", 30),
        (2, "VHXA2", 60),
    ]
    assert routes["t3"].weekdays == "1,2,3,4,5,6"
    # Saving the same code again changes the route and replaces its stops.
    route(admin, "T3-BCA", 3, tree.office_a, "08:15", [(tree.point_a2, 20)])
    assert [s.unit.code for s in selectors.stops(routes["t3"])] == ["VHXA2"]
    assert MailRoute.objects.get(code="T3-BCA").departs == dt.time(8, 15)


def test_a_route_starts_at_the_unit_of_its_tier(tree: Tree, admin: User) -> None:
    with pytest.raises(MailError) as caught:
        route(admin, "T1-X", 1, tree.area_a, "05:00", [(tree.office_a, 30)])
    assert caught.value.field == "origin"
    assert "bưu điện tỉnh" in caught.value.message


@pytest.mark.parametrize(
    ("tier", "origin", "stop", "names"),
    [
        (2, "area_a", "point_a1", "VHXA1"),  # a tier-2 route stops at offices
        (3, "office_a", "point_b1", "VHXB1"),  # a point of another office
        (1, "province", "office_a", "BCA"),  # a tier-1 route stops at areas
    ],
)
def test_a_stop_that_does_not_fit_the_tier_is_refused_naming_it(
    tree: Tree, admin: User, tier: int, origin: str, stop: str, names: str
) -> None:
    with pytest.raises(MailError) as caught:
        route(admin, "BAD", tier, getattr(tree, origin), "06:00", [(getattr(tree, stop), 30)])
    assert caught.value.field == "stops"
    assert names in caught.value.message
    assert not MailRoute.objects.filter(code="BAD").exists()


def test_stops_must_not_go_back_in_time(tree: Tree, admin: User) -> None:
    with pytest.raises(MailError) as caught:
        route(admin, "T3-X", 3, tree.office_a, "08:00", [(tree.point_a1, 60), (tree.point_a2, 30)])
    assert "VHXA2" in caught.value.message


def test_an_area_manager_plans_routes_only_in_his_area(tree: Tree, users: dict[str, User]) -> None:
    manager = users[Role.AREA_MANAGER]
    route(manager, "T3-OK", 3, tree.office_a, "08:00", [(tree.point_a1, 30)])
    with pytest.raises(OutOfScope):
        route(manager, "T3-NO", 3, tree.office_b, "08:00", [(tree.point_b1, 30)])


def test_a_trip_is_due_at_its_last_stop_by_the_timetable(tree: Tree, admin: User) -> None:
    t3 = make_routes(tree, admin)["t3"]
    with clock.at(at(MONDAY, 7)):
        trip = services.start_trip(actor=admin, route=t3, day=MONDAY)
    assert trip.scheduled_at == at(MONDAY, 8)
    assert trip.due_at == at(MONDAY, 9)


def test_a_route_runs_one_trip_a_day(tree: Tree, users: dict[str, User]) -> None:
    t3 = make_routes(tree, users[Role.ADMIN])["t3"]
    clerk = users[Role.CLERK]  # the point where the route stops may open its trip
    with clock.at(at(MONDAY, 7)):
        services.start_trip(actor=clerk, route=t3, day=MONDAY)
        with pytest.raises(MailError) as caught:
            services.start_trip(actor=clerk, route=t3, day=MONDAY)
    assert caught.value.code == "mail.trip_conflict"
    assert Trip.objects.count() == 1


def test_a_finished_trip_cannot_finish_again(tree: Tree, admin: User) -> None:
    t3 = make_routes(tree, admin)["t3"]
    with clock.at(at(MONDAY, 12)):
        trip = services.start_trip(actor=admin, route=t3, day=MONDAY)
        services.finish_trip(actor=admin, trip=trip, at=at(MONDAY, 8, 55))
        with pytest.raises(MailError):
            services.finish_trip(actor=admin, trip=trip, at=at(MONDAY, 9, 30))
    trip.refresh_from_db()
    assert trip.arrived_at == at(MONDAY, 8, 55)


def test_connections_flag_a_route_leaving_before_the_upper_tier_arrives(
    tree: Tree, admin: User
) -> None:
    routes = make_routes(tree, admin)
    # Tier 2 reaches office A at 07:15: the 08:00 run waits for it, a 07:00 run does not.
    early = route(admin, "T3-SOM", 3, tree.office_a, "07:00", [(tree.point_a1, 20)])
    fine = selectors.connections(routes["t3"])
    flagged = selectors.connections(early)
    assert not fine.flagged
    assert [(f.route.code, f.arrives, f.ok) for f in flagged.feeders] == [
        ("T2-KVA", "07:15", False)
    ]
    assert flagged.flagged
    # Seen from tier 2: at office A, one tier-3 route leaves too early, one after.
    (stop,) = selectors.connections(routes["t2"]).stops
    assert stop.arrives == "07:15"
    assert {(o.route.code, o.ok) for o in stop.onward} == {("T3-BCA", True), ("T3-SOM", False)}


def test_punctuality_counts_a_late_trip(tree: Tree, admin: User) -> None:
    t3 = make_routes(tree, admin)["t3"]
    tuesday, wednesday, thursday = (MONDAY + dt.timedelta(days=n) for n in (1, 2, 3))
    with clock.at(at(thursday, 20)):
        for day, back in ((MONDAY, at(MONDAY, 8, 50)), (tuesday, at(tuesday, 9, 40))):
            trip = services.start_trip(actor=admin, route=t3, day=day)
            services.finish_trip(actor=admin, trip=trip, at=back)
        services.start_trip(actor=admin, route=t3, day=wednesday)
    (row,) = selectors.punctuality(admin, MONDAY, thursday)
    assert (row.run, row.on_time, row.late, row.unfinished) == (3, 1, 1, 1)
    assert row.rate == 50.0


# --- pages ------------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize(
    "role", [Role.CLERK, Role.AREA_MANAGER, Role.PROVINCE_MANAGER, Role.ADMIN, Role.AUDITOR]
)
def test_route_pages_render_for_the_staff(tree: Tree, users: dict[str, User], role: str) -> None:
    make_routes(tree, users[Role.ADMIN])
    client = _client(users[role])
    listing = client.get("/mail/routes/")
    assert listing.status_code == 200
    # The auditor of area B sees the tier-1 route through his area, not office A's routes.
    code, stop, arrives = (
        ("T1", "KVB", "08:00") if role == Role.AUDITOR else ("T3-BCA", "VHXA1", "08:30")
    )
    page = client.get(f"/mail/routes/{code}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert stop in body and arrives in body
    assert ("T3-BCA" in listing.content.decode()) == (role != Role.AUDITOR)
    # The create and edit forms are a manager's; starting a trip is the counter's.
    managers = {Role.AREA_MANAGER, Role.PROVINCE_MANAGER, Role.ADMIN}
    assert ('data-testid="route-form"' in body) == (role in managers)
    assert ('data-testid="start-trip"' in body) == (role != Role.AUDITOR)


def test_a_partner_officer_may_not_see_routes(users: dict[str, User]) -> None:
    response = _client(users[Role.PARTNER_OFFICER]).get("/mail/routes/")
    assert response.status_code == 403


def test_a_route_is_created_from_the_form(tree: Tree, users: dict[str, User]) -> None:
    client = _client(users[Role.AREA_MANAGER])
    form = {
        "code": "t3-bca-2",
        "name": "Bưu cục Nước Hai – Đức Long",
        "tier": "3",
        "origin": "BCA",
        "departs": "13:30",
        "weekdays": ["1", "3", "5"],
        "vehicle": "Xe máy",
        "stops": "VHXA1, 25\nVHXA2 50\n",
    }
    response = client.post("/mail/routes/", form)
    assert response.status_code == 302
    assert response["Location"] == "/mail/routes/T3-BCA-2/"
    saved = MailRoute.objects.get(code="T3-BCA-2")
    assert (saved.weekdays, saved.departs) == ("1,3,5", dt.time(13, 30))
    # The same code again is refused next to the code field, what was typed kept.
    again = client.post("/mail/routes/", form)
    assert again.status_code == 200
    assert "đã có" in again.content.decode()
    assert "Bưu cục Nước Hai – Đức Long" in again.content.decode()


def test_a_wrong_stop_is_shown_next_to_the_stops_field(tree: Tree, users: dict[str, User]) -> None:
    client = _client(users[Role.ADMIN])
    response = client.post(
        "/mail/routes/",
        {
            "code": "T2-X",
            "name": "Sai",
            "tier": "2",
            "origin": "KVA",
            "departs": "06:30",
            "weekdays": ["1"],
            "stops": "VHXA1, 30",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "VHXA1" in body and 'class="error"' in body
    assert not MailRoute.objects.filter(code="T2-X").exists()


def test_todays_trip_is_started_and_finished_from_the_pages(
    tree: Tree, users: dict[str, User]
) -> None:
    make_routes(tree, users[Role.ADMIN])
    client = _client(users[Role.CLERK])
    response = client.post("/mail/routes/T3-BCA/trips/")
    trip = Trip.objects.get()
    assert response["Location"] == f"/mail/trips/{trip.pk}/"
    assert trip.day == clock.today()
    assert 'data-testid="finish-form"' in client.get(f"/mail/trips/{trip.pk}/").content.decode()
    # A trip that left yesterday is finished now.
    Trip.objects.filter(pk=trip.pk).update(
        day=trip.day - dt.timedelta(days=1),
        scheduled_at=trip.scheduled_at - dt.timedelta(days=1),
        due_at=trip.due_at - dt.timedelta(days=1),
    )
    client.post(f"/mail/trips/{trip.pk}/", {"at": ""})
    trip.refresh_from_db()
    assert trip.arrived_at is not None
    assert 'data-testid="trip-late"' in client.get(f"/mail/trips/{trip.pk}/").content.decode()


def test_the_route_page_flags_a_route_leaving_too_early(tree: Tree, users: dict[str, User]) -> None:
    admin = users[Role.ADMIN]
    make_routes(tree, admin)
    route(admin, "T3-SOM", 3, tree.office_a, "07:00", [(tree.point_a1, 20)])
    body = _client(admin).get("/mail/routes/T3-SOM/").content.decode()
    assert 'data-testid="flagged"' in body and "T2-KVA" in body


def test_the_api_saves_a_route_and_opens_a_trip(tree: Tree, users: dict[str, User]) -> None:
    client = _client(users[Role.ADMIN])
    made = client.post(
        "/api/mail/routes",
        {
            "code": "T2-KVA",
            "name": "Khu vực Hòa An – Nước Hai",
            "tier": 2,
            "origin": "KVA",
            "departs": "06:30",
            "stops": [{"unit": "BCA", "minutes": 45}],
        },
        content_type="application/json",
    )
    assert made.status_code == 200, made.content
    assert made.json()["stops"] == [{"order": 1, "unit": "BCA", "minutes": 45, "arrives": "07:15"}]
    bad = client.post(
        "/api/mail/routes",
        {
            "code": "T2-BAD",
            "name": "Sai",
            "tier": 2,
            "origin": "KVA",
            "departs": "06:30",
            "stops": [{"unit": "VHXA1", "minutes": 45}],
        },
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "mail.route_invalid" and "VHXA1" in bad.json()["message"]
    trip = client.post("/api/mail/routes/T2-KVA/trips", {}, content_type="application/json")
    assert trip.status_code == 201
    assert trip.json()["route"] == "T2-KVA"
    again = client.post("/api/mail/routes/T2-KVA/trips", {}, content_type="application/json")
    assert again.status_code == 409
