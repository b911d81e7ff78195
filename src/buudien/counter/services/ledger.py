"""The ledger's one door `post_entries`: what a request costs by the tariff in force, each key
once per point, each settlement once, the shift's totals and the rollups; and reversals."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from buudien.core import audit, clock, journal
from buudien.core.errors import DomainError
from buudien.core.ids import normalise_phone
from buudien.core.money import format_vnd
from buudien.core.permissions import Target, require
from buudien.counter.errors import CounterCode, CounterError
from buudien.counter.models import CounterSession, LedgerEntry, Service, Tariff
from buudien.counter.services.rollups import add_to_rollups
from buudien.counter.services.sessions import check_session

if TYPE_CHECKING:
    from buudien.core.models import User
    from buudien.network.models import PostUnit

# One entry may not move more than 100 tỷ đồng; anything above is a typing error.
MAX_ENTRY_AMOUNT = 100_000_000_000
MAX_QUANTITY = 100_000
METHODS = frozenset(LedgerEntry.Method.values)
_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(..., ensure_ascii=False), made once
PRICED = frozenset({Tariff.Rule.FIXED_FEE.value, Tariff.Rule.UNIT_PRICE.value})


@dataclass(frozen=True, slots=True)
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
    # The bill number or reference the customer brought (an electricity bill's number).
    reference: str = ""
    # The customer transaction (basket) this entry is one line of, if any.
    transaction_id: Any = None

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
        if self.reference:
            fields.append(self.reference.strip())
        return hashlib.sha256(_JSON.encode(fields).encode()).hexdigest()


@dataclass
class PostResult:
    entry: LedgerEntry
    created: bool


@dataclass
class Catalogue:
    """The services asked for, their tariffs newest first, and what was looked up already."""

    services: dict[str, Service]
    tariffs: dict[Any, list[Tariff]] = field(default_factory=dict)
    _in_force: dict[tuple[str, dt.date], Tariff | None] = field(default_factory=dict)
    _offered: dict[tuple[str, str], bool] = field(default_factory=dict)

    @classmethod
    def load(cls, codes: set[str]) -> Catalogue:
        services = {s.code: s for s in Service.objects.filter(code__in=codes)}
        tariffs: dict[Any, list[Tariff]] = defaultdict(list)
        for t in Tariff.objects.filter(service__in=services.values()).order_by("-valid_from"):
            tariffs[t.service_id].append(t)
        return cls(services, tariffs)

    def tariff(self, service: Service, day: dt.date) -> Tariff | None:
        """The tariff in force on a day (the latest that started by then)."""
        key = (service.code, day)
        found = self._in_force.get(key, self)
        if found is self:
            found = next((t for t in self.tariffs.get(service.pk, []) if t.valid_from <= day), None)
            self._in_force[key] = found
        return found  # type: ignore[return-value]

    def offered(self, service: Service, unit_kind: str) -> bool:
        key = (service.code, unit_kind)
        found = self._offered.get(key)
        if found is None:
            found = self._offered[key] = service.available_at(unit_kind)
        return found


@dataclass(frozen=True, slots=True)
class Priced:
    """A request checked against the catalogue: its service, the money moved, the revenue."""

    service: Service
    amount: int
    revenue: int
    phone: str


def compute(tariff: Tariff, *, amount: int | None, quantity: int) -> tuple[int, int]:
    """The amount moved and the post's revenue, by the rule in force."""
    if tariff.rule in PRICED:
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


def _service(req: EntryRequest, unit: PostUnit, catalogue: Catalogue) -> Service:
    service = catalogue.services.get(req.service_code.strip().upper())
    if service is None or not service.is_active:
        raise CounterError(
            _("Không có dịch vụ mã «%(code)s».") % {"code": req.service_code},
            code=CounterCode.UNKNOWN_SERVICE,
            field="service",
        )
    if not catalogue.offered(service, unit.kind):
        raise CounterError(
            _("Dịch vụ %(code)s không cung cấp tại %(kind)s.")
            % {"code": service.code, "kind": unit.get_kind_display()},
            code=CounterCode.SERVICE_UNAVAILABLE,
            field="service",
        )
    return service


