"""The counter's insurance pages as a clerk uses them: the enrolment form filled from a
household, its price line by line, the money taken once into the shift, the refusals shown on
the person's row with what was typed kept, the payments list and the printable receipt."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import openpyxl
import pytest
from django.test import Client

from buudien.core.models import Role, User
from buudien.core.money import amount_in_words
from buudien.counter.models import CounterSession
from buudien.insurance.models import Participant, Payment, PaymentLine
from tests.conftest import Tree
from tests.insurance.conftest import enrol_health, enrol_social, household_of, register

pytestmark = pytest.mark.django_db

ENROL = "/bao-hiem/dong-tien/"
PAYMENTS = "/bao-hiem/lan-dong/"
# A household of five for a year: 4.5% of the base salary 2.340.000 for the first, then 70%,
# 60%, 50% and 40% of that for the others.
HOUSEHOLD_OF_FIVE = (105_300 + 73_710 + 63_180 + 52_650 + 42_120) * 12  # 4.043.520


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(
    people: list[Participant],
    *,
    scheme: str = "household_health",
    mode: str = "12m",
    months: int = 12,
    button: str = "preview",
    key: str = "form-1",
    **row: Any,
) -> dict[str, Any]:
    """The enrolment form as the browser posts it; `row` fills every person's row."""
    data: dict[str, Any] = {
        "request_key": key,
        "scheme": scheme,
        "mode": mode,
        "months": str(months),
        "payer_name": "",
        "m-TOTAL_FORMS": str(len(people)),
        "m-INITIAL_FORMS": str(len(people)),
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "30",
        button: "1",
    }
    for n, person in enumerate(people):
        data[f"m-{n}-participant"] = str(person.pk)
        data[f"m-{n}-category"] = "other"
        for name, value in row.items():
            data[f"m-{n}-{name}"] = value
    return data


def _text(response: Any) -> str:
    return str(response.content.decode())


