"""Payouts: import a month's list, pay each line exactly once, return, close and reconcile."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from buudien.core import audit
from buudien.core.bulk import id_map, insert_rows, paused_gc
from buudien.core.errors import DomainError, Forbidden
from buudien.core.excel import Column, ImportSpec, ParsedRow, RowError, convert, read_rows
from buudien.core.ids import citizen_id_ok, mask_citizen_id, parse_citizen_id
from buudien.core.models import Role, User, uuid7
from buudien.core.scoping import ensure_can_manage, ensure_in_scope, scope_of
from buudien.core.text import build_search_text, fold
from buudien.counter import services as counter_services
from buudien.counter.models import CounterSession
from buudien.network.models import Commune, PostUnit
from buudien.payouts.errors import PayoutCode, PayoutError
from buudien.payouts.models import Beneficiary, ColumnMapping, Payout, PayoutList, Programme

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
    if any(c.required and c.key not in index for c in spec.columns):
        return None
    need = max(index.values()) + 1
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
    errors: list[RowError] = []
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
    bad = {e.row for e in errors}
    keys = [c.key for c in spec.columns]
    ids = out[keys.index("citizen_id")]
    if len(set(ids)) != len(ids):
        seen: dict[str, int] = {}
        for number, cid in zip(numbers, ids, strict=True):
            if number in bad or cid is None:
                continue
            if cid in seen:
                errors.append(
                    RowError(number, "", f"Dòng {number} trùng số CCCD với dòng {seen[cid]}.")
                )
            else:
                seen[cid] = number
    rows = [
        ParsedRow(number, dict(zip(keys, values, strict=True)))
        for number, values in zip(numbers, zip(*out, strict=True), strict=True)
    ]
    return rows, errors


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
                errors.append(_message(number, column.header, "không được để trống."))
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
    return RowError(row, header, f"Dòng {row}, cột «{header}»: {reason}")


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
    if actor.role == Role.PARTNER_OFFICER:
        if scope_of(actor).partner_id != programme.agency_id:
            raise Forbidden(_("Chỉ cơ quan chi trả của chương trình mới gửi danh sách."))
    else:
        served = programme.agency.served_by
        ensure_can_manage(actor, served.path if served else "/")
    month = month.replace(day=1)
    if PayoutList.objects.filter(programme=programme, month=month).exists():
        raise PayoutError(
            _("Danh sách %(p)s tháng %(m)s đã được nhập.")
            % {"p": programme.name, "m": month.strftime("%m/%Y")},
            code=PayoutCode.LIST_INVALID,
        )
    saved = mapping
    if saved is None:
        found = ColumnMapping.objects.filter(agency=programme.agency).first()
        saved = found.mapping if found else None
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
    # Point codes to primary keys in the form the database stores them, so that the 100,000
    # lines need no conversion on their way in.
    stored = id_map(PostUnit, "code")
    points = {
        code: stored[code]
        for code in PostUnit.objects.filter(kind="commune_point").values_list("code", flat=True)
    }
    communes = set(Commune.objects.values_list("code", flat=True))
    bad = {e.row for e in errors}
    for r in rows:
        if r.number in bad:
            continue
        v = r.values
        code = v["point"]
        if code not in points:
            code = v["point"] = str(code).upper()
            if code not in points:
                errors.append(
                    RowError(
                        r.number,
                        header["point"],
                        f"Dòng {r.number}, cột «{header['point']}»: không có điểm mã {code}.",
                    )
                )
        if v.get("commune") and v["commune"] not in communes:
            errors.append(
                RowError(
                    r.number,
                    header["commune"],
                    f"Dòng {r.number}, cột «{header['commune']}»: không có "
                    f"xã, phường mã {v['commune']}.",
                )
            )
        if v.get("method") == B.Method.ACCOUNT and not v.get("account_no"):
            errors.append(
                RowError(
                    r.number,
                    header["account_no"],
                    f"Dòng {r.number}: chi qua tài khoản cần số tài khoản.",
                )
            )
    # The same person under another id: only new ids can be that (known ids were checked when
    # they were registered), so only their names are compared.
    new_rows = [r for r in rows if r.values.get("citizen_id") not in known]
    seen: dict[tuple[str, Any], tuple[int, str]] = {}
    registered = {}
    if new_rows:
        registered = {
            (text.rsplit(" ", 1)[0], d): c
            for c, text, d in Beneficiary.objects.filter(birth_date__isnull=False).values_list(
                "citizen_id", "search_text", "birth_date"
            )
        }
    for r in new_rows:
        v = r.values
        if r.number in bad or not v.get("birth_date"):
            continue
        key = (fold(v["name"]), v["birth_date"])
        if key in seen and seen[key][1] != v["citizen_id"]:
            errors.append(
                RowError(
                    r.number,
                    header["name"],
                    f"Dòng {r.number}: trùng họ tên và ngày sinh với dòng "
                    f"{seen[key][0]} nhưng khác số CCCD; kiểm tra lại.",
                )
            )
        seen.setdefault(key, (r.number, v["citizen_id"]))
        other = registered.get(key)
        if other is not None and other != v["citizen_id"]:
            errors.append(
                RowError(
                    r.number,
                    header["citizen_id"],
                    f"Dòng {r.number}: đã có đối tượng cùng họ tên, ngày sinh "
                    f"với số CCCD {mask_citizen_id(other)}.",
                )
            )
    if errors:
        errors.sort(key=lambda e: e.row)
        return ImportResult(None, errors, len(rows), {})
    if mapping is not None:
        ColumnMapping.objects.update_or_create(
            agency=programme.agency, defaults={"mapping": mapping}
        )
    now = timezone.now()
    fresh = []
    for r in rows:
        v = r.values
        if v["citizen_id"] not in known:
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
    payout_list = PayoutList.objects.create(
        programme=programme,
        month=month,
        imported_by=actor,
        source_name=source_name[:200],
        lines=len(rows),
        total=sum(r.values["amount"] for r in rows),
    )
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
    per_point = dict(Counter(r.values["point"] for r in rows))
    audit.record(
        actor=actor,
        action="payouts.list_imported",
        instance=payout_list,
        before=None,
        after={"lines": len(rows), "total": payout_list.total},
        note=source_name,
    )
    return ImportResult(payout_list, [], len(rows), per_point)


def in_window(payout_list: PayoutList, day: dt.date) -> bool:
    p = payout_list.programme
    return (day.year, day.month) == (
        payout_list.month.year,
        payout_list.month.month,
    ) and p.window_start <= day.day <= p.window_end


@transaction.atomic
def pay(
    *,
    payout: Payout,
    clerk: User,
    session: CounterSession,
    receiver: str = "self",
    receiver_id: str = "",
    paid_at: dt.datetime | None = None,
) -> Payout:
    """Pay one line of a payout list, exactly once."""
    locked = (
        Payout.objects.select_for_update()
        .select_related("list__programme", "beneficiary", "point")
        .get(pk=payout.pk)
    )
    ensure_in_scope(clerk, locked.point.path)
    by_bank = locked.method == B.Method.ACCOUNT
    if not by_bank and session.unit_id != locked.point_id:
        raise PayoutError(
            _("Dòng này thuộc điểm %(p)s; chỉ chi tại điểm được giao.") % {"p": locked.point.name},
            code=PayoutCode.NOT_PAYABLE,
        )
    if locked.list.state != PayoutList.State.OPEN:
        raise PayoutError(_("Danh sách đã quyết toán."), code=PayoutCode.LIST_CLOSED)
    if locked.status != Payout.Status.PENDING:
        raise PayoutError(
            _("Dòng này đã %(s)s lúc %(t)s; không chi lần hai.")
            % {
                "s": locked.get_status_display().lower(),
                "t": timezone.localtime(locked.paid_at).strftime("%d/%m/%Y %H:%M")
                if locked.paid_at
                else _("trước đó"),
            },
            code=PayoutCode.ALREADY_SETTLED,
        )
    now = paid_at or timezone.now()
    if not by_bank and not in_window(locked.list, timezone.localtime(now).date()):
        p = locked.list.programme
        raise PayoutError(
            _("Ngoài thời gian chi trả (ngày %(a)s–%(b)s tháng %(m)s).")
            % {"a": p.window_start, "b": p.window_end, "m": locked.list.month.strftime("%m/%Y")},
            code=PayoutCode.OUTSIDE_WINDOW,
        )
    person = locked.beneficiary
    if person.status != Beneficiary.Status.ACTIVE:
        raise PayoutError(
            _("Không chi: đối tượng đang ở trạng thái «%(s)s».")
            % {"s": person.get_status_display()},
            code=PayoutCode.NOT_PAYABLE,
        )
    name = person.name
    if receiver == "authorised":
        today = timezone.localtime(now).date()
        if (
            not person.authorised_name
            or person.authorised_until is None
            or person.authorised_until < today
        ):
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
        name = person.authorised_name
    elif receiver_id and receiver_id != person.citizen_id:
        raise PayoutError(
            _("CCCD không khớp với đối tượng hưởng."),
            code=PayoutCode.AUTHORISATION,
            field="receiver_id",
        )
    result = counter_services.post_entry(
        session=session,
        clerk=clerk,
        request=counter_services.EntryRequest(
            idempotency_key=f"payout:{locked.pk}",
            service_code=locked.list.programme.service_code,
            amount=locked.amount,
            customer_name=person.name,
            customer_id_no=person.citizen_id,
            source_type="payout",
            source_id=str(locked.pk),
            occurred_at=now,
            method="cash" if locked.method != B.Method.ACCOUNT else "account",
        ),
    )
    before = {"status": locked.status}
    locked.status = Payout.Status.PAID
    locked.paid_at = now
    locked.paid_by = clerk
    locked.receiver = name
    locked.entry_id = result.entry.pk
    locked.save()
    audit.record(
        actor=clerk,
        action="payouts.paid",
        instance=locked,
        before=before,
        after={"status": "paid", "receiver": name, "entry": str(result.entry.pk)},
        unit_path=locked.point.path,
    )
    return locked


@transaction.atomic
def return_unpaid(*, payout: Payout, actor: User, reason: str) -> Payout:
    locked = Payout.objects.select_for_update().select_related("point", "list").get(pk=payout.pk)
    ensure_in_scope(actor, locked.point.path)
    if locked.status != Payout.Status.PENDING:
        raise PayoutError(_("Dòng này đã được xử lý."), code=PayoutCode.ALREADY_SETTLED)
    if reason not in Payout.Reason.values:
        raise DomainError(_("Cần chọn lý do trả lại."), field="reason")
    if locked.list.state != PayoutList.State.OPEN:
        raise PayoutError(_("Danh sách đã quyết toán."), code=PayoutCode.LIST_CLOSED)
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


@dataclass
class Reconciliation:
    payout_list: PayoutList
    rows: list[dict[str, Any]]
    totals: dict[str, int]


def reconciliation(payout_list: PayoutList) -> Reconciliation:
    """Paid by method and returned, in count and amount, by point."""
    per: dict[str, dict[str, Any]] = {}
    for r in (
        Payout.objects.filter(list=payout_list)
        .values("point__code", "point__name", "status", "method")
        .annotate(n=Count("pk"), s=Sum("amount"))
        .order_by()
    ):
        row = per.setdefault(r["point__code"], {"code": r["point__code"], "name": r["point__name"]})
        key = f"{r['status']}_{r['method']}" if r["status"] == "paid" else r["status"]
        row[f"{key}_n"] = row.get(f"{key}_n", 0) + r["n"]
        row[f"{key}_s"] = row.get(f"{key}_s", 0) + r["s"]
    rows = sorted(per.values(), key=lambda x: x["code"])
    keys = ["paid_counter", "paid_home", "paid_account", "returned", "pending"]
    totals = {f"{k}_{x}": sum(r.get(f"{k}_{x}", 0) for r in rows) for k in keys for x in "ns"}
    return Reconciliation(payout_list, rows, totals)


@transaction.atomic
def close_list(
    *, payout_list: PayoutList, actor: User, return_rest: str | None = None
) -> Reconciliation:
    """Close a window: every line paid or returned, then the list is immutable."""
    locked = (
        PayoutList.objects.select_for_update()
        .select_related("programme__agency")
        .get(pk=payout_list.pk)
    )
    served = locked.programme.agency.served_by
    ensure_can_manage(actor, served.path if served else "/")
    if locked.state == PayoutList.State.CLOSED:
        raise PayoutError(_("Danh sách đã quyết toán."), code=PayoutCode.LIST_CLOSED)
    pending = Payout.objects.filter(list=locked, status=Payout.Status.PENDING)
    if pending.exists():
        if return_rest not in Payout.Reason.values:
            raise PayoutError(
                _("Còn %(n)s dòng chưa chi; trả lại với lý do rồi mới quyết toán.")
                % {"n": pending.count()},
                code=PayoutCode.OPEN_LINES,
            )
        pending.update(status=Payout.Status.RETURNED, return_reason=return_rest)
    locked.state = PayoutList.State.CLOSED
    locked.closed_at = timezone.now()
    locked.save()
    rec = reconciliation(locked)
    audit.record(
        actor=actor, action="payouts.list_closed", instance=locked, before=None, after=rec.totals
    )
    return rec


def cashless(points: Sequence[PostUnit], month: dt.date) -> list[dict[str, Any]]:
    """Accounts and the share of lines paid without cash, per point, for a month."""
    rows = []
    for p in points:
        lines = Payout.objects.filter(point=p, list__month=month.replace(day=1))
        total = lines.count()
        account = lines.filter(method=B.Method.ACCOUNT).count()
        rows.append(
            {
                "point": p,
                "accounts": Beneficiary.objects.filter(point=p, method=B.Method.ACCOUNT).count(),
                "lines": total,
                "share": round(100 * account / total) if total else 0,
            }
        )
    return rows


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
    locked = Beneficiary.objects.select_for_update().select_related("point").get(pk=beneficiary.pk)
    ensure_in_scope(actor, locked.point.path)
    before = audit.snapshot(locked)
    if status is not None:
        if status not in Beneficiary.Status.values:
            raise DomainError(_("Trạng thái không hợp lệ."), field="status")
        if status != Beneficiary.Status.ACTIVE and (status_date is None or not status_source):
            raise DomainError(
                _("Cần ghi ngày và nguồn thông tin (ví dụ giấy báo tử)."), field="status_source"
            )
        locked.status, locked.status_date, locked.status_source = status, status_date, status_source
    if method is not None:
        if method == Beneficiary.Method.ACCOUNT and not (account_no or locked.account_no):
            raise DomainError(_("Chi qua tài khoản cần số tài khoản."), field="account_no")
        locked.method = method
    if account_no is not None:
        locked.account_no = account_no
    if authorised_name is not None:
        if authorised_name.strip():
            if authorised_id:
                authorised_id = parse_citizen_id(authorised_id).number
            if authorised_until is None:
                raise DomainError(_("Giấy ủy quyền cần ngày hết hạn."), field="authorised_until")
        locked.authorised_name = authorised_name.strip()
        locked.authorised_id = authorised_id or ""
        locked.authorised_until = authorised_until
    if point is not None:
        ensure_in_scope(actor, point.path)
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


def settlement_rows(payout_list: PayoutList) -> list[list[Any]]:
    """The bank's settlement file: one row per pending cashless line."""
    return [
        [p.pk, p.beneficiary.name, p.beneficiary.citizen_id, p.beneficiary.account_no, p.amount]
        for p in Payout.objects.filter(
            list=payout_list, status=Payout.Status.PENDING, method=B.Method.ACCOUNT
        ).select_related("beneficiary")
    ]


