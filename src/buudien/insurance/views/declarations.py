"""Insurance pages of the agency exchange: the declaration lists (made from the payments not
yet declared, downloaded in the agency's layout) and the agency's confirmation read back."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from buudien.core import audit
from buudien.core.errors import DomainError, Forbidden, NotFound, OutOfScope
from buudien.core.excel import (
    ImportReport,
    RowError,
    defuse_formulas,
    error_report_xlsx,
    export_xlsx,
    xlsx_response,
)
from buudien.core.forms import cleaned_or_initial, errors_of
from buudien.core.ids import mask_citizen_id
from buudien.core.permissions import Target, allows, guard, require
from buudien.core.scoping import require_user
from buudien.insurance import services
from buudien.insurance.models import Declaration, ModeCode, PaymentLine, SchemeCode
from buudien.insurance.selectors import declarations as selectors
from buudien.network import selectors as network_selectors
from buudien.network.selectors import UnitFilter

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from buudien.core.models import User
    from buudien.network.models import PostUnit

ACCESS_ERRORS = (Forbidden, NotFound, OutOfScope)
PER_PAGE = 50
UNITS_OFFERED = 500
ERRORS_SHOWN = 200
INVALID = 422
ANY = [("", gettext_lazy("– tất cả –"))]
SORTS = [
    ("", gettext_lazy("Mới lập trước")),
    ("created", gettext_lazy("Cũ trước")),
    ("number", gettext_lazy("Số danh sách")),
    ("unit", gettext_lazy("Đơn vị")),
    ("-total", gettext_lazy("Tổng tiền lớn trước")),
    ("state", gettext_lazy("Trạng thái")),
]
STATE_BADGES = {"sent": "info", "confirmed": "ok", "paid": "info", "rejected": "bad"}
SEXES = {"nam": gettext_lazy("Nam"), "nu": gettext_lazy("Nữ")}


# --- forms ----------------------------------------------------------------------------------


def unit_choices(user: User) -> list[tuple[str, str]]:
    """The units in scope a list may be made for (the province, areas, offices, points)."""
    units = network_selectors.units(user, UnitFilter(sort="code"))
    rows = units.values_list("code", "name", "depth")[:UNITS_OFFERED]
    return [(code, "\u2003" * max(depth - 1, 0) + f"{name} ({code})") for code, name, depth in rows]


class Filters(forms.Form):
    """The list's filters: a wrong value is named and ignored, the list still shows."""

    scheme = forms.ChoiceField(
        label=gettext_lazy("Loại bảo hiểm"), required=False, choices=ANY + SchemeCode.choices
    )
    state = forms.ChoiceField(
        label=gettext_lazy("Trạng thái"), required=False, choices=ANY + Declaration.State.choices
    )
    unit = forms.CharField(label=gettext_lazy("Đơn vị"), required=False, max_length=20)
    q = forms.CharField(label=gettext_lazy("Số danh sách"), required=False, max_length=30)
    sort = forms.ChoiceField(label=gettext_lazy("Sắp xếp"), required=False, choices=SORTS)
    format = forms.ChoiceField(required=False, choices=[("", "HTML"), ("xlsx", "Excel")])


class MakeForm(forms.Form):
    """A new list: the scheme, and the unit whose payments it gathers."""

    scheme = forms.ChoiceField(label=gettext_lazy("Loại bảo hiểm"), choices=SchemeCode.choices)
    unit = forms.ChoiceField(label=gettext_lazy("Đơn vị"))

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]


def _put_error(form: forms.Form, exc: DomainError) -> None:
    """A business refusal next to the field it names (else above the form)."""
    if isinstance(exc, Forbidden):
        raise exc
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _home_code(user: User) -> str:
    try:
        return network_selectors.home_unit(user=user).code
    except DomainError:
        return ""


# --- the lists ------------------------------------------------------------------------------


