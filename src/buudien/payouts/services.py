"""Payouts: import a month's list, pay each line exactly once, return, close and reconcile."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable, Container
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from buudien.core import audit, permissions
from buudien.core.bulk import id_map, insert_rows, paused_gc
from buudien.core.errors import DomainError
from buudien.core.excel import Column, ImportSpec, ParsedRow, RowError, convert, read_rows
from buudien.core.ids import citizen_id_ok, mask_citizen_id, parse_citizen_id
from buudien.core.models import User, uuid7
from buudien.core.permissions import Target
from buudien.core.text import build_search_text, fold
from buudien.core.uploads import check_upload
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession, LedgerEntry
from buudien.network.models import Commune, PostUnit
from buudien.payouts import selectors
from buudien.payouts.errors import PayoutCode, PayoutError
from buudien.payouts.models import Beneficiary, ColumnMapping, Payout, PayoutList, Programme
from buudien.payouts.selectors import beneficiary_target, line_target, list_target, programme_target

B = Beneficiary
BENEFICIARY_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "version",
    "citizen_id",
    "name",
    "birth_date",
    "sex",
    "commune_id",
    "hamlet",
    "point_id",
    "method",
    "account_kind",
    "account_no",
    "authorised_name",
    "authorised_id",
    "authorised_until",
    "status",
    "status_date",
    "status_source",
    "search_text",
]
PAYOUT_COLUMNS = [
    "list_id",
    "beneficiary_id",
    "point_id",
    "row",
    "amount",
    "method",
    "status",
    "receiver",
    "return_reason",
]
METHODS = {
    "Tại quầy": B.Method.COUNTER,
    "Tại nhà": B.Method.HOME,
    "Qua tài khoản": B.Method.ACCOUNT,
    "Tài khoản": B.Method.ACCOUNT,
    "counter": B.Method.COUNTER,
    "home": B.Method.HOME,
    "account": B.Method.ACCOUNT,
}
DEFAULT_HEADERS = {
    "citizen_id": "Số CCCD",
    "name": "Họ tên",
    "birth_date": "Ngày sinh",
    "amount": "Số tiền",
    "commune": "Mã xã",
    "point": "Mã điểm",
    "method": "Hình thức nhận",
    "account_no": "Số tài khoản",
    "hamlet": "Thôn, bản",
}


def columns(mapping: dict[str, str] | None = None) -> list[Column]:
    h = DEFAULT_HEADERS | (mapping or {})
    return [
        Column("citizen_id", h["citizen_id"], kind="citizen_id", required=True),
        Column("name", h["name"], required=True, max_length=200),
        Column("birth_date", h["birth_date"], kind="date"),
        Column(
            "amount",
            h["amount"],
            kind="money",
            required=True,
            min_value=1,
            max_value=10_000_000_000,
        ),
        Column("commune", h["commune"], kind="int"),
        Column("point", h["point"], required=True, max_length=20),
        Column("method", h["method"], kind="choice", choices=METHODS),
        Column("account_no", h["account_no"], max_length=40),
        Column("hamlet", h["hamlet"], max_length=120),
    ]


class _ListSpec(ImportSpec):
    def __init__(self, mapping: dict[str, str] | None) -> None:
        self.columns = columns(mapping)
        self.title = "Danh sách chi trả"

    def row_key(self, values: dict[str, Any]) -> Any:
        return values.get("citizen_id")


_THIS_YEAR = dt.date.today().year
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _read_fast(
    spec: ImportSpec, source: Any, known: Container[str]
) -> tuple[list[ParsedRow], list[RowError]] | None:
    """The agency's list read column by column with cheap checks (an id already registered
    was checked then); a cell that fails them goes through the framework's converter for its
    exact message. None when the layout itself is wrong, so that the framework reports it."""
    try:
        data = source if isinstance(source, bytes) else (source.seek(0), source.read())[1]
        grid = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    except Exception:
        return None
    header_at, index = _fast_header(spec, grid)
    if any(c.required and c.key not in index for c in spec.columns):
        return None
    body, numbers = _fast_body(grid, header_at, need=max(index.values()) + 1)
    errors: list[RowError] = []
    out = _fast_columns(spec, index, body, numbers=numbers, known=known, errors=errors)
    keys = [c.key for c in spec.columns]
    errors += _duplicate_ids(numbers, out[keys.index("citizen_id")], {e.row for e in errors})
    rows = [
        ParsedRow(number, dict(zip(keys, values, strict=True)))
        for number, values in zip(numbers, zip(*out, strict=True), strict=True)
    ]
    return rows, errors


def _fast_header(spec: ImportSpec, grid: list[list[Any]]) -> tuple[int, dict[str, int]]:
    """The row among the first ten that names the most columns, and where each column is."""
    wanted = {fold(c.header): c for c in spec.columns}
    header_at, index = -1, dict[str, int]()
    for r, row in enumerate(grid[:10]):
        found = {
            wanted[fold(str(v))].key: i
            for i, v in enumerate(row)
            if isinstance(v, str) and fold(v) in wanted
        }
        if len(found) > len(index):
            header_at, index = r, found
    return header_at, index


def _fast_body(
    grid: list[list[Any]], header_at: int, *, need: int
) -> tuple[list[list[Any]], list[int]]:
    """The rows under the header, padded to `need` cells, and their Excel row numbers."""
    body: list[list[Any]] = []
    numbers: list[int] = []
    for r in range(header_at + 1, len(grid)):
        row = grid[r]
        if row.count("") == len(row):
            continue  # a blank row between blocks of the list
        if len(row) < need:
            row = row + [""] * (need - len(row))
        body.append(row)
        numbers.append(r + 1)
    return body, numbers


def _fast_columns(
    spec: ImportSpec,
    index: dict[str, int],
    body: list[list[Any]],
    *,
    numbers: list[int],
    known: Container[str],
    errors: list[RowError],
) -> list[list[Any]]:
    """Each column's values, checked quickly; a column with a bad cell, cell by cell."""
    out: list[list[Any]] = []
    for column in spec.columns:
        i = index.get(column.key, -1)
        cells = [row[i] for row in body] if i >= 0 else [None] * len(body)
        quick = _quick(column)
        try:
            if column.key == "citizen_id":
                values = [v if v in known else quick(v) for v in cells]
            else:
                values = list(map(quick, cells))
        except _Slow:
            values = _column_slowly(column, quick, cells, numbers, errors)
        out.append(values)
    return out


