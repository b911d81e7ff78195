"""Pull, in one database: the province's pages for a point are taken, the "laptop" loses or
changes rows, and the pages applied back restore exactly the province's data — resumably,
without a row of another point's people, and without overwriting work not yet pushed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.counter.models import LedgerEntry, Service, Tariff
from buudien.dossiers import services as dossier_services
from buudien.dossiers.models import DossierEvent, Holiday, Procedure
from buudien.network.models import Partner, PostUnit
from buudien.payouts import services as payout_services
from buudien.payouts.models import Beneficiary, Payout, Programme
from buudien.sync.models import Device
from buudien.sync.pull import apply_page, pull_page, request
from tests.conftest import PASSWORD, Tree
from tests.dossiers.conftest import CITIZEN, full_documents
from tests.factories import UserFactory
from tests.payouts.test_payouts import MONTH, PAYDAY, person, workbook
from tests.sync.conftest import offline

pytestmark = pytest.mark.django_db

MUTABLE = {
    "payouts.lines",
    "dossiers.open",
    "mail.to_deliver",
    "counter.customers",
    "insurance.people",
}


def pages(
    point: PostUnit, state: dict[str, Any] | None = None, **options: Any
) -> list[dict[str, Any]]:
    """Every page the province answers for a pull, each as it travels (through JSON)."""
    state = state or {}
    have, cursor = state.get("have", {}), state.get("cursor")
    options.setdefault("limit", 7)
    answered = []
    while True:
        page = pull_page(point_id=point.pk, have=have, cursor=cursor, **options)
        answered.append(json.loads(json.dumps(page)))
        if page["done"]:
            return answered
        cursor = page["cursor"]


def applied(answered: list[dict[str, Any]], state: dict[str, Any] | None = None) -> dict[str, Any]:
    state = state or {}
    for page in answered:
        state = json.loads(json.dumps(apply_page(page, state)))
    return state


def sections_in(answered: list[dict[str, Any]]) -> set[str]:
    return {p["section"] for p in answered if p["section"]}


def rows_in(answered: list[dict[str, Any]], model: str) -> list[dict[str, Any]]:
    return [o for p in answered for o in p["objects"] if o["model"] == model]


def logs_in(username: str) -> bool:
    return Client().login(username=username, password=PASSWORD)


@pytest.fixture
def province(
    tree: Tree,
    users: dict[str, User],
    procedures: dict[str, Procedure],
    programme: Programme,
) -> dict[str, Any]:
    """A March pension list paid at two points of area A, a dossier taken in at each, and
    the point's clerk at her counter on payday."""
    rows = [person(i) for i in range(1, 6)] + [person(i, point="VHXA2") for i in range(6, 9)]
    payout_services.import_list(
        actor=users[Role.PROVINCE_MANAGER], programme=programme, month=MONTH, source=workbook(rows)
    )
    clerk_session = counter_services.open_session(
        clerk=users[Role.CLERK],
        unit=tree.point_a1,
        opening_cash=50_000_000,
        business_date=PAYDAY.date(),
    )
    other_clerk = UserFactory(username="diem-a2", role=Role.CLERK, home_unit=tree.point_a2)
    other_session = counter_services.open_session(
        clerk=other_clerk, unit=tree.point_a2, opening_cash=0, business_date=PAYDAY.date()
    )
    birth = procedures["1.001193"]
    ours = dossier_services.intake(
        clerk=users[Role.CLERK],
        session=clerk_session,
        procedure=birth,
        documents=full_documents(birth),
        **CITIZEN,
    )
    theirs = dossier_services.intake(
        clerk=other_clerk,
        session=other_session,
        procedure=birth,
        documents=full_documents(birth),
        **(CITIZEN | {"citizen_name": "Lò Văn Páo", "citizen_id": "004185009999"}),
    )
    return {"ours": ours, "theirs": theirs, "people": rows, "session": clerk_session}


