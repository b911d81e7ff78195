"""The agency exchange: the declaration list of the payments not yet declared (made once, in
the agency's layout) and the agency's confirmation read back, all rows or none, scoped to
the post's units and to the insurance agency."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buudien.core.errors import NotFound
from buudien.core.models import Role, User
from buudien.counter.models import CounterSession
from buudien.insurance import services
from buudien.insurance.errors import InsuranceError
from buudien.insurance.models import Declaration, Participant, Payment, PaymentLine
from buudien.insurance.selectors import declarations as selectors
from tests.conftest import Tree
from tests.insurance.conftest import enrol_health, enrol_social, household_of, register

pytestmark = pytest.mark.django_db
HEADERS = ["Số CCCD", "Mã số BHXH", "Từ ngày", "Kết quả", "Lý do"]


def answer(rows: list[list[Any]]) -> io.BytesIO:
    """The agency's answer as it sends it: the confirmation columns, then one row a line."""
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def confirm_all(declared: Declaration, numbers: dict[Any, str] | None = None) -> list[list[Any]]:
    """A row confirming each line of the list, with the numbers given to some people."""
    numbers = numbers or {}
    return [
        [ln.participant.citizen_id, numbers.get(ln.participant_id, ""), ln.period_from, "Xác nhận"]
        for ln in services.declaration_rows(declared)
    ]


@pytest.fixture
def manager(users: dict[str, User]) -> User:
    return users[Role.AREA_MANAGER]


@pytest.fixture
def health_list(
    shift: CounterSession, clerk: User, insured: Tree, manager: User
) -> tuple[Declaration, list[Participant]]:
    """A household of three paid for 12 months at point A1, declared by the area manager."""
    _home, people = household_of(clerk, insured.point_a1, 3)
    enrol_health(shift, clerk, people)
    return services.make_declaration(
        actor=manager, unit=insured.point_a1, scheme_code="household_health"
    ), people


def test_a_list_gathers_the_payments_of_its_scheme_under_the_unit_once(
    shift: CounterSession, clerk: User, insured: Tree, manager: User
) -> None:
    _home, family = household_of(clerk, insured.point_a1, 2)
    health = enrol_health(shift, clerk, family)
    farmer = register(clerk, insured.point_a1, name="Lò Văn Pản", birth=dt.date(1985, 4, 4))
    social = enrol_social(shift, clerk, farmer)
    assert selectors.waiting(user=manager) == {"voluntary_social": 1, "household_health": 2}

    made = services.make_declaration(
        actor=manager, unit=insured.area_a, scheme_code="household_health"
    )

    assert made.number.startswith("D03-TS-KVA-20261120-")
    assert (made.lines, made.total) == (2, health.total)
    assert Payment.objects.get(pk=health.pk).declaration == made
    assert Payment.objects.get(pk=social.pk).declaration is None
    assert selectors.waiting(user=manager) == {"voluntary_social": 1, "household_health": 0}
    with pytest.raises(InsuranceError, match="Không còn lần đóng"):
        services.make_declaration(
            actor=manager, unit=insured.area_a, scheme_code="household_health"
        )


def test_a_clerk_may_not_make_a_list(shift: CounterSession, clerk: User, insured: Tree) -> None:
    _home, family = household_of(clerk, insured.point_a1, 1)
    enrol_health(shift, clerk, family)
    with pytest.raises(Exception, match="quy tắc insurance.declare"):
        services.make_declaration(
            actor=clerk, unit=insured.point_a1, scheme_code="household_health"
        )
    assert not Declaration.objects.exists()


def _sheet(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]


def _row(sheet: Any, number: int) -> list[Any]:
    return [c.value for c in sheet[number]]