def _duplicate_ids(numbers: list[int], ids: list[Any], bad: set[int]) -> list[RowError]:
    if len(set(ids)) == len(ids):
        return []
    errors = []
    seen: dict[str, int] = {}
    for number, cid in zip(numbers, ids, strict=True):
        if number in bad or cid is None:
            continue
        if cid in seen:
            message = _("Dòng %(n)s trùng số CCCD với dòng %(m)s.") % {"n": number, "m": seen[cid]}
            errors.append(RowError(number, "", message))
        else:
            seen[cid] = number
    return errors


def _column_slowly(
    column: Column,
    quick: Callable[[Any], Any],
    cells: list[Any],
    numbers: list[int],
    errors: list[RowError],
) -> list[Any]:
    """One column cell by cell: what the quick check refuses gets the converter's message."""
    values: list[Any] = []
    for number, value in zip(numbers, cells, strict=True):
        try:
            values.append(quick(value))
            continue
        except _Slow:
            pass
        if value == "" or value is None:
            values.append(None)
            if column.required:
                errors.append(_message(number, column.header, _("không được để trống.")))
            continue
        try:
            values.append(convert(column, value))
        except (DomainError, ValueError) as exc:
            values.append(None)
            errors.append(_message(number, column.header, str(exc)))
    return values


class _Slow(Exception):
    pass


def _message(row: int, header: str, reason: str) -> RowError:
    message = _("Dòng %(n)s, cột «%(column)s»: %(reason)s")
    return RowError(row, header, message % {"n": row, "column": header, "reason": reason})


def _q_citizen_id(value: Any) -> str:
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, (int, float)) and value:
        text = str(int(value)).zfill(12)
    else:
        raise _Slow
    if not citizen_id_ok(text, _THIS_YEAR):
        raise _Slow
    return text


def _q_text(limit: int, *, optional: bool) -> Callable[[Any], str | None]:
    """The quick check of a text column: a string of at most `limit` characters."""

    def quick(value: Any) -> str | None:
        if value.__class__ is str and 0 < len(value) <= limit:
            text: str = value.strip()
            if text:
                return text
        if optional and (value == "" or value is None):
            return None
        raise _Slow

    return quick


def _q_amount(value: Any) -> int:
    if type(value) in (int, float) and value == int(value) and 0 < value <= 10_000_000_000:
        return int(value)
    raise _Slow


@lru_cache(maxsize=65536)
def _day_month_year(text: str) -> dt.date | None:
    """'01/01/1950' → date; cached, as a list repeats the same birth dates many times."""
    m = _DMY.fullmatch(text.strip())
    if not m:
        return None
    try:
        day = dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return day if day.year >= 1900 else None


