"""Excel import (columns → typed rows → per-row report → all-or-nothing commit) and list export."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Container, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from buudien.core.errors import DomainError, ErrorCode
from buudien.core.ids import citizen_id_ok, normalise_phone, parse_citizen_id
from buudien.core.money import CURRENCY_WORDS, format_vnd
from buudien.core.text import fold

if TYPE_CHECKING:
    from buudien.core.models import User

Kind = Literal["text", "int", "money", "decimal", "date", "bool", "choice", "phone", "citizen_id"]
Outcome = Literal["created", "updated", "unchanged"]
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_TRUE = frozenset({"co", "c", "x", "yes", "y", "1", "true", "dung", "✓", "✔"})
_FALSE = frozenset({"khong", "k", "no", "n", "0", "false", "sai"})
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
_GROUPED_INT = re.compile(r"[+-]?\d{1,3}(?:[.\s]\d{3})+|[+-]?\d+")
_CURRENCY = re.compile(rf"\s*(?:{CURRENCY_WORDS})\.?$", re.IGNORECASE)
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_WIDTH_SAMPLE = 200


class _Readable(Protocol):
    def read(self) -> bytes: ...


Source = str | Path | bytes | _Readable


@dataclass(frozen=True)
class Column:
    """One column of an import: its code name, printed header and how its cells are read."""

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
    """A problem at an Excel row (0: the file as a whole) and column header ("": the whole row)."""

    row: int
    column: str
    message: str


@dataclass
class ParsedRow:
    """The typed values of one Excel row, keyed by column key."""

    number: int
    values: dict[str, Any]


@dataclass
class ImportReport:
    """What an import did, or would have done, and every error that stopped it."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0
    committed: bool = False

    @property
    def ok(self) -> bool:
        """True when no row has an error."""
        return not self.errors

    def summary(self) -> str:
        """One Vietnamese sentence for the top of the result page."""
        if self.errors:
            whole_file = [e.message for e in self.errors if e.row == 0]
            if whole_file:
                return _("Không nhập dòng nào: %(reason)s") % {"reason": " ".join(whole_file)}
            bad = len({e.row for e in self.errors})
            return _("Không nhập dòng nào: %(count)s dòng có lỗi.") % {"count": bad}
        counts = _("%(created)s thêm mới, %(updated)s cập nhật") % {
            "created": self.created,
            "updated": self.updated,
        }
        if self.unchanged:
            counts += _(", %(unchanged)s không đổi") % {"unchanged": self.unchanged}
        if self.committed:
            return _("Đã nhập %(total)s dòng: %(counts)s.") % {
                "total": self.total_rows,
                "counts": counts,
            }
        return _("Kiểm tra xong %(total)s dòng, không có lỗi (chưa ghi): %(counts)s.") % {
            "total": self.total_rows,
            "counts": counts,
        }


class ImportSpec:
    """Subclass per importer: columns, natural key, validation and the upsert of one row."""

    title: str = ""
    columns: Sequence[Column] = ()
    header_row_max: int = 10

    def row_key(self, values: dict[str, Any]) -> Hashable | None:
        """The row's identity; two rows of one file with the same key are an error."""
        return None

    def trusted(self, key: str) -> Container[Any]:
        """Cells of column `key` already checked when first imported (ids already registered):
        taken as they are, so that a long list repeated every month is not checked again."""
        return frozenset()

    def prepare(self, rows: list[ParsedRow], actor: User) -> None:
        """Load lookups once for all rows before any is validated."""

    def validate_row(self, row: ParsedRow, actor: User) -> None:
        """Cross-field and business checks; raise DomainError(field=column key)."""

    def apply_row(self, values: dict[str, Any], actor: User) -> Outcome:
        """Write one valid row, upserting by its natural key so a re-import updates."""
        raise NotImplementedError


class _Rollback(Exception):
    """Undo the whole import transaction without an error escaping run_import."""


# Reading -----------------------------------------------------------------------------------