def test_a_first_pull_brings_back_what_the_laptop_lost_and_drops_what_the_province_has_not(
    tree: Tree, users: dict[str, User], province: dict[str, Any]
) -> None:
    answered = pages(tree.point_a1)
    assert len(answered) > 10  # small pages: every section is cut and resumed
    clerk = users[Role.CLERK]
    tariffs = dict(Tariff.objects.values_list("pk", "price"))
    holidays = Holiday.objects.count()
    # The laptop lost its tariffs, its calendar, its lines to pay and a dossier's history;
    # its clerk's password was changed by hand; it kept a holiday the province never had.
    Tariff.objects.all().delete()
    Holiday.objects.all().delete()
    Payout.objects.filter(point=tree.point_a1).delete()
    DossierEvent.objects.filter(dossier=province["ours"]).delete()
    User.objects.filter(pk=clerk.pk).update(password="!")
    Holiday.objects.create(date="2031-01-01", name="Không có ở tỉnh")

    state = applied(answered)

    assert dict(Tariff.objects.values_list("pk", "price")) == tariffs
    assert Holiday.objects.count() == holidays
    assert not Holiday.objects.filter(date="2031-01-01").exists()
    assert Payout.objects.filter(point=tree.point_a1, status="pending").count() == 5
    assert DossierEvent.objects.filter(dossier=province["ours"]).exists()
    assert logs_in(clerk.username)  # her usual password, as at the province
    assert state["cursor"] is None
    assert set(state["have"]) == sections_in(answered)
    # Nothing changed since: the next pull sends nothing.
    again = pages(tree.point_a1, state)
    assert len(again) == 1
    assert again[0]["done"]
    assert not again[0]["objects"]


def test_a_changed_tariff_sends_only_the_catalogue_again(
    tree: Tree, province: dict[str, Any]
) -> None:
    state = applied(pages(tree.point_a1))
    tariff = Tariff.objects.filter(service__code="TC-DIEN").first()
    assert tariff is not None
    Tariff.objects.filter(pk=tariff.pk).update(price=tariff.price + 1000)

    answered = pages(tree.point_a1, state)

    assert sections_in(answered) == {"counter.catalogue"}
    sent = {o["pk"]: o["fields"] for o in rows_in(answered, "counter.tariff")}
    assert sent[str(tariff.pk)]["price"] == tariff.price + 1000
    state = applied(answered, state)
    assert len(pages(tree.point_a1, state)) == 1


def test_another_points_people_and_lines_never_reach_this_laptop(
    tree: Tree, users: dict[str, User], province: dict[str, Any]
) -> None:
    answered = pages(tree.point_a1)
    text = json.dumps(answered, ensure_ascii=False)

    ours = [p[0] for p in province["people"] if p[4] == "VHXA1"]
    theirs = [p[0] for p in province["people"] if p[4] == "VHXA2"]
    assert all(citizen in text for citizen in ours)
    assert not any(citizen in text for citizen in theirs)
    assert {o["fields"]["point"] for o in rows_in(answered, "payouts.payout")} == {
        str(tree.point_a1.pk)
    }
    assert province["ours"].code in text
    assert province["theirs"].code not in text
    assert "004185009999" not in text
    assert "diem-a2" not in text
    # Units: the point and the ones above it, not its neighbours.
    units = {o["fields"]["code"] for o in rows_in(answered, "network.postunit")}
    assert units == {"BDT99", "KVA", "BCA", "VHXA1"}
    # The manager who imported the list is named, and cannot log in on the laptop.
    users_sent = {o["fields"]["username"]: o["fields"] for o in rows_in(answered, "core.user")}
    assert users_sent["diem"]["password"].startswith("md5$")
    assert users_sent["tinh"]["password"] == "!"
    assert not users_sent["tinh"]["is_active"]
    assert set(users_sent) == {"diem", "tinh"}


def test_a_pull_cut_twice_resumes_where_it_stopped_and_ends_with_the_same_data(
    tree: Tree, province: dict[str, Any]
) -> None:
    whole = pages(tree.point_a1)

    def fetch(state: dict[str, Any]) -> dict[str, Any]:
        page = pull_page(point_id=tree.point_a1.pk, limit=7, **request(state))
        return dict(json.loads(json.dumps(page)))

    state: dict[str, Any] = {}
    received = []
    while not state.get("done"):
        if len(received) in (2, 5):
            fetch(state)  # the link drops: this answer never arrives
            received.append(fetch(state))  # the same request, again
        else:
            received.append(fetch(state))
        state = json.loads(json.dumps(apply_page(received[-1], state)))

    assert received == whole
    assert state["have"] == applied(whole)["have"]


def test_while_operations_wait_the_laptop_asks_without_its_lines_and_dossiers(
    tree: Tree, users: dict[str, User], province: dict[str, Any], device: Device
) -> None:
    unmutable = pages(tree.point_a1, skip_mutable=True)
    assert sections_in(unmutable) == sections_in(pages(tree.point_a1)) - MUTABLE
    assert "payouts.programmes" in sections_in(unmutable)
    assert not rows_in(unmutable, "payouts.beneficiary")
    assert not rows_in(unmutable, "dossiers.dossier")

    answered = pages(tree.point_a1)
    clerk = users[Role.CLERK]
    line = Payout.objects.filter(point=tree.point_a1).order_by("row").first()
    assert line is not None
    with offline(device, PAYDAY):
        payout_services.pay(payout=line, clerk=clerk, session=province["session"])
        assert request({})["skip_mutable"]
        # Even if the older lines arrive, the line paid here is not set back to pending.
        state = applied(answered)
        assert Payout.objects.get(pk=line.pk).status == "paid"
        assert "payouts.lines" not in state["have"]
        assert "counter.catalogue" in state["have"]
        assert state["done"]