def _q_date(value: Any) -> dt.date | None:
    if value == "" or value is None:
        return None
    if value.__class__ is str:
        day = _day_month_year(value)
        if day is not None:
            return day
    elif isinstance(value, dt.datetime):
        return value.date()
    elif isinstance(value, dt.date) and value.year >= 1900:
        return value
    raise _Slow


def _q_method(value: Any) -> str | None:
    if value == "" or value is None:
        return None
    found = METHODS.get(str(value).strip())
    if found is None:
        raise _Slow
    return found


def _q_commune(value: Any) -> int | None:
    if value == "" or value is None:
        return None
    if type(value) in (int, float) and value == int(value):
        return int(value)
    raise _Slow


_QUICK: dict[str, Callable[[Any], Any]] = {
    "citizen_id": _q_citizen_id,
    "birth_date": _q_date,
    "amount": _q_amount,
    "commune": _q_commune,
    "method": _q_method,
}


def _quick(column: Column) -> Callable[[Any], Any]:
    """The quick check for a column; text columns check their own length."""
    if column.key in _QUICK:
        return _QUICK[column.key]
    return _q_text(column.max_length or 200, optional=not column.required)


@dataclass
class ImportResult:
    payout_list: PayoutList | None
    errors: list[RowError]
    rows: int
    per_point: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.errors


# Importing the agency's list ---------------------------------------------------------------


@transaction.atomic
def import_list(
    *,
    actor: User,
    programme: Programme,
    month: dt.date,
    source: Any,
    source_name: str = "",
    mapping: dict[str, str] | None = None,
) -> ImportResult:
    """Validate every row of the agency's list; write it all, split by point, or nothing."""
    permissions.require(actor, "payouts.import", programme_target(programme))
    _check_source(source)
    month = month.replace(day=1)
    if PayoutList.objects.filter(programme=programme, month=month).exists():
        raise PayoutError(
            _("Danh sách %(p)s tháng %(m)s đã được nhập.")
            % {"p": programme.name, "m": month.strftime("%m/%Y")},
            code=PayoutCode.LIST_INVALID,
            field="month",
        )
    mapping = _clean_mapping(mapping)
    saved = mapping if mapping is not None else _saved_mapping(programme)
    with paused_gc():
        return _import_rows(
            actor=actor,
            programme=programme,
            month=month,
            source=source,
            source_name=source_name,
            mapping=mapping,
            saved=saved,
        )


def _check_source(source: Any, *, field: str = "file") -> None:
    """An uploaded file is checked for its kind and size before anything reads it."""
    if isinstance(source, (bytes, bytearray)):
        return
    check_upload(source, kinds=("xlsx",), field=field)


def _clean_mapping(mapping: dict[str, str] | None) -> dict[str, str] | None:
    """Only the known columns, each named by a short text."""
    if not mapping:
        return None
    clean = {k: selectors.clean_text(v).strip() for k, v in mapping.items() if k in DEFAULT_HEADERS}
    return {k: v for k, v in clean.items() if v} or None


def _saved_mapping(programme: Programme) -> dict[str, str] | None:
    found = ColumnMapping.objects.filter(agency=programme.agency).first()
    return found.mapping if found else None


def _points_of(programme: Programme) -> dict[str, Any]:
    """The commune points the programme's agency pays through (those its post unit serves),
    code to primary key in the form the database stores them: 100,000 lines need no
    conversion on their way in."""
    stored = id_map(PostUnit, "code")
    qs = PostUnit.objects.filter(kind="commune_point")
    served = programme.agency.served_by
    if served is not None:
        qs = qs.filter(path__startswith=served.path)
    return {code: stored[code] for code in qs.values_list("code", flat=True)}


def _import_rows(
    *,
    actor: User,
    programme: Programme,
    month: dt.date,
    source: Any,
    source_name: str,
    mapping: dict[str, str] | None,
    saved: dict[str, str] | None,
) -> ImportResult:
    spec = _ListSpec(saved)
    known = id_map(Beneficiary, "citizen_id")
    fast = _read_fast(spec, source, known)
    rows, errors = fast if fast is not None else read_rows(spec, source)
    header = {c.key: c.header for c in spec.columns}
    points = _points_of(programme)
    bad = {e.row for e in errors}
    errors += _row_errors(rows, bad=bad, header=header, points=points)
    errors += _namesake_errors(rows, bad=bad, header=header, known=known)
    if errors:
        errors.sort(key=lambda e: e.row)
        return ImportResult(None, errors, len(rows), {})
    if mapping is not None:
        ColumnMapping.objects.update_or_create(
            agency=programme.agency, defaults={"mapping": mapping}
        )
    _insert_beneficiaries(rows, known=known, points=points)
    payout_list = PayoutList.objects.create(
        programme=programme,
        month=month,
        imported_by=actor,
        source_name=selectors.clean_text(source_name, 200),
        lines=len(rows),
        total=sum(r.values["amount"] for r in rows),
    )
    _insert_lines(payout_list, rows, known=known, points=points)
    audit.record(
        actor=actor,
        action="payouts.list_imported",
        instance=payout_list,
        before=None,
        after={"lines": len(rows), "total": payout_list.total},
        note=source_name,
    )
    per_point = dict(Counter(r.values["point"] for r in rows))
    return ImportResult(payout_list, [], len(rows), per_point)


