"""Every write at the counter: the one door `post_entry`, reversals, sessions, rollups."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import audit
from buudien.core.errors import DomainError
from buudien.core.ids import normalise_phone
from buudien.core.models import User
from buudien.core.money import format_vnd
from buudien.core.permissions import Target, require
from buudien.counter.errors import CounterCode, CounterError
from buudien.counter.models import (
    CounterSession,
    DailyRollup,
    LedgerEntry,
    MonthlyRollup,
    Service,
    Tariff,
    UnitMonthRollup,
    month_start,
)
from buudien.network.models import PostUnit

# One entry may not move more than 100 tỷ đồng; anything above is a typing error.
MAX_ENTRY_AMOUNT = 100_000_000_000
MAX_QUANTITY = 100_000


@dataclass(frozen=True)
class EntryRequest:
    """What a module asks the ledger to record."""

    idempotency_key: str
    service_code: str
    amount: int | None = None
    quantity: int = 1
    method: str = LedgerEntry.Method.CASH
    customer_name: str = ""
    customer_phone: str = ""
    customer_id_no: str = ""
    source_type: str = ""
    source_id: str = ""
    occurred_at: dt.datetime | None = None
    # The thing this entry settles; only the module that owns it sets this (see LedgerEntry).
    settles: str = ""

    @property
    def digest(self) -> str:
        """What the request asks for, so a reused key with another request is recognised."""
        fields = [
            self.service_code.strip().upper(),
            self.amount,
            self.quantity,
            self.method,
            self.customer_name.strip(),
            self.customer_phone.strip(),
            self.customer_id_no,
            self.source_type,
            self.source_id,
            self.settles,
        ]
        return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


@dataclass
class PostResult:
    entry: LedgerEntry
    created: bool


@dataclass
class _Catalogue:
    services: dict[str, Service]
    tariffs: dict[Any, list[Tariff]] = field(default_factory=dict)

    @classmethod
    def load(cls, codes: set[str]) -> _Catalogue:
        services = {s.code: s for s in Service.objects.filter(code__in=codes)}
        tariffs: dict[Any, list[Tariff]] = defaultdict(list)
        for t in Tariff.objects.filter(service__in=services.values()).order_by("-valid_from"):
            tariffs[t.service_id].append(t)
        return cls(services, tariffs)

    def tariff(self, service: Service, day: dt.date) -> Tariff | None:
        for t in self.tariffs.get(service.pk, []):
            if t.valid_from <= day:
                return t
        return None


def compute(tariff: Tariff, *, amount: int | None, quantity: int) -> tuple[int, int]:
    """The amount moved and the post's revenue, by the rule in force."""
    if tariff.rule in {Tariff.Rule.FIXED_FEE, Tariff.Rule.UNIT_PRICE}:
        moved = tariff.price * quantity if amount is None else amount
        return moved, moved
    if amount is None:
        raise CounterError(
            _("Dịch vụ này cần nhập số tiền."), code=CounterCode.BAD_AMOUNT, field="amount"
        )
    if tariff.rule == Tariff.Rule.COMMISSION_FIXED:
        return amount, tariff.price * quantity
    commission = (amount * tariff.rate_bp + 5_000) // 10_000
    commission = max(commission, tariff.min_revenue)
    if tariff.max_revenue is not None:
        commission = min(commission, tariff.max_revenue)
    return amount, commission


def _check_session(session: CounterSession, clerk: User) -> None:
    require(clerk, "counter.operate", Target(path=session.unit.path))
    if session.status != CounterSession.Status.OPEN:
        raise CounterError(
            _("Ca ngày %(day)s đã kết, không ghi thêm giao dịch được. Hãy mở ca mới.")
            % {"day": session.business_date.strftime("%d/%m/%Y")},
            code=CounterCode.SESSION_CLOSED,
        )
    if session.clerk_id != clerk.pk:
        raise CounterError(
            _("Đây là ca của nhân viên khác; mỗi người ghi giao dịch vào ca của mình."),
            code=CounterCode.NOT_YOUR_SESSION,
        )