def test_a_line_paid_at_the_province_leaves_the_laptop_but_work_it_holds_stays(
    tree: Tree, users: dict[str, User], province: dict[str, Any]
) -> None:
    counter_services.post_entries(
        session=province["session"],
        clerk=users[Role.CLERK],
        requests=[
            counter_services.EntryRequest(
                idempotency_key="k1", service_code="TC-DIEN", amount=150_000
            )
        ],
    )
    unused = Service.objects.create(code="ZZ-BO", name="Dịch vụ đã bỏ", line="finance", kind="fee")
    state = applied(pages(tree.point_a1))
    line = Payout.objects.filter(point=tree.point_a1).order_by("row").first()
    assert line is not None
    answered = pages(tree.point_a1, state)
    assert not sections_in(answered)
    # The province paid the line and stopped selling a service the laptop used today.
    Payout.objects.filter(pk=line.pk).update(status="paid")
    Service.objects.filter(code="TC-DIEN").update(name="Thu hộ tiền điện (cũ)")
    kept = Service.objects.get(code="TC-DIEN")
    assert LedgerEntry.objects.filter(service=kept).exists()
    answered = pages(tree.point_a1, state)
    assert sections_in(answered) == {"counter.catalogue", "payouts.lines"}
    for page in answered:
        page["objects"] = [
            o
            for o in page["objects"]
            if o["model"] != "counter.service" or o["pk"] not in {str(kept.pk), str(unused.pk)}
        ]
    Payout.objects.filter(pk=line.pk).update(status="pending")  # the laptop's copy

    applied(answered, state)

    assert not Payout.objects.filter(pk=line.pk).exists()
    assert Beneficiary.objects.filter(pk=line.beneficiary_id).count() == 0
    assert Service.objects.filter(pk=kept.pk).exists()  # today's entries name it
    assert not Service.objects.filter(pk=unused.pk).exists()


def test_a_row_naming_what_the_laptop_lacks_is_held_back_and_sent_again(
    tree: Tree, province: dict[str, Any]
) -> None:
    answered = pages(tree.point_a1)
    nowhere = "01900000-0000-7000-8000-000000000000"
    tariff = next(o for p in answered for o in p["objects"] if o["model"] == "counter.tariff")
    tariff["fields"]["service"] = nowhere
    partner = next(o for p in answered for o in p["objects"] if o["model"] == "network.partner")
    partner["fields"]["served_by"] = nowhere
    Tariff.objects.filter(pk=tariff["pk"]).delete()

    state = applied(answered)

    assert not Tariff.objects.filter(pk=tariff["pk"]).exists()
    assert "counter.catalogue" not in state["have"]  # it comes again at the next pull
    assert Partner.objects.get(pk=partner["pk"]).served_by_id is None  # kept, without the link
    assert "counter.catalogue" in sections_in(pages(tree.point_a1, state))


def test_a_clerk_disabled_at_the_province_is_refused_on_the_laptop_after_the_next_pull(
    tree: Tree, users: dict[str, User], province: dict[str, Any]
) -> None:
    clerk = users[Role.CLERK]
    state = applied(pages(tree.point_a1))
    assert logs_in(clerk.username)
    User.objects.filter(pk=clerk.pk).update(is_active=False)
    answered = pages(tree.point_a1, state)
    assert sections_in(answered) == {"core.users"}
    User.objects.filter(pk=clerk.pk).update(is_active=True)  # the laptop's copy, until then
    assert logs_in(clerk.username)

    applied(answered, state)

    assert not logs_in(clerk.username)


def test_a_garbled_cursor_starts_the_pull_over(tree: Tree, province: dict[str, Any]) -> None:
    first = pull_page(point_id=tree.point_a1.pk, have={}, cursor=None, limit=7)
    for cursor in (
        {"s": "counter.catalogue", "q": "x", "d": 1},
        {"s": "nowhere"},
        {"s": "counter.catalogue", "q": 0, "d": "x", "after": "not-a-key"},
    ):
        page = pull_page(point_id=tree.point_a1.pk, have={}, cursor=cursor, limit=7)
        assert page["objects"]
    again = pull_page(point_id=tree.point_a1.pk, have={}, cursor={"s": "nowhere"}, limit=7)
    assert again == first