def _row_errors(
    rows: list[ParsedRow], *, bad: set[int], header: dict[str, str], points: dict[str, Any]
) -> list[RowError]:
    """Unknown points and communes, and account payments without an account."""
    communes = set(Commune.objects.values_list("code", flat=True))
    errors = []
    for r in rows:
        if r.number in bad:
            continue
        v = r.values
        code = v["point"]
        if code not in points:
            code = v["point"] = str(code).upper()
            if code not in points:
                reason = _("không có điểm mã %(code)s.") % {"code": code}
                errors.append(_message(r.number, header["point"], reason))
        if v.get("commune") and v["commune"] not in communes:
            reason = _("không có xã, phường mã %(code)s.") % {"code": v["commune"]}
            errors.append(_message(r.number, header["commune"], reason))
        if v.get("method") == B.Method.ACCOUNT and not v.get("account_no"):
            message = _("Dòng %(n)s: chi qua tài khoản cần số tài khoản.") % {"n": r.number}
            errors.append(RowError(r.number, header["account_no"], message))
    return errors


def _namesake_errors(
    rows: list[ParsedRow], *, bad: set[int], header: dict[str, str], known: Container[str]
) -> list[RowError]:
    """The same person under another id: only new ids can be that (known ids were checked
    when they were registered), so only their names are compared."""
    new_rows = [r for r in rows if r.values.get("citizen_id") not in known]
    if not new_rows:
        return []
    registered = {
        (text.rsplit(" ", 1)[0], d): c
        for c, text, d in Beneficiary.objects.filter(birth_date__isnull=False).values_list(
            "citizen_id", "search_text", "birth_date"
        )
    }
    seen: dict[tuple[str, Any], tuple[int, str]] = {}
    errors = []
    for r in new_rows:
        v = r.values
        if r.number in bad or not v.get("birth_date"):
            continue
        key = (fold(v["name"]), v["birth_date"])
        if key in seen and seen[key][1] != v["citizen_id"]:
            message = _(
                "Dòng %(n)s: trùng họ tên và ngày sinh với dòng %(m)s nhưng khác số CCCD; "
                "kiểm tra lại."
            ) % {"n": r.number, "m": seen[key][0]}
            errors.append(RowError(r.number, header["name"], message))
        seen.setdefault(key, (r.number, v["citizen_id"]))
        other = registered.get(key)
        if other is not None and other != v["citizen_id"]:
            message = _(
                "Dòng %(n)s: đã có đối tượng cùng họ tên, ngày sinh với số CCCD %(id)s."
            ) % {"n": r.number, "id": mask_citizen_id(other)}
            errors.append(RowError(r.number, header["citizen_id"], message))
    return errors


def _insert_beneficiaries(
    rows: list[ParsedRow], *, known: dict[str, Any], points: dict[str, Any]
) -> None:
    """Register the people the list names for the first time (`known` learns their keys)."""
    now = timezone.now()
    fresh = []
    for r in rows:
        v = r.values
        if v["citizen_id"] in known:
            continue
        pk = uuid7()
        known[v["citizen_id"]] = pk
        fresh.append(
            (
                pk,
                now,
                now,
                1,
                v["citizen_id"],
                v["name"],
                v.get("birth_date"),
                "",
                v.get("commune"),
                v.get("hamlet") or "",
                points[v["point"]],
                v.get("method") or B.Method.COUNTER,
                "",
                v.get("account_no") or "",
                "",
                "",
                None,
                B.Status.ACTIVE,
                None,
                "",
                build_search_text(v["name"], v["citizen_id"]),
            )
        )
    insert_rows(Beneficiary, BENEFICIARY_COLUMNS, fresh)


