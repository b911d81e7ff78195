"""Dispatch bags: an item scanned in, the bag sealed, sent on a trip and received, each step
an event of the item; and the bag and manifest pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from buudien.core import clock
from buudien.core.errors import OutOfScope
from buudien.core.models import Role, User
from buudien.counter.models import CounterSession
from buudien.mail.errors import MailError
from buudien.mail.models import Bag, MailRoute, PostalItem, Status, TrackingEvent, Trip
from buudien.mail.selectors import bags as selectors
from buudien.mail.services import bags as services
from buudien.mail.services import routes as route_services
from buudien.mail.services.acceptance import accept
from buudien.sync import wire
from buudien.sync.services.push import push
from tests.conftest import PASSWORD, Tree
from tests.mail.conftest import Places, parcel
from tests.mail.test_routes import make_routes, route
from tests.sync.conftest import device_for, offline


@pytest.fixture
def routes(tree: Tree, users: dict[str, User]) -> dict[str, MailRoute]:
    return make_routes(tree, users[Role.ADMIN])


@pytest.fixture
def clerk(users: dict[str, User]) -> User:
    return users[Role.CLERK]


@pytest.fixture
def trip(routes: dict[str, MailRoute], clerk: User) -> Trip:
    """Today's run of office A's tier-3 route, which stops at point A1."""
    return route_services.start_trip(actor=clerk, route=routes["t3"], day=clock.today())


def _bag(tree: Tree, clerk: User) -> Bag:
    """A bag from point A1 back to office A (the tier-3 route's way home)."""
    return services.open_bag(actor=clerk, origin=tree.point_a1, destination=tree.office_a)


def test_a_parcel_bagged_dispatched_and_received_has_its_events_in_order(
    tree: Tree,
    users: dict[str, User],
    clerk: User,
    accepted: PostalItem,
    trip: Trip,
) -> None:
    bag = _bag(tree, clerk)
    services.add_to_bag(actor=clerk, bag=bag, s10=accepted.s10.lower())
    accepted.refresh_from_db()
    assert accepted.status == Status.BAGGED
    services.close_bag(actor=clerk, bag=bag)
    services.dispatch_bag(actor=clerk, bag=bag, trip=trip)
    accepted.refresh_from_db()
    assert (accepted.status, accepted.current_unit) == (Status.DISPATCHED, tree.point_a1)
    # Office A's staff (the area manager's subtree) receive it.
    services.receive_bag(actor=users[Role.AREA_MANAGER], bag=bag)
    accepted.refresh_from_db()
    assert (accepted.status, accepted.current_unit) == (Status.ARRIVED, tree.office_a)
    assert accepted.received_on is None  # office A is not where it is delivered
    events = list(TrackingEvent.objects.filter(item=accepted).order_by("at", "id"))
    assert [(e.status, e.unit.code if e.unit else "") for e in events] == [
        ("accepted", "VHXA1"),
        ("bagged", "VHXA1"),
        ("dispatched", "VHXA1"),
        ("arrived", "BCA"),
    ]
    assert events[2].note == "T3-BCA"
    bag.refresh_from_db()
    assert (bag.state, bag.trip) == (Bag.State.RECEIVED, trip)


def test_a_bag_is_numbered_by_its_unit_and_day(tree: Tree, clerk: User, routes: object) -> None:
    first, second = _bag(tree, clerk), _bag(tree, clerk)
    day = f"{clock.today():%y%m%d}"
    assert (first.number, second.number) == (f"VHXA1-{day}-001", f"VHXA1-{day}-002")


def test_a_bag_goes_only_where_a_route_carries_it(tree: Tree, clerk: User, routes: object) -> None:
    with pytest.raises(MailError) as caught:
        services.open_bag(actor=clerk, origin=tree.point_a1, destination=tree.point_b1)
    assert caught.value.field == "destination"
    assert [u.code for u in selectors.destinations(tree.point_a1)] == ["BCA", "VHXA2"]


@pytest.mark.parametrize(
    ("typed", "says"),
    [("CP123456784VN", "số kiểm tra"), ("CP1234VN", "13 ký tự"), ("", "Hãy nhập")],
)
def test_a_mistyped_id_is_refused_with_what_is_wrong(
    tree: Tree, clerk: User, routes: object, accepted: PostalItem, typed: str, says: str
) -> None:
    bag = _bag(tree, clerk)
    with pytest.raises(MailError) as caught:
        services.add_to_bag(actor=clerk, bag=bag, s10=typed)
    assert caught.value.field == "s10" and says in caught.value.message
    assert not selectors.bag_items(bag)


def test_an_item_not_at_the_bags_unit_is_refused(
    tree: Tree, clerk: User, routes: object, accepted: PostalItem
) -> None:
    other = services.open_bag(actor=clerk, origin=tree.point_a1, destination=tree.point_a2)
    PostalItem.objects.filter(pk=accepted.pk).update(current_unit=tree.point_a2)
    with pytest.raises(MailError) as caught:
        services.add_to_bag(actor=clerk, bag=other, s10=accepted.s10)
    assert "Điểm BĐ-VHX Nguyễn Huệ" in caught.value.message
    accepted.refresh_from_db()
    assert accepted.status == Status.ACCEPTED


def test_an_item_already_in_a_bag_is_refused_naming_the_bag(
    tree: Tree, clerk: User, routes: object, accepted: PostalItem
) -> None:
    first = _bag(tree, clerk)
    services.add_to_bag(actor=clerk, bag=first, s10=accepted.s10)
    second = _bag(tree, clerk)
    with pytest.raises(MailError) as caught:
        services.add_to_bag(actor=clerk, bag=second, s10=accepted.s10)
    assert first.number in caught.value.message


def test_an_item_taken_out_can_be_bagged_again(
    tree: Tree, clerk: User, routes: object, accepted: PostalItem
) -> None:
    bag = _bag(tree, clerk)
    services.add_to_bag(actor=clerk, bag=bag, s10=accepted.s10)
    services.remove_from_bag(actor=clerk, bag=bag, s10=accepted.s10)
    assert selectors.bag_items(bag) == []
    services.add_to_bag(actor=clerk, bag=bag, s10=accepted.s10)
    assert [i.s10 for i in selectors.bag_items(bag)] == [accepted.s10]


def test_an_empty_bag_cannot_be_sealed(tree: Tree, clerk: User, routes: object) -> None:
    bag = _bag(tree, clerk)
    with pytest.raises(MailError):
        services.close_bag(actor=clerk, bag=bag)
    bag.refresh_from_db()
    assert bag.state == Bag.State.OPEN


def test_a_bag_does_not_leave_on_a_route_that_does_not_carry_it(
    tree: Tree, users: dict[str, User], clerk: User, accepted: PostalItem, trip: Trip
) -> None:
    other = route(users[Role.ADMIN], "T3-BCA-B", 3, tree.office_a, "14:00", [(tree.point_a2, 30)])
    wrong = route_services.start_trip(actor=users[Role.ADMIN], route=other, day=clock.today())
    bag = _bag(tree, clerk)
    services.add_to_bag(actor=clerk, bag=bag, s10=accepted.s10)
    services.close_bag(actor=clerk, bag=bag)
    assert selectors.trips_for_bag(clerk, bag, clock.today()) == [trip]
    with pytest.raises(MailError) as caught:
        services.dispatch_bag(actor=clerk, bag=bag, trip=wrong)
    assert "T3-BCA-B" in caught.value.message
    accepted.refresh_from_db()
    assert accepted.status == Status.BAGGED


def test_a_clerk_of_another_point_cannot_fill_the_bag(
    tree: Tree, clerk: User, routes: object, accepted: PostalItem
) -> None:
    bag = _bag(tree, clerk)
    stranger = User.objects.create_user(
        username="diem-b1", password=PASSWORD, role=Role.CLERK, home_unit=tree.point_b1
    )
    with pytest.raises(OutOfScope):
        services.add_to_bag(actor=stranger, bag=bag, s10=accepted.s10)


def test_the_manifest_lists_the_bags_items(
    tree: Tree,
    clerk: User,
    shift: CounterSession,
    places: Places,
    accepted: PostalItem,
    trip: Trip,
) -> None:
    letter = accept(
        session=shift,
        clerk=clerk,
        data=parcel(places.a2, service_code="BC-THUDB", weight_g=80, receiver_hamlet=""),
    )
    bag = _bag(tree, clerk)
    for item in (accepted, letter):
        services.add_to_bag(actor=clerk, bag=bag, s10=item.s10)
    services.close_bag(actor=clerk, bag=bag)
    services.dispatch_bag(actor=clerk, bag=bag, trip=trip)
    manifest = selectors.trip(clerk, trip.pk)
    (load,) = manifest.bags
    assert load.bag.number == bag.number
    assert {i.s10 for i in load.items} == {accepted.s10, letter.s10}
    assert (manifest.count, manifest.weight_g, manifest.cod) == (2, 1580, 350_000)
    body = _client(clerk).get(f"/mail/trips/{trip.pk}/").content.decode()
    assert accepted.s10 in body and letter.s10 in body and bag.number in body


# --- pages ------------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_clerk_opens_fills_seals_and_sends_a_bag_from_the_pages(
    tree: Tree, clerk: User, accepted: PostalItem, trip: Trip
) -> None:
    client = _client(clerk)
    listing = client.get("/mail/bags/")
    assert listing.status_code == 200 and 'data-testid="open-bag"' in listing.content.decode()
    opened = client.post("/mail/bags/", {"origin": "VHXA1", "destination": "BCA"})
    bag = Bag.objects.get()
    assert opened["Location"] == f"/mail/bags/{bag.number}/"
    # A scanner types a wrong id then Enter: the message is next to the field, as typed.
    wrong = client.post(f"/mail/bags/{bag.number}/", {"s10": "CP123456784VN"})
    assert wrong.status_code == 422
    assert "số kiểm tra" in wrong.content.decode() and "CP123456784VN" in wrong.content.decode()
    client.post(f"/mail/bags/{bag.number}/", {"s10": accepted.s10})
    assert [i.s10 for i in selectors.bag_items(bag)] == [accepted.s10]
    client.post(f"/mail/bags/{bag.number}/close/")
    page = client.get(f"/mail/bags/{bag.number}/").content.decode()
    assert 'data-testid="dispatch-form"' in page and "T3-BCA" in page
    client.post(f"/mail/bags/{bag.number}/dispatch/", {"trip": str(trip.pk)})
    bag.refresh_from_db()
    assert bag.state == Bag.State.DISPATCHED
    # The clerk at A1 does not receive it: that is office A's step.
    assert (
        'data-testid="receive-bag"' not in client.get(f"/mail/bags/{bag.number}/").content.decode()
    )