def _load_grid(source: Source) -> list[list[Any]]:
    """The first visible worksheet as rows of cells, row i being Excel row i + 1."""
    if isinstance(source, (str, Path)):
        data = Path(source).read_bytes()
    elif isinstance(source, bytes):
        data = source
    else:
        seek = getattr(source, "seek", None)
        if callable(seek):
            seek(0)  # a form may already have read the upload to validate it
        data = source.read()
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    index = next(
        (
            i
            for i, meta in enumerate(book.sheets_metadata)
            if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
        ),
        0,
    )
    sheet = book.get_sheet_by_index(index)
    # Keep leading empty rows and columns so that row numbers are the ones Excel shows.
    grid: list[list[Any]] = sheet.to_python(skip_empty_area=False)
    return grid


def _header_key(text: object) -> str:
    """Accent-, case-, space- and punctuation-insensitive form of a header."""
    return _NOT_ALNUM.sub("", fold(str(text)))


def _find_header(spec: ImportSpec, grid: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """The header row (0-based) among the first rows and the cell index of each known column."""
    names = {
        column.key: {_header_key(column.header), *(_header_key(a) for a in column.aliases)}
        for column in spec.columns
    }
    best: tuple[int, dict[str, int]] | None = None
    for r, cells in enumerate(grid[: spec.header_row_max]):
        keys = [_header_key(v) if not _blank(v) else "" for v in cells]
        found: dict[str, int] = {}
        for column_key, accepted in names.items():
            index = next((i for i, k in enumerate(keys) if k and k in accepted), None)
            if index is not None:
                found[column_key] = index
        if found and (best is None or len(found) > len(best[1])):
            best = (r, found)
    return best


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _invalid(reason: str) -> DomainError:
    return DomainError(reason, code=ErrorCode.IMPORT_INVALID)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores every number as a float: 123 arrives as 123.0
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M" if value.time() else "%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _integer(value: Any, column: Column) -> int:
    money = column.kind == "money"
    if isinstance(value, bool):
        raise _invalid(_("phải là số, không phải đúng/sai."))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _invalid(
            _("số tiền phải là số đồng nguyên, không có phần lẻ.")
            if money
            else _("phải là số nguyên, không có phần lẻ.")
        )
    text = _CURRENCY.sub("", str(value).strip()) if money else str(value).strip()
    if _GROUPED_INT.fullmatch(text):
        return int(re.sub(r"[.\s]", "", text))
    raise _invalid(
        _("«%(value)s» không phải là số tiền; nhập số đồng, ví dụ 1.500.000.") % {"value": text}
        if money
        else _("«%(value)s» không phải là số nguyên, ví dụ 1.234.") % {"value": text}
    )


def _in_range(number: int | Decimal, column: Column) -> None:
    def show(limit: int) -> str:
        return format_vnd(limit) if column.kind == "money" else str(limit)

    low = column.min_value
    if low is None and column.kind == "money":
        low = 0
    if low is not None and number < low:
        if column.kind == "money" and low == 0:
            raise _invalid(_("số tiền không được âm."))
        raise _invalid(_("phải từ %(low)s trở lên.") % {"low": show(low)})
    if column.max_value is not None and number > column.max_value:
        raise _invalid(_("không được lớn hơn %(high)s.") % {"high": show(column.max_value)})


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _invalid(_("phải là số, không phải đúng/sai."))
    text = _text(value).replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise _invalid(_("«%(value)s» không phải là số, ví dụ 22.6657.") % {"value": _text(value)})
    return number


_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.split():
        head = value.split()[0]
        quick = _DMY.fullmatch(head)
        if quick:  # the common dd/mm/yyyy, without strptime's cost on long lists
            try:
                parsed = dt.date(int(quick[3]), int(quick[2]), int(quick[1]))
            except ValueError:
                parsed = None
            if parsed is not None and parsed.year >= 1900:
                return parsed
        for fmt in _DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(head, fmt).date()
            except ValueError:
                continue
            if parsed.year >= 1900:
                return parsed
    raise _invalid(
        _("«%(value)s» không phải là ngày; nhập dạng ngày/tháng/năm, ví dụ 01/03/2025.")
        % {"value": _text(value)}
    )


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    folded = fold(_text(value))
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise _invalid(
        _("«%(value)s» không hợp lệ; chỉ nhận «có» hoặc «không».") % {"value": _text(value)}
    )


def _choice(value: Any, choices: Mapping[str, str]) -> str:
    wanted = fold(_text(value))
    for label, stored in choices.items():
        if wanted in (fold(label), fold(stored)):
            return stored
    stored_values = set(choices.values())
    labels = [label for label in choices if label not in stored_values] or list(choices)
    allowed = ", ".join(f"«{label}»" for label in dict.fromkeys(labels))
    raise _invalid(
        _("«%(value)s» không có trong danh sách; chỉ nhận %(allowed)s.")
        % {"value": _text(value), "allowed": allowed}
    )


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def convert(column: Column, value: Any) -> Any:
    """One non-empty cell to its Python value; a DomainError carries the Vietnamese reason."""
    kind = column.kind
    if kind in ("int", "money"):
        number = _integer(value, column)
        _in_range(number, column)
        return number
    if kind == "decimal":
        amount = _decimal(value)
        _in_range(amount, column)
        return amount
    if kind == "date":
        return _date(value)
    if kind == "bool":
        return _bool(value)
    if kind == "choice":
        return _choice(value, column.choices or {})
    text = _text(value)
    if kind == "phone":
        if _numeric(value) and len(text) == 9:
            text = "0" + text  # Excel drops the leading zero of a number typed as a number
        return normalise_phone(text)
    if kind == "citizen_id":
        if _numeric(value) and len(text) in (10, 11):
            text = text.zfill(12)  # same: province codes 001-096 start with one or two zeros
        return parse_citizen_id(text).number
    if column.max_length is not None and len(text) > column.max_length:
        raise _invalid(_("dài quá %(max)s ký tự.") % {"max": column.max_length})
    return text


def cell_error(row: int, header: str, reason: str) -> RowError:
    """The error of one cell (or, without a header, of the whole row), named as Excel shows it."""
    if header:
        message = _("Dòng %(row)s, cột «%(column)s»: %(reason)s") % {
            "row": row,
            "column": header,
            "reason": reason,
        }
    else:
        message = _("Dòng %(row)s: %(reason)s") % {"row": row, "reason": reason}
    return RowError(row, header, message)


def read_rows(spec: ImportSpec, source: Source) -> tuple[list[ParsedRow], list[RowError]]:
    """Typed rows and every error of the file, each naming its Excel row and column."""
    try:
        grid = _load_grid(source)
    except (CalamineError, ValueError, TypeError):
        return [], [RowError(0, "", _("Tệp không phải là bảng tính Excel hợp lệ (.xlsx)."))]
    found = _find_header(spec, grid)
    if found is None:
        expected = [c for c in spec.columns if c.required] or list(spec.columns)
        message = _(
            "Không tìm thấy dòng tiêu đề trong %(n)s dòng đầu; cần có các cột %(cols)s."
        ) % {"n": spec.header_row_max, "cols": ", ".join(f"«{c.header}»" for c in expected)}
        return [], [RowError(0, "", message)]
    header_at, index = found
    missing = [c for c in spec.columns if c.required and c.key not in index]
    if missing:
        return [], [
            RowError(0, c.header, _("Thiếu cột bắt buộc «%(column)s».") % {"column": c.header})
            for c in missing
        ]
    body, numbers = _data_rows(grid, header_at + 1, list(index.values()))
    errors: list[RowError] = []
    values = [
        _read_column(spec, column, index.get(column.key), body=body, numbers=numbers, errors=errors)
        for column in spec.columns
    ]
    by_key = partial(zip, [column.key for column in spec.columns])
    rows = list(map(ParsedRow, numbers, map(dict, map(by_key, zip(*values, strict=True)))))
    errors += _duplicate_keys(spec, rows, bad={e.row for e in errors})
    errors.sort(key=lambda e: e.row)  # stable: a row's cells stay in the order of the columns
    return rows, errors


def _data_rows(
    grid: list[list[Any]], start: int, cells: list[int]
) -> tuple[list[list[Any]], list[int]]:
    """The rows from `start` on with something in the spec's columns, each long enough to
    hold them, and their numbers as Excel shows them."""
    width = max(cells) + 1
    first = cells[0]
    below = grid[start:]
    if min(map(len, below), default=width) >= width and not any(
        map(_blank, [row[first] for row in below])
    ):
        return below, list(range(start + 1, len(grid) + 1))  # no blank row: every row counts
    body: list[list[Any]] = []
    numbers: list[int] = []
    for r in range(start, len(grid)):
        row = grid[r]
        if len(row) < width:
            row = row + [None] * (width - len(row))
        if _blank(row[first]) and all(_blank(row[i]) for i in cells):
            continue  # a blank row between blocks of the list
        body.append(row)
        numbers.append(r + 1)
    return body, numbers


class _Refused(Exception):
    """A cell the quick check does not accept: the column is read again cell by cell."""


def _read_column(
    spec: ImportSpec,
    column: Column,
    at: int | None,
    *,
    body: list[list[Any]],
    numbers: list[int],
    errors: list[RowError],
) -> list[Any]:
    """One column's values: the whole column at once when its cells are all of the common
    type, else each cell quickly, and only a column with a bad cell again, cell by cell, for
    each bad cell's exact reason."""
    if at is None:
        return [None] * len(body)  # an optional column the file does not have
    cells = [row[at] for row in body]
    trusted = spec.trusted(column.key)
    whole = _at_once(column, cells, trusted)
    if whole is not None:
        return whole
    quick = _quick(column, trusted)
    try:
        return list(map(quick, cells))
    except _Refused:
        pass
    values: list[Any] = []
    for number, value in zip(numbers, cells, strict=True):
        try:
            values.append(quick(value))
            continue
        except _Refused:
            values.append(None)
        if _blank(value):
            errors.append(cell_error(number, column.header, _("không được để trống.")))
            continue
        try:
            values[-1] = convert(column, value)
        except DomainError as exc:
            errors.append(cell_error(number, column.header, exc.message))
    return values


def _at_once(column: Column, cells: list[Any], trusted: Container[Any]) -> list[Any] | None:
    """The column's values when every cell is of the type a column of its kind usually holds,
    each checked by the interpreter's own loops; None when a cell needs a closer look."""
    if column.kind == "citizen_id":
        return list(cells) if all(map(trusted.__contains__, cells)) else None
    types = set(map(type, cells))
    if column.kind in ("int", "money"):
        return _integers_at_once(column, cells) if types == {float} else None
    if types != {str}:
        return None
    if column.kind == "text":
        return _texts_at_once(column, cells)
    check = _checked(column)  # dates, choices, yes/no: few distinct texts, each checked once
    try:
        seen = {text: check(text) for text in set(cells)}
    except _Refused:
        return None
    return list(map(seen.__getitem__, cells))


def _texts_at_once(column: Column, cells: list[str]) -> list[Any] | None:
    """A text column, stripped, when no cell is too long (and none blank, if required)."""
    texts = list(map(str.strip, cells))
    longest = sys.maxsize if column.max_length is None else column.max_length
    if max(map(len, texts), default=0) > longest:
        return None
    if all(texts):
        return texts
    return None if column.required else [text or None for text in texts]


def _integers_at_once(column: Column, cells: list[float]) -> list[Any] | None:
    """Excel keeps every number as a float: whole and within the limits, each is an int."""
    if not cells or not all(map(float.is_integer, cells)):
        return None
    low, high = _limits(column)
    if min(cells) < low or max(cells) > high:
        return None
    return list(map(int, cells))


def _limits(column: Column) -> tuple[float, float]:
    """The lowest and highest number a column takes (no amount of money is negative)."""
    low: float = -math.inf if column.kind != "money" else 0
    high: float = math.inf
    if column.min_value is not None:
        low = column.min_value
    if column.max_value is not None:
        high = column.max_value
    return low, high


def _quick(column: Column, trusted: Container[Any]) -> Callable[[Any], Any]:
    """A cell to its value as `convert` gives it, or _Refused: the common cells of a kind are
    checked inline, the rest by `convert` (remembered for text that repeats)."""
    checked = _checked(column)
    if column.kind == "text":
        return _quick_text(column.max_length, checked)
    if column.kind in ("int", "money"):
        return _quick_integer(column, checked)
    if column.kind == "citizen_id":
        return _quick_citizen_id(trusted, checked)
    if column.kind == "date":
        return _quick_date(checked)
    return checked


def _checked(column: Column) -> Callable[[Any], Any]:
    """`convert` for one cell (None for an allowed blank); text already seen is not converted
    again, as a list repeats the same dates and choices many times."""
    seen: dict[str, Any] = {}
    required = column.required

    def check(value: Any) -> Any:
        text = value.__class__ is str
        if text and value in seen:
            return seen[value]
        if _blank(value):
            if required:
                raise _Refused
            result = None
        else:
            try:
                result = convert(column, value)
            except DomainError:
                raise _Refused from None
        if text:
            seen[value] = result
        return result

    return check


def _quick_text(limit: int | None, checked: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Text short enough, stripped; anything else as `convert` says."""
    longest = sys.maxsize if limit is None else limit

    def quick(value: Any) -> Any:
        if value.__class__ is str:
            text: str = value.strip()
            if text and len(text) <= longest:
                return text
        return checked(value)

    return quick


def _quick_integer(column: Column, checked: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A whole number within the column's limits; anything else as `convert` says."""
    low, high = _limits(column)

    def quick(value: Any) -> Any:
        kind = value.__class__
        if (kind is int or (kind is float and value.is_integer())) and low <= value <= high:
            return int(value)
        return checked(value)

    return quick


def _quick_citizen_id(
    trusted: Container[Any], checked: Callable[[Any], Any]
) -> Callable[[Any], Any]:
    """A trusted id, or a clean one the quick test accepts; anything else as `convert` says."""
    this_year = dt.date.today().year

    def quick(value: Any) -> Any:
        if value in trusted or (value.__class__ is str and citizen_id_ok(value, this_year)):
            return value
        return checked(value)

    return quick


def _quick_date(checked: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A date cell as it is (a date and time: its day); text as `convert` reads it."""

    def quick(value: Any) -> Any:
        kind = value.__class__
        if kind is dt.date:
            return value
        if kind is dt.datetime:
            return value.date()
        return checked(value)

    return quick


def _duplicate_keys(spec: ImportSpec, rows: list[ParsedRow], *, bad: set[int]) -> list[RowError]:
    """A later row with the key of an earlier one, each named with the row it repeats."""
    good = [row for row in rows if row.number not in bad] if bad else rows  # others: incomplete
    keys = list(map(spec.row_key, [row.values for row in good]))
    known = [key for key in keys if key is not None]
    if len(set(known)) == len(known):
        return []  # no key twice
    errors = []
    first_seen: dict[Hashable, int] = {}
    for row, key in zip(good, keys, strict=True):
        if key is None:
            continue
        first = first_seen.setdefault(key, row.number)
        if first != row.number:
            reason = _("trùng với dòng %(first)s trong cùng tệp.") % {"first": first}
            errors.append(cell_error(row.number, "", reason))
    return errors


# Importing ---------------------------------------------------------------------------------


def _domain_error(spec: ImportSpec, row: int, exc: DomainError) -> RowError:
    header = next((c.header for c in spec.columns if c.key == exc.field), "")
    return cell_error(row, header, exc.message)


def run_import(spec: ImportSpec, source: Any, *, actor: User, commit: bool = True) -> ImportReport:
    """Check every row; write them all in one transaction only if not one of them is wrong."""
    # `source` is Any, not Source: views pass request.FILES[...], typed UploadedFile | list.
    rows, errors = read_rows(spec, source)
    report = ImportReport(total_rows=len(rows), errors=errors)
    if not rows:
        if not errors:
            report.errors.append(RowError(0, "", _("Tệp không có dòng dữ liệu nào.")))
        return report
    spec.prepare(rows, actor)
    bad_rows = {e.row for e in errors}
    for row in rows:
        if row.number in bad_rows:
            continue  # its values are incomplete; business checks would only add noise
        try:
            spec.validate_row(row, actor)
        except DomainError as exc:
            report.errors.append(_domain_error(spec, row.number, exc))
    if report.errors:
        report.errors.sort(key=lambda e: e.row)
        return report

    counts: Counter[str] = Counter()
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    with transaction.atomic():
                        counts[spec.apply_row(row.values, actor)] += 1
                except DomainError as exc:
                    report.errors.append(_domain_error(spec, row.number, exc))
            if report.errors or not commit:
                raise _Rollback
    except _Rollback:
        pass
    if not report.errors:
        report.created = counts["created"]
        report.updated = counts["updated"]
        report.unchanged = counts["unchanged"]
        report.committed = commit
    return report


# Writing -----------------------------------------------------------------------------------


# What a spreadsheet may run as a formula when a cell begins with it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _sheet_title(name: str) -> str:
    return _SHEET_FORBIDDEN.sub("-", name).strip("'")[:31] or _("Danh sách")


def _cell(sheet: Any, value: Any) -> Any:
    """A value openpyxl can write: dates shown as dd/mm/yyyy, text never run as a formula."""
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY HH:MM"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if text.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # a name typed as "=..." must not become a live formula
        return cell
    return text


def defuse_formulas(sheet: Any) -> None:
    """Mark every text cell of a (normal) worksheet that looks like a formula as plain text."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type = "s"


def _width(value: Any) -> int:
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, (str, Promise)):
        return max((len(line) for line in str(value).splitlines()), default=0)
    return len(str(value)) if value is not None else 0


def export_xlsx(
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet: str = "",
) -> bytes:
    """A list as a workbook whose first row is the headers, so the file can be imported back."""
    book = Workbook(write_only=True)
    book.properties.title = title
    ws = book.create_sheet(_sheet_title(sheet))
    remaining = iter(rows)
    sample = list(islice(remaining, _WIDTH_SAMPLE))  # widths must be set before the first row
    widths = [len(str(h)) for h in headers]
    for row in sample:
        for i, value in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], _width(value))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", str(header)))
        cell.font = bold
        head.append(cell)
    ws.append(head)
    for row in chain(sample, remaining):
        ws.append([_cell(ws, v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def error_report_xlsx(report: ImportReport) -> bytes:
    """The errors of an import as a workbook the user can sort and tick off."""
    return export_xlsx(
        title=_("Lỗi nhập Excel"),
        headers=[_("Dòng"), _("Cột"), _("Lỗi")],
        rows=([e.row or None, e.column, e.message] for e in report.errors),
        sheet=_("Lỗi"),
    )


def template_xlsx(spec: ImportSpec) -> bytes:
    """An empty workbook with the spec's headers, for users to fill in."""
    return export_xlsx(
        title=spec.title,
        headers=[c.header for c in spec.columns],
        rows=[],
        sheet=spec.title or _("Danh sách"),
    )


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A download of a workbook under a (possibly Vietnamese) file name."""
    if not filename.lower().endswith(".xlsx"):
        filename += ".xlsx"
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response