def _insert_lines(
    payout_list: PayoutList,
    rows: list[ParsedRow],
    *,
    known: dict[str, Any],
    points: dict[str, Any],
) -> None:
    list_key = payout_list.pk
    pending, counter = Payout.Status.PENDING, B.Method.COUNTER
    insert_rows(
        Payout,
        PAYOUT_COLUMNS,
        [
            (
                list_key,
                known[v["citizen_id"]],
                points[v["point"]],
                r.number,
                v["amount"],
                v.get("method") or counter,
                pending,
                "",
                "",
            )
            for r in rows
            for v in (r.values,)
        ],
    )


# Paying and returning a line ---------------------------------------------------------------


def in_window(payout_list: PayoutList, day: dt.date) -> bool:
    p = payout_list.programme
    return (day.year, day.month) == (
        payout_list.month.year,
        payout_list.month.month,
    ) and p.window_start <= day.day <= p.window_end


def settlement_key(line: Payout) -> str:
    """What a line's cash-out settles in the ledger: at most one entry carries it."""
    return f"payout:{line.pk}"


@transaction.atomic
def pay(
    *,
    payout: Payout,
    clerk: User,
    session: CounterSession,
    receiver: str = "self",
    receiver_id: str = "",
    paid_at: dt.datetime | None = None,
    idempotency_key: str = "",
) -> Payout:
    """Pay one line of a payout list, exactly once, by its own cash-out in the ledger."""
    locked = _locked_line(payout)
    permissions.require(clerk, "payouts.pay", line_target(locked))
    now = paid_at or timezone.now()
    day = timezone.localtime(now).date()
    _check_payable(locked, session=session, day=day)
    name = _receiver_name(locked.beneficiary, receiver=receiver, receiver_id=receiver_id, day=day)
    entry = _cash_out(locked, clerk=clerk, session=session, at=now, key=idempotency_key)
    before = {"status": locked.status}
    locked.status = Payout.Status.PAID
    locked.paid_at = now
    locked.paid_by = clerk
    locked.receiver = name
    locked.entry_id = entry.pk
    locked.save()
    audit.record(
        actor=clerk,
        action="payouts.paid",
        instance=locked,
        before=before,
        after={"status": "paid", "receiver": name, "entry": str(entry.pk)},
        unit_path=locked.point.path,
    )
    return locked


def _locked_line(payout: Payout) -> Payout:
    """The line, locked alone (not its list: lines of one list are paid side by side)."""
    return (
        Payout.objects.select_for_update(of=("self",))
        .select_related("list__programme__agency", "beneficiary", "point")
        .get(pk=payout.pk)
    )


def _check_payable(line: Payout, *, session: CounterSession, day: dt.date) -> None:
    by_bank = line.method == B.Method.ACCOUNT
    if not by_bank and session.unit_id != line.point_id:
        raise PayoutError(
            _("Dòng này thuộc điểm %(p)s; chỉ chi tại điểm được giao.") % {"p": line.point.name},
            code=PayoutCode.NOT_PAYABLE,
        )
    if line.list.state != PayoutList.State.OPEN:
        raise PayoutError(_("Danh sách đã quyết toán."), code=PayoutCode.LIST_CLOSED)
    if line.status != Payout.Status.PENDING:
        when = (
            timezone.localtime(line.paid_at).strftime("%d/%m/%Y %H:%M")
            if line.paid_at
            else _("trước đó")
        )
        raise PayoutError(
            _("Dòng này đã %(s)s lúc %(t)s; không chi lần hai.")
            % {"s": line.get_status_display().lower(), "t": when},
            code=PayoutCode.ALREADY_SETTLED,
        )
    if not by_bank and not in_window(line.list, day):
        p = line.list.programme
        raise PayoutError(
            _("Ngoài thời gian chi trả (ngày %(a)s–%(b)s tháng %(m)s).")
            % {"a": p.window_start, "b": p.window_end, "m": line.list.month.strftime("%m/%Y")},
            code=PayoutCode.OUTSIDE_WINDOW,
        )
    person = line.beneficiary
    if person.status != Beneficiary.Status.ACTIVE:
        raise PayoutError(
            _("Không chi: đối tượng đang ở trạng thái «%(s)s».")
            % {"s": person.get_status_display()},
            code=PayoutCode.NOT_PAYABLE,
        )