def test_the_health_list_downloads_in_the_agencys_layout(
    health_list: tuple[Declaration, list[Participant]], manager: User, insured: Tree
) -> None:
    declared, people = health_list
    client = Client()
    client.force_login(manager)
    response = client.get(reverse("insurance:declaration_xlsx", kwargs={"pk": declared.pk}))
    assert response.status_code == 200
    sheet = _sheet(response.content)

    assert sheet["A1"].value == insured.point_a1.name.upper()
    assert "Mẫu D03-TS" in _row(sheet, 1)
    assert sheet["A4"].value == "DANH SÁCH NGƯỜI THAM GIA BHYT HỘ GIA ĐÌNH"
    assert declared.number in sheet["A5"].value
    made = timezone.localtime(declared.created_at)
    assert f"ngày {made:%d} tháng {made:%m} năm {made:%Y}" in sheet["A5"].value
    assert _row(sheet, 8) == [
        "STT", "Họ và tên", "Mã số BHXH", "Ngày sinh", "Giới tính", "Số CCCD",
        "Địa chỉ (thôn, xã)", "Phương thức đóng", "Từ ngày", "Đến ngày", "Số tháng",
        "Số tiền phải đóng", "NSNN hỗ trợ", "Người thứ", "Ghi chú",
    ]  # fmt: skip
    lines = [_row(sheet, 10 + i) for i in range(3)]
    by_name = {row[1]: row for row in lines}
    head = by_name["Hoàng Văn Páo"]
    assert head[0] in (1, 2, 3)
    assert head[5] == people[0].citizen_id  # in full: the list goes to the agency
    assert head[6] == "Nà Lẹng"
    assert head[8].date() == dt.date(2026, 12, 20)
    assert head[9].date() == dt.date(2027, 12, 19)
    assert (head[10], head[11], head[13]) == (12, 105_300 * 12, 1)
    assert "Tham gia mới" in head[14]
    total = _row(sheet, 13)
    assert total[1] == "Tổng cộng"
    assert (total[10], total[11]) == (36, declared.total)


def test_the_voluntary_list_has_the_income_and_the_support(
    shift: CounterSession, clerk: User, insured: Tree, manager: User
) -> None:
    person = register(clerk, insured.point_a1, name="Lò Văn Pản", birth=dt.date(1985, 4, 4))
    enrol_social(shift, clerk, person, category="poor", evidence="HN-2026-001", mode="3m", months=3)
    declared = services.make_declaration(
        actor=manager, unit=insured.point_a1, scheme_code="voluntary_social"
    )
    client = Client()
    client.force_login(manager)
    sheet = _sheet(client.get(reverse("insurance:declaration_xlsx", args=[declared.pk])).content)
    header = _row(sheet, 8)
    assert "Mẫu D05-TS" in _row(sheet, 1)
    assert "BHXH TỰ NGUYỆN" in sheet["A4"].value
    assert "Người thứ" not in header
    line = dict(zip(header, _row(sheet, 10), strict=True))
    assert line["Mức thu nhập"] == 2_200_000
    assert line["Phương thức đóng"] == "3 tháng một lần"
    assert line["NSNN hỗ trợ"] > 0
    assert line["Số tiền phải đóng"] == declared.total


def test_the_agencys_confirmation_confirms_every_line_and_gives_the_si_number(
    health_list: tuple[Declaration, list[Participant]], insurance_officer: User
) -> None:
    declared, people = health_list
    rows = confirm_all(declared, {people[0].pk: "0412345678"})
    result = services.confirm_declaration(
        actor=insurance_officer, declaration=declared, source=answer(rows)
    )
    assert result.ok, result.errors
    assert (result.confirmed, result.refused, result.numbers) == (3, 0, 1)
    people[0].refresh_from_db()
    assert people[0].si_number == "0412345678"
    declared.refresh_from_db()
    assert declared.state == Declaration.State.CONFIRMED
    assert declared.confirmed_by == insurance_officer
    assert set(PaymentLine.objects.values_list("state", flat=True)) == {"confirmed"}


def test_a_number_typed_as_a_number_keeps_its_leading_zero(
    health_list: tuple[Declaration, list[Participant]], insurance_officer: User
) -> None:
    declared, people = health_list
    rows = confirm_all(declared, {people[1].pk: 412345679})  # type: ignore[dict-item]
    result = services.confirm_declaration(
        actor=insurance_officer, declaration=declared, source=answer(rows)
    )
    assert result.ok, result.errors
    people[1].refresh_from_db()
    assert people[1].si_number == "0412345679"