def _check_values(req: EntryRequest) -> None:
    if not (1 <= req.quantity <= MAX_QUANTITY):
        raise CounterError(
            _("Số lượng phải từ 1 đến %(max)s.") % {"max": MAX_QUANTITY},
            code=CounterCode.BAD_QUANTITY,
            field="quantity",
        )
    if req.amount is not None and req.amount <= 0:
        raise CounterError(
            _("Số tiền phải lớn hơn 0."), code=CounterCode.BAD_AMOUNT, field="amount"
        )
    if req.amount is not None and req.amount > MAX_ENTRY_AMOUNT:
        raise CounterError(
            _("Số tiền %(amount)s vượt giới hạn một giao dịch (%(max)s).")
            % {"amount": format_vnd(req.amount), "max": format_vnd(MAX_ENTRY_AMOUNT)},
            code=CounterCode.AMOUNT_TOO_LARGE,
            field="amount",
        )
    if req.method not in METHODS:
        raise CounterError(
            _("Hình thức thanh toán không hợp lệ."),
            code=CounterCode.BAD_METHOD,
            field="method",
        )


def _tariff(service: Service, day: dt.date, catalogue: Catalogue) -> Tariff:
    tariff = catalogue.tariff(service, day)
    if tariff is None:
        raise CounterError(
            _("Dịch vụ %(code)s chưa có biểu giá áp dụng ngày %(day)s.")
            % {"code": service.code, "day": day.strftime("%d/%m/%Y")},
            code=CounterCode.NO_TARIFF,
            field="service",
        )
    return tariff


def price(req: EntryRequest, *, unit: PostUnit, day: dt.date, catalogue: Catalogue) -> Priced:
    """Check a request against the catalogue and price it by the tariff in force that day."""
    service = _service(req, unit, catalogue)
    _check_values(req)
    amount, revenue = compute(
        _tariff(service, day, catalogue), amount=req.amount, quantity=req.quantity
    )
    if amount <= 0 or amount > MAX_ENTRY_AMOUNT:
        raise CounterError(
            _("Số tiền %(amount)s không hợp lệ.") % {"amount": format_vnd(amount)},
            code=CounterCode.AMOUNT_TOO_LARGE if amount > 0 else CounterCode.BAD_AMOUNT,
            field="amount",
        )
    phone = ""
    if req.customer_phone:
        try:
            phone = normalise_phone(req.customer_phone)
        except DomainError as exc:
            raise DomainError(exc.message, code=exc.code, field="customer_phone") from exc
    return Priced(service, amount, revenue, phone)


def at_entry(exc: DomainError, index: int, total: int) -> DomainError:
    """The same error, its message saying which entry of a batch it is about."""
    if total <= 1:
        return exc
    where = _("Giao dịch thứ %(n)s: ") % {"n": index + 1}
    if isinstance(exc, CounterError):
        return CounterError(where + exc.message, code=CounterCode(exc.code), field=exc.field)
    return DomainError(where + exc.message, code=exc.code, field=exc.field)


def _build(
    req: EntryRequest,
    index: int,
    total: int,
    *,
    session: CounterSession,
    clerk: User,
    catalogue: Catalogue,
    now: dt.datetime,
) -> LedgerEntry:
    unit = session.unit
    try:
        priced = price(req, unit=unit, day=session.business_date, catalogue=catalogue)
    except DomainError as exc:
        raise at_entry(exc, index, total) from exc
    return LedgerEntry(
        idempotency_key=req.idempotency_key[:80],
        request_digest=req.digest,
        settles=req.settles,
        unit=unit,
        clerk=clerk,
        session=session,
        service=priced.service,
        line=priced.service.line,
        business_date=session.business_date,
        occurred_at=req.occurred_at or now,
        quantity=req.quantity,
        amount=priced.amount,
        direction=priced.service.direction,
        revenue=priced.revenue,
        method=req.method,
        customer_name=req.customer_name.strip()[:200],
        customer_phone=priced.phone,
        customer_id_no=req.customer_id_no,
        source_type=req.source_type,
        source_id=req.source_id,
        reference=req.reference.strip()[:60],
        counter_transaction_id=req.transaction_id,
    )


def check_key(req: EntryRequest) -> None:
    """Every entry carries its point's key for the request, of at most 80 characters."""
    if not req.idempotency_key or len(req.idempotency_key) > 80:
        raise CounterError(
            _("Mỗi giao dịch cần một khóa chống trùng (idempotency key) tối đa 80 ký tự."),
            code=CounterCode.BAD_AMOUNT,
            field="idempotency_key",
        )