def _receiver_name(person: Beneficiary, *, receiver: str, receiver_id: str, day: dt.date) -> str:
    """Who takes the money: the person (his id, if typed, must match) or his authorised one."""
    receiver_id = (receiver_id or "").strip()
    if receiver not in RECEIVERS:
        raise DomainError(_("Người nhận không hợp lệ."), field="receiver")
    if receiver == "self":
        if receiver_id and receiver_id != person.citizen_id:
            raise PayoutError(
                _("CCCD không khớp với đối tượng hưởng."),
                code=PayoutCode.AUTHORISATION,
                field="receiver_id",
            )
        return person.name
    valid = person.authorised_until is not None and person.authorised_until >= day
    if not person.authorised_name or not valid:
        raise PayoutError(
            _("Giấy ủy quyền không có hoặc đã hết hạn."),
            code=PayoutCode.AUTHORISATION,
            field="receiver",
        )
    if receiver_id and receiver_id != person.authorised_id:
        raise PayoutError(
            _("CCCD người nhận không khớp giấy ủy quyền."),
            code=PayoutCode.AUTHORISATION,
            field="receiver_id",
        )
    return person.authorised_name


RECEIVERS = ("self", "authorised")


def _cash_out(
    line: Payout, *, clerk: User, session: CounterSession, at: dt.datetime, key: str
) -> LedgerEntry:
    """Post the line's cash-out (or account transfer) and make sure the ledger answered with
    exactly that: this line's settlement, of the programme's service, out, for its amount."""
    person = line.beneficiary
    settles = settlement_key(line)
    result = counter_services.post_entry(
        session=session,
        clerk=clerk,
        request=counter_services.EntryRequest(
            # A fresh key unless the caller brings his own: a key cannot be claimed beforehand.
            idempotency_key=key or f"{settles}:{uuid7().hex}",
            service_code=line.list.programme.service_code,
            amount=line.amount,
            customer_name=person.name,
            customer_id_no=person.citizen_id,
            source_type="payout",
            source_id=str(line.pk),
            settles=settles,
            occurred_at=at,
            method="account" if line.method == B.Method.ACCOUNT else "cash",
        ),
    )
    if not _is_own_cash_out(result.entry, line):
        raise PayoutError(
            _("Khóa giao dịch này đã dùng cho một giao dịch khác; không chi trả."),
            code=PayoutCode.SETTLEMENT_CONFLICT,
            field="idempotency_key",
        )
    return result.entry


def _is_own_cash_out(entry: LedgerEntry, line: Payout) -> bool:
    service_code = line.list.programme.service_code.strip().upper()
    return (
        entry.settles == settlement_key(line)
        and entry.service.code.upper() == service_code
        and entry.direction == LedgerEntry.Direction.OUT
        and entry.amount == line.amount
        and entry.reverses_id is None
    )


@transaction.atomic
def return_unpaid(*, payout: Payout, actor: User, reason: str) -> Payout:
    """Give a line back to the agency unpaid, with the reason chosen."""
    locked = (
        Payout.objects.select_for_update(of=("self",))
        .select_related("point", "list__programme")
        .get(pk=payout.pk)
    )
    permissions.require(actor, "payouts.return", line_target(locked))
    if reason not in Payout.Reason.values:
        raise DomainError(_("Cần chọn lý do trả lại."), field="reason")
    if locked.list.state != PayoutList.State.OPEN:
        raise PayoutError(_("Danh sách đã quyết toán."), code=PayoutCode.LIST_CLOSED)
    if locked.status != Payout.Status.PENDING:
        raise PayoutError(_("Dòng này đã được xử lý."), code=PayoutCode.ALREADY_SETTLED)
    locked.status = Payout.Status.RETURNED
    locked.return_reason = reason
    locked.save()
    audit.record(
        actor=actor,
        action="payouts.returned",
        instance=locked,
        before={"status": "pending"},
        after={"status": "returned", "reason": reason},
        unit_path=locked.point.path,
    )
    return locked


# Closing and reconciling -------------------------------------------------------------------


@dataclass
class Reconciliation:
    payout_list: PayoutList
    rows: list[dict[str, Any]]
    totals: dict[str, int]


RECONCILED = ["paid_counter", "paid_home", "paid_account", "returned", "pending"]


def reconciliation(*, user: User, payout_list: PayoutList) -> Reconciliation:
    """Paid by method and returned, in count and amount, for each point in the user's scope."""
    permissions.require(user, "payouts.reconciliation")
    return _reconcile(payout_list, selectors.scoped_lines(user=user).filter(list=payout_list))


def _reconcile(payout_list: PayoutList, lines: QuerySet[Payout]) -> Reconciliation:
    per: dict[str, dict[str, Any]] = {}
    for r in (
        lines.values("point__code", "point__name", "status", "method")
        .annotate(n=Count("pk"), s=Sum("amount"))
        .order_by()
    ):
        row = per.setdefault(r["point__code"], {"code": r["point__code"], "name": r["point__name"]})
        key = f"{r['status']}_{r['method']}" if r["status"] == "paid" else r["status"]
        row[f"{key}_n"] = row.get(f"{key}_n", 0) + r["n"]
        row[f"{key}_s"] = row.get(f"{key}_s", 0) + r["s"]
    rows = sorted(per.values(), key=lambda x: x["code"])
    totals = {f"{k}_{x}": sum(r.get(f"{k}_{x}", 0) for r in rows) for k in RECONCILED for x in "ns"}
    return Reconciliation(payout_list, rows, totals)


