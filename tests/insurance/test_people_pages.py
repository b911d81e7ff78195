"""The insurance people pages: the participant list (search, filters, paging, masking, Excel),
registering a person (consent, a likely duplicate confirmed), correcting a record, the
households, the rules page, and what a read-only role is shown."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client

from buudien.core.ids import mask_citizen_id, mask_phone
from buudien.core.models import AuditEvent, Role, User
from buudien.counter.models import CounterSession
from buudien.insurance import services
from buudien.insurance.models import Household, Participant
from tests.conftest import Tree
from tests.factories import UserFactory
from tests.insurance.conftest import citizen_id, enrol_health, enrol_social, household_of, register

pytestmark = pytest.mark.django_db

PEOPLE = "/bao-hiem/nguoi-tham-gia/"
NEW = "/bao-hiem/nguoi-tham-gia/them/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _xlsx(body: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _new_person(**kw: Any) -> dict[str, Any]:
    birth = kw.pop("birth", dt.date(1985, 4, 2))
    values = {
        "citizen_id": citizen_id(birth),
        "name": "Lý Văn Sình",
        "birth_date": birth.isoformat(),
        "sex": "nam",
        "phone": "0987 654 321",
        "hamlet": "Bản Giới",
        "consent": "on",
    }
    return values | kw


# The list ----------------------------------------------------------------------------------


def test_search_without_accents_finds_the_person_and_masks_his_ids(
    insured: Tree, clerk: User, at_now: None
) -> None:
    person = register(clerk, insured.point_a1, name="Nông Văn Thào", phone="0912345678")
    register(clerk, insured.point_a1, name="Hoàng Thị Mai", birth=dt.date(1990, 2, 3))
    response = _client(clerk).get(PEOPLE, {"q": "nong van thao"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nông Văn Thào" in body and "Hoàng Thị Mai" not in body
    assert mask_citizen_id(person.citizen_id) in body
    assert person.citizen_id not in body
    assert mask_phone(person.phone) in body and "0912345678" not in body


def test_the_list_filters_by_point_hamlet_and_cover_state(
    shift: CounterSession, clerk: User, insured: Tree, users: dict[str, User]
) -> None:
    paid = register(clerk, insured.point_a1, name="Nông Văn Thào", hamlet="Nà Lẹng")
    enrol_social(shift, clerk, paid, mode="monthly", months=1)
    register(
        clerk, insured.point_a1, name="Hoàng Thị Mai", birth=dt.date(1990, 2, 3), hamlet="Cốc Lùng"
    )
    register(
        users[Role.AREA_MANAGER], insured.point_a2, name="Lục Văn Bảo", birth=dt.date(1975, 1, 1)
    )
    client = _client(users[Role.AREA_MANAGER])

    def names(**query: str) -> set[str]:
        body = client.get(PEOPLE, query).content.decode()
        return {n for n in ("Nông Văn Thào", "Hoàng Thị Mai", "Lục Văn Bảo") if n in body}

    assert names() == {"Nông Văn Thào", "Hoàng Thị Mai", "Lục Văn Bảo"}
    assert names(point="VHXA2") == {"Lục Văn Bảo"}
    assert names(hamlet="Cốc Lùng") == {"Hoàng Thị Mai"}
    assert names(state="due") == {"Nông Văn Thào"}
    assert names(scheme="voluntary_social", state="none") == {"Hoàng Thị Mai", "Lục Văn Bảo"}


def test_a_point_outside_the_scope_is_reported_and_the_list_still_shows(
    insured: Tree, clerk: User, at_now: None
) -> None:
    register(clerk, insured.point_a1)
    response = _client(clerk).get(PEOPLE, {"point": "VHXB1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Không có điểm mã này trong phạm vi của bạn." in body
    assert "Nông Văn Thào" in body


def test_the_list_is_paged_by_fifty(insured: Tree, clerk: User, at_now: None) -> None:
    for i in range(51):
        register(
            clerk,
            insured.point_a1,
            name=f"Người Thứ {i:02d}",
            birth=dt.date(1960 + i % 40, 1, 1 + i % 28),
        )
    client = _client(clerk)
    first = client.get(PEOPLE, {"sort": "name"}).content.decode()
    second = client.get(PEOPLE, {"sort": "name", "page": "2"}).content.decode()
    assert "51 người" in first and "Trang 1/2" in first
    assert "Người Thứ 49" in first and "Người Thứ 50" not in first
    assert "Người Thứ 50" in second and "Người Thứ 00" not in second


def test_the_excel_export_is_masked_and_its_access_recorded(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1, name="Nông Văn Thào", phone="0912345678")
    enrol_social(shift, clerk, person, mode="3m", months=3)
    response = _client(clerk).get(PEOPLE, {"format": "xlsx", "q": "thao"})
    rows = _xlsx(response.content)
    assert rows[0][:5] == ["Họ tên", "Số CCCD", "Mã số BHXH", "Ngày sinh", "Điện thoại"]
    assert rows[1][0] == "Nông Văn Thào"
    assert rows[1][1] == mask_citizen_id(person.citizen_id)
    assert rows[1][4] == "0912***678"
    assert rows[1][8] == dt.datetime(2027, 1, 31)
    event = AuditEvent.objects.get(action="insurance.participants_exported")
    assert event.after == {"rows": 1}


# A person's record -------------------------------------------------------------------------


def test_the_record_shows_the_full_ids_the_covers_and_the_payments(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1, phone="0912345678")
    payment = enrol_social(shift, clerk, person, mode="3m", months=3)
    body = _client(clerk).get(f"{PEOPLE}{person.pk}/").content.decode()
    assert person.citizen_id in body and "0912345678" in body
    assert "BHXH tự nguyện" in body and "31/01/2027" in body
    assert payment.receipt_no in body
    assert "Sửa" in body


def test_an_auditor_sees_the_record_and_lists_without_any_write_button(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    home, people = household_of(clerk, insured.point_a1, 2)
    enrol_health(shift, clerk, people)
    auditor = UserFactory(username="kiemsoat-tinh", role=Role.AUDITOR, home_unit=insured.province)
    client = _client(auditor)
    pages = [
        client.get(f"{PEOPLE}{people[0].pk}/"),
        client.get(PEOPLE),
        client.get(f"/bao-hiem/ho-gia-dinh/{home.pk}/"),
        client.get("/bao-hiem/ho-gia-dinh/"),
        client.get("/bao-hiem/"),
    ]
    for response in pages:
        body = response.content.decode()
        assert response.status_code == 200
        for button in (
            'data-testid="edit"',
            "new-participant",
            "add-member",
            "pay-household",
            "new-household",
        ):
            assert button not in body
    assert client.get(NEW).status_code == 403


# Registering -------------------------------------------------------------------------------


def test_the_clerk_registers_a_person_at_his_point_and_lands_on_the_record(
    insured: Tree, clerk: User, at_now: None
) -> None:
    response = _client(clerk).post(NEW, _new_person())
    person = Participant.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{PEOPLE}{person.pk}/"
    assert person.point == insured.point_a1
    assert person.phone == "0987654321"
    assert person.consent_by == clerk


def test_without_consent_nothing_is_saved_and_the_form_keeps_what_was_typed(
    insured: Tree, clerk: User, at_now: None
) -> None:
    data = _new_person()
    del data["consent"]
    response = _client(clerk).post(NEW, data)
    body = response.content.decode()
    assert response.status_code == 422
    assert "Nghị định 13/2023/NĐ-CP" in body
    assert 'data-testid="error-consent"' in body
    assert data["citizen_id"] in body and "Lý Văn Sình" in body
    assert not Participant.objects.exists()


def test_a_likely_duplicate_is_shown_and_saved_once_the_clerk_says_it_is_another_person(
    insured: Tree, clerk: User, at_now: None
) -> None:
    register(clerk, insured.point_a1, name="Lý Văn Sình", birth=dt.date(1985, 4, 2))
    client = _client(clerk)
    data = _new_person(name="Lý  văn Sình")
    refused = client.post(NEW, data)
    body = refused.content.decode()
    assert refused.status_code == 422
    assert "trùng họ tên và ngày sinh" in body
    assert "Không phải người này" in body
    assert data["citizen_id"] in body
    assert Participant.objects.count() == 1
    accepted = client.post(NEW, data | {"not_a_duplicate": "on"})
    assert accepted.status_code == 302
    assert Participant.objects.count() == 2


def test_the_same_citizen_id_twice_is_refused_next_to_the_field(
    insured: Tree, clerk: User, at_now: None
) -> None:
    person = register(clerk, insured.point_a1)
    data = _new_person(citizen_id=person.citizen_id, birth=person.birth_date, not_a_duplicate="on")
    response = _client(clerk).post(NEW, data)
    assert response.status_code == 422
    assert 'data-testid="error-citizen_id"' in response.content.decode()


def test_an_area_manager_chooses_the_point_among_those_of_his_area(
    insured: Tree, users: dict[str, User], at_now: None
) -> None:
    client = _client(users[Role.AREA_MANAGER])
    form = client.get(NEW).content.decode()
    assert 'name="point"' in form and "VHXA2" in form and "VHXB1" not in form
    refused = client.post(NEW, _new_person(point="VHXB1"))
    assert refused.status_code == 422
    assert client.post(NEW, _new_person(point="VHXA2")).status_code == 302
    assert Participant.objects.get().point == insured.point_a2


def test_a_member_added_from_the_household_page_joins_the_household(
    insured: Tree, clerk: User, at_now: None
) -> None:
    home = services.create_household(
        actor=clerk,
        point=insured.point_a1,
        data=services.HouseholdIn(head_name="Hoàng Văn Páo", hamlet="Nà Lẹng"),
    )
    client = _client(clerk)
    form = client.get(NEW, {"household": str(home.pk)}).content.decode()
    assert "Hoàng Văn Páo" in form
    response = client.post(NEW, _new_person(household=str(home.pk), relation="con"))
    assert response.status_code == 302
    assert Participant.objects.get().household == home


# Correcting a record -----------------------------------------------------------------------


def _edit_form(person: Participant, **kw: Any) -> dict[str, Any]:
    values = {
        "citizen_id": person.citizen_id,
        "name": person.name,
        "birth_date": person.birth_date.isoformat(),
        "phone": person.phone,
        "hamlet": person.hamlet,
        "version": str(person.version),
    }
    return values | kw


def test_a_correction_is_saved(insured: Tree, clerk: User, at_now: None) -> None:
    person = register(clerk, insured.point_a1)
    response = _client(clerk).post(
        f"{PEOPLE}{person.pk}/sua/", _edit_form(person, hamlet="Bản Mới")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.hamlet == "Bản Mới"


def test_a_correction_on_a_stale_form_is_refused_with_a_message(
    insured: Tree, clerk: User, users: dict[str, User], at_now: None
) -> None:
    person = register(clerk, insured.point_a1)
    opened = _edit_form(person, hamlet="Bản Của Tôi")
    services.update_participant(
        actor=users[Role.AREA_MANAGER],
        participant=person,
        data=services.PersonIn(
            citizen_id=person.citizen_id,
            name=person.name,
            birth_date=person.birth_date,
            hamlet="Bản Khác",
        ),
        expected_version=person.version,
    )
    response = _client(clerk).post(f"{PEOPLE}{person.pk}/sua/", opened)
    assert response.status_code == 409
    assert "vừa được người khác sửa" in response.content.decode()
    person.refresh_from_db()
    assert person.hamlet == "Bản Khác"


# Households --------------------------------------------------------------------------------


def test_a_household_is_opened_and_its_page_offers_to_add_members(
    insured: Tree, clerk: User, at_now: None
) -> None:
    client = _client(clerk)
    response = client.post(
        "/bao-hiem/ho-gia-dinh/them/", {"head_name": "Triệu Văn Páo", "hamlet": "Bản Giới"}
    )
    home = Household.objects.get()
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Triệu Văn Páo" in page
    assert f"/bao-hiem/nguoi-tham-gia/them/?household={home.pk}" in page


def test_a_household_without_a_head_name_is_refused_next_to_the_field(
    insured: Tree, clerk: User, at_now: None
) -> None:
    response = _client(clerk).post(
        "/bao-hiem/ho-gia-dinh/them/", {"head_name": "  ", "hamlet": "Bản Giới"}
    )
    assert response.status_code == 422
    assert 'data-testid="error-head_name"' in response.content.decode()
    assert not Household.objects.exists()


def test_the_household_page_lists_members_with_their_health_cover(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    home, people = household_of(clerk, insured.point_a1, 3)
    enrol_health(shift, clerk, people[:2])
    body = _client(clerk).get(f"/bao-hiem/ho-gia-dinh/{home.pk}/").content.decode()
    assert all(p.name in body for p in people)
    assert body.count('data-state="active"') == 2
    assert "Chưa đóng" in body


def test_the_household_list_is_searched_without_accents(
    insured: Tree, clerk: User, at_now: None
) -> None:
    household_of(clerk, insured.point_a1, 1)
    services.create_household(
        actor=clerk, point=insured.point_a1, data=services.HouseholdIn(head_name="Lò Văn Tẻn")
    )
    body = _client(clerk).get("/bao-hiem/ho-gia-dinh/", {"q": "lo van ten"}).content.decode()
    assert "Lò Văn Tẻn" in body and "Hoàng Văn Páo" not in body


# Rules -------------------------------------------------------------------------------------


def test_the_rules_page_shows_each_rate_with_its_date_and_legal_source(
    insured: Tree, users: dict[str, User]
) -> None:
    body = _client(users[Role.PARTNER_OFFICER]).get("/bao-hiem/quy-dinh/").content.decode()
    assert "22%" in body and "4,5%" in body
    assert "Nghị định 159/2025/NĐ-CP" in body
    assert "2.340.000" in body and "Nghị định 73/2024/NĐ-CP" in body
    assert "Hộ nghèo" in body and "30%" in body
    assert "TC-BHXH" in body
    assert "/admin/" in body