def test_a_refusal_keeps_its_reason_and_a_partial_answer_leaves_the_list_open(
    health_list: tuple[Declaration, list[Participant]], insurance_officer: User
) -> None:
    declared, _people = health_list
    first = services.declaration_rows(declared)[0]
    row = [first.participant.citizen_id, "", first.period_from, "Từ chối", "Sai ngày sinh"]
    result = services.confirm_declaration(
        actor=insurance_officer, declaration=declared, source=answer([row])
    )
    assert (result.confirmed, result.refused) == (0, 1)
    first.refresh_from_db()
    assert (first.state, first.note) == ("rejected", "Sai ngày sinh")
    declared.refresh_from_db()
    assert declared.state == Declaration.State.SENT
    assert selectors.answers(declared) == {"paid": 2, "confirmed": 0, "rejected": 1}


def _nothing_written(declared: Declaration, people: list[Participant]) -> None:
    assert set(PaymentLine.objects.values_list("state", flat=True)) == {"paid"}
    assert not Participant.objects.filter(pk__in=[p.pk for p in people], si_number__isnull=False)
    declared.refresh_from_db()
    assert declared.state == Declaration.State.SENT


def test_a_row_of_someone_not_on_the_list_stops_the_whole_answer(
    health_list: tuple[Declaration, list[Participant]],
    insurance_officer: User,
    clerk: User,
    insured: Tree,
) -> None:
    declared, people = health_list
    stranger = register(clerk, insured.point_a1, name="Vi Văn Lạ", birth=dt.date(1991, 1, 1))
    rows = confirm_all(declared, {people[0].pk: "0412345678"})
    rows.append([stranger.citizen_id, "", dt.date(2026, 12, 20), "Xác nhận"])
    result = services.confirm_declaration(
        actor=insurance_officer, declaration=declared, source=answer(rows)
    )
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(5, "Số CCCD")]
    assert "không có người này" in result.errors[0].message
    _nothing_written(declared, people)


def test_a_bad_si_number_and_a_row_twice_are_named_by_row_and_column(
    health_list: tuple[Declaration, list[Participant]], insurance_officer: User
) -> None:
    declared, people = health_list
    rows = confirm_all(declared)
    rows[0][1] = "04123"
    rows.append(list(rows[1]))
    result = services.confirm_declaration(
        actor=insurance_officer, declaration=declared, source=answer(rows)
    )
    found = {(e.row, e.column) for e in result.errors}
    assert (2, "Mã số BHXH") in found
    assert (5, "") in found  # the same person and period as row 3
    assert any("trùng với dòng 3" in e.message for e in result.errors)
    _nothing_written(declared, people)


def test_an_si_number_that_belongs_to_someone_else_is_refused(
    health_list: tuple[Declaration, list[Participant]],
    insurance_officer: User,
    clerk: User,
    insured: Tree,
) -> None:
    declared, people = health_list
    register(
        clerk, insured.point_a1, name="Vi Văn Có", birth=dt.date(1991, 1, 1), si_number="0499999999"
    )
    given = {people[0].pk: "0499999999", people[1].pk: "0411111111", people[2].pk: "0411111111"}
    rows = confirm_all(declared, given)
    result = services.confirm_declaration(
        actor=insurance_officer, declaration=declared, source=answer(rows)
    )
    excel_row = {row[0]: n for n, row in enumerate(rows, start=2)}
    second = max(excel_row[people[1].citizen_id], excel_row[people[2].citizen_id])
    assert {(e.row, e.column) for e in result.errors} == {
        (excel_row[people[0].citizen_id], "Mã số BHXH"),  # Vi Văn Có's
        (second, "Mã số BHXH"),  # the same number for two people
    }
    _nothing_written(declared, people)


def test_a_file_that_is_not_a_workbook_or_no_file_is_refused(
    health_list: tuple[Declaration, list[Participant]], insurance_officer: User
) -> None:
    declared, _people = health_list
    for source in (io.BytesIO(b"not excel"), None):
        result = services.confirm_declaration(
            actor=insurance_officer, declaration=declared, source=source
        )
        assert [e.row for e in result.errors] == [0]


def test_officers_see_the_lists_of_their_agency_only(
    health_list: tuple[Declaration, list[Participant]],
    insurance_officer: User,
    users: dict[str, User],
) -> None:
    declared, _people = health_list
    assert list(selectors.declarations(user=insurance_officer)) == [declared]
    commune_officer = users[Role.PARTNER_OFFICER]  # of the commune committee, not the insurer
    assert not selectors.declarations(user=commune_officer).exists()
    with pytest.raises(NotFound):
        selectors.declaration(user=commune_officer, pk=declared.pk)
    client = Client()
    client.force_login(commune_officer)
    assert client.get(reverse("insurance:declaration", args=[declared.pk])).status_code == 404