def _where(index: int, total: int) -> str:
    return _("Giao dịch thứ %(n)s: ") % {"n": index + 1} if total > 1 else ""


def _build(
    req: EntryRequest,
    index: int,
    total: int,
    *,
    session: CounterSession,
    clerk: User,
    unit: PostUnit,
    catalogue: _Catalogue,
    now: dt.datetime,
) -> LedgerEntry:
    where = _where(index, total)
    service = catalogue.services.get(req.service_code.strip().upper())
    if service is None or not service.is_active:
        raise CounterError(
            where + _("Không có dịch vụ mã «%(code)s».") % {"code": req.service_code},
            code=CounterCode.UNKNOWN_SERVICE,
            field="service",
        )
    if not service.available_at(unit.kind):
        raise CounterError(
            where
            + _("Dịch vụ %(code)s không cung cấp tại %(kind)s.")
            % {"code": service.code, "kind": unit.get_kind_display()},
            code=CounterCode.SERVICE_UNAVAILABLE,
            field="service",
        )
    if not (1 <= req.quantity <= MAX_QUANTITY):
        raise CounterError(
            where + _("Số lượng phải từ 1 đến %(max)s.") % {"max": MAX_QUANTITY},
            code=CounterCode.BAD_QUANTITY,
            field="quantity",
        )
    if req.amount is not None and req.amount <= 0:
        raise CounterError(
            where + _("Số tiền phải lớn hơn 0."), code=CounterCode.BAD_AMOUNT, field="amount"
        )
    if req.amount is not None and req.amount > MAX_ENTRY_AMOUNT:
        raise CounterError(
            where
            + _("Số tiền %(amount)s vượt giới hạn một giao dịch (%(max)s).")
            % {"amount": format_vnd(req.amount), "max": format_vnd(MAX_ENTRY_AMOUNT)},
            code=CounterCode.AMOUNT_TOO_LARGE,
            field="amount",
        )
    if req.method not in LedgerEntry.Method.values:
        raise CounterError(
            where + _("Hình thức thanh toán không hợp lệ."),
            code=CounterCode.BAD_METHOD,
            field="method",
        )
    tariff = catalogue.tariff(service, session.business_date)
    if tariff is None:
        raise CounterError(
            where
            + _("Dịch vụ %(code)s chưa có biểu giá áp dụng ngày %(day)s.")
            % {"code": service.code, "day": session.business_date.strftime("%d/%m/%Y")},
            code=CounterCode.NO_TARIFF,
            field="service",
        )
    try:
        amount, revenue = compute(tariff, amount=req.amount, quantity=req.quantity)
    except CounterError as exc:
        raise CounterError(
            where + exc.message, code=CounterCode.BAD_AMOUNT, field="amount"
        ) from exc
    if amount <= 0 or amount > MAX_ENTRY_AMOUNT:
        raise CounterError(
            where + _("Số tiền %(amount)s không hợp lệ.") % {"amount": format_vnd(amount)},
            code=CounterCode.AMOUNT_TOO_LARGE if amount > 0 else CounterCode.BAD_AMOUNT,
            field="amount",
        )
    phone = ""
    if req.customer_phone:
        try:
            phone = normalise_phone(req.customer_phone)
        except DomainError as exc:
            raise DomainError(where + exc.message, code=exc.code, field="customer_phone") from exc
    return LedgerEntry(
        idempotency_key=req.idempotency_key[:80],
        request_digest=req.digest,
        settles=req.settles,
        unit=unit,
        clerk=clerk,
        session=session,
        service=service,
        line=service.line,
        business_date=session.business_date,
        occurred_at=req.occurred_at or now,
        quantity=req.quantity,
        amount=amount,
        direction=service.direction,
        revenue=revenue,
        method=req.method,
        customer_name=req.customer_name.strip()[:200],
        customer_phone=phone,
        customer_id_no=req.customer_id_no,
        source_type=req.source_type,
        source_id=req.source_id,
    )


