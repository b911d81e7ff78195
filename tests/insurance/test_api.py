"""The insurance API: registering people and households, the price of a payment line by line,
taking it once per request key, the renewals, the rules, and the agency exchange; bad input
answered with the code, field and message, never a server error."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client

from buudien.core.models import Role, User
from buudien.counter.models import CounterSession
from buudien.insurance.models import Declaration, Participant, Payment
from tests.conftest import Tree
from tests.insurance.conftest import citizen_id, enrol_health, enrol_social, household_of, register

pytestmark = pytest.mark.django_db
API = "/api/insurance"


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(API + path, body, content_type="application/json")


def person_body(name: str = "Nông Thị Hoa", birth: dt.date = dt.date(1992, 3, 8), **kw: Any) -> Any:
    return {
        "citizen_id": citizen_id(birth, female=True),
        "name": name,
        "birth_date": birth.isoformat(),
        "hamlet": "Nà Lẹng",
        "phone": "0912345678",
        "consent": True,
        **kw,
    }


# --- people ---------------------------------------------------------------------------------


def test_a_clerk_registers_a_person_at_her_point_and_reads_him_back(
    clerk: User, insured: Tree, at_now: None
) -> None:
    api = client_of(clerk)
    body = person_body()
    made = post(api, "/participants", body)
    assert made.status_code == 201, made.json()
    record = made.json()
    assert record["point"] == insured.point_a1.code
    assert record["citizen_id"] == body["citizen_id"]  # his own record: in full
    listed = api.get(API + "/participants?q=nong thi hoa").json()
    assert listed["count"] == 1
    assert (
        listed["items"][0]["citizen_id"]
        == body["citizen_id"][:3] + "******" + body["citizen_id"][-3:]
    )
    assert listed["items"][0]["phone"] == "0912***678"
    again = api.get(f"{API}/participants/{record['id']}").json()
    assert again["name"] == "Nông Thị Hoa"
    assert again["covers"] == []


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"consent": False}, "insurance.consent", "consent"),
        ({"citizen_id": "004123"}, "core.citizen_id_invalid", "citizen_id"),
        ({"birth_date": "2030-01-01"}, "core.invalid", "birth_date"),
        ({"birth_date": "không phải ngày"}, "core.invalid", "birth_date"),
        ({"si_number": "12AB"}, "core.invalid", "si_number"),
    ],
)
def test_a_bad_person_is_refused_with_the_field_at_fault(
    clerk: User, insured: Tree, at_now: None, change: dict[str, Any], code: str, field: str
) -> None:
    response = post(client_of(clerk), "/participants", person_body() | change)
    assert response.status_code == 422, response.json()
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not Participant.objects.exists()


def test_a_person_is_registered_at_a_point_in_scope(
    clerk: User, insured: Tree, at_now: None, users: dict[str, User]
) -> None:
    elsewhere = post(client_of(clerk), "/participants", person_body(point="VHXA2"))
    assert elsewhere.status_code == 404  # not her point: as if it did not exist
    manager = client_of(users[Role.AREA_MANAGER])
    at_area = post(manager, "/participants", person_body())  # his own unit is an area
    assert (at_area.status_code, at_area.json()["field"]) == (422, "point")
    assert post(manager, "/participants", person_body(point="VHXA2")).status_code == 201


def test_the_same_citizen_id_and_a_likely_duplicate_are_refused(
    clerk: User, insured: Tree, at_now: None
) -> None:
    api = client_of(clerk)
    body = person_body()
    assert post(api, "/participants", body).status_code == 201
    twice = post(api, "/participants", body)
    assert (twice.status_code, twice.json()["code"]) == (422, "insurance.duplicate")
    alike = person_body()  # another citizen id, the same name and birth date
    refused = post(api, "/participants", alike)
    assert refused.json()["field"] == "not_a_duplicate"
    assert post(api, "/participants", alike | {"not_a_duplicate": True}).status_code == 201


def test_a_household_is_opened_and_lists_its_members_masked(
    clerk: User, insured: Tree, at_now: None
) -> None:
    api = client_of(clerk)
    home = post(api, "/households", {"head_name": "Hoàng Văn Páo", "hamlet": "Nà Lẹng"})
    assert home.status_code == 201
    home_id = home.json()["id"]
    body = person_body(household_id=home_id, relation="vợ")
    assert post(api, "/participants", body).status_code == 201
    found = api.get(f"{API}/households/{home_id}").json()
    assert [m["name"] for m in found["members"]] == ["Nông Thị Hoa"]
    assert "******" in found["members"][0]["citizen_id"]
    assert api.get(API + "/households?q=hoang van pao").json()["count"] == 1
    assert api.get(f"{API}/households/not-a-uuid").status_code == 422


# --- quote and payment ----------------------------------------------------------------------


def _members(people: list[Participant], **kw: Any) -> list[dict[str, Any]]:
    return [{"participant_id": str(p.pk), **kw} for p in people]


def test_the_quote_of_a_household_of_five_shows_the_calculation_and_writes_nothing(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    _home, people = household_of(clerk, insured.point_a1, 5)
    body = {"scheme": "household_health", "mode": "12m", "months": 12, "members": _members(people)}
    response = post(client_of(clerk), "/quote", body)
    assert response.status_code == 200, response.json()
    quote = response.json()
    assert quote["total"] == (105_300 + 73_710 + 63_180 + 52_650 + 42_120) * 12
    assert [p["order"] for p in quote["people"]] == [1, 2, 3, 4, 5]
    assert quote["people"][0]["period_from"] == "2026-12-20"
    assert quote["lines"][-1] == {"text": "Tổng số tiền phải nộp", "amount": quote["total"]}
    assert quote["total_in_words"].startswith("Bốn triệu")
    assert not Payment.objects.exists()


def test_a_quote_with_an_income_below_the_floor_or_an_unknown_person_is_refused(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1)
    api = client_of(clerk)
    low = {
        "scheme": "voluntary_social",
        "mode": "12m",
        "months": 12,
        "members": _members([person], income=1_000_000),
    }
    response = post(api, "/quote", low)
    assert (response.status_code, response.json()["code"]) == (422, "insurance.income")
    assert response.json()["field"] == "income"
    unknown = low | {"members": [{"participant_id": "0190a7c2-0000-7000-8000-000000000000"}]}
    assert post(api, "/quote", unknown).status_code == 404
    bad_mode = low | {"mode": "weekly"}
    assert post(api, "/quote", bad_mode).json()["field"] == "mode"


def test_a_payment_sent_twice_with_one_request_key_is_taken_once(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1)
    api = client_of(clerk)
    body = {
        "scheme": "voluntary_social",
        "mode": "3m",
        "months": 3,
        "members": _members([person], income=2_200_000),
        "request_key": "may-diem-01-0007",
    }
    first = post(api, "/payments", body)
    assert first.status_code == 201, first.json()
    second = post(api, "/payments", body)
    assert second.json()["id"] == first.json()["id"]
    assert Payment.objects.count() == 1
    paid = first.json()
    assert paid["receipt_no"]
    # 22% of 2,200,000 less the state's 20% of that for everyone else, for 3 months.
    assert paid["total"] == (484_000 - 96_800) * 3
    assert paid["lines"][0]["period_from"] == "2026-11-01"
    other = post(api, "/payments", body | {"months": 6, "mode": "6m"})
    assert (other.status_code, other.json()["code"]) == (409, "insurance.idempotency_conflict")
    assert api.get(f"{API}/payments/{paid['id']}").json()["lines"][0]["amount"] == paid["total"]
    assert api.get(API + "/payments?scheme=voluntary_social").json()["count"] == 1


def test_a_payment_without_an_open_shift_is_refused(
    clerk: User, insured: Tree, at_now: None, users: dict[str, User]
) -> None:
    person = register(clerk, insured.point_a1)
    body = {
        "scheme": "voluntary_social",
        "mode": "3m",
        "months": 3,
        "members": _members([person], income=2_200_000),
    }
    response = post(client_of(users[Role.AREA_MANAGER]), "/payments", body)
    assert (response.status_code, response.json()["field"]) == (422, "session_id")
    assert not Payment.objects.exists()


# --- renewals and rules ---------------------------------------------------------------------


def test_renewals_due_and_lapsed(shift: CounterSession, clerk: User, insured: Tree) -> None:
    person = register(clerk, insured.point_a1)
    enrol_social(shift, clerk, person, mode="monthly", months=1)  # paid to 30/11/2026
    api = client_of(clerk)
    due = api.get(API + "/renewals/due").json()
    assert [(r["name"], r["paid_until"], r["days_left"]) for r in due["items"]] == [
        (person.name, "2026-11-30", 10)
    ]
    assert due["items"][0]["phone"] == "0912***678"
    assert api.get(API + "/renewals/due?days=5").json()["count"] == 0
    assert api.get(API + "/renewals/lapsed").json()["count"] == 0
    assert api.get(API + "/renewals/due?days=-1").status_code == 422


def test_the_rules_in_force_with_their_sources(insured: Tree, clerk: User, at_now: None) -> None:
    rules = client_of(clerk).get(API + "/rules").json()
    assert rules["base_salary"]["amount"] == 2_340_000
    social = next(s for s in rules["schemes"] if s["code"] == "voluntary_social")
    assert social["declaration_form"] == "D05-TS"
    assert social["in_force"]["rate"]["income_floor"] == 2_200_000
    assert "41/2024/QH15" in social["in_force"]["rate"]["source"]
    assert len(social["rates"]) >= 3  # the history, newest first
    assert {m["code"] for m in social["in_force"]["modes"]} >= {"monthly", "12m"}
    assert social["in_force"]["commission"] is not None


# --- the agency exchange --------------------------------------------------------------------


def _answer(rows: list[list[Any]]) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.append(["Số CCCD", "Mã số BHXH", "Từ ngày", "Kết quả", "Lý do"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "ket-qua.xlsx"
    return buffer


def test_a_manager_makes_a_list_and_the_agency_confirms_it(
    shift: CounterSession,
    clerk: User,
    insured: Tree,
    users: dict[str, User],
    insurance_officer: User,
) -> None:
    _home, people = household_of(clerk, insured.point_a1, 2)
    enrol_health(shift, clerk, people)
    manager = client_of(users[Role.AREA_MANAGER])
    made = post(manager, "/declarations", {"scheme": "household_health"})
    assert made.status_code == 201, made.json()
    listed = made.json()
    assert (listed["unit"], listed["lines"], listed["form"]) == ("KVA", 2, "D03-TS")
    assert all("******" in item["citizen_id"] for item in listed["items"])
    nothing_left = post(manager, "/declarations", {"scheme": "household_health"})
    assert (nothing_left.status_code, nothing_left.json()["code"]) == (422, "insurance.declaration")

    officer = client_of(insurance_officer)
    assert officer.get(API + "/declarations").json()["count"] == 1
    url = f"{API}/declarations/{listed['id']}/confirmation"
    period = dt.date(2026, 12, 20).strftime("%d/%m/%Y")
    wrong = _answer([[people[0].citizen_id, "", "01/01/2027", "Xác nhận"]])
    refused = officer.post(url, {"file": wrong})
    assert (refused.status_code, refused.json()["code"]) == (422, "core.import_invalid")
    assert "Dòng 2" in refused.json()["message"]
    rows = [
        [p.citizen_id, "0412345670" if i == 0 else "", period, "Xác nhận"]
        for i, p in enumerate(people)
    ]
    done = officer.post(url, {"file": _answer(rows)})
    assert done.status_code == 200, done.json()
    assert done.json() == {"confirmed": 2, "refused": 0, "si_numbers": 1, "state": "confirmed"}
    assert Participant.objects.get(pk=people[0].pk).si_number == "0412345670"
    assert Declaration.objects.get().state == Declaration.State.CONFIRMED


def test_a_clerk_may_not_make_a_list_nor_confirm_one(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    response = post(client_of(clerk), "/declarations", {"scheme": "household_health"})
    assert (response.status_code, response.json()["code"]) == (403, "core.forbidden")
    assert post(client_of(clerk), "/declarations", {"scheme": "nothing"}).status_code in (403, 422)


def test_an_officer_of_another_agency_sees_no_one(
    shift: CounterSession, clerk: User, insured: Tree, users: dict[str, User]
) -> None:
    person = register(clerk, insured.point_a1)
    enrol_social(shift, clerk, person)
    outsider = client_of(users[Role.PARTNER_OFFICER])  # the commune committee's officer
    assert outsider.get(API + "/participants").json()["count"] == 0
    assert outsider.get(API + "/payments").json()["count"] == 0
    assert outsider.get(f"{API}/participants/{person.pk}").status_code == 404
