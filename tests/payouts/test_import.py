"""The agency's list and the bank's results read by core.excel: rows named as Excel shows them,
reasons in the user's language."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.utils import translation

from buudien.core.models import Role, User
from buudien.counter import services as counter_services
from buudien.payouts import services
from buudien.payouts.models import Payout, Programme
from tests.conftest import Tree
from tests.payouts.test_payouts import HEADERS, MONTH, PAYDAY, person, workbook

pytestmark = pytest.mark.django_db


def _sheet_with_blank_rows_above(rows: list[list[Any]]) -> bytes:
    """A list as agencies send it: two empty rows, a title, an empty row, then the header."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["B3"] = "DANH SÁCH CHI TRẢ LƯƠNG HƯU THÁNG 03/2025"
    for column, header in enumerate(HEADERS, start=1):
        sheet.cell(row=5, column=column, value=header)
    for r, row in enumerate(rows, start=6):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=r, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_blank_rows_above_the_header_keep_the_row_numbers_excel_shows(
    programme: Programme, users: dict[str, User]
) -> None:
    rows = [person(i) for i in range(1, 5)]
    rows[2][3] = "ba triệu"  # Excel row 8
    rows[3][4] = "KHONGCO"  # Excel row 9
    result = services.import_list(
        actor=users[Role.PROVINCE_MANAGER],
        programme=programme,
        month=MONTH,
        source=_sheet_with_blank_rows_above(rows),
    )
    assert [(e.row, e.column) for e in result.errors] == [(8, "Số tiền"), (9, "Mã điểm")]
    assert result.errors[0].message.startswith("Dòng 8, cột «Số tiền»: «ba triệu» không phải")
    assert result.errors[1].message == "Dòng 9, cột «Mã điểm»: không có điểm mã KHONGCO."
    assert not Payout.objects.exists()

    rows[2][3], rows[3][4] = 3_000_000, "VHXA1"
    result = services.import_list(
        actor=users[Role.PROVINCE_MANAGER],
        programme=programme,
        month=MONTH,
        source=_sheet_with_blank_rows_above(rows),
    )
    assert result.ok, result.errors
    assert list(Payout.objects.order_by("row").values_list("row", flat=True)) == [6, 7, 8, 9]


def test_an_english_user_reads_every_reason_of_a_refused_list_in_english(
    programme: Programme, users: dict[str, User]
) -> None:
    rows = [person(i) for i in range(1, 7)]
    rows[1][1] = ""  # row 3: no name
    rows[2][4] = "KHONGCO"  # row 4: no such point
    rows[3][5], rows[3][6] = "Qua tài khoản", ""  # row 5: to an account, without one
    rows[4] = person(1)  # row 6: the same person as row 2
    rows[5][3] = -1  # row 7: not an amount
    with translation.override("en"):
        result = services.import_list(
            actor=users[Role.PROVINCE_MANAGER],
            programme=programme,
            month=MONTH,
            source=workbook(rows),
        )
    assert [e.message for e in result.errors] == [
        "Row 3, column “Họ tên”: cannot be empty.",
        "Row 4, column “Mã điểm”: no point with code KHONGCO.",
        "Row 5: payment to an account requires an account number.",
        "Row 6: duplicates row 2 in the same file.",
        "Row 7, column “Số tiền”: must be 1 ₫ or more.",
    ]


def _account_lines(programme: Programme, users: dict[str, User]) -> list[list[Any]]:
    rows = [person(i, method="Qua tài khoản", account=f"1020{i:08d}") for i in (1, 2)]
    manager = users[Role.PROVINCE_MANAGER]
    services.import_list(actor=manager, programme=programme, month=MONTH, source=workbook(rows))
    payout_list = Payout.objects.get(row=2).list
    return services.settlement_rows(actor=manager, payout_list=payout_list)


def test_a_bank_file_naming_a_line_twice_is_refused_and_pays_nothing(
    tree: Tree, programme: Programme, users: dict[str, User]
) -> None:
    settlement = _account_lines(programme, users)
    line, amount = settlement[0][0], settlement[0][4]
    results = workbook(
        [[line, amount, "Thành công"], [line, amount, "Thất bại"]],
        headers=["Mã dòng", "Số tiền", "Kết quả"],
    )
    manager = users[Role.PROVINCE_MANAGER]
    session = counter_services.open_session(
        clerk=manager, unit=tree.province, opening_cash=0, business_date=PAYDAY.date()
    )
    payout_list = Payout.objects.get(pk=line).list
    paid, failed, errors = services.apply_bank_results(
        actor=manager, payout_list=payout_list, source=results, session=session
    )
    assert (paid, failed) == (0, 0)
    assert [e.message for e in errors] == ["Dòng 3: trùng với dòng 2 trong cùng tệp."]
    assert set(Payout.objects.values_list("status", flat=True)) == {"pending"}


def test_a_bank_file_given_again_changes_nothing_and_needs_no_shift(
    tree: Tree, programme: Programme, users: dict[str, User]
) -> None:
    settlement = _account_lines(programme, users)
    (ok, _name, _id, _account, ok_amount), (failed, *_, failed_amount) = settlement
    results = workbook(
        [[ok, ok_amount, "Thành công"], [failed, failed_amount, "Thất bại"]],
        headers=["Mã dòng", "Số tiền", "Kết quả"],
    )
    manager = users[Role.PROVINCE_MANAGER]
    session = counter_services.open_session(
        clerk=manager, unit=tree.province, opening_cash=0, business_date=PAYDAY.date()
    )
    payout_list = Payout.objects.get(pk=ok).list
    first = services.apply_bank_results(
        actor=manager, payout_list=payout_list, source=results, session=session
    )
    again = services.apply_bank_results(
        actor=manager, payout_list=payout_list, source=results, session=None
    )
    assert (first, again) == ((1, 1, []), (0, 0, []))
    statuses = dict(Payout.objects.values_list("pk", "status"))
    assert statuses == {ok: "paid", failed: "returned"}