def _check_keys(requests: Sequence[EntryRequest]) -> None:
    seen: dict[str, str] = {}
    for req in requests:
        if not req.idempotency_key or len(req.idempotency_key) > 80:
            raise CounterError(
                _("Mỗi giao dịch cần một khóa chống trùng (idempotency key) tối đa 80 ký tự."),
                code=CounterCode.BAD_AMOUNT,
                field="idempotency_key",
            )
        if seen.setdefault(req.idempotency_key, req.digest) != req.digest:
            raise _key_conflict(req.idempotency_key)


def _key_conflict(key: str) -> CounterError:
    return CounterError(
        _("Khóa chống trùng «%(key)s» đã dùng cho một giao dịch khác; hãy dùng khóa mới.")
        % {"key": key[:80]},
        code=CounterCode.IDEMPOTENCY_CONFLICT,
        field="idempotency_key",
    )


def _already_settled(settles: str) -> CounterError:
    return CounterError(
        _("Việc này đã được thanh toán bằng một giao dịch khác; không ghi lần hai."),
        code=CounterCode.ALREADY_SETTLED,
        field="settles",
    )


def _existing(unit: PostUnit, requests: Sequence[EntryRequest]) -> dict[str, LedgerEntry]:
    """Entries this point already recorded under these keys, each for the same request."""
    keys = [r.idempotency_key for r in requests]
    found = {
        e.idempotency_key: e
        for e in LedgerEntry.objects.filter(unit=unit, idempotency_key__in=keys).select_related(
            "service"
        )
    }
    for req in requests:
        entry = found.get(req.idempotency_key)
        if entry is not None and entry.request_digest and entry.request_digest != req.digest:
            raise _key_conflict(req.idempotency_key)
    return found


def _check_settlements(entries: Sequence[LedgerEntry]) -> None:
    wanted = [e.settles for e in entries if e.settles]
    if len(set(wanted)) != len(wanted):
        raise _already_settled(wanted[0])
    taken = LedgerEntry.objects.filter(settles__in=wanted).values_list("settles", flat=True)
    for settles in taken:
        raise _already_settled(settles)


def _insert(
    fresh: dict[str, LedgerEntry], unit: PostUnit, requests: Sequence[EntryRequest]
) -> dict[str, LedgerEntry]:
    """Insert the new entries; keys another session recorded meanwhile (the same requests)
    are returned as existing, and a settlement taken meanwhile is refused."""
    try:
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(list(fresh.values()), batch_size=1000)
    except IntegrityError:
        _check_settlements(list(fresh.values()))
        raced = _existing(unit, requests)
        for key in raced:
            fresh.pop(key, None)
        LedgerEntry.objects.bulk_create(list(fresh.values()), batch_size=1000)
        return raced
    return {}


@transaction.atomic
def post_entries(
    *, session: CounterSession, clerk: User, requests: Sequence[EntryRequest]
) -> list[PostResult]:
    """Record a batch of entries in the clerk's open session, each key at most once."""
    if not requests:
        return []
    _check_keys(requests)
    locked = CounterSession.objects.select_for_update().select_related("unit").get(pk=session.pk)
    _check_session(locked, clerk)
    existing = _existing(locked.unit, requests)
    catalogue = _Catalogue.load({r.service_code.strip().upper() for r in requests})
    now = timezone.now()
    fresh: dict[str, LedgerEntry] = {}
    for index, req in enumerate(requests):
        if req.idempotency_key in existing or req.idempotency_key in fresh:
            continue
        fresh[req.idempotency_key] = _build(
            req,
            index,
            len(requests),
            session=locked,
            clerk=clerk,
            unit=locked.unit,
            catalogue=catalogue,
            now=now,
        )
    if fresh:
        entries = list(fresh.values())
        _check_settlements(entries)
        _check_cash(entries, locked)
        _number(entries, locked)
        existing |= _insert(fresh, locked.unit, requests)
        _apply(list(fresh.values()), locked)
    results = []
    for req in requests:
        key = req.idempotency_key
        created = key in fresh
        results.append(
            PostResult(entry=fresh.pop(key) if created else existing[key], created=created)
        )
        if created:
            existing[key] = results[-1].entry
    return results