def test_a_households_link_fills_the_form_with_all_its_members(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    home, people = household_of(clerk, insured.point_a1, 5)
    response = _client(clerk).get(f"{ENROL}?household={home.pk}")
    assert response.status_code == 200
    page = _text(response)
    assert page.count('data-testid="member-row"') == 5
    for person in people:
        assert person.name in page
    assert 'value="household_health"' in page
    assert re.search(r'<option value="12m" selected>', page)
    assert "Thu tiền" in page


def test_tinh_tien_shows_the_price_line_by_line_and_saves_nothing(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    _home, people = household_of(clerk, insured.point_a1, 5)
    response = _client(clerk).post(ENROL, _form(people))
    assert response.status_code == 200
    page = _text(response)
    assert "4.043.520 ₫" in page
    assert amount_in_words(HOUSEHOLD_OF_FIVE) in page
    assert "người thứ 5 trong hộ" in page
    assert "105.300" in page and "42.120" in page
    assert not Payment.objects.exists()


def test_thu_tien_takes_the_money_once_and_opens_the_receipt(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    _home, people = household_of(clerk, insured.point_a1, 5)
    client = _client(clerk)
    first = client.post(ENROL, _form(people, button="pay", key="double-click"))
    again = client.post(ENROL, _form(people, button="pay", key="double-click"))
    payment = Payment.objects.get()
    assert payment.total == HOUSEHOLD_OF_FIVE
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"{PAYMENTS}{payment.pk}/"
    receipt = _text(client.get(first["Location"]))
    assert payment.receipt_no in receipt
    assert amount_in_words(HOUSEHOLD_OF_FIVE) in receipt
    assert "20/12/2026" in receipt and "19/12/2027" in receipt
    assert receipt.count("Đã thu tiền") == 5
    assert "In biên lai" in receipt


def test_without_an_open_shift_the_clerk_is_sent_to_open_one(
    at_now: None, clerk: User, insured: Tree
) -> None:
    _home, people = household_of(clerk, insured.point_a1, 2)
    client = _client(clerk)
    form_page = _text(client.get(f"{ENROL}?participant={people[0].pk}"))
    assert 'data-testid="no-shift"' in form_page
    assert 'data-testid="pay"' not in form_page
    response = client.post(ENROL, _form(people, button="pay"))
    assert response.status_code == 422
    assert "Bạn chưa mở ca giao dịch" in _text(response)
    assert 'href="/counter/"' in _text(response)
    assert not Payment.objects.exists()


def test_an_income_below_the_floor_is_shown_on_the_persons_row_keeping_what_was_typed(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1, name="Lục Văn Sáng")
    data = _form([person], scheme="voluntary_social", mode="3m", months=3, income="1.000.000")
    response = _client(clerk).post(f"{ENROL}?participant={person.pk}", data)
    assert response.status_code == 422
    page = _text(response)
    row_error = re.search(r'data-testid="row-error">([^<]*)<', page)
    assert row_error is not None
    assert "Lục Văn Sáng" in row_error.group(1)
    assert "thu nhập chọn đóng" in row_error.group(1)
    assert 'value="1.000.000"' in page
    assert not Payment.objects.exists()


def test_a_support_category_without_evidence_is_refused_on_its_row(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1, name="Triệu Thị Mỷ")
    data = _form(
        [person], scheme="voluntary_social", income="2.200.000", category="poor", evidence=""
    )
    response = _client(clerk).post(ENROL, data | {"m-0-category": "poor"})
    assert response.status_code == 422
    page = _text(response)
    assert "giấy tờ chứng minh" in page
    assert re.search(r'<option value="poor" selected>', page)
    assert not Payment.objects.exists()


def test_support_with_evidence_shows_the_states_share_and_the_receipt_its_line(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1)
    payment = enrol_social(shift, clerk, person, category="poor", evidence="HN-2026-0012")
    PaymentLine.objects.filter(payment=payment).update(state=PaymentLine.State.CONFIRMED)
    receipt = _text(_client(clerk).get(f"{PAYMENTS}{payment.pk}/"))
    assert "Nhà nước hỗ trợ 50%" in receipt
    assert "BHXH đã xác nhận" in receipt
    assert amount_in_words(payment.total) in receipt


def test_a_payment_made_meanwhile_elsewhere_is_refused_as_stale(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    _home, people = household_of(clerk, insured.point_a1, 2)
    enrol_health(shift, clerk, people)
    client = _client(clerk)
    opened = _text(client.get(f"{ENROL}?participant={people[0].pk}&scheme=household_health"))
    assert 'value="2027-12-19"' in opened  # the end of the paid period the clerk sees
    enrol_health(shift, clerk, [people[0]], request_key="meanwhile")
    data = _form([people[0]], button="pay", paid_until_seen="2027-12-19")
    response = client.post(ENROL, data)
    assert response.status_code == 409
    assert "vừa được đóng tiền ở nơi khác" in _text(response)
    assert Payment.objects.count() == 2


def test_a_person_is_added_by_search_keeping_those_already_chosen(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    first = register(clerk, insured.point_a1, name="Nông Văn Thào")
    other = register(clerk, insured.point_a1, name="Bế Thị Xuân", birth=dt.date(1990, 2, 3))
    url = f"{ENROL}?scheme=voluntary_social&participant={first.pk}&q=be thi xuan"
    page = _text(_client(clerk).get(url))
    found = re.search(r'href="([^"]*)" aria-label="Thêm Bế Thị Xuân"', page)
    assert found is not None
    link = found.group(1).replace("&amp;", "&")
    assert f"participant={first.pk}" in link and f"participant={other.pk}" in link
    both = _text(_client(clerk).get(ENROL + link))
    assert both.count('data-testid="member-row"') == 2


def test_a_household_of_another_point_is_not_found(
    shift: CounterSession, clerk: User, users: dict[str, User], insured: Tree
) -> None:
    home, _people = household_of(users[Role.AREA_MANAGER], insured.point_a2, 1)
    response = _client(clerk).get(f"{ENROL}?household={home.pk}")
    assert response.status_code == 404
    assert "Hoàng Văn Páo" not in _text(response)


def test_the_payments_list_filters_and_exports_to_excel(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    _home, people = household_of(clerk, insured.point_a1, 2)
    health = enrol_health(shift, clerk, people)
    social = enrol_social(shift, clerk, register(clerk, insured.point_a1), mode="3m", months=3)
    client = _client(clerk)
    listed = _text(client.get(f"{PAYMENTS}?scheme=voluntary_social"))
    assert social.receipt_no in listed and health.receipt_no not in listed
    by_number = _text(client.get(f"{PAYMENTS}?q={health.receipt_no}"))
    assert health.receipt_no in by_number and social.receipt_no not in by_number
    wrong = client.get(f"{PAYMENTS}?point=KHONGCO&start=2026-13-45")
    assert wrong.status_code == 200
    assert "Mã điểm" in _text(wrong)
    export = client.get(f"{PAYMENTS}?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Số biên lai"
    assert {r[0] for r in rows[1:]} == {health.receipt_no, social.receipt_no}
    assert {r[8] for r in rows[1:]} == {2, 1}


def test_the_agencys_officer_reads_receipts_without_the_counters_buttons(
    shift: CounterSession, clerk: User, insurance_officer: User, insured: Tree
) -> None:
    _home, people = household_of(clerk, insured.point_a1, 1)
    payment = enrol_health(shift, clerk, people)
    client = _client(insurance_officer)
    receipt = _text(client.get(f"{PAYMENTS}{payment.pk}/"))
    assert payment.receipt_no in receipt
    assert 'data-testid="next-enrol"' not in receipt
    assert 'data-testid="new-payment"' not in _text(client.get(PAYMENTS))
    assert client.get(ENROL).status_code == 403


def test_a_renewal_opens_with_the_income_and_support_the_person_chose_last_time(
    shift: CounterSession, clerk: User, insured: Tree
) -> None:
    person = register(clerk, insured.point_a1)
    enrol_social(shift, clerk, person, income=3_000_000, category="near_poor", evidence="CN-0042")
    page = _text(_client(clerk).get(f"{ENROL}?participant={person.pk}"))
    assert 'value="voluntary_social"' in page
    assert 'value="3.000.000"' in page
    assert re.search(r'<option value="near_poor" selected>', page)
    assert 'value="CN-0042"' in page
    assert "31/10/2027" in page  # paid from November 2026 for 12 months
