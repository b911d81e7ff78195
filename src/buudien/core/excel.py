"""Excel import framework (column spec → typed rows → per-row report → all-or-nothing commit)
and Excel export of any list."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Literal
from urllib.parse import quote

from django.db import transaction
from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from python_calamine import CalamineWorkbook

from buudien.core.errors import DomainError
from buudien.core.ids import normalise_phone
from buudien.core.text import fold

Kind = Literal["text", "int", "money", "decimal", "date", "bool", "choice", "phone", "citizen_id"]
Outcome = Literal["created", "updated", "unchanged"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TRUE = {"co", "x", "yes", "y", "1", "true", "dung", "c"}
FALSE = {"khong", "no", "n", "0", "false", "sai", "k"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind = "text"
    required: bool = False
    choices: Mapping[str, str] | None = None
    aliases: tuple[str, ...] = ()
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            bad = len({e.row for e in self.errors})
            return f"Không nhập dòng nào: {bad} dòng có lỗi, hãy sửa rồi nhập lại cả tệp."
        verb = "Đã nhập" if self.committed else "Kiểm tra xong (chưa ghi)"
        return (
            f"{verb} {self.total_rows} dòng: {self.created} thêm mới, {self.updated} cập nhật, "
            f"{self.unchanged} không đổi."
        )


class ImportSpec:
    """Subclass per importer: columns, natural key, validation and the upsert of one row."""

    title: str = ""
    columns: Sequence[Column] = ()
    header_row_max: int = 10

    def row_key(self, values: dict[str, Any]) -> Hashable | None:
        return None

    def prepare(self, rows: list[ParsedRow], actor: Any) -> None:
        """Load lookups once for all rows."""

    def validate_row(self, row: ParsedRow, actor: Any) -> None:
        """Cross-field and business checks; raise DomainError(field=column key)."""

    def apply_row(self, values: dict[str, Any], actor: Any) -> Outcome:
        raise NotImplementedError


class _Rollback(Exception):
    pass


def _read_source(source: str | Path | bytes | IO[bytes] | Any) -> list[list[Any]]:
    if isinstance(source, (str, Path)):
        data = Path(source).read_bytes()
    elif isinstance(source, bytes):
        data = source
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read()
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheet = book.get_sheet_by_index(0)
    return [list(r) for r in sheet.to_python(skip_empty_area=False)]


def _header_index(spec: ImportSpec, rows: list[list[Any]]) -> tuple[int, dict[str, int]]:
    wanted = {c.key: {fold(c.header), *(fold(a) for a in c.aliases)} for c in spec.columns}
    best: tuple[int, dict[str, int]] = (-1, {})
    for r, row in enumerate(rows[: spec.header_row_max]):
        cells = [fold(str(v)) if v not in (None, "") else "" for v in row]
        found = {}
        for key, names in wanted.items():
            for i, cell in enumerate(cells):
                if cell and cell in names:
                    found[key] = i
                    break
        if len(found) > len(best[1]):
            best = (r, found)
    return best


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


_INT_TEXT = re.compile(r"^-?\d{1,3}([.\s]\d{3})+$|^-?\d+$")


def _as_int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{what} phải là số nguyên.")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(f"{what} phải là số nguyên, không có phần lẻ.")
    text = str(value).strip().replace("₫", "").replace("đ", "").strip()
    if _INT_TEXT.match(text):
        return int(re.sub(r"[.\s]", "", text))
    raise ValueError(f"{what} phải là số nguyên, ví dụ 1.500.000.")


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError("ngày không hợp lệ, hãy nhập dạng ngày/tháng/năm, ví dụ 01/03/2025.")


def convert(column: Column, value: Any) -> Any:
    """One cell to its Python value; raises ValueError or DomainError with a Vietnamese reason."""
    kind = column.kind
    if kind == "text":
        text = _as_text(value)
        if column.max_length and len(text) > column.max_length:
            raise ValueError(f"dài quá {column.max_length} ký tự.")
        return text
    if kind in {"int", "money"}:
        number = _as_int(value, "Số tiền" if kind == "money" else "Giá trị")
        low = column.min_value if column.min_value is not None else (0 if kind == "money" else None)
        if low is not None and number < low:
            raise ValueError(f"phải từ {low} trở lên.")
        if column.max_value is not None and number > column.max_value:
            raise ValueError(f"không được lớn hơn {column.max_value}.")
        return number
    if kind == "decimal":
        try:
            return Decimal(_as_text(value).replace(",", "."))
        except InvalidOperation as exc:
            raise ValueError("phải là số, ví dụ 22.6657.") from exc
    if kind == "date":
        return _as_date(value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        folded = fold(_as_text(value))
        if folded in TRUE:
            return True
        if folded in FALSE:
            return False
        raise ValueError("chỉ nhận «có» hoặc «không».")
    if kind == "choice":
        choices = column.choices or {}
        folded = fold(_as_text(value))
        for label, stored in choices.items():
            if folded in {fold(label), fold(stored)}:
                return stored
        labels = sorted({label for label, stored in choices.items() if label != stored})
        allowed = ", ".join(f"«{x}»" for x in (labels or choices))
        raise ValueError(f"giá trị «{_as_text(value)}» không hợp lệ; chỉ nhận {allowed}.")
    if kind == "phone":
        return normalise_phone(_as_text(value))
    if kind == "citizen_id":
        from buudien.core.ids import parse_citizen_id

        text = _as_text(value)
        if isinstance(value, (int, float)) and len(text) == 11:
            text = "0" + text
        return parse_citizen_id(text).number
    raise ValueError(f"kiểu cột {kind} chưa hỗ trợ.")


def read_rows(
    spec: ImportSpec, source: str | Path | bytes | IO[bytes] | Any
) -> tuple[list[ParsedRow], list[RowError]]:
    """Typed rows and every error, each naming its Excel row and column."""
    try:
        raw = _read_source(source)
    except Exception:
        return [], [RowError(0, "", "Tệp không phải là bảng tính Excel hợp lệ (.xlsx).")]
    header_at, index = _header_index(spec, raw)
    errors: list[RowError] = []
    for column in spec.columns:
        if column.required and column.key not in index:
            errors.append(
                RowError(
                    header_at + 1 if header_at >= 0 else 1,
                    column.header,
                    f"Thiếu cột bắt buộc «{column.header}».",
                )
            )
    if errors or header_at < 0:
        if not errors:
            errors.append(RowError(1, "", "Không tìm thấy dòng tiêu đề cột."))
        return [], errors
    rows: list[ParsedRow] = []
    seen: dict[Hashable, int] = {}
    for r in range(header_at + 1, len(raw)):
        cells = raw[r]
        number = r + 1
        picked = {key: cells[i] if i < len(cells) else None for key, i in index.items()}
        if all(_blank(v) for v in picked.values()):
            continue
        values: dict[str, Any] = {}
        row_ok = True
        for column in spec.columns:
            value = picked.get(column.key)
            if _blank(value):
                values[column.key] = None
                if column.required:
                    errors.append(
                        RowError(
                            number,
                            column.header,
                            f"Dòng {number}, cột «{column.header}»: không được để trống.",
                        )
                    )
                    row_ok = False
                continue
            try:
                values[column.key] = convert(column, value)
            except (ValueError, DomainError) as exc:
                errors.append(
                    RowError(number, column.header, f"Dòng {number}, cột «{column.header}»: {exc}")
                )
                row_ok = False
        row = ParsedRow(number, values)
        if row_ok:
            key = spec.row_key(values)
            if key is not None and key in seen:
                errors.append(RowError(number, "", f"Dòng {number} trùng với dòng {seen[key]}."))
                row_ok = False
            elif key is not None:
                seen[key] = number
        rows.append(row)
    return rows, errors


def _header_of(spec: ImportSpec, key: str | None) -> str:
    for column in spec.columns:
        if column.key == key:
            return column.header
    return ""


def run_import(spec: ImportSpec, source: Any, *, actor: Any, commit: bool = True) -> ImportReport:
    """Validate every row; write all of them in one transaction only if none is wrong."""
    rows, errors = read_rows(spec, source)
    report = ImportReport(total_rows=len(rows), errors=errors)
    if not rows:
        return report
    bad_rows = {e.row for e in errors}
    spec.prepare(rows, actor)
    for row in rows:
        if row.number in bad_rows:
            continue
        try:
            spec.validate_row(row, actor)
        except DomainError as exc:
            header = _header_of(spec, exc.field)
            where = f"Dòng {row.number}" + (f", cột «{header}»" if header else "")
            report.errors.append(RowError(row.number, header, f"{where}: {exc.message}"))
    if report.errors:
        report.errors.sort(key=lambda e: e.row)
        return report
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    with transaction.atomic():
                        counts[spec.apply_row(row.values, actor)] += 1
                except DomainError as exc:
                    header = _header_of(spec, exc.field)
                    where = f"Dòng {row.number}" + (f", cột «{header}»" if header else "")
                    report.errors.append(RowError(row.number, header, f"{where}: {exc.message}"))
            if report.errors or not commit:
                raise _Rollback
    except _Rollback:
        pass
    if not report.errors:
        report.created, report.updated, report.unchanged = (
            counts["created"],
            counts["updated"],
            counts["unchanged"],
        )
        report.committed = commit
    return report


def export_xlsx(
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet: str = "Danh sách",
) -> bytes:
    """A workbook whose first row is the headers, so it can be imported back."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    ws.sheet_properties.tabColor = "D4221E"
    for i, header in enumerate(headers):
        ws.column_dimensions[_column_letter(i)].width = max(10, min(40, len(header) + 4))
    bold = Font(bold=True)
    head = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = bold
        head.append(cell)
    ws.append(head)
    for row in rows:
        ws.append([_cell(v) for v in row])
    buf = io.BytesIO()
    wb.properties.title = title
    wb.save(buf)
    return buf.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def error_report_xlsx(report: ImportReport) -> bytes:
    return export_xlsx(
        title="Lỗi nhập",
        headers=["Dòng", "Cột", "Lỗi"],
        rows=([e.row, e.column, e.message] for e in report.errors),
        sheet="Lỗi",
    )


def template_xlsx(spec: ImportSpec) -> bytes:
    return export_xlsx(title=spec.title, headers=[c.header for c in spec.columns], rows=[])


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


Upsert = Callable[[dict[str, Any], Any], Outcome]