@transaction.atomic
def close_list(
    *, payout_list: PayoutList, actor: User, return_rest: str | None = None
) -> Reconciliation:
    """Close a window: every line paid or returned, then the list is immutable."""
    locked = (
        PayoutList.objects.select_for_update(of=("self",))
        .select_related("programme__agency__served_by")
        .get(pk=payout_list.pk)
    )
    permissions.require(actor, "payouts.close", list_target(locked))
    if return_rest and return_rest not in Payout.Reason.values:
        raise DomainError(_("Lý do trả lại không hợp lệ."), field="return_rest")
    if locked.state == PayoutList.State.CLOSED:
        raise PayoutError(_("Danh sách đã quyết toán."), code=PayoutCode.LIST_CLOSED)
    pending = Payout.objects.filter(list=locked, status=Payout.Status.PENDING)
    if pending.exists():
        if not return_rest:
            raise PayoutError(
                _("Còn %(n)s dòng chưa chi; trả lại với lý do rồi mới quyết toán.")
                % {"n": pending.count()},
                code=PayoutCode.OPEN_LINES,
                field="return_rest",
            )
        pending.update(status=Payout.Status.RETURNED, return_reason=return_rest)
    locked.state = PayoutList.State.CLOSED
    locked.closed_at = timezone.now()
    locked.save()
    rec = _reconcile(locked, Payout.objects.filter(list=locked))
    audit.record(
        actor=actor, action="payouts.list_closed", instance=locked, before=None, after=rec.totals
    )
    return rec


# Beneficiaries -----------------------------------------------------------------------------


@transaction.atomic
def update_beneficiary(
    *,
    actor: User,
    beneficiary: Beneficiary,
    status: str | None = None,
    status_date: dt.date | None = None,
    status_source: str = "",
    method: str | None = None,
    account_no: str | None = None,
    authorised_name: str | None = None,
    authorised_id: str | None = None,
    authorised_until: dt.date | None = None,
    point: PostUnit | None = None,
) -> Beneficiary:
    """Change a person's status, method, authorised receiver or point; audited."""
    locked = (
        Beneficiary.objects.select_for_update(of=("self",))
        .select_related("point")
        .get(pk=beneficiary.pk)
    )
    permissions.require(actor, "payouts.update_beneficiary", beneficiary_target(locked))
    if point is not None:
        permissions.require(actor, "payouts.update_beneficiary", Target(path=point.path))
    before = audit.snapshot(locked)
    if status is not None:
        _set_status(locked, status=status, day=status_date, source=status_source)
    if method is not None or account_no is not None:
        _set_method(locked, method=method, account_no=account_no)
    if authorised_name is not None:
        _set_authorisation(
            locked, name=authorised_name, citizen_id=authorised_id, until=authorised_until
        )
    if point is not None:
        locked.point = point
    locked.version += 1
    locked.save()
    audit.record(
        actor=actor,
        action="payouts.beneficiary_updated",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=locked.point.path,
    )
    return locked


def _plain(text: str | None, *, field: str, limit: int = 200) -> str:
    """A line of typed text: at most `limit` characters, no control characters."""
    text = (text or "").strip()
    if len(text) > limit or selectors.CONTROL.search(text):
        raise DomainError(
            _("Tối đa %(n)s ký tự, không có ký tự điều khiển.") % {"n": limit}, field=field
        )
    return text


def _set_status(person: Beneficiary, *, status: str, day: dt.date | None, source: str) -> None:
    if status not in Beneficiary.Status.values:
        raise DomainError(_("Trạng thái không hợp lệ."), field="status")
    source = _plain(source, field="status_source")
    if status != Beneficiary.Status.ACTIVE and (day is None or not source):
        raise DomainError(
            _("Cần ghi ngày và nguồn thông tin (ví dụ giấy báo tử)."), field="status_source"
        )
    person.status, person.status_date, person.status_source = status, day, source