@guard(read="insurance.view", write="insurance.declare")
def declarations(request: HttpRequest) -> HttpResponse:
    """The lists in scope, filtered and paged; a manager makes a new one here from the
    payments of a scheme under a unit not yet declared."""
    user = require_user(request.user)
    can_declare = allows(user, "insurance.declare")
    units = unit_choices(user) if can_declare else []
    make = MakeForm(initial={"unit": _home_code(user)}, units=units)
    if request.method == "POST":
        make = MakeForm(request.POST, units=units)
        made = _make(request, user, make)
        if made is not None:
            return made
    filters = Filters(request.GET)
    values = cleaned_or_initial(filters)
    problems = errors_of(filters)
    unit = _filter_unit(user, values["unit"] or "", problems)
    qs = selectors.declarations(
        user=user,
        scheme=values["scheme"] or "",
        state=values["state"] or "",
        unit=unit,
        q=values["q"] or "",
        sort=values["sort"] or "",
    )
    if values["format"] == "xlsx":
        return _lists_xlsx(qs)
    page = Paginator(qs, PER_PAGE).get_page(str(request.GET.get("page", ""))[:12])
    context = {
        "filters": filters,
        "values": values,
        "problems": problems,
        "page": page,
        "rows": [(d, STATE_BADGES.get(d.state, "")) for d in page.object_list],
        "make": make,
        "can_declare": can_declare,
        "waiting": _waiting(user),
        "units": unit_choices(user) if not can_declare else units,
        "section": "declarations",
    }
    return render(request, "insurance/declarations.html", context)


def _filter_unit(user: User, code: str, problems: list[str]) -> PostUnit | None:
    if not code:
        return None
    try:
        return network_selectors.unit_by_code(user, code)
    except (NotFound, OutOfScope) as exc:
        problems.append(exc.message)
        return None


def _waiting(user: User) -> list[tuple[str, str, int]]:
    counted = selectors.waiting(user=user)
    return [(code, str(label), counted[code]) for code, label in SchemeCode.choices]


def _make(request: HttpRequest, user: User, form: MakeForm) -> HttpResponse | None:
    """Make the list the form asks for; None (the form holds why) when it cannot be made."""
    if not form.is_valid():
        return None
    try:
        unit = network_selectors.unit_by_code(user, form.cleaned_data["unit"])
        made = services.make_declaration(
            actor=user, unit=unit, scheme_code=form.cleaned_data["scheme"]
        )
    except (NotFound, OutOfScope) as exc:
        form.add_error("unit", exc.message)
        return None
    except DomainError as exc:
        _put_error(form, exc)
        return None
    messages.success(
        request,
        _("Đã lập danh sách %(number)s: %(n)s dòng.") % {"number": made.number, "n": made.lines},
    )
    return redirect("insurance:declaration", pk=made.pk)


def _lists_xlsx(qs: QuerySet[Declaration]) -> HttpResponse:
    """The filtered lists as a workbook (no personal data in it)."""

    def when(moment: Any) -> Any:
        return timezone.localtime(moment).replace(tzinfo=None) if moment else None

    rows = (
        [
            d.number,
            d.scheme.name,
            d.unit.code,
            d.unit.name,
            d.lines,
            d.total,
            d.get_state_display(),
            d.made_by.display_name,
            when(d.created_at),
            when(d.confirmed_at),
        ]
        for d in qs.iterator(chunk_size=2000)
    )
    headers = [
        _("Số danh sách"),
        _("Loại bảo hiểm"),
        _("Mã đơn vị"),
        _("Đơn vị"),
        _("Số dòng"),
        _("Tổng tiền"),
        _("Trạng thái"),
        _("Người lập"),
        _("Lập lúc"),
        _("Có kết quả lúc"),
    ]
    content = export_xlsx(
        title=_("Danh sách kê khai"), headers=headers, rows=rows, sheet=_("Kê khai")
    )
    return xlsx_response(content, "danh-sach-ke-khai.xlsx")


# --- one list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineRow:
    """A line as the page shows it: the citizen id masked."""

    line: PaymentLine
    citizen_id: str
    badge: str


def _agency_target(found: Declaration) -> Target:
    return Target(path=found.unit.path, agency_id=found.scheme.agency_id)


