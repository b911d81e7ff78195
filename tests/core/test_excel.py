"""Excel import: every bad cell is named by row and column, and nothing is half-imported."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any, Literal

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from buudien.core.errors import DomainError
from buudien.core.excel import (
    XLSX_CONTENT_TYPE,
    Column,
    ImportReport,
    ImportSpec,
    ParsedRow,
    RowError,
    convert,
    error_report_xlsx,
    export_xlsx,
    read_rows,
    run_import,
    template_xlsx,
    xlsx_response,
)

MODELS = {"Truyền thống": "traditional", "Đa dịch vụ": "multi_service"}
# 036 = Nam Định, 001 = Hà Nội: Excel turns these ids into numbers and drops the leading zeros.
CITIZEN_ID = "036085001234"
HANOI_ID = "001190004321"


class GroupImport(ImportSpec):
    """A tiny importer whose natural key is a code written at the start of a Group's name."""

    title = "Danh sách nhóm"
    columns = (
        Column("code", "Mã nhóm", required=True, max_length=20, aliases=("Mã",)),
        Column("title", "Tên nhóm", required=True, max_length=100),
        Column("members", "Số thành viên", kind="int", min_value=0, max_value=500),
        Column("fee", "Phí", kind="money"),
        Column("opened_on", "Ngày lập", kind="date"),
        Column("active", "Hoạt động", kind="bool"),
        Column("model", "Mô hình", kind="choice", choices=MODELS),
        Column("citizen_id", "Số CCCD", kind="citizen_id"),
        Column("phone", "Điện thoại", kind="phone"),
        Column("latitude", "Vĩ độ", kind="decimal"),
    )

    def __init__(self) -> None:
        self.prepared_with = 0

    def row_key(self, values: dict[str, Any]) -> str:
        return str(values["code"]).upper()

    def prepare(self, rows: list[ParsedRow], actor: Any) -> None:
        self.prepared_with = len(rows)

    def validate_row(self, row: ParsedRow, actor: Any) -> None:
        if row.values["title"].startswith("Cấm"):
            raise DomainError("Tên nhóm này không được dùng.", field="title")

    def apply_row(
        self, values: dict[str, Any], actor: Any
    ) -> Literal["created", "updated", "unchanged"]:
        if values["title"] == "Hỏng":
            raise DomainError("Không ghi được nhóm này.", field="title")
        code = str(values["code"]).upper()
        name = f"{code}: {values['title']}"
        current = Group.objects.filter(name__startswith=f"{code}: ").first()
        if current is None:
            Group.objects.create(name=name)
            return "created"
        if current.name == name:
            return "unchanged"
        current.name = name
        current.save(update_fields=["name"])
        return "updated"