def _set_method(person: Beneficiary, *, method: str | None, account_no: str | None) -> None:
    if account_no is not None:
        account_no = account_no.strip()
        if len(account_no) > 40 or not ACCOUNT_NO.fullmatch(account_no):
            raise DomainError(
                _("Số tài khoản chỉ gồm chữ số (tối đa 40 ký tự)."), field="account_no"
            )
        person.account_no = account_no
    if method is not None:
        if method not in Beneficiary.Method.values:
            raise DomainError(_("Hình thức nhận không hợp lệ."), field="method")
        person.method = method
    if person.method == Beneficiary.Method.ACCOUNT and not person.account_no:
        raise DomainError(_("Chi qua tài khoản cần số tài khoản."), field="account_no")


ACCOUNT_NO = re.compile(r"[0-9]*")


def _set_authorisation(
    person: Beneficiary, *, name: str, citizen_id: str | None, until: dt.date | None
) -> None:
    name = _plain(name, field="authorised_name")
    number = ""
    if name:
        if citizen_id and citizen_id.strip():
            try:
                number = parse_citizen_id(citizen_id).number
            except DomainError as exc:
                raise DomainError(exc.message, code=exc.code, field="authorised_id") from exc
        if until is None:
            raise DomainError(_("Giấy ủy quyền cần ngày hết hạn."), field="authorised_until")
    person.authorised_name = name
    person.authorised_id = number
    person.authorised_until = until if name else None


# Paying through the bank -------------------------------------------------------------------


SETTLEMENT_HEADERS = ["Mã dòng", "Họ tên", "Số CCCD", "Số tài khoản", "Số tiền", "Kết quả"]


def settlement_rows(*, actor: User, payout_list: PayoutList) -> list[list[Any]]:
    """The bank's settlement file, one row per pending account line, with full ids and
    account numbers: who downloaded it is recorded."""
    permissions.require(actor, "payouts.settlement", list_target(payout_list))
    rows = [
        [p.pk, p.beneficiary.name, p.beneficiary.citizen_id, p.beneficiary.account_no, p.amount]
        for p in Payout.objects.filter(
            list=payout_list, status=Payout.Status.PENDING, method=B.Method.ACCOUNT
        ).select_related("beneficiary")
    ]
    audit.record_access(
        actor=actor,
        action="payouts.settlement_downloaded",
        object_type="payouts.payout",
        count=len(rows),
        unit_path=list_target(payout_list).path,
        note=str(payout_list),
    )
    return rows


def _bank_spec() -> ImportSpec:
    spec = ImportSpec()
    spec.columns = [
        Column("line", "Mã dòng", kind="int", required=True, min_value=1, max_value=2**31 - 1),
        Column("amount", "Số tiền", kind="money", required=True),
        Column(
            "result",
            "Kết quả",
            kind="choice",
            required=True,
            choices={"Thành công": "ok", "ok": "ok", "Thất bại": "failed", "failed": "failed"},
        ),
    ]
    return spec


@transaction.atomic
def apply_bank_results(
    *, actor: User, payout_list: PayoutList, source: Any, session: CounterSession | None
) -> tuple[int, int, list[RowError]]:
    """The bank's results file: each line paid into the account, or returned as failed."""
    permissions.require(actor, "payouts.bank_results", list_target(payout_list))
    _check_source(source)
    rows, errors = read_rows(_bank_spec(), source)
    lines = {p.pk: p for p in Payout.objects.filter(list=payout_list, method=B.Method.ACCOUNT)}
    errors += _bank_row_errors(rows, lines)
    if errors:
        return 0, 0, errors
    if session is None and any(r.values["result"] == "ok" for r in rows):
        raise DomainError(
            _("Cần mở ca giao dịch để ghi các khoản chi qua tài khoản."), field="session"
        )
    paid = failed = 0
    for r in rows:
        line = lines[r.values["line"]]
        if line.status != Payout.Status.PENDING:
            continue
        if r.values["result"] == "ok":
            assert session is not None  # noqa: S101 - checked above
            pay(payout=line, clerk=actor, session=session)
            paid += 1
        else:
            return_unpaid(payout=line, actor=actor, reason=Payout.Reason.FAILED)
            failed += 1
    return paid, failed, []


def _bank_row_errors(rows: list[ParsedRow], lines: dict[int, Payout]) -> list[RowError]:
    errors = []
    for r in rows:
        line = lines.get(r.values["line"])
        if line is None:
            message = _("Dòng %(n)s: mã dòng %(line)s không thuộc danh sách chi qua tài khoản.") % {
                "n": r.number,
                "line": r.values["line"],
            }
            errors.append(RowError(r.number, "Mã dòng", message))
        elif line.amount != r.values["amount"]:
            message = _("Dòng %(n)s: số tiền khác danh sách.") % {"n": r.number}
            errors.append(RowError(r.number, "Số tiền", message))
    return errors