SETTLEMENT_HEADERS = ["Mã dòng", "Họ tên", "Số CCCD", "Số tài khoản", "Số tiền", "Kết quả"]


@transaction.atomic
def apply_bank_results(
    *, actor: User, payout_list: PayoutList, source: Any, session: CounterSession
) -> tuple[int, int, list[RowError]]:
    """The bank's results file: each line paid into the account, or returned as failed."""
    spec = ImportSpec()
    spec.columns = [
        Column("line", "Mã dòng", kind="int", required=True),
        Column("amount", "Số tiền", kind="money", required=True),
        Column(
            "result",
            "Kết quả",
            kind="choice",
            required=True,
            choices={"Thành công": "ok", "ok": "ok", "Thất bại": "failed", "failed": "failed"},
        ),
    ]
    rows, errors = read_rows(spec, source)
    lines = {p.pk: p for p in Payout.objects.filter(list=payout_list)}
    for r in rows:
        line = lines.get(r.values["line"])
        if line is None or line.method != B.Method.ACCOUNT:
            errors.append(
                RowError(
                    r.number,
                    "Mã dòng",
                    f"Dòng {r.number}: mã dòng "
                    f"{r.values['line']} không thuộc danh sách chi qua tài khoản.",
                )
            )
        elif line.amount != r.values["amount"]:
            errors.append(
                RowError(r.number, "Số tiền", f"Dòng {r.number}: số tiền khác danh sách.")
            )
    if errors:
        return 0, 0, errors
    paid = failed = 0
    for r in rows:
        line = lines[r.values["line"]]
        if line.status != Payout.Status.PENDING:
            continue
        if r.values["result"] == "ok":
            pay(payout=line, clerk=actor, session=session)
            paid += 1
        else:
            return_unpaid(payout=line, actor=actor, reason=Payout.Reason.FAILED)
            failed += 1
    return paid, failed, []