def _workbook(rows: list[list[Any]], *, headers: list[Any] | None = None, above: int = 0) -> bytes:
    """A real .xlsx: `above` title rows, then the header row, then the data."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for i in range(above):
        sheet.append(["DANH SÁCH NHÓM – BƯU ĐIỆN TỈNH" if i == 0 else None])
    sheet.append(headers or ["Mã nhóm", "Tên nhóm"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _groups(count: int) -> list[list[Any]]:
    return [[f"N{i:03d}", f"Nhóm {i}"] for i in range(1, count + 1)]


def _column(key: str) -> Column:
    return next(c for c in GroupImport.columns if c.key == key)


def _reason(column: str | Column, value: Any) -> str:
    """The Vietnamese reason a cell is refused."""
    with pytest.raises(DomainError) as caught:
        convert(_column(column) if isinstance(column, str) else column, value)
    return caught.value.message


# Reading and typed conversion ----------------------------------------------------------------


def test_headers_are_matched_without_accents_case_or_spaces_and_extra_columns_are_ignored() -> None:
    source = _workbook(
        [["N001", "Nhóm một", "bỏ qua", 12]],
        headers=["  MA  NHOM ", "tên nhóm", "Ghi chú riêng", "so thanh vien"],
    )
    rows, errors = read_rows(GroupImport(), source)
    assert errors == []
    assert [r.number for r in rows] == [2]
    assert rows[0].values["code"] == "N001"
    assert rows[0].values["title"] == "Nhóm một"
    assert rows[0].values["members"] == 12
    assert rows[0].values["fee"] is None  # an optional column the file does not have


def test_an_alias_is_accepted_as_the_header() -> None:
    rows, errors = read_rows(GroupImport(), _workbook([["N001", "A"]], headers=["Mã", "Tên nhóm"]))
    assert errors == []
    assert rows[0].values["code"] == "N001"


def test_the_header_is_found_below_a_title_and_row_numbers_are_those_excel_shows() -> None:
    source = _workbook([["N001", "Một"], [None, None], ["N002", "Hai"]], above=3)
    rows, errors = read_rows(GroupImport(), source)
    assert errors == []
    assert [(r.number, r.values["code"]) for r in rows] == [(5, "N001"), (7, "N002")]


def test_blank_rows_above_the_header_count_in_the_row_numbers_of_rows_and_messages() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A3"], sheet["B3"] = "Mã nhóm", "Tên nhóm"  # rows 1 and 2 left empty
    sheet["A4"], sheet["B4"] = "N001", "Một"
    sheet["A6"], sheet["B6"] = "N002", None
    buffer = io.BytesIO()
    book.save(buffer)

    rows, errors = read_rows(GroupImport(), buffer.getvalue())

    assert [r.number for r in rows] == [4, 6]
    assert errors == [RowError(6, "Tên nhóm", "Dòng 6, cột «Tên nhóm»: không được để trống.")]


def test_an_english_user_reads_the_reasons_in_english() -> None:
    source = _workbook(
        [
            ["N001", "Một", 3, "1.500.000"],
            ["N002", None, "ba", "-5.000"],
            ["n001", "Ba", 4, 0],
        ],
        headers=["Mã nhóm", "Tên nhóm", "Số thành viên", "Phí"],
    )
    with translation.override("en"):
        _rows, errors = read_rows(GroupImport(), source)
    assert [e.message for e in errors] == [
        "Row 3, column “Tên nhóm”: cannot be empty.",
        "Row 3, column “Số thành viên”: “ba” is not a whole number, e.g. 1.234.",
        "Row 3, column “Phí”: amount cannot be negative.",
        "Row 4: duplicates row 2 in the same file.",
    ]


def test_a_header_further_down_than_the_spec_allows_is_not_found() -> None:
    rows, errors = read_rows(GroupImport(), _workbook([["N001", "Một"]], above=10))
    assert rows == []
    assert len(errors) == 1
    assert errors[0].row == 0
    assert "Không tìm thấy dòng tiêu đề" in errors[0].message
    assert "«Mã nhóm», «Tên nhóm»" in errors[0].message


def test_a_missing_required_column_is_one_error_naming_it() -> None:
    source = _workbook([["N001", 3], ["N002", 4]], headers=["Mã nhóm", "Số thành viên"])
    rows, errors = read_rows(GroupImport(), source)
    assert rows == []
    assert errors == [RowError(0, "Tên nhóm", "Thiếu cột bắt buộc «Tên nhóm».")]


@pytest.mark.parametrize("content", [b"", b"Ma nhom,Ten nhom\nN001,A\n", b"PK\x03\x04broken"])
def test_a_file_that_is_not_a_workbook_is_one_error(content: bytes) -> None:
    rows, errors = read_rows(GroupImport(), content)
    assert rows == []
    assert errors == [RowError(0, "", "Tệp không phải là bảng tính Excel hợp lệ (.xlsx).")]


def test_paths_and_file_objects_are_read_like_bytes(tmp_path: Any) -> None:
    content = _workbook([["N001", "Một"]])
    path = tmp_path / "nhom.xlsx"
    path.write_bytes(content)
    upload = io.BytesIO(content)
    upload.read()  # a form that already looked at the upload
    for source in (path, str(path), upload):
        rows, errors = read_rows(GroupImport(), source)
        assert errors == []
        assert rows[0].values["code"] == "N001"


def test_every_bad_cell_of_every_row_is_reported_with_its_row_and_column() -> None:
    headers = ["Mã nhóm", "Tên nhóm", "Số thành viên", "Mô hình"]
    source = _workbook(
        [
            ["N001", "Một", 3, "Truyền thống"],
            ["N002", None, 2.5, "Đa dịch vụ"],
            ["N003", "Ba", 4, "Siêu thị"],
            ["N004", "Bốn", 5, None],
            ["N005", "Năm", -1, "Truyền thống"],
            [None, "Sáu", None, None],
        ],
        headers=headers,
    )
    rows, errors = read_rows(GroupImport(), source)
    assert len(rows) == 6
    assert [(e.row, e.column) for e in errors] == [
        (3, "Tên nhóm"),
        (3, "Số thành viên"),
        (4, "Mô hình"),
        (6, "Số thành viên"),
        (7, "Mã nhóm"),
    ]
    assert errors[0].message == "Dòng 3, cột «Tên nhóm»: không được để trống."
    assert errors[1].message == "Dòng 3, cột «Số thành viên»: phải là số nguyên, không có phần lẻ."
    assert errors[2].message.startswith(
        "Dòng 4, cột «Mô hình»: «Siêu thị» không có trong danh sách"
    )
    assert errors[3].message == "Dòng 6, cột «Số thành viên»: phải từ 0 trở lên."


def test_a_duplicate_key_is_an_error_on_the_later_row_naming_the_earlier_one() -> None:
    source = _workbook([["N001", "Một"], ["N002", "Hai"], ["n001", "Một nữa"]])
    _rows, errors = read_rows(GroupImport(), source)
    assert errors == [RowError(4, "", "Dòng 4: trùng với dòng 2 trong cùng tệp.")]


def test_one_bad_cell_in_a_long_column_changes_nothing_in_how_the_others_are_read() -> None:
    """Clean columns are read whole and a column with a bad cell cell by cell: same values."""
    headers = ["Mã nhóm", "Tên nhóm", "Số thành viên", "Phí", "Ngày lập", "Mô hình", "Số CCCD"]
    rows: list[list[Any]] = [
        [
            f"N{i:03d}",
            f" Nhóm {i} ",
            i % 7,
            ("1.500.000 đ", 2_000_000, "3 000 000")[i % 3],
            (dt.date(2025, 3, 1), "02/03/2025", dt.datetime(2025, 3, 3, 8, 0))[i % 3],
            ("Đa dịch vụ", "truyen thong", "Truyền thống")[i % 3],
            (CITIZEN_ID, int(HANOI_ID), None)[i % 3],
        ]
        for i in range(1, 61)
    ]
    bad = [["N999", "X" * 101, "nhiều", "-1", "31/02/2025", "Siêu thị", "12345"]]
    clean, none = read_rows(GroupImport(), _workbook(rows, headers=headers))
    mixed, errors = read_rows(GroupImport(), _workbook(rows + bad, headers=headers))

    assert none == []
    assert [(e.row, e.column) for e in errors] == [(62, h) for h in headers[1:]]
    assert [r.values for r in mixed[:-1]] == [r.values for r in clean]
    assert clean[0].values == {
        "code": "N001",
        "title": "Nhóm 1",
        "members": 1,
        "fee": 2_000_000,
        "opened_on": dt.date(2025, 3, 2),
        "active": None,
        "model": "traditional",
        "citizen_id": HANOI_ID,
        "phone": None,
        "latitude": None,
    }


def test_cells_the_spec_already_trusts_are_taken_as_they_are() -> None:
    """An importer may vouch for values checked before (ids already registered)."""

    class Trusting(GroupImport):
        def trusted(self, key: str) -> frozenset[str]:
            return frozenset({"004999000001"}) if key == "citizen_id" else frozenset()

    source = _workbook(
        [["N001", "Một", "004999000001"]], headers=["Mã nhóm", "Tên nhóm", "Số CCCD"]
    )
    assert read_rows(GroupImport(), source)[1][0].column == "Số CCCD"  # a birth year to come
    rows, errors = read_rows(Trusting(), source)
    assert errors == []
    assert rows[0].values["citizen_id"] == "004999000001"


def test_text_is_stripped_numbers_lose_their_float_tail_and_length_is_checked() -> None:
    assert convert(_column("code"), "  N001 ") == "N001"
    assert convert(_column("code"), 123.0) == "123"
    assert convert(_column("code"), 4096) == "4096"
    assert _reason("code", "X" * 21) == "dài quá 20 ký tự."


@pytest.mark.parametrize(("cell", "expected"), [(12, 12), (12.0, 12), ("1.234", 1234), ("7", 7)])
def test_an_integer_cell_accepts_whole_numbers_and_grouped_text(cell: Any, expected: int) -> None:
    assert convert(Column("n", "Số", kind="int"), cell) == expected


@pytest.mark.parametrize("cell", [12.5, "12,5", "mười", True])
def test_an_integer_cell_refuses_fractions_and_words(cell: Any) -> None:
    with pytest.raises(DomainError):
        convert(Column("n", "Số", kind="int"), cell)


@pytest.mark.parametrize(
    "cell", ["1.500.000", 1500000, 1500000.0, "1.500.000 đ", "1 500 000₫", "1500000 đồng"]
)
def test_money_is_whole_dong_from_numbers_and_grouped_text(cell: Any) -> None:
    assert convert(_column("fee"), cell) == 1_500_000


def test_money_refuses_fractions_and_negatives_unless_allowed() -> None:
    assert _reason("fee", 1500.5) == "số tiền phải là số đồng nguyên, không có phần lẻ."
    assert _reason("fee", "-5.000") == "số tiền không được âm."
    refund = Column("refund", "Hoàn tiền", kind="money", min_value=-1_000_000)
    assert convert(refund, "-5.000") == -5000
    assert "-1.000.000 ₫" in _reason(refund, -2_000_000)


@pytest.mark.parametrize("cell", ["22.6657", 22.6657, "22,6657"])
def test_a_decimal_keeps_its_digits(cell: Any) -> None:
    assert convert(_column("latitude"), cell) == Decimal("22.6657")


@pytest.mark.parametrize("cell", ["vĩ độ", "NaN", "Infinity"])
def test_a_decimal_refuses_what_is_not_a_number(cell: str) -> None:
    assert "không phải là số" in _reason("latitude", cell)


@pytest.mark.parametrize(
    "cell",
    [dt.date(2025, 3, 1), dt.datetime(2025, 3, 1, 8, 30), "01/03/2025", "1/3/2025", "2025-03-01"],
)
def test_a_date_is_read_from_excel_dates_and_common_text_forms(cell: Any) -> None:
    assert convert(_column("opened_on"), cell) == dt.date(2025, 3, 1)


@pytest.mark.parametrize("cell", ["31/02/2025", "mùng một", "01/03/25", 45717.0])
def test_a_date_refuses_impossible_or_ambiguous_values(cell: Any) -> None:
    assert "ví dụ 01/03/2025" in _reason("opened_on", cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Có", True),
        ("x", True),
        ("YES", True),
        (1, True),
        ("true", True),
        (True, True),
        ("Không", False),
        ("no", False),
        (0.0, False),
        ("FALSE", False),
        (False, False),
    ],
)
def test_a_yes_no_cell_accepts_vietnamese_and_english_words(cell: Any, expected: bool) -> None:
    assert convert(_column("active"), cell) is expected


def test_a_yes_no_cell_refuses_anything_else() -> None:
    assert _reason("active", "có lẽ") == "«có lẽ» không hợp lệ; chỉ nhận «có» hoặc «không»."


@pytest.mark.parametrize("cell", ["Đa dịch vụ", "da dich vu", "ĐA DỊCH VỤ ", "multi_service"])
def test_a_choice_matches_labels_and_values_without_accents(cell: str) -> None:
    assert convert(_column("model"), cell) == "multi_service"


def test_a_wrong_choice_lists_the_allowed_labels() -> None:
    assert _reason("model", "Siêu thị") == (
        "«Siêu thị» không có trong danh sách; chỉ nhận «Truyền thống», «Đa dịch vụ»."
    )


@pytest.mark.parametrize("cell", ["0912 345 678", "+84912345678", 912345678, 912345678.0])
def test_a_phone_number_is_normalised_even_when_excel_dropped_its_zero(cell: Any) -> None:
    assert convert(_column("phone"), cell) == "0912345678"


def test_a_citizen_id_typed_as_a_number_gets_its_lost_leading_zeros_back() -> None:
    source = _workbook(
        [["N001", "Một", int(CITIZEN_ID)], ["N002", "Hai", float(HANOI_ID)], ["N003", "Ba", "0"]],
        headers=["Mã nhóm", "Tên nhóm", "Số CCCD"],
    )
    rows, errors = read_rows(GroupImport(), source)
    assert [r.values["citizen_id"] for r in rows] == [CITIZEN_ID, HANOI_ID, None]
    assert [(e.row, e.column) for e in errors] == [(4, "Số CCCD")]
    assert "12 chữ số" in errors[0].message


def test_a_citizen_id_typed_as_text_is_kept_as_is_and_not_padded() -> None:
    assert convert(_column("citizen_id"), CITIZEN_ID) == CITIZEN_ID
    assert "12 chữ số" in _reason("citizen_id", CITIZEN_ID[1:])


# Importing -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_clean_workbook_creates_every_row() -> None:
    before = Group.objects.count()
    report = run_import(GroupImport(), _workbook(_groups(200)), actor=None)
    assert report.ok
    assert report.committed
    assert (report.created, report.updated, report.unchanged, report.total_rows) == (200, 0, 0, 200)
    assert report.summary() == "Đã nhập 200 dòng: 200 thêm mới, 0 cập nhật."
    assert Group.objects.count() == before + 200
    assert Group.objects.filter(name="N007: Nhóm 7").exists()


@pytest.mark.django_db
def test_a_second_import_updates_changed_rows_and_never_duplicates() -> None:
    rows = _groups(50)
    run_import(GroupImport(), _workbook(rows), actor=None)
    count = Group.objects.count()
    rows[0][1] = "Nhóm một (đổi tên)"
    rows.append(["N051", "Nhóm mới"])

    again = run_import(GroupImport(), _workbook(rows), actor=None)

    assert again.committed, again.errors
    assert (again.created, again.updated, again.unchanged) == (1, 1, 49)
    assert again.summary() == "Đã nhập 51 dòng: 1 thêm mới, 1 cập nhật, 49 không đổi."
    assert Group.objects.count() == count + 1
    assert Group.objects.filter(name__startswith="N001: ").get().name == "N001: Nhóm một (đổi tên)"


@pytest.mark.django_db
def test_three_bad_rows_among_two_hundred_are_each_named_and_nothing_is_written() -> None:
    rows = [[*row, i % 40, "Truyền thống"] for i, row in enumerate(_groups(200), start=1)]
    rows[9][1] = None  # Excel row 11: empty required name
    rows[49][2] = "nhiều"  # Excel row 51: not a number
    rows[149][3] = "Siêu thị"  # Excel row 151: not a known model
    headers = ["Mã nhóm", "Tên nhóm", "Số thành viên", "Mô hình"]
    before = Group.objects.count()

    report = run_import(GroupImport(), _workbook(rows, headers=headers), actor=None)

    assert not report.committed
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert [(e.row, e.column) for e in report.errors] == [
        (11, "Tên nhóm"),
        (51, "Số thành viên"),
        (151, "Mô hình"),
    ]
    assert all(e.message.startswith(f"Dòng {e.row}, cột «{e.column}»") for e in report.errors)
    assert report.summary() == "Không nhập dòng nào: 3 dòng có lỗi."
    assert Group.objects.count() == before


@pytest.mark.django_db
def test_business_checks_run_on_every_valid_row_and_name_the_column() -> None:
    rows = _groups(5)
    rows[1][1] = "Cấm dùng"
    rows[3][0] = None
    spec = GroupImport()

    report = run_import(spec, _workbook(rows), actor=None)

    assert spec.prepared_with == 5
    assert [(e.row, e.column) for e in report.errors] == [(3, "Tên nhóm"), (5, "Mã nhóm")]
    assert report.errors[0].message == "Dòng 3, cột «Tên nhóm»: Tên nhóm này không được dùng."
    assert not Group.objects.filter(name__startswith="N0").exists()


@pytest.mark.django_db
def test_an_error_while_writing_a_row_rolls_back_the_rows_written_before_it() -> None:
    rows = _groups(10)
    rows[6][1] = "Hỏng"
    before = Group.objects.count()

    report = run_import(GroupImport(), _workbook(rows), actor=None)

    assert not report.committed
    assert report.errors == [
        RowError(8, "Tên nhóm", "Dòng 8, cột «Tên nhóm»: Không ghi được nhóm này.")
    ]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert Group.objects.count() == before


@pytest.mark.django_db
def test_a_dry_run_reports_what_it_would_do_and_writes_nothing() -> None:
    run_import(GroupImport(), _workbook(_groups(3)), actor=None)
    names = set(Group.objects.values_list("name", flat=True))
    rows = _groups(5)
    rows[0][1] = "Đổi tên"

    report = run_import(GroupImport(), _workbook(rows), actor=None, commit=False)

    assert report.ok
    assert not report.committed
    assert (report.created, report.updated, report.unchanged) == (2, 1, 2)
    assert report.summary().startswith("Kiểm tra xong 5 dòng, không có lỗi (chưa ghi)")
    assert set(Group.objects.values_list("name", flat=True)) == names


def test_a_workbook_without_data_rows_imports_nothing() -> None:
    report = run_import(GroupImport(), _workbook([]), actor=None)
    assert not report.committed
    assert report.summary() == "Không nhập dòng nào: Tệp không có dòng dữ liệu nào."


def test_a_file_level_error_is_the_summary() -> None:
    report = run_import(GroupImport(), b"not excel", actor=None)
    assert report.summary() == (
        "Không nhập dòng nào: Tệp không phải là bảng tính Excel hợp lệ (.xlsx)."
    )


# Writing -------------------------------------------------------------------------------------


def test_an_export_reads_back_with_the_same_headers_and_values() -> None:
    headers = [c.header for c in GroupImport.columns]
    data: list[list[Any]] = [
        [
            "N001",
            "Nhóm một",
            12,
            1_500_000,
            dt.date(2025, 3, 1),
            "có",
            "Đa dịch vụ",
            CITIZEN_ID,
            "0912345678",
            Decimal("22.6657"),
        ],
        [
            "N002",
            '=HYPERLINK("http://x")',
            None,
            0,
            None,
            "không",
            "Truyền thống",
            None,
            None,
            None,
        ],
    ]
    content = export_xlsx(title="Danh sách nhóm", headers=headers, rows=iter(data))

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    first = next(sheet.iter_rows(max_row=1))
    assert [c.value for c in first] == headers
    assert all(c.font.b for c in first)
    assert sheet.cell(2, 3).value == 12
    assert sheet.cell(2, 4).value == 1_500_000
    assert sheet.cell(2, 5).is_date
    assert sheet.cell(2, 5).value == dt.datetime(2025, 3, 1)
    assert sheet.cell(3, 2).data_type == "s"  # a formula-looking name stays text
    assert sheet.column_dimensions["B"].width >= len('=HYPERLINK("http://x")')

    rows, errors = read_rows(GroupImport(), content)
    assert errors == []
    assert rows[0].values == {
        "code": "N001",
        "title": "Nhóm một",
        "members": 12,
        "fee": 1_500_000,
        "opened_on": dt.date(2025, 3, 1),
        "active": True,
        "model": "multi_service",
        "citizen_id": CITIZEN_ID,
        "phone": "0912345678",
        "latitude": Decimal("22.6657"),
    }
    assert rows[1].values["title"] == '=HYPERLINK("http://x")'
    assert rows[1].values["active"] is False


def test_the_template_has_the_spec_headers_and_no_rows() -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(GroupImport())))
    sheet = book.active
    assert sheet is not None
    assert sheet.title == "Danh sách nhóm"
    assert [c.value for c in next(sheet.iter_rows())] == [c.header for c in GroupImport.columns]
    assert sheet.max_row == 1


def test_the_error_report_lists_row_column_and_message() -> None:
    report = ImportReport(
        errors=[
            RowError(0, "Tên nhóm", "Thiếu cột bắt buộc «Tên nhóm»."),
            RowError(7, "Mã nhóm", "Dòng 7, cột «Mã nhóm»: không được để trống."),
        ]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(error_report_xlsx(report))).active
    assert sheet is not None
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Dòng", "Cột", "Lỗi"],
        [None, "Tên nhóm", "Thiếu cột bắt buộc «Tên nhóm»."],
        [7, "Mã nhóm", "Dòng 7, cột «Mã nhóm»: không được để trống."],
    ]


def test_a_download_has_the_excel_type_and_a_utf8_file_name() -> None:
    response = xlsx_response(b"PK", "Danh sách điểm")
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Danh%20s%C3%A1ch%20%C4%91i%E1%BB%83m.xlsx"
    )
    assert response.content == b"PK"