def _check_keys(requests: Sequence[EntryRequest]) -> None:
    seen: dict[str, str] = {}
    for req in requests:
        check_key(req)
        if seen.setdefault(req.idempotency_key, req.digest) != req.digest:
            raise key_conflict(req.idempotency_key)


def key_conflict(key: str) -> CounterError:
    return CounterError(
        _("Khóa chống trùng «%(key)s» đã dùng cho một giao dịch khác; hãy dùng khóa mới.")
        % {"key": key[:80]},
        code=CounterCode.IDEMPOTENCY_CONFLICT,
        field="idempotency_key",
    )


def already_settled(settles: str) -> CounterError:
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
            raise key_conflict(req.idempotency_key)
    return found


def check_settlements(wanted: Sequence[str]) -> None:
    """Each thing is settled by one entry only: in this batch and in the ledger."""
    wanted = [s for s in wanted if s]
    if len(set(wanted)) != len(wanted):
        raise already_settled(wanted[0])
    taken = LedgerEntry.objects.filter(settles__in=wanted).values_list("settles", flat=True)
    for settles in taken:
        raise already_settled(settles)


def _insert(
    fresh: dict[str, LedgerEntry], unit: PostUnit, requests: Sequence[EntryRequest]
) -> dict[str, LedgerEntry]:
    """Insert the new entries; keys another session recorded meanwhile (the same requests)
    are returned as existing, and a settlement taken meanwhile is refused."""
    try:
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(list(fresh.values()), batch_size=1000)
    except IntegrityError:
        check_settlements([e.settles for e in fresh.values()])
        raced = _existing(unit, requests)
        for key in raced:
            fresh.pop(key, None)
        LedgerEntry.objects.bulk_create(list(fresh.values()), batch_size=1000)
        return raced
    return {}


@journal.operation("counter.post_entries")
@transaction.atomic
def post_entries(
    *, session: CounterSession, clerk: User, requests: Sequence[EntryRequest]
) -> list[PostResult]:
    """Record a batch of entries in the clerk's open session, each key at most once."""
    if not requests:
        return []
    _check_keys(requests)
    locked = CounterSession.objects.select_for_update().select_related("unit").get(pk=session.pk)
    check_session(locked, clerk)
    existing = _existing(locked.unit, requests)
    catalogue = Catalogue.load({r.service_code.strip().upper() for r in requests})
    now = clock.now()
    fresh: dict[str, LedgerEntry] = {}
    for index, req in enumerate(requests):
        if req.idempotency_key in existing or req.idempotency_key in fresh:
            continue
        fresh[req.idempotency_key] = _build(
            req, index, len(requests), session=locked, clerk=clerk, catalogue=catalogue, now=now
        )
    if fresh:
        entries = list(fresh.values())
        check_settlements([e.settles for e in entries])
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


def receipt_prefix(*, unit_code: str, day: dt.date, session_id: Any, series: str = "") -> str:
    """Receipts of a shift: the point, the day and the shift (its reserved series when a
    point's laptop opened it, else the end of its key), then the entry's number."""
    day_text = f"{day.year % 100:02d}{day.month:02d}{day.day:02d}"
    return f"{unit_code}-{day_text}-{series or str(session_id)[-4:].upper()}"


def _receipt_no(prefix: str, i: int) -> str:
    return f"{prefix}-{i:04d}"


def _number(entries: list[LedgerEntry], session: CounterSession) -> None:
    prefix = receipt_prefix(
        unit_code=session.unit.code,
        day=session.business_date,
        session_id=session.pk,
        series=session.series,
    )
    for i, entry in enumerate(entries, start=session.entries_count + 1):
        entry.receipt_no = journal.number("receipt", functools.partial(_receipt_no, prefix, i))


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


def _check_reversible(original: LedgerEntry) -> None:
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


@journal.operation("counter.reverse_entry")
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
    check_session(locked, clerk)
    require(clerk, "counter.operate", Target(path=original.unit.path))
    _check_reversible(original)
    mirror = LedgerEntry(
        idempotency_key=f"reversal:{original.pk}",
        unit=original.unit,
        clerk=clerk,
        session=locked,
        service_id=original.service_id,
        line=original.line,
        business_date=locked.business_date,
        occurred_at=clock.now(),
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