@pytest.mark.parametrize(
    "role", [Role.CLERK, Role.AREA_MANAGER, Role.PROVINCE_MANAGER, Role.ADMIN, Role.AUDITOR]
)
def test_bag_pages_render_for_the_staff(
    tree: Tree, users: dict[str, User], clerk: User, routes: object, role: str
) -> None:
    bag = _bag(tree, clerk)
    client = _client(users[role])
    listing = client.get("/mail/bags/")
    assert listing.status_code == 200
    in_scope = role != Role.AUDITOR  # the auditor's scope is area B
    assert (bag.number in listing.content.decode()) == in_scope
    page = client.get(f"/mail/bags/{bag.number}/")
    assert page.status_code == (200 if in_scope else 404)
    if in_scope:
        assert ('data-testid="scan-form"' in page.content.decode()) == (role != Role.AUDITOR)
    export = client.get("/mail/bags/?format=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_api_fills_and_sends_a_bag(
    tree: Tree, users: dict[str, User], clerk: User, accepted: PostalItem, trip: Trip
) -> None:
    client = _client(clerk)
    made = client.post(
        "/api/mail/bags", {"origin": "VHXA1", "destination": "BCA"}, content_type="application/json"
    )
    assert made.status_code == 201
    number = made.json()["number"]
    bad = client.post(
        f"/api/mail/bags/{number}/items", {"s10": "CP1234"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["field"] == "s10"
    added = client.post(
        f"/api/mail/bags/{number}/items", {"s10": accepted.s10}, content_type="application/json"
    )
    assert added.json()["count"] == 1
    assert client.post(f"/api/mail/bags/{number}/close").json()["state"] == "closed"
    sent = client.post(
        f"/api/mail/bags/{number}/dispatch", {"trip": str(trip.pk)}, content_type="application/json"
    )
    assert sent.json()["route"] == "T3-BCA"
    manifest = client.get(f"/api/mail/trips/{trip.pk}").json()
    assert manifest["bags"][0]["items"][0]["s10"] == accepted.s10
    received = _client(users[Role.AREA_MANAGER]).post(f"/api/mail/bags/{number}/receive")
    assert received.json()["state"] == "received"
    assert client.get("/api/mail/bags").json()["count"] == 1


# --- point mode -------------------------------------------------------------------------


def test_a_bag_filled_offline_arrives_at_the_province_with_its_number(
    tree: Tree, users: dict[str, User], clerk: User, routes: object, accepted: PostalItem
) -> None:
    device = device_for(tree.point_a1, users[Role.AREA_MANAGER])
    with offline(device, timezone.now()) as ops:
        bag = _bag(tree, clerk)
        services.add_to_bag(actor=clerk, bag=bag, s10=accepted.s10)
        services.close_bag(actor=clerk, bag=bag)
        number = bag.number
    assert not Bag.objects.exists()  # the laptop's work is only its operations now
    reply = wire.unpack(push(device=device, body=wire.encode_ops(ops, backlog=0)))
    assert [row[1] for row in reply["r"]] == ["a", "a", "a"]
    applied = Bag.objects.get()
    assert (applied.number, applied.state) == (number, Bag.State.CLOSED)
    accepted.refresh_from_db()
    assert accepted.status == Status.BAGGED