def post_entry(*, session: CounterSession, clerk: User, request: EntryRequest) -> PostResult:
    """The one door every module uses to move money at a counter."""
    return post_entries(session=session, clerk=clerk, requests=[request])[0]


def _number(entries: list[LedgerEntry], session: CounterSession) -> None:
    prefix = f"{session.unit.code}-{session.business_date:%y%m%d}-{str(session.pk)[-4:].upper()}"
    for i, entry in enumerate(entries, start=session.entries_count + 1):
        entry.receipt_no = f"{prefix}-{i:04d}"


def _check_cash(entries: list[LedgerEntry], session: CounterSession) -> None:
    """A drawer cannot pay out cash it does not hold."""
    cash_in = sum(e.amount for e in entries if e.method == "cash" and e.direction == "in")
    cash_out = sum(e.amount for e in entries if e.method == "cash" and e.direction == "out")
    if cash_out and session.book_cash + cash_in - cash_out < 0:
        raise CounterError(
            _("Không đủ tiền mặt trong quỹ ca: còn %(left)s, cần chi %(need)s.")
            % {"left": format_vnd(session.book_cash + cash_in), "need": format_vnd(cash_out)},
            code=CounterCode.INSUFFICIENT_CASH,
            field="amount",
        )


def _apply(entries: list[LedgerEntry], session: CounterSession) -> None:
    """Session totals and the daily and monthly rollups, in the same transaction."""
    cash_in = sum(e.amount for e in entries if e.method == "cash" and e.direction == "in")
    cash_out = sum(e.amount for e in entries if e.method == "cash" and e.direction == "out")
    CounterSession.objects.filter(pk=session.pk).update(
        cash_in=session.cash_in + cash_in,
        cash_out=session.cash_out + cash_out,
        entries_count=session.entries_count + len(entries),
        revenue=session.revenue + sum(e.revenue for e in entries),
    )
    session.cash_in += cash_in
    session.cash_out += cash_out
    session.entries_count += len(entries)
    session.revenue += sum(e.revenue for e in entries)
    add_to_rollups(entries)


def _deltas(entries: Sequence[LedgerEntry]) -> dict[tuple[Any, ...], list[int]]:
    sums: dict[tuple[Any, ...], list[int]] = {}
    for e in entries:
        sign = -1 if e.reverses_id is not None else 1
        key = (e.unit_id, e.service_id, e.business_date, e.line)
        row = sums.setdefault(key, [0, 0, 0, 0, 0])
        row[0] += sign
        row[1] += sign * e.quantity
        if e.direction == "in":
            row[2] += e.amount
        else:
            row[3] += e.amount
        row[4] += e.revenue
    return sums


def add_to_rollups(entries: Sequence[LedgerEntry]) -> None:
    """Add entries to the rollups with one upsert per touched row (atomic increments)."""
    daily = _deltas(entries)
    monthly: dict[tuple[Any, ...], list[int]] = {}
    for (unit, service, day, line), values in daily.items():
        row = monthly.setdefault((unit, service, month_start(day), line), [0, 0, 0, 0, 0])
        for i, v in enumerate(values):
            row[i] += v
    totals: dict[tuple[Any, ...], list[int]] = {}
    for (unit, _service, month, line), values in monthly.items():
        row = totals.setdefault((unit, month, line), [0, 0, 0, 0, 0])
        for i, v in enumerate(values):
            row[i] += v
    _upsert(DailyRollup._meta.db_table, "business_date", daily)
    _upsert(MonthlyRollup._meta.db_table, "month", monthly)
    _upsert(UnitMonthRollup._meta.db_table, "month", totals, with_service=False)