def _detail(request: HttpRequest, user: User, found: Declaration, **extra: Any) -> dict[str, Any]:
    """What the list's page shows: its lines (a page of them), totals and what the user may do."""
    qs = selectors.lines(found)
    page = Paginator(qs, PER_PAGE).get_page(str(request.GET.get("page", ""))[:12])
    rows = [
        LineRow(ln, mask_citizen_id(ln.participant.citizen_id), STATE_BADGES.get(ln.state, ""))
        for ln in page.object_list
    ]
    sums = qs.aggregate(amount=Sum("amount"), support=Sum("support"), months=Sum("months"))
    return {
        "d": found,
        "page": page,
        "rows": rows,
        "sums": {k: v or 0 for k, v in sums.items()},
        "answers": selectors.answers(found),
        "can_download": allows(user, "insurance.declare", Target(path=found.unit.path)),
        "can_confirm": allows(user, "insurance.confirm", _agency_target(found)),
        "columns": services.CONFIRMATION_COLUMNS,
        "voluntary": found.scheme_id == SchemeCode.VOLUNTARY_SOCIAL,
        "section": "declarations",
        "errors": [],
        **extra,
    }


@guard(read="insurance.view")
def declaration(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """One list: its lines with the agency's answer, the download, the confirmation upload."""
    user = require_user(request.user)
    found = selectors.declaration(user=user, pk=pk)
    return render(request, "insurance/declaration.html", _detail(request, user, found))


@guard(write="insurance.confirm")
def declaration_confirm(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Read the agency's answer; errors are listed by row and column, and nothing is written."""
    user = require_user(request.user)
    found = selectors.declaration(user=user, pk=pk)
    require(user, "insurance.confirm", _agency_target(found))
    try:
        result = services.confirm_declaration(
            actor=user, declaration=found, source=request.FILES.get("file")
        )
    except ACCESS_ERRORS:
        raise
    except DomainError as exc:
        result = services.ConfirmationResult(errors=[RowError(0, "", exc.message)])
    if result.ok:
        messages.success(request, _confirmed_text(result))
        return redirect("insurance:declaration", pk=found.pk)
    if request.POST.get("as") == "xlsx":
        return xlsx_response(
            error_report_xlsx(ImportReport(errors=result.errors)),
            f"loi-xac-nhan-{found.number}.xlsx",
        )
    context = _detail(request, user, found, errors=_shown(result.errors))
    context["errors_total"] = len(result.errors)
    return render(request, "insurance/declaration.html", context, status=INVALID)


def _confirmed_text(result: services.ConfirmationResult) -> str:
    text = _("Đã nhập kết quả: %(c)s dòng được xác nhận, %(r)s dòng bị từ chối.") % {
        "c": result.confirmed,
        "r": result.refused,
    }
    if result.numbers:
        text += " " + _("%(n)s người được cấp mã số BHXH.") % {"n": result.numbers}
    return text


def _shown(errors: list[RowError]) -> list[RowError]:
    return errors[:ERRORS_SHOWN]


@guard(read="insurance.confirm")
def declaration_template(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The confirmation workbook to fill in: each line's citizen id, number and first day,
    with the result and reason left for the agency."""
    user = require_user(request.user)
    found = selectors.declaration(user=user, pk=pk)
    require(user, "insurance.confirm", _agency_target(found))
    lines = services.declaration_rows(found)
    _record_export(user, found, len(lines), _("Tải mẫu kết quả xác nhận (đủ số CCCD)"))
    rows = (
        [
            ln.participant.citizen_id,
            ln.participant.si_number or "",
            ln.period_from,
            "",
            ln.note if ln.state != PaymentLine.State.PAID else "",
        ]
        for ln in lines
    )
    content = export_xlsx(
        title=_("Kết quả xác nhận %(n)s") % {"n": found.number},
        headers=[str(c.header) for c in services.CONFIRMATION_COLUMNS],
        rows=rows,
        sheet=_("Kết quả xác nhận"),
    )
    return xlsx_response(content, f"xac-nhan-{found.number}.xlsx")


def _record_export(user: User, found: Declaration, count: int, note: str) -> None:
    audit.record_access(
        actor=user,
        action="insurance.declaration_exported",
        object_type="insurance.declaration",
        count=count,
        unit_path=found.unit.path,
        note=f"{note}: {found.number}",
    )


# --- the agency's layout --------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyColumn:
    header: Any
    width: int
    value: Callable[[int, PaymentLine, Declaration], Any]
    kind: str = "text"  # text, date, money, int
    summed: bool = False  # added up in the total row


def _address(ln: PaymentLine) -> str:
    person = ln.participant
    commune = person.commune.name if person.commune else ""
    return ", ".join(part for part in (person.hamlet, commune) if part)


def _mode(ln: PaymentLine) -> str:
    mode = ln.payment.mode
    return str(ModeCode(mode).label) if mode in ModeCode.values else mode


def _note(ln: PaymentLine) -> str:
    kind = _("Tham gia mới") if ln.is_new else _("Đóng tiếp")
    return "; ".join(part for part in (kind, ln.payment.receipt_no, ln.note) if part)


COMMON_HEAD = [
    AgencyColumn(gettext_lazy("STT"), 5, lambda n, ln, d: n, "int"),
    AgencyColumn(gettext_lazy("Họ và tên"), 24, lambda n, ln, d: ln.participant.name),
    AgencyColumn(gettext_lazy("Mã số BHXH"), 12, lambda n, ln, d: ln.participant.si_number or ""),
    AgencyColumn(gettext_lazy("Ngày sinh"), 11, lambda n, ln, d: ln.participant.birth_date, "date"),
    AgencyColumn(
        gettext_lazy("Giới tính"), 8, lambda n, ln, d: str(SEXES.get(ln.participant.sex, ""))
    ),
    AgencyColumn(gettext_lazy("Số CCCD"), 14, lambda n, ln, d: ln.participant.citizen_id),
    AgencyColumn(gettext_lazy("Địa chỉ (thôn, xã)"), 28, lambda n, ln, d: _address(ln)),
]
INCOME = AgencyColumn(gettext_lazy("Mức thu nhập"), 13, lambda n, ln, d: ln.income, "money")
PERIOD = [
    AgencyColumn(gettext_lazy("Phương thức đóng"), 16, lambda n, ln, d: _mode(ln)),
    AgencyColumn(gettext_lazy("Từ ngày"), 11, lambda n, ln, d: ln.period_from, "date"),
    AgencyColumn(gettext_lazy("Đến ngày"), 11, lambda n, ln, d: ln.period_to, "date"),
    AgencyColumn(gettext_lazy("Số tháng"), 7, lambda n, ln, d: ln.months, "int", summed=True),
    AgencyColumn(
        gettext_lazy("Số tiền phải đóng"), 14, lambda n, ln, d: ln.amount, "money", summed=True
    ),
    AgencyColumn(
        gettext_lazy("NSNN hỗ trợ"), 12, lambda n, ln, d: ln.support, "money", summed=True
    ),
]
MEMBER = AgencyColumn(gettext_lazy("Người thứ"), 8, lambda n, ln, d: ln.member_order, "int")
NOTE = AgencyColumn(gettext_lazy("Ghi chú"), 24, lambda n, ln, d: _note(ln))
TITLE_ROWS = 7  # the header of the table is on the row after the title block
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def agency_columns(scheme: str) -> list[AgencyColumn]:
    """The table's columns: the income for voluntary insurance, the member's rank for
    household health insurance."""
    if scheme == SchemeCode.VOLUNTARY_SOCIAL:
        return [*COMMON_HEAD, INCOME, *PERIOD, NOTE]
    return [*COMMON_HEAD, *PERIOD, MEMBER, NOTE]


def _merged(sheet: Worksheet, row: int, width: int, value: str, font: Font) -> None:
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    cell = sheet.cell(row=row, column=1, value=value)
    cell.font = font
    cell.alignment = Alignment(horizontal="center")


def _title_block(sheet: Worksheet, found: Declaration, width: int) -> None:
    """The unit, the form's code, the list's title, number and date, and the agency."""
    day = timezone.localtime(found.created_at)
    sheet.cell(row=1, column=1, value=found.unit.name.upper()).font = Font(bold=True)
    sheet.cell(row=2, column=1, value=_("Mã đơn vị: %(c)s") % {"c": found.unit.code})
    form = sheet.cell(
        row=1, column=width, value=_("Mẫu %(f)s") % {"f": found.scheme.declaration_form}
    )
    form.font = Font(bold=True)
    form.alignment = Alignment(horizontal="right")
    title = _("DANH SÁCH NGƯỜI THAM GIA %(s)s") % {"s": found.scheme.name.upper()}
    _merged(sheet, 4, width, title, Font(bold=True, size=14))
    dated = _("Số: %(n)s – ngày %(d)s tháng %(m)s năm %(y)s") % {
        "n": found.number,
        "d": f"{day:%d}",
        "m": f"{day:%m}",
        "y": f"{day:%Y}",
    }
    _merged(sheet, 5, width, dated, Font(italic=True))
    agency = _("Kính gửi: %(a)s") % {"a": found.scheme.agency.name}
    _merged(sheet, 6, width, agency, Font())


def _table_head(sheet: Worksheet, columns: list[AgencyColumn]) -> int:
    row = TITLE_ROWS + 1
    for i, column in enumerate(columns, start=1):
        head = sheet.cell(row=row, column=i, value=str(column.header))
        head.font = Font(bold=True)
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        head.border = BOX
        number = sheet.cell(row=row + 1, column=i, value=f"({i})")
        number.font = Font(italic=True)
        number.alignment = Alignment(horizontal="center")
        number.border = BOX
        sheet.column_dimensions[get_column_letter(i)].width = column.width
    sheet.freeze_panes = sheet.cell(row=row + 2, column=1)
    return row + 2


def _put(sheet: Worksheet, row: int, col: int, value: Any, kind: str) -> None:
    cell = sheet.cell(row=row, column=col, value=value)
    cell.border = BOX
    if kind == "date":
        cell.number_format = "DD/MM/YYYY"
    elif kind == "money":
        cell.number_format = "#,##0"


def _body(
    sheet: Worksheet, first: int, columns: list[AgencyColumn], found: Declaration, lines: list[Any]
) -> int:
    """The lines, then the total row; the row after the table."""
    totals = {i: 0 for i, c in enumerate(columns, start=1) if c.summed}
    row = first
    for n, ln in enumerate(lines, start=1):
        for i, column in enumerate(columns, start=1):
            value = column.value(n, ln, found)
            _put(sheet, row, i, value, column.kind)
            if i in totals:
                totals[i] += value or 0
        row += 1
    for i, column in enumerate(columns, start=1):
        _put(sheet, row, i, totals.get(i), column.kind)
        sheet.cell(row=row, column=i).font = Font(bold=True)
    sheet.cell(row=row, column=2, value=_("Tổng cộng"))
    return row + 1


def _signatures(sheet: Worksheet, row: int, found: Declaration, width: int) -> None:
    sheet.cell(row=row + 1, column=2, value=_("Người lập biểu")).font = Font(bold=True)
    sheet.cell(row=row + 1, column=width - 2, value=_("Thủ trưởng đơn vị")).font = Font(bold=True)
    sheet.cell(row=row + 2, column=2, value=_("(Ký, ghi rõ họ tên)")).font = Font(italic=True)
    sheet.cell(row=row + 2, column=width - 2, value=_("(Ký tên, đóng dấu)")).font = Font(
        italic=True
    )
    sheet.cell(row=row + 6, column=2, value=found.made_by.display_name)


def agency_workbook(found: Declaration, lines: list[PaymentLine]) -> bytes:
    """The declaration list in the agency's layout, formulas defused."""
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = found.scheme.declaration_form or "DS"
    book.properties.title = found.number
    columns = agency_columns(found.scheme_id)
    _title_block(sheet, found, len(columns))
    after = _body(sheet, _table_head(sheet, columns), columns, found, lines)
    _signatures(sheet, after, found, len(columns))
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    defuse_formulas(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@guard(read="insurance.declare")
def declaration_xlsx(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The list in the agency's layout, with full citizen ids (it goes to the agency)."""
    user = require_user(request.user)
    found = selectors.declaration(user=user, pk=pk)
    require(user, "insurance.declare", Target(path=found.unit.path))
    lines = services.declaration_rows(found)
    _record_export(user, found, len(lines), _("Tải danh sách kê khai (đủ số CCCD)"))
    return xlsx_response(agency_workbook(found, lines), f"{found.number}.xlsx")


urlpatterns: list[URLPattern] = [
    path("ke-khai/", declarations, name="declarations"),
    path("ke-khai/<uuid:pk>/", declaration, name="declaration"),
    path("ke-khai/<uuid:pk>/tai-ve/", declaration_xlsx, name="declaration_xlsx"),
    path("ke-khai/<uuid:pk>/mau-xac-nhan/", declaration_template, name="declaration_template"),
    path("ke-khai/<uuid:pk>/xac-nhan/", declaration_confirm, name="declaration_confirm"),
]