def test_an_area_manager_sees_his_areas_lists_and_not_the_others(
    shift: CounterSession, clerk: User, insured: Tree, users: dict[str, User]
) -> None:
    _home, family = household_of(clerk, insured.point_a1, 1)
    enrol_health(shift, clerk, family)
    made = services.make_declaration(
        actor=users[Role.PROVINCE_MANAGER], unit=insured.point_a1, scheme_code="household_health"
    )
    assert list(selectors.declarations(user=users[Role.AREA_MANAGER])) == [made]
    assert not selectors.declarations(user=users[Role.AUDITOR]).exists()  # area B's auditor


# --- the pages ------------------------------------------------------------------------------


def test_the_list_page_shows_what_waits_and_makes_a_list(
    shift: CounterSession, clerk: User, insured: Tree, manager: User
) -> None:
    _home, family = household_of(clerk, insured.point_a1, 2)
    enrol_health(shift, clerk, family)
    client = Client()
    client.force_login(manager)
    page = client.get(reverse("insurance:declarations")).content.decode()
    assert "BHYT hộ gia đình: 2 dòng" in page
    assert 'data-testid="make-declaration"' in page
    response = client.post(
        reverse("insurance:declarations"),
        {"scheme": "household_health", "unit": insured.point_a1.code},
    )
    made = Declaration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("insurance:declaration", args=[made.pk])
    again = client.post(
        reverse("insurance:declarations"),
        {"scheme": "household_health", "unit": insured.point_a1.code},
    )
    assert "Không còn lần đóng" in again.content.decode()
    assert Declaration.objects.count() == 1


def test_a_clerk_sees_the_lists_without_the_form(
    health_list: tuple[Declaration, list[Participant]], clerk: User
) -> None:
    declared, people = health_list
    client = Client()
    client.force_login(clerk)
    page = client.get(reverse("insurance:declarations")).content.decode()
    assert declared.number in page
    assert 'data-testid="make-declaration"' not in page
    detail = client.get(reverse("insurance:declaration", args=[declared.pk])).content.decode()
    assert people[0].citizen_id not in detail  # masked on the list's page
    assert people[0].citizen_id[-3:] in detail
    assert 'data-testid="download"' not in detail
    assert 'data-testid="confirm"' not in detail


def test_the_upload_page_lists_the_errors_and_writes_nothing(
    health_list: tuple[Declaration, list[Participant]], insurance_officer: User
) -> None:
    declared, people = health_list
    rows = confirm_all(declared)
    rows[1][3] = "có lẽ"
    client = Client()
    client.force_login(insurance_officer)
    url = reverse("insurance:declaration_confirm", args=[declared.pk])
    upload = SimpleUploadedFile("ket-qua.xlsx", answer(rows).getvalue())
    response = client.post(url, {"file": upload})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Dòng 3, cột «Kết quả»" in body
    _nothing_written(declared, people)
    upload = SimpleUploadedFile("ket-qua.xlsx", answer(rows).getvalue())
    report = client.post(url, {"file": upload, "as": "xlsx"})
    assert _row(_sheet(report.content), 2)[:2] == [3, "Kết quả"]


def test_the_officer_fills_the_template_and_uploads_it(
    health_list: tuple[Declaration, list[Participant]], insurance_officer: User
) -> None:
    declared, people = health_list
    client = Client()
    client.force_login(insurance_officer)
    template = client.get(reverse("insurance:declaration_template", args=[declared.pk]))
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = book.worksheets[0]
    assert _row(sheet, 1) == HEADERS
    assert {_row(sheet, r)[0] for r in (2, 3, 4)} == {p.citizen_id for p in people}
    for r in (2, 3, 4):
        sheet.cell(row=r, column=4, value="Xác nhận")
    filled = io.BytesIO()
    book.save(filled)
    response = client.post(
        reverse("insurance:declaration_confirm", args=[declared.pk]),
        {"file": SimpleUploadedFile("ket-qua.xlsx", filled.getvalue())},
        follow=True,
    )
    assert "3 dòng được xác nhận, 0 dòng bị từ chối" in response.content.decode()
    declared.refresh_from_db()
    assert declared.state == Declaration.State.CONFIRMED