def _upsert(
    table: str,
    day_column: str,
    rows: dict[tuple[Any, ...], list[int]],
    *,
    with_service: bool = True,
) -> None:
    if not rows:
        return
    if not with_service:
        _upsert_totals(table, rows)
        return
    uuid_prep = LedgerEntry._meta.get_field("unit").target_field  # type: ignore[union-attr]
    date_prep = DailyRollup._meta.get_field("business_date")
    sql = (
        f"INSERT INTO {table} (unit_id, service_id, {day_column}, line, count, quantity, "  # noqa: S608
        "cash_in, cash_out, revenue) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT (unit_id, service_id, {day_column}) DO UPDATE SET "
        f"count = {table}.count + excluded.count, quantity = {table}.quantity + excluded.quantity, "
        f"cash_in = {table}.cash_in + excluded.cash_in, "
        f"cash_out = {table}.cash_out + excluded.cash_out, "
        f"revenue = {table}.revenue + excluded.revenue"
    )
    params = [
        (
            uuid_prep.get_db_prep_value(unit, connection),
            uuid_prep.get_db_prep_value(service, connection),
            date_prep.get_db_prep_value(day, connection),
            line,
            *values,
        )
        for (unit, service, day, line), values in sorted(rows.items(), key=lambda kv: str(kv[0]))
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _upsert_totals(table: str, rows: dict[tuple[Any, ...], list[int]]) -> None:
    uuid_prep = LedgerEntry._meta.get_field("unit").target_field  # type: ignore[union-attr]
    date_prep = DailyRollup._meta.get_field("business_date")
    sql = (
        f"INSERT INTO {table} (unit_id, month, line, count, quantity, cash_in, cash_out, "  # noqa: S608
        "revenue) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (unit_id, month, line) DO UPDATE SET "
        f"count = {table}.count + excluded.count, quantity = {table}.quantity + excluded.quantity, "
        f"cash_in = {table}.cash_in + excluded.cash_in, "
        f"cash_out = {table}.cash_out + excluded.cash_out, "
        f"revenue = {table}.revenue + excluded.revenue"
    )
    params = [
        (
            uuid_prep.get_db_prep_value(unit, connection),
            date_prep.get_db_prep_value(month, connection),
            line,
            *values,
        )
        for (unit, month, line), values in sorted(rows.items(), key=lambda kv: str(kv[0]))
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@transaction.atomic
def reverse_entry(
    *, entry: LedgerEntry, clerk: User, session: CounterSession, reason: str
) -> LedgerEntry:
    """Correct an entry with its mirror image, never by editing or deleting it."""
    if not reason.strip():
        raise CounterError(
            _("Cần ghi lý do hủy giao dịch."), code=CounterCode.REASON_REQUIRED, field="reason"
        )
    original = LedgerEntry.objects.select_for_update().select_related("unit").get(pk=entry.pk)
    locked = CounterSession.objects.select_for_update().select_related("unit").get(pk=session.pk)
    _check_session(locked, clerk)
    require(clerk, "counter.operate", Target(path=original.unit.path))
    if original.settles:
        raise CounterError(
            _(
                "Giao dịch %(no)s thanh toán cho một nghiệp vụ (%(what)s); "
                "hãy điều chỉnh từ nghiệp vụ đó."
            )
            % {"no": original.receipt_no, "what": original.settles.split(":")[0]},
            code=CounterCode.SETTLED_BY_MODULE,
        )
    if original.reverses_id is not None:
        raise CounterError(
            _("Đây là bút toán hủy; không hủy một bút toán hủy."),
            code=CounterCode.CANNOT_REVERSE_REVERSAL,
        )
    if LedgerEntry.objects.filter(reverses=original).exists():
        raise CounterError(
            _("Giao dịch %(no)s đã được hủy trước đó.") % {"no": original.receipt_no},
            code=CounterCode.ALREADY_REVERSED,
        )
    mirror = LedgerEntry(
        idempotency_key=f"reversal:{original.pk}",
        unit=original.unit,
        clerk=clerk,
        session=locked,
        service_id=original.service_id,
        line=original.line,
        business_date=locked.business_date,
        occurred_at=timezone.now(),
        quantity=original.quantity,
        amount=original.amount,
        direction="out" if original.direction == "in" else "in",
        revenue=-original.revenue,
        method=original.method,
        customer_name=original.customer_name,
        customer_phone=original.customer_phone,
        customer_id_no=original.customer_id_no,
        source_type=original.source_type,
        source_id=original.source_id,
        reverses=original,
        reason=reason.strip()[:255],
    )
    _check_cash([mirror], locked)
    _number([mirror], locked)
    mirror.save(force_insert=True)
    _apply([mirror], locked)
    audit.record(
        actor=clerk,
        action="counter.entry_reversed",
        instance=original,
        before={"receipt_no": original.receipt_no, "amount": original.amount},
        after={"reversal": mirror.receipt_no},
        unit_path=locked.unit.path,
        note=reason,
    )
    return mirror


@transaction.atomic
def open_session(
    *, clerk: User, unit: PostUnit, opening_cash: int, business_date: dt.date | None = None
) -> CounterSession:
    """Start a shift with the counted opening cash."""
    require(clerk, "counter.operate", Target(path=unit.path))
    if opening_cash < 0 or opening_cash > MAX_ENTRY_AMOUNT:
        raise CounterError(
            _("Tiền đầu ca phải từ 0 đồng trở lên."),
            code=CounterCode.BAD_AMOUNT,
            field="opening_cash",
        )
    if CounterSession.objects.filter(unit=unit, clerk=clerk, status="open").exists():
        raise CounterError(
            _("Bạn đang có một ca mở tại đơn vị này; hãy kết ca đó trước."),
            code=CounterCode.SESSION_ALREADY_OPEN,
        )
    now = timezone.now()
    session = CounterSession.objects.create(
        unit=unit,
        clerk=clerk,
        business_date=business_date or timezone.localdate(),
        opened_at=now,
        opening_cash=opening_cash,
    )
    audit.record(
        actor=clerk,
        action="counter.session_opened",
        instance=session,
        before=None,
        after=audit.snapshot(session),
        unit_path=unit.path,
    )
    return session


@transaction.atomic
def close_session(
    *, session: CounterSession, clerk: User, counted_cash: int, reason: str = ""
) -> CounterSession:
    """Count the drawer; a difference needs a reason and waits for a manager's approval."""
    locked = CounterSession.objects.select_for_update().select_related("unit").get(pk=session.pk)
    _check_session(locked, clerk)
    if counted_cash < 0:
        raise CounterError(
            _("Tiền kiểm đếm không được âm."), code=CounterCode.BAD_AMOUNT, field="counted_cash"
        )
    before = audit.snapshot(locked)
    locked.expected_cash = locked.book_cash
    locked.counted_cash = counted_cash
    locked.closed_at = timezone.now()
    if counted_cash != locked.expected_cash:
        if not reason.strip():
            raise CounterError(
                _("Tiền đếm được lệch %(diff)s so với sổ; hãy ghi lý do chênh lệch.")
                % {"diff": format_vnd(counted_cash - locked.expected_cash)},
                code=CounterCode.REASON_REQUIRED,
                field="reason",
            )
        locked.discrepancy_reason = reason.strip()
        locked.status = CounterSession.Status.PENDING_APPROVAL
    else:
        locked.status = CounterSession.Status.CLOSED
    locked.version += 1
    locked.save()
    audit.record(
        actor=clerk,
        action="counter.session_closed",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=locked.unit.path,
    )
    return locked


@transaction.atomic
def approve_discrepancy(
    *, session: CounterSession, manager: User, note: str = ""
) -> CounterSession:
    """A manager accepts the difference of a closed shift, which locks it."""
    locked = CounterSession.objects.select_for_update().select_related("unit").get(pk=session.pk)
    require(manager, "counter.approve", Target(path=locked.unit.path))
    if locked.status != CounterSession.Status.PENDING_APPROVAL:
        raise CounterError(
            _("Ca này không có chênh lệch chờ duyệt."), code=CounterCode.NOTHING_TO_APPROVE
        )
    before = audit.snapshot(locked)
    locked.status = CounterSession.Status.CLOSED
    locked.approved_by = manager
    locked.approved_at = timezone.now()
    locked.version += 1
    locked.save()
    audit.record(
        actor=manager,
        action="counter.discrepancy_approved",
        instance=locked,
        before=before,
        after=audit.snapshot(locked),
        unit_path=locked.unit.path,
        note=note,
    )
    return locked


@transaction.atomic
def rebuild_rollups(*, since: dt.date | None = None) -> int:
    """Recompute the daily and monthly rollups from the raw entries, in the database."""
    daily = DailyRollup._meta.db_table
    monthly = MonthlyRollup._meta.db_table
    totals = UnitMonthRollup._meta.db_table
    entries = LedgerEntry._meta.db_table
    start = month_start(since) if since is not None else None
    date_prep = DailyRollup._meta.get_field("business_date")
    params = [date_prep.get_db_prep_value(start, connection)] if start else []
    where_day = "WHERE business_date >= %s" if start else ""
    where_month = "WHERE month >= %s" if start else ""
    if connection.vendor == "postgresql":
        month_of = "date_trunc('month', business_date)::date"
    else:
        month_of = "date(business_date, 'start of month')"
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {daily} {where_day}", params)  # noqa: S608
        cur.execute(f"DELETE FROM {monthly} {where_month}", params)  # noqa: S608
        cur.execute(f"DELETE FROM {totals} {where_month}", params)  # noqa: S608
        cur.execute(
            f"INSERT INTO {daily} (unit_id, service_id, business_date, line, count, quantity, "  # noqa: S608
            "cash_in, cash_out, revenue) "
            "SELECT unit_id, service_id, business_date, line, "
            "SUM(CASE WHEN reverses_id IS NULL THEN 1 ELSE -1 END), "
            "SUM(CASE WHEN reverses_id IS NULL THEN quantity ELSE -quantity END), "
            "SUM(CASE WHEN direction = 'in' THEN amount ELSE 0 END), "
            "SUM(CASE WHEN direction = 'out' THEN amount ELSE 0 END), "
            f"SUM(revenue) FROM {entries} {where_day} "
            "GROUP BY unit_id, service_id, business_date, line",
            params,
        )
        written = cur.rowcount
        cur.execute(
            f"INSERT INTO {monthly} (unit_id, service_id, month, line, count, quantity, "  # noqa: S608
            "cash_in, cash_out, revenue) "
            f"SELECT unit_id, service_id, {month_of}, line, SUM(count), SUM(quantity), "
            f"SUM(cash_in), SUM(cash_out), SUM(revenue) FROM {daily} {where_day} "
            f"GROUP BY unit_id, service_id, {month_of}, line",
            params,
        )
        cur.execute(
            f"INSERT INTO {totals} (unit_id, month, line, count, quantity, cash_in, cash_out, "  # noqa: S608
            f"revenue) SELECT unit_id, month, line, SUM(count), SUM(quantity), SUM(cash_in), "
            f"SUM(cash_out), SUM(revenue) FROM {monthly} {where_month} "
            "GROUP BY unit_id, month, line",
            params,
        )
    return int(written)
